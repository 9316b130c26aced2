"""``screenpilot sim serve``: a foreground server with a banner, several devices, a clean Ctrl+C."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from collections.abc import Callable

from screenpilot_sim.testing import AdbServer


def test_serve_prints_how_to_connect_and_stops_cleanly_on_ctrl_c(
        phone_process: Callable[..., tuple[subprocess.Popen[bytes], list[int]]], adb_server: AdbServer) -> None:
    proc, ports = phone_process("--clock", "10:30", "--size", "720x1600", devices=2)
    for port in ports:
        serial = f"127.0.0.1:{port}"
        adb_server.connect(serial)
        r = adb_server.run("-s", serial, "shell", "wm size")
        assert r.stdout == b"Physical size: 720x1600\n"
    serials = [f"127.0.0.1:{p}" for p in ports]
    assert adb_server.run("-s", serials[1], "shell", "getprop ro.serialno").stdout == b"SPVIRT0002\n"
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=10) == 0
    assert proc.stdout is None  # output went to the log file the fixture keeps
    for s in serials:
        adb_server.run("disconnect", s)


def test_serve_banner_text(tmp_path: object) -> None:
    import threading

    from screenpilot_sim import serve

    lines: list[str] = []
    stop = threading.Event()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    t = threading.Thread(target=serve, kwargs={"port": port, "print_line": lines.append, "stop": stop})
    t.start()
    try:
        while "Press Ctrl+C to stop." not in lines:
            t.join(0.02)
    finally:
        stop.set()
        t.join(10)
    assert lines[0] == "ScreenPilot virtual phone: Android 14, 1080x2400 at 420 dpi, instant timing"
    assert f"    adb connect 127.0.0.1:{port}" in lines
    assert lines[-1] == "stopped"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "screenpilot_sim", "serve", *args], capture_output=True,
                          text=True, timeout=60, check=False)


def test_bad_arguments_end_in_one_line_on_stderr() -> None:
    r = _cli("--size", "12x")
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("screenpilot-sim: error: ") and "WIDTHxHEIGHT" in r.stderr
    r = _cli("--devices", "0")
    assert r.returncode == 2 and r.stderr.count("\n") == 1
    r = _cli("--clock", "25:99")
    assert r.returncode == 2 and r.stderr == ("screenpilot-sim: error: Invalid value for '--clock': write HH:MM, "
                                              "e.g. 10:30 (got '25:99')\n")
    for option, value, says in (("--profile", "fast", "unknown timing profile 'fast' (known: instant, phone)"),
                                ("--faults", "drop=2", "a chance lies between 0 and 1"),
                                ("--faults", "melt=1", "unknown fault kind 'melt'"),
                                ("--snapshot", "/nonexistent.snap", "cannot read the snapshot")):
        r = _cli(option, value)
        assert r.returncode in (1, 2) and r.stderr.count("\n") == 1 and says in r.stderr, r.stderr


def test_a_port_in_use_is_one_clear_line() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        r = _cli("--port", str(port))
    assert r.returncode == 1
    assert r.stderr == (f"screenpilot-sim: error: cannot listen on 127.0.0.1:{port}: it is in use "
                        "(choose another --port, or stop what listens there)\n")


def test_serve_auth_waits_for_enter_to_allow(adb_server: AdbServer, tmp_path: object) -> None:
    from pathlib import Path

    from screenpilot_sim.testing import free_port, wait_for

    port = free_port()
    log = Path(str(tmp_path)) / "serve.log"
    proc = subprocess.Popen([sys.executable, "-m", "screenpilot_sim", "serve", "--auth", "--port", str(port)],
                            stdin=subprocess.PIPE, stdout=open(log, "wb"), stderr=subprocess.STDOUT)  # noqa: SIM115
    serial = f"127.0.0.1:{port}"
    try:
        wait_for(lambda: "Press Ctrl+C" in log.read_text(), what="the banner")
        adb_server.connect(serial, state="unauthorized")
        wait_for(lambda: "asks to connect" in log.read_text(), what="the allow prompt")
        assert proc.stdin is not None
        proc.stdin.write(b"\n")
        proc.stdin.flush()
        adb_server.wait_state(serial, "device")
        assert adb_server.run("-s", serial, "shell", "echo allowed").stdout == b"allowed\n"
    finally:
        adb_server.run("disconnect", serial)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0


def test_port_plans() -> None:
    from screenpilot_sim import SimError, port_plan, start_phones

    assert port_plan(5555, 3) == [5555, 5557, 5559]
    assert port_plan(6000, 3) == [6000, 6001, 6002]
    assert port_plan(0, 2) == [0, 0]
    import pytest

    with pytest.raises(SimError, match="past port 65535"):
        port_plan(65535, 2)
    endpoints = start_phones(port=0, devices=2)
    try:
        assert len({e.port for e in endpoints}) == 2
        assert [e.phone.config.serialno for e in endpoints] == ["SPVIRT0001", "SPVIRT0002"]
    finally:
        for e in endpoints:
            e.stop()


def test_the_default_port_is_listed_once_by_a_fresh_adb_server(adb_server_factory: Callable[..., AdbServer],
                                                               tmp_path: object) -> None:
    """README's steps as written: `sim serve`, then `adb connect 127.0.0.1:6555` on a stock adb server (one
    that scans the emulator ports 5555-5585, as adb does by default): one device, and `adb shell` works."""
    from pathlib import Path

    from screenpilot_sim._serve import DEFAULT_PORT
    from screenpilot_sim.testing import wait_for

    if _busy(DEFAULT_PORT):
        import pytest

        pytest.skip(f"port {DEFAULT_PORT} is in use on this machine")
    log = Path(str(tmp_path)) / "serve.log"
    proc = subprocess.Popen([sys.executable, "-m", "screenpilot_sim", "serve"], stdout=open(log, "wb"),  # noqa: SIM115
                            stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: "Press Ctrl+C" in log.read_text(), what="the banner")
        assert f"adb connect 127.0.0.1:{DEFAULT_PORT}" in log.read_text()
        server = adb_server_factory(scan_emulators_up_to=5585)
        server.connect(f"127.0.0.1:{DEFAULT_PORT}")
        assert list(server.devices()) == [f"127.0.0.1:{DEFAULT_PORT}"]
        assert server.run("shell", "echo one").stdout == b"one\n"  # no -s: there is exactly one device
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)


def _busy(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0
