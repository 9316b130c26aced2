"""Every driver's ``settle`` honours every ``SettleOptions`` field: one definition of "settled" everywhere.

On a still screen a wait takes the first capture plus ``stable_frames`` more, ``interval_s`` apart;
``enabled=False`` is one capture; ``threshold`` decides whether a change counts; ``with_ui_tree`` reads the
tree with every capture; the result names how the frames were taken and carries the options it kept.
"""

from __future__ import annotations

from typing import Any

import pytest

from screenpilot.actions import Size, Tap
from screenpilot.devices import AndroidDevice
from screenpilot.perception import DeviceAction, SettleOptions


@pytest.fixture(params=["android", "desktop"])
def device(request: pytest.FixtureRequest) -> Any:
    if request.param == "android":
        adb_device = request.getfixturevalue("adb_device")
        return AndroidDevice(adb_device.serial, port=adb_device.server.port, capture="png")
    return request.getfixturevalue("desktop")


def test_a_still_screen_settles_after_the_stable_captures_spaced_by_the_interval(device: Any) -> None:
    for stable, interval in ((1, 0.0), (3, 0.15)):
        options = SettleOptions(timeout_s=10, stable_frames=stable, interval_s=interval)
        result = device.settle(options)
        assert result.settled and result.frames == stable + 1
        assert result.waited_s >= stable * interval
        assert result.options == options and result.source in ("screencap", "mss")
        assert result.record()["options"] == options.model_dump()


def test_disabled_is_one_capture(device: Any) -> None:
    result = device.settle(SettleOptions(enabled=False, stable_frames=5, interval_s=1.0))
    assert result.settled and result.frames == 1 and result.frame is not None and result.waited_s < 1.0


def test_with_ui_tree_reads_the_tree_with_every_capture(device: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    original = device.ui_tree

    def counted() -> Any:
        calls.append(1)
        return original()

    monkeypatch.setattr(device, "ui_tree", counted)
    device.settle(SettleOptions(timeout_s=10, stable_frames=2, interval_s=0.0))
    assert calls == []
    result = device.settle(SettleOptions(timeout_s=10, stable_frames=2, interval_s=0.0, with_ui_tree=True))
    assert len(calls) == result.frames == 3


def test_the_threshold_decides_what_counts_as_a_change(adb_device: Any) -> None:
    """A one-second screen transition on the virtual phone: strictly, the wait sees it move; with a
    threshold of 1 (any change allowed) it is still at once."""
    phone = adb_device.phone
    phone.config.animation_ms = 1000.0
    device = AndroidDevice(adb_device.serial, port=adb_device.server.port, capture="png")
    settings = next(e for e in device.ui_tree() or [] if e.text == "Settings")
    try:
        device.execute(DeviceAction(action=Tap(point=settings.bounds.center), size=Size(1080, 2400)))
        lenient = device.settle(SettleOptions(timeout_s=5, stable_frames=2, interval_s=0.0, threshold=1.0))
        device.shell("input keyevent KEYCODE_HOME")
        device.settle(SettleOptions(timeout_s=5))
        device.execute(DeviceAction(action=Tap(point=settings.bounds.center), size=Size(1080, 2400)))
        strict = device.settle(SettleOptions(timeout_s=5, stable_frames=2, interval_s=0.0, threshold=0.0))
    finally:
        phone.config.animation_ms = 0.0
    assert lenient.frames == 3
    assert strict.frames > 3 and strict.waited_s > lenient.waited_s
