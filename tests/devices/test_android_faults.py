"""Faults between the driver and the phone: dropped connections, stalls, a phone gone offline, a failing
screencap, a vanished adb server. Observations survive by reconnecting; an action whose fate is unknown
is reported as such and never sent twice; everything else is one of our errors saying what to do."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import threading
import time

import pytest
from screenpilot_sim.testing import free_port, wait_for

from screenpilot.actions import Key, Point, Size, Swipe, Tap
from screenpilot.devices import (
    ActionOutcomeUnknown,
    AndroidDevice,
    CaptureFailed,
    DeviceNotFound,
    DeviceOffline,
    DeviceTimeout,
    ServerUnavailable,
)
from screenpilot.devices.android import Backoff
from screenpilot.errors import InfraFault, OutcomeUnknown
from screenpilot.perception import DeviceAction

PORTRAIT = Size(1080, 2400)


def act(device: AndroidDevice, action: object):
    return device.execute(DeviceAction(action=action, size=PORTRAIT))


def ran(adb_device, needle: str) -> int:
    """How many command lines containing ``needle`` the phone's shell actually ran."""
    return sum(needle in line for line in adb_device.records.lines())


@pytest.fixture
def android(adb_device):
    return AndroidDevice(adb_device.serial, port=adb_device.server.port, timeout=5.0, backoff=Backoff(total=8.0))


def test_observations_survive_dropped_connections(adb_device, android) -> None:
    faults = adb_device.phone.faults
    faults._rng.seed(7)
    faults.drop_probability = 0.3
    for _ in range(8):
        assert android.screenshot().size == PORTRAIT
        assert android.info().model == "Virtual Phone"
        assert android.ui_tree()
    assert android.link.reconnects > 0  # the drops really happened and were recovered from


def test_an_action_whose_link_drops_is_reported_and_never_resent(adb_device, android) -> None:
    android.screenshot()
    adb_device.phone.faults.drop_probability = 1.0
    with pytest.raises(ActionOutcomeUnknown, match="may or may not have run") as info:
        act(android, Tap(point=Point(101, 202)))
    assert "look at the screen again" in str(info.value)
    adb_device.phone.faults.drop_probability = 0.0
    assert android.screenshot().size == PORTRAIT  # the driver reconnects for the next observation...
    assert ran(adb_device, "input tap 101 202") == 0  # ...and did not slip the tap in on the way


def test_a_link_lost_while_the_action_runs_is_unknown_and_ran_once(adb_device, android) -> None:
    outcome: list[BaseException | None] = []

    def swipe() -> None:
        try:
            act(android, Swipe(start=Point(540, 1800), end=Point(540, 600), duration_ms=3000))
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001
            outcome.append(exc)

    worker = threading.Thread(target=swipe)
    worker.start()
    wait_for(lambda: any("input swipe 540 1800 540 600 3000" in stream.service
                         for conn in adb_device.endpoint.connections() for stream in list(conn.streams.values())),
             what="the swipe to be running on the phone")
    adb_device.endpoint.kick()  # the USB/Wi-Fi link drops mid-gesture
    worker.join(timeout=20)
    assert isinstance(outcome[0], ActionOutcomeUnknown), outcome
    assert android.screenshot().size == PORTRAIT
    assert ran(adb_device, "input swipe 540 1800 540 600 3000") == 1


def test_a_stalled_phone_times_out_observations_and_marks_actions_unknown(adb_device, adb_server) -> None:
    device = AndroidDevice(adb_device.serial, port=adb_server.port, timeout=0.3, backoff=Backoff(total=0.5))
    adb_device.phone.faults.latency_s = 2.0
    with pytest.raises(DeviceTimeout, match="did not answer in time"):
        device.screenshot()
    with pytest.raises(ActionOutcomeUnknown, match="did not answer in time"):
        act(device, Key(key="volume_up"))
    adb_device.phone.faults.latency_s = 0.0
    assert device.screenshot().size == PORTRAIT


def test_a_slow_phone_within_the_timeout_just_works(adb_device, adb_server) -> None:
    device = AndroidDevice(adb_device.serial, port=adb_server.port, timeout=3.0)
    adb_device.phone.faults.latency_s = 0.2
    start = time.monotonic()
    act(device, Key(key="volume_up"))
    assert time.monotonic() - start >= 0.2
    assert adb_device.phone.settings["system"]["volume_music"] == "8"


def test_a_phone_offline_for_a_while_is_waited_for(adb_device, android) -> None:
    android.screenshot()
    adb_device.phone.faults.go_offline(1.5)
    adb_device.endpoint.kick()
    start = time.monotonic()
    assert android.screenshot().size == PORTRAIT
    assert time.monotonic() - start >= 1.0
    # an action sent after the phone came back lands once: nothing was sent while it was away
    adb_device.phone.faults.go_offline(1.0)
    adb_device.endpoint.kick()
    act(android, Tap(point=Point(303, 404)))
    assert ran(adb_device, "input tap 303 404") == 1


def test_a_phone_offline_too_long_is_a_clear_error(adb_device, adb_server) -> None:
    device = AndroidDevice(adb_device.serial, port=adb_server.port, backoff=Backoff(total=1.0))
    adb_device.phone.faults.go_offline(30)
    adb_device.endpoint.kick()
    with pytest.raises((DeviceOffline, DeviceNotFound)) as info:
        device.screenshot()
    assert info.value.hint and ("connect" in info.value.hint)
    adb_device.phone.faults.go_offline(0)
    adb_server.connect(adb_device.serial)


def test_a_failing_screencap_recovers_when_the_phone_does(adb_device, android) -> None:
    adb_device.phone.faults.screencap_fails = True
    with pytest.raises(CaptureFailed) as info:
        android.screenshot()
    assert "exit" in str(info.value) and info.value.hint
    adb_device.phone.faults.screencap_fails = False
    assert android.screenshot().size == PORTRAIT


def test_the_adb_server_going_away_and_coming_back(adb_device, adb_path, tmp_path) -> None:
    """Our own server on a known port: killed (ServerUnavailable, 'no adb server'), restarted (recovered)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANDROID_", "ADB"))}
    env.update(HOME=str(tmp_path), ADB_LOCAL_TRANSPORT_MAX_PORT="5553")

    def listening() -> bool:
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", port)) == 0

    def start(*, connect: bool = True) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen([adb_path, "-P", str(port), "nodaemon", "server"], env=env, start_new_session=True,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # poll the port itself: the adb CLI would start a stray server of its own if asked too early
        wait_for(lambda: listening() or proc.poll() is not None, what="the adb server to listen")
        assert proc.poll() is None, "the adb server exited"
        if not connect:
            return proc
        out = subprocess.run([adb_path, "-P", str(port), "connect", adb_device.serial], env=env, capture_output=True,
                             check=False)
        assert out.stdout.startswith(b"connected"), out
        return proc

    def stop(proc: subprocess.Popen[bytes]) -> None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    proc = start()
    try:
        device = AndroidDevice(adb_device.serial, port=port, backoff=Backoff(total=0.5))
        assert device.screenshot().size == PORTRAIT
        stop(proc)
        with pytest.raises(ServerUnavailable, match="no adb server"):
            device.screenshot()
        proc = start(connect=False)  # a fresh server that has never heard of the phone
        device.link.backoff = Backoff(total=5.0)
        assert device.screenshot().size == PORTRAIT  # the driver reconnected the network device itself
        assert device.link.reconnects >= 1
    finally:
        stop(proc)
        shutil.rmtree(tmp_path, ignore_errors=True)


def test_every_failure_is_one_of_ours(adb_device, adb_server) -> None:
    """Whatever the fault, nothing from adbutils or the socket layer leaks out of the driver: each call the
    fault reaches fails with one of our faults (and the calls it does not reach still work)."""
    device = AndroidDevice(adb_device.serial, port=adb_server.port, timeout=0.3, backoff=Backoff(total=0.3))
    faults = adb_device.phone.faults
    calls = {"screenshot": device.screenshot, "info": device.info, "ui_tree": device.ui_tree,
             "act": lambda: act(device, Key(key="home"))}
    everything = set(calls)
    # (the UI dump waits at least 30 s: on a real phone it takes seconds, so a 1 s stall does not reach it)
    for setup, reached in ((lambda: setattr(faults, "latency_s", 1.0), everything - {"ui_tree"}),
                           (lambda: setattr(faults, "drop_probability", 1.0), everything),
                           (lambda: setattr(faults, "screencap_fails", True), {"screenshot"})):
        faults.reset()
        setup()
        for name, call in calls.items():
            try:
                call()
            except (InfraFault, OutcomeUnknown):
                failed = True
            else:
                failed = False
            assert failed == (name in reached), name
    faults.reset()
    if adb_server.devices().get(adb_device.serial) != "device":
        adb_server.run("disconnect", adb_device.serial)
        adb_server.connect(adb_device.serial)
