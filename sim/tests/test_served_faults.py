"""Faults injected into a phone served in another process: ``serve --faults`` and the admin channel."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from screenpilot_sim import AdminClient, Faults, PhoneConfig, VirtualPhone
from screenpilot_sim._faults import apply_spec
from screenpilot_sim.testing import AdbServer, wait_for

Start = Callable[..., tuple[subprocess.Popen[bytes], list[int]]]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "screenpilot_sim", *args], capture_output=True, text=True,
                          timeout=60, check=False)


def test_serve_faults_then_the_admin_channel_turns_them_off(phone_process: Start, adb_server: AdbServer,
                                                            tmp_path: Path) -> None:
    proc, (port,) = phone_process("--faults", "capture=1.0,seed=5")
    serial = f"127.0.0.1:{port}"
    adb_server.connect(serial)
    try:
        r = adb_server.run("-s", serial, "shell", "screencap -p /sdcard/x.png")
        assert r.returncode == 1 and r.stderr == b"Capturing failed.\n"
        r = _cli("faults", "--port", str(port))
        assert r.returncode == 0 and "capture=1.0" in r.stdout and "  capture (screencap)" in r.stdout
        assert _cli("faults", "off", "--port", str(port)).returncode == 0
        assert adb_server.run("-s", serial, "shell", "screencap -p /sdcard/x.png").returncode == 0
        bad = _cli("faults", "melt=1", "--port", str(port))
        assert bad.returncode == 2 and "unknown fault kind 'melt'" in bad.stderr
    finally:
        adb_server.run("disconnect", serial)
    proc.terminate()
    proc.wait(10)
    log = next(Path(str(tmp_path)).glob("phone-*.log")).read_text()
    assert f"fault on 127.0.0.1:{port}: capture (screencap)" in log  # each fault is printed as it happens


def test_a_lost_reply_ran_the_command_and_a_stall_delays_it(phone_process: Start, adb_server: AdbServer) -> None:
    _proc, (port,) = phone_process()
    serial = f"127.0.0.1:{port}"
    adb_server.connect(serial)
    admin = AdminClient(port=port)
    try:
        admin.faults("lost=1.0")
        r = adb_server.run("-s", serial, "shell", "settings put global wifi_on 0; echo done", timeout=30)
        assert b"done" not in r.stdout  # the host never learns how it ended ...
        admin.faults("off")
        adb_server.wait_state(serial, "device")
        assert adb_server.run("-s", serial, "shell", "settings get global wifi_on").stdout == b"0\n"  # ... but it ran
        admin.faults("stall=1.0:1.5s")
        start = time.monotonic()
        assert adb_server.run("-s", serial, "shell", "echo late").stdout == b"late\n"
        assert time.monotonic() - start >= 1.4
        kinds = [e["kind"] for e in admin.faults("off")["log"]]
        assert kinds == ["lost", "stall"]
    finally:
        adb_server.run("disconnect", serial)


def test_an_offline_spell_from_the_admin_channel(phone_process: Start, adb_server: AdbServer) -> None:
    _proc, (port,) = phone_process()
    serial = f"127.0.0.1:{port}"
    adb_server.connect(serial)
    try:
        AdminClient(port=port).faults("offline=1.0:2s")
        r = adb_server.run("-s", serial, "shell", "echo hi", timeout=30)  # this request starts the spell
        assert r.stdout != b"hi\n"
        wait_for(lambda: adb_server.devices().get(serial) == "offline", timeout=10, what="the phone offline")
        AdminClient(port=port).faults("off")  # the admin link is never held offline
        adb_server.wait_state(serial, "device", timeout=30)
        assert adb_server.run("-s", serial, "shell", "echo back").stdout == b"back\n"
    finally:
        adb_server.run("disconnect", serial)


def test_faults_are_seeded_and_reproducible() -> None:
    def pattern(seed: int) -> list[bool]:
        faults = Faults()
        apply_spec(faults, f"drop=0.3,stall=0.2:1s,seed={seed}")
        return [faults.should_drop() or faults.should_stall() for _ in range(40)]

    assert pattern(11) == pattern(11) and pattern(11) != pattern(12)
    assert 5 <= sum(pattern(11)) <= 30
    phone = VirtualPhone(PhoneConfig())
    with pytest.raises(ValueError, match="CHANCE:LENGTH"):
        apply_spec(phone.faults, "stall=0.5")
    with pytest.raises(ValueError, match="a chance lies between 0 and 1"):
        apply_spec(phone.faults, "drop=0.1,lost=3")
    assert phone.faults.drop_probability == 0.0  # nothing changes unless the whole SPEC is valid
