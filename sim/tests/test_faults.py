"""Fault injection as the real adb server experiences it: latency, drops, offline spells, screencap failures."""

from __future__ import annotations

import socket
import time

import pytest

from screenpilot_sim.testing import AdbDevice, wait_for


def test_latency_is_added_to_every_request(adb_device: AdbDevice) -> None:
    adb_device.phone.faults.latency_s = 0.3
    start = time.monotonic()
    assert adb_device.shell("echo slow").stdout == b"slow\n"
    assert time.monotonic() - start >= 0.3
    adb_device.phone.faults.latency_s = 0.0


def test_a_dropped_connection_fails_the_request_and_the_device_comes_back(adb_device: AdbDevice) -> None:
    phone, server, serial = adb_device.phone, adb_device.server, adb_device.serial
    phone.faults.drop_probability = 1.0
    r = adb_device.shell("echo never")
    assert r.returncode != 0
    assert b"closed" in r.stderr or b"offline" in r.stderr or b"not found" in r.stderr
    phone.faults.drop_probability = 0.0
    server.wait_state(serial, "device")  # the adb server reconnects by itself, as to a Wi-Fi phone
    assert adb_device.shell("echo back").stdout == b"back\n"


def test_drops_with_a_probability_hit_some_requests_only(adb_device: AdbDevice) -> None:
    phone = adb_device.phone
    phone.faults.drop_probability = 0.5
    phone.faults._rng.seed(1234)
    outcomes = []
    for _ in range(12):
        outcomes.append(adb_device.shell("echo x").returncode == 0)
        phone.faults.drop_probability, saved = 0.0, phone.faults.drop_probability
        adb_device.server.wait_state(adb_device.serial, "device")
        phone.faults.drop_probability = saved
    phone.faults.drop_probability = 0.0
    assert any(outcomes) and not all(outcomes)


def test_offline_for_n_seconds_then_online_again(adb_device: AdbDevice) -> None:
    phone, server, serial = adb_device.phone, adb_device.server, adb_device.serial
    phone.faults.go_offline(2.0)
    adb_device.endpoint.kick()
    server.wait_state(serial, "offline", timeout=5)
    r = adb_device.shell("echo x", timeout=30)
    assert r.returncode != 0 and b"offline" in r.stderr
    server.wait_state(serial, "device", timeout=20)
    assert adb_device.shell("echo online").stdout == b"online\n"


def test_a_failing_screencap_says_so_and_exits_1(adb_device: AdbDevice) -> None:
    adb_device.phone.faults.screencap_fails = True
    r = adb_device.shell("screencap -p")
    assert r.returncode == 1
    assert r.stdout == b"" and r.stderr == b"Capturing failed.\n"
    from adbutils import AdbError

    with pytest.raises(AdbError):
        adb_device.adbutils().screenshot(error_ok=False)
    adb_device.phone.faults.screencap_fails = False
    assert adb_device.adbutils().screenshot(error_ok=False).size == (1080, 2400)


def test_a_client_vanishing_mid_transfer_leaves_the_phone_serving(adb_device: AdbDevice) -> None:
    """Start a 10 MB raw screencap over a raw transport and hang up after the first bytes."""
    client = adb_device.adbutils()
    conn = client.open_transport()
    conn.send_command("exec:screencap")
    conn.check_okay()
    conn.read(1000)
    conn.close()
    assert adb_device.shell("echo fine").stdout == b"fine\n"


def test_many_garbage_connections_at_once_do_not_starve_the_device(adb_device: AdbDevice) -> None:
    socks = []
    for _ in range(20):
        s = socket.create_connection(("127.0.0.1", adb_device.endpoint.port), timeout=5)
        s.sendall(b"\xde\xad\xbe\xef" * 3)
        socks.append(s)
    try:
        assert adb_device.shell("echo served").stdout == b"served\n"
    finally:
        for s in socks:
            s.close()
    wait_for(lambda: len(adb_device.endpoint.connections()) <= 2, what="garbage connections to be closed")
