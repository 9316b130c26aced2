"""Transitions take the configured time and frames really change meanwhile, then hold still."""

from __future__ import annotations

import hashlib
import time

from screenpilot_sim.testing import AdbDevice


def _digest(dev: AdbDevice) -> str:
    return hashlib.sha1(dev.adb("exec-out", "screencap -p").stdout).hexdigest()


def _watch(dev: AdbDevice, seconds: float) -> list[tuple[float, str]]:
    """(time since start, frame digest) for every screencap taken through adb during ``seconds``."""
    start = time.monotonic()
    seen = []
    while (now := time.monotonic() - start) < seconds:
        seen.append((now, _digest(dev)))
    return seen


def test_frames_change_during_the_animation_and_then_hold(adb_device: AdbDevice) -> None:
    dev = adb_device
    dev.phone.config.animation_ms = 600
    dev.shell("am start -n com.android.settings/.Settings")
    dev.phone.frame()  # the screen as shown before the tap
    while not dev.phone.settled():
        time.sleep(0.05)
    before = _digest(dev)
    display = next(v for v in dev.phone.windows()[0].walk() if v.text == "Display")
    l, t, r, b = display.box
    dev.shell(f"input tap {(l + r) // 2} {(t + b) // 2}")
    frames = _watch(dev, 1.2)
    during = {d for t_, d in frames if t_ < 0.4}
    after = [d for t_, d in frames if t_ > 0.8]
    assert len(during) >= 2, "frames did not change while the transition ran"
    assert before not in after
    assert len(set(after)) == 1, "the screen kept changing after the transition"
    assert dev.phone.settled()


def test_animation_scale_zero_makes_changes_immediate(adb_device: AdbDevice) -> None:
    dev = adb_device
    dev.phone.config.animation_ms = 600
    dev.shell("settings put global transition_animation_scale 0; settings put global animator_duration_scale 0")
    dev.shell("am start -n com.android.settings/.Settings")
    first = _digest(dev)
    assert dev.phone.settled()
    assert _digest(dev) == first


def test_scrolling_animates_then_settles(adb_device: AdbDevice) -> None:
    dev = adb_device
    dev.phone.config.animation_ms = 500
    dev.shell("settings put global transition_animation_scale 0")
    dev.shell("am start -n com.android.contacts/.activities.PeopleActivity")
    dev.shell("input swipe 540 1900 540 600 50")
    frames = _watch(dev, 1.0)
    assert len({d for t_, d in frames if t_ < 0.3}) >= 2
    assert len({d for t_, d in frames if t_ > 0.7}) == 1
