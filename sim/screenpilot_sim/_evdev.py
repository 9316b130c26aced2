"""The phone's input devices as the kernel shows them: what ``getevent`` reads from ``/dev/input``.

Only what happens on the phone's own hardware is here: a finger on the touchscreen
(``phone.touch_down/move/up``) and the buttons (``phone.press_button``). ``input`` and the scrcpy
control socket inject events above the kernel, so ``getevent`` never sees them, as on a phone.

The touchscreen speaks the Linux multi-touch protocol B in its own axis ranges (0..4095 on both axes,
in the panel's natural orientation), so a recorder must scale with the ranges ``getevent -lp`` prints,
as on a real phone whose touch grid rarely equals its pixel grid.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ._journal import Journal

if TYPE_CHECKING:
    from ._clock import PhoneClock

__all__ = ["EV", "KEYS_DEVICE", "TOUCH_DEVICE", "TOUCH_MAX", "EventLog", "InputDevice", "InputEvent"]

TOUCH_MAX = 4095

EV = {"EV_SYN": 0x00, "EV_KEY": 0x01, "EV_ABS": 0x03}
SYN = {"SYN_REPORT": 0x00}
KEY = {"KEY_VOLUMEDOWN": 114, "KEY_VOLUMEUP": 115, "KEY_POWER": 116, "BTN_TOUCH": 0x14A}
ABS = {"ABS_MT_SLOT": 0x2F, "ABS_MT_TOUCH_MAJOR": 0x30, "ABS_MT_POSITION_X": 0x35, "ABS_MT_POSITION_Y": 0x36,
       "ABS_MT_TRACKING_ID": 0x39, "ABS_MT_PRESSURE": 0x3A}
_CODE_NAMES = {EV["EV_SYN"]: {v: k for k, v in SYN.items()}, EV["EV_KEY"]: {v: k for k, v in KEY.items()},
               EV["EV_ABS"]: {v: k for k, v in ABS.items()}}
_TYPE_NAMES = {v: k for k, v in EV.items()}


@dataclass(frozen=True)
class InputDevice:
    path: str
    name: str
    keys: tuple[str, ...]
    axes: tuple[tuple[str, int, int], ...]  # (name, min, max)


TOUCH_DEVICE = InputDevice("/dev/input/event2", "sp_touchscreen", ("BTN_TOUCH",),
                           (("ABS_MT_SLOT", 0, 9), ("ABS_MT_TOUCH_MAJOR", 0, 255), ("ABS_MT_POSITION_X", 0, TOUCH_MAX),
                            ("ABS_MT_POSITION_Y", 0, TOUCH_MAX), ("ABS_MT_TRACKING_ID", 0, 65535),
                            ("ABS_MT_PRESSURE", 0, 255)))
KEYS_DEVICE = InputDevice("/dev/input/event0", "gpio-keys", ("KEY_VOLUMEDOWN", "KEY_VOLUMEUP", "KEY_POWER"), ())
DEVICES = (KEYS_DEVICE, TOUCH_DEVICE)


@dataclass(frozen=True)
class InputEvent:
    time: float  # phone uptime, seconds
    device: str
    type: int
    code: int
    value: int

    def line(self, *, labels: bool, timestamps: bool, device: bool) -> str:
        """One line as ``getevent`` prints it (``-l`` labels, ``-t`` timestamps)."""
        out = f"[{int(self.time):8d}.{round((self.time % 1) * 1e6) % 1000000:06d}] " if timestamps else ""
        if device:
            out += f"{self.device}: "
        if not labels:
            return out + f"{self.type:04x} {self.code:04x} {self.value & 0xFFFFFFFF:08x}"
        type_label = _TYPE_NAMES.get(self.type)
        code_label = _CODE_NAMES.get(self.type, {}).get(self.code)
        out += f"{type_label:<12.12}" if type_label else f"{self.type:04x}        "
        out += f" {code_label:<20.20}" if code_label else f" {self.code:04x}                "
        if self.type == EV["EV_KEY"]:
            value_label = {0: "UP", 1: "DOWN", 2: "REPEAT"}.get(self.value)
            if value_label:
                return out + f" {value_label:<20.20}"
        return out + f" {self.value & 0xFFFFFFFF:08x}            "


class EventLog(Journal[InputEvent]):
    """Every hardware event since boot (the newest 20,000)."""

    def __init__(self, clock: PhoneClock, keep: int = 20_000) -> None:
        super().__init__(keep)
        self.clock = clock

    def emit(self, device: InputDevice, items: list[tuple[str, str, int]], t: float | None = None) -> None:
        """Write a packet of events (type name, code name, value) stamped ``t`` (phone uptime)."""
        when = self.clock.uptime() if t is None else t
        codes = {"EV_SYN": SYN, "EV_KEY": KEY, "EV_ABS": ABS}
        self.append([InputEvent(when, device.path, EV[type_name], codes[type_name][code_name], value)
                     for type_name, code_name, value in items])
