"""The ``phone`` timing profile: real waits inside the phone, on the phone's clock (run fast here)."""

from __future__ import annotations

import subprocess
import time

import pytest
from screenpilot_sim import PhoneConfig, TimingProfile, VirtualPhone, profile_named
from screenpilot_sim.testing import AdbDevice

RATE = 10.0  # phone seconds per host second: a 1.2 s capture takes 0.12 s here


@pytest.fixture
def phone_timed(adb_device: AdbDevice) -> AdbDevice:
    adb_device.phone.config.profile = "phone"
    adb_device.phone.clock.rate = RATE
    return adb_device


def _phone_ms(dev: AdbDevice, *args: str) -> tuple[float, subprocess.CompletedProcess[bytes]]:
    """Phone milliseconds an adb command took, end to end."""
    clock = dev.phone.clock
    start = clock.uptime()
    r = dev.adb(*args)
    return (clock.uptime() - start) * 1000, r


def test_screencap_costs_what_a_phone_charges_per_megapixel(phone_timed: AdbDevice) -> None:
    p = profile_named("phone")
    mpix = 1080 * 2400 / 1e6
    ms, r = _phone_ms(phone_timed, "exec-out", "screencap -p")
    assert r.stdout.startswith(b"\x89PNG")
    assert ms >= mpix * (p.screencap_raw_ms_per_mpix + p.screencap_png_ms_per_mpix)  # ~1.2 s on a phone
    ms, r = _phone_ms(phone_timed, "exec-out", "screencap")
    transfer = len(r.stdout) / (p.bandwidth_mb_s * 1e6) * 1000  # 10 MB over USB 2.0
    assert len(r.stdout) == 16 + 1080 * 2400 * 4 and ms >= mpix * p.screencap_raw_ms_per_mpix + transfer


def test_the_instant_profile_charges_nothing(adb_device: AdbDevice) -> None:
    assert adb_device.phone.timing == TimingProfile()
    ms, _ = _phone_ms(adb_device, "shell", "input tap 5 5")
    assert ms < profile_named("phone").input_ms


def test_input_and_am_start_cost_their_start_up(phone_timed: AdbDevice) -> None:
    p = profile_named("phone")
    ms, _ = _phone_ms(phone_timed, "shell", "input keyevent 24")
    assert ms >= p.request_ms + p.input_ms
    ms, r = _phone_ms(phone_timed, "shell", "am start -W -n com.android.settings/.Settings")
    assert b"LaunchState: COLD" in r.stdout and f"TotalTime: {int(p.launch_cold_ms)}".encode() in r.stdout
    assert ms >= p.launch_cold_ms
    ms, r = _phone_ms(phone_timed, "shell", "am start -W -n com.android.settings/.Settings")
    assert f"TotalTime: {int(p.launch_hot_ms)}".encode() in r.stdout


def test_uiautomator_waits_for_a_quiet_screen_and_gives_up_while_it_moves(phone_timed: AdbDevice) -> None:
    dev, phone = phone_timed, phone_timed.phone
    p = profile_named("phone")
    ms, r = _phone_ms(dev, "shell", "uiautomator dump /sdcard/ui.xml")
    assert r.stdout == b"UI hierchary dumped to: /sdcard/ui.xml\n" and ms >= p.uiautomator_ms
    phone.config.animation_ms = 15_000  # a transition longer than uiautomator's 10 s patience
    dev.shell("am start -n com.android.settings/.Settings")
    ms, r = _phone_ms(dev, "shell", "uiautomator dump /sdcard/ui2.xml")
    assert r.stderr == b"ERROR: could not get idle state.\n" and r.stdout == b""
    assert ms >= p.uiautomator_ms + p.uiautomator_timeout_ms
    assert dev.shell("ls /sdcard/ui2.xml").returncode != 0


def test_a_short_animation_is_waited_out(phone_timed: AdbDevice) -> None:
    dev, phone = phone_timed, phone_timed.phone
    phone.config.animation_ms = 2_000
    dev.shell("am start -n com.android.settings/.Settings")
    start = phone.clock.uptime()
    r = dev.shell("uiautomator dump /dev/tty")
    assert b"com.android.settings" in r.stdout
    assert phone.quiet_for() >= 1.0 and (phone.clock.uptime() - start) * 1000 >= 2_000 - 300


def test_pull_is_bounded_by_the_link(phone_timed: AdbDevice, tmp_path: object) -> None:
    from pathlib import Path

    dev = phone_timed
    dev.phone.fs.write("/sdcard/Download/big.bin", b"\x01" * 3_800_000)
    ms, r = _phone_ms(dev, "pull", "/sdcard/Download/big.bin", str(Path(str(tmp_path)) / "big.bin"))
    assert r.returncode == 0 and ms >= 3.8 / profile_named("phone").bandwidth_mb_s * 1000  # ~100 ms


def test_the_clock_rate_makes_phone_time_pass_faster_than_host_time() -> None:
    phone = VirtualPhone(PhoneConfig(profile="phone", clock_rate=20.0))
    wall = time.perf_counter()
    up = phone.clock.uptime()
    code, _out, _ = phone.shell("screencap -p /sdcard/s.png; input tap 1 1; date +%s")
    elapsed_phone = phone.clock.uptime() - up
    assert code == 0 and elapsed_phone >= 1.4
    assert time.perf_counter() - wall < elapsed_phone  # the waits were 20 times shorter in wall time
    with pytest.raises(ValueError, match="unknown timing profile"):
        PhoneConfig(profile="turbo")
