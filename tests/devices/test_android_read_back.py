"""Typing reads the field back only while UI dumps are quick: on a phone whose dump takes seconds (the
virtual phone's ``phone`` timing profile) the read-back is skipped and the step says so, with the cost."""

from __future__ import annotations

from typing import Any

from screenpilot.actions import Size, Tap, Type
from screenpilot.devices import AndroidDevice
from screenpilot.perception import DeviceAction

PORTRAIT = Size(1080, 2400)


def _typing_into_a_note(adb_device: Any, budget: float) -> str:
    device = AndroidDevice(adb_device.serial, port=adb_device.server.port, read_back_budget_s=budget)
    device.shell("am start -n org.screenpilot.notes/.EditorActivity")
    body = next(e for e in device.ui_tree() or [] if e.resource_id.endswith("note_body_edit"))  # a timed dump
    device.execute(DeviceAction(action=Tap(point=body.bounds.center), size=PORTRAIT))
    return device.execute(DeviceAction(action=Type(text="slow phone"), size=PORTRAIT)).detail


def test_a_slow_dump_skips_the_read_back_and_says_why(adb_device: Any) -> None:
    adb_device.phone.config.profile = "phone"  # uiautomator dump costs ~1.4 s, as on a real phone
    try:
        skipped = _typing_into_a_note(adb_device, budget=1.0)
        read = _typing_into_a_note(adb_device, budget=5.0)
    finally:
        adb_device.phone.config.profile = "instant"
    assert "not read back (the last UI dump took" in skipped and "over 1 s" in skipped
    assert "reads back" in read or "ends with it" in read
    assert "read back in" in read
