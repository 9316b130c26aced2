"""Reading ``getevent``: the kernel's input events of an Android phone, as ``adb shell getevent`` prints them.

Two outputs are read. ``getevent -lp`` lists each input device with its keys and absolute axes
(``ABS_MT_POSITION_X : value 0, min 0, max 1079, ...``): the touchscreen is the device with position
axes, and its ranges are the panel's own grid, which need not be the display's pixels. ``getevent -lt``
prints one event per line, ``[   1234.567890] /dev/input/event2: EV_ABS ABS_MT_POSITION_X 0000021c``
(the device path only when several devices are open; codes as hex where ``-l`` has no label).

:class:`TouchTracker` turns the touchscreen's events into strokes following the Linux multi-touch
protocol B (Documentation/input/multi-touch-protocol.rst): ``ABS_MT_SLOT`` picks a contact,
``ABS_MT_TRACKING_ID`` >= 0 starts one and -1 ends it, positions change the contact in the current
slot, and nothing takes effect before ``SYN_REPORT``. Protocol A (contacts separated by
``SYN_MT_REPORT``) and single-touch panels (``ABS_X``/``ABS_Y`` with ``BTN_TOUCH``) are read too. One
stroke is the first finger from touch to lift; a second finger meanwhile is noted, since the action
vocabulary has no multi-finger gestures. Key events (``EV_KEY`` ``KEY_*``: a phone's buttons, a
keyboard) become presses with their down and up times.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = [
    "AxisRange",
    "InputDevice",
    "KeyPress",
    "RawEvent",
    "Stroke",
    "TouchTracker",
    "parse_devices",
    "parse_event_line",
    "touchscreen",
]

# Linux input-event-codes.h: the codes getevent prints as hex when it has no label for them
_TYPES = {0x00: "EV_SYN", 0x01: "EV_KEY", 0x02: "EV_REL", 0x03: "EV_ABS", 0x04: "EV_MSC", 0x05: "EV_SW"}
_SYN = {0x00: "SYN_REPORT", 0x01: "SYN_CONFIG", 0x02: "SYN_MT_REPORT", 0x03: "SYN_DROPPED"}
_ABS = {0x00: "ABS_X", 0x01: "ABS_Y", 0x18: "ABS_PRESSURE", 0x2F: "ABS_MT_SLOT", 0x30: "ABS_MT_TOUCH_MAJOR",
        0x31: "ABS_MT_TOUCH_MINOR", 0x32: "ABS_MT_WIDTH_MAJOR", 0x33: "ABS_MT_WIDTH_MINOR",
        0x34: "ABS_MT_ORIENTATION", 0x35: "ABS_MT_POSITION_X", 0x36: "ABS_MT_POSITION_Y", 0x37: "ABS_MT_TOOL_TYPE",
        0x39: "ABS_MT_TRACKING_ID", 0x3A: "ABS_MT_PRESSURE"}
_KEYS = {1: "KEY_ESC", 14: "KEY_BACKSPACE", 15: "KEY_TAB", 28: "KEY_ENTER", 57: "KEY_SPACE", 96: "KEY_KPENTER",
         102: "KEY_HOME", 103: "KEY_UP", 105: "KEY_LEFT", 106: "KEY_RIGHT", 108: "KEY_DOWN", 113: "KEY_MUTE",
         114: "KEY_VOLUMEDOWN", 115: "KEY_VOLUMEUP", 116: "KEY_POWER", 139: "KEY_MENU", 158: "KEY_BACK",
         172: "KEY_HOMEPAGE", 217: "KEY_SEARCH", 580: "KEY_APPSELECT",
         0x14A: "BTN_TOUCH", 0x145: "BTN_TOOL_FINGER", 0x140: "BTN_TOOL_PEN"}
_KEYS.update({30 + i: f"KEY_{c}" for i, c in enumerate("ASDFGHJKL")})
_KEYS.update({16 + i: f"KEY_{c}" for i, c in enumerate("QWERTYUIOP")})
_KEYS.update({44 + i: f"KEY_{c}" for i, c in enumerate("ZXCVBNM")})
_KEYS.update({2 + i: f"KEY_{d}" for i, d in enumerate("1234567890")})
_CODES = {"EV_SYN": _SYN, "EV_ABS": _ABS, "EV_KEY": _KEYS}
_KEY_VALUES = {"UP": 0, "DOWN": 1, "REPEAT": 2}

_LINE = re.compile(r"^\s*(?:\[\s*(?P<time>\d+\.\d+)\]\s*)?(?:(?P<device>/dev/[^:\s]+):\s*)?"
                   r"(?P<type>\S+)\s+(?P<code>\S+)\s+(?P<value>\S+)\s*$")


@dataclass(frozen=True)
class RawEvent:
    """One kernel input event: when (device uptime, seconds), where, and its labelled type, code and value."""

    time: float | None
    device: str
    type: str
    code: str
    value: int


def _label(table: dict[int, str], text: str) -> str:
    if re.fullmatch(r"[0-9a-fA-F]{4}", text):
        return table.get(int(text, 16), text.lower())
    return text


def parse_event_line(line: str, *, default_device: str = "") -> RawEvent | None:
    """One line of ``getevent [-l] [-t]``; None for anything else (the device list, blank lines)."""
    m = _LINE.match(line.replace("\r", ""))
    if m is None:
        return None
    type_ = _label(_TYPES, m["type"])
    if not type_.startswith("EV_") and not re.fullmatch(r"[0-9a-f]{4}", type_):
        return None
    code = _label(_CODES.get(type_, {}), m["code"])
    raw = m["value"]
    if raw in _KEY_VALUES:
        value = _KEY_VALUES[raw]
    elif re.fullmatch(r"[0-9a-fA-F]{1,8}", raw):
        value = int(raw, 16)
        if value >= 0x80000000:  # a 32-bit signed value printed as hex: ffffffff is -1
            value -= 0x100000000
    else:
        return None
    return RawEvent(float(m["time"]) if m["time"] else None, m["device"] or default_device, type_, code, value)


@dataclass(frozen=True)
class AxisRange:
    minimum: int
    maximum: int

    @property
    def span(self) -> int:
        """How many values the axis has (Android scales by ``max - min + 1``)."""
        return self.maximum - self.minimum + 1


@dataclass
class InputDevice:
    """A device ``getevent -lp`` listed: its path, name, keys, absolute axes and input properties."""

    path: str
    name: str = ""
    keys: set[str] = field(default_factory=set)
    axes: dict[str, AxisRange] = field(default_factory=dict)
    props: set[str] = field(default_factory=set)

    @property
    def is_touchscreen(self) -> bool:
        has_position = {"ABS_MT_POSITION_X", "ABS_MT_POSITION_Y"} <= self.axes.keys() or \
            {"ABS_X", "ABS_Y"} <= self.axes.keys()
        return has_position and ("INPUT_PROP_DIRECT" in self.props or not self.props)

    def axis(self, which: str) -> AxisRange:
        """The X or Y range of the touch position (multi-touch axes preferred)."""
        return self.axes.get(f"ABS_MT_POSITION_{which}") or self.axes[f"ABS_{which}"]


_AXIS = re.compile(r"(?P<name>\S+)\s*:\s*value\s+-?\d+,\s*min\s+(?P<min>-?\d+),\s*max\s+(?P<max>-?\d+)")


def parse_devices(text: str) -> list[InputDevice]:
    """The devices of ``getevent -lp`` (or ``-p``: hex codes are labelled where known)."""
    devices: list[InputDevice] = []
    section = ""
    current: InputDevice | None = None
    for raw in text.replace("\r", "").splitlines():
        line = raw.strip()
        if line.startswith("add device"):
            current = InputDevice(line.split(":", 1)[1].strip())
            devices.append(current)
            section = ""
            continue
        if current is None or not line:
            continue
        if line.startswith("name:"):
            current.name = line.split(":", 1)[1].strip().strip('"')
            continue
        if line.startswith("input props:"):
            section = "props"
            continue
        head = re.match(r"^(KEY|ABS|REL|SW|LED|MSC|FF)\s*\(\w+\):\s*(.*)$", line)
        if head:
            section, line = head[1], head[2]
        if section == "KEY":
            current.keys.update(_label(_KEYS, k) for k in line.split())
        elif section == "ABS":
            m = _AXIS.search(line)
            if m:
                current.axes[_label(_ABS, m["name"])] = AxisRange(int(m["min"]), int(m["max"]))
        elif section == "props" and line.startswith("INPUT_PROP"):
            current.props.add(line.split()[0])
    return devices


def touchscreen(devices: list[InputDevice]) -> InputDevice | None:
    """The touchscreen among the devices (the first direct-input device with position axes)."""
    return next((d for d in devices if d.is_touchscreen), None)


@dataclass
class Stroke:
    """One finger from touch to lift, in the panel's axis units; times are device uptime seconds and
    ``received`` is when the recorder read the touch's first event (host unix time)."""

    points: list[tuple[float, int, int]]
    received: float = 0.0
    fingers: int = 1  # how many fingers touched at once at most (only the first one's path is kept)

    @property
    def start(self) -> tuple[float, int, int]:
        return self.points[0]

    @property
    def end(self) -> tuple[float, int, int]:
        return self.points[-1]

    @property
    def duration(self) -> float:
        return self.end[0] - self.start[0]


@dataclass(frozen=True)
class KeyPress:
    """A key pressed and released (``KEY_BACK``, ``KEY_POWER``, ``KEY_A``...); times in device uptime."""

    key: str
    down: float
    up: float
    device: str
    received: float = 0.0


@dataclass
class _Contact:
    id: int = -1
    x: int | None = None
    y: int | None = None
    active: bool = False
    changed: bool = False


class TouchTracker:
    """Feeds on the events of one touchscreen (and of any key device); hands out finished strokes and
    key presses. A line without a time stamp (no ``-t``) takes the last one seen."""

    def __init__(self, touch_device: str) -> None:
        self.touch_device = touch_device
        self.slots: dict[int, _Contact] = {0: _Contact()}
        self.slot = 0
        self.stroke: Stroke | None = None
        self.primary: int | None = None  # the slot whose path the stroke follows
        self.keys_down: dict[tuple[str, str], tuple[float, float]] = {}
        self._a_contacts: list[tuple[int | None, int | None]] = []  # protocol A: contacts of the frame so far
        self._a_pending: tuple[int | None, int | None] = (None, None)
        self._single: _Contact = _Contact()  # single-touch panels
        self._btn_touch: bool | None = None
        self.protocol = "B"
        self.done: list[Stroke | KeyPress] = []
        self._last_time = 0.0

    def feed(self, event: RawEvent, received: float = 0.0) -> list[Stroke | KeyPress]:
        """One event; returns the strokes and key presses it finished."""
        t = event.time if event.time is not None else self._last_time
        self._last_time = t
        if event.type == "EV_KEY" and event.code.startswith("KEY_"):
            self._key(event, t, received)
        elif event.device in ("", self.touch_device):
            self._touch(event, t, received)
        out, self.done = self.done, []
        return out

    # -- keys ------------------------------------------------------------------------------------
    def _key(self, event: RawEvent, t: float, received: float) -> None:
        name = (event.device, event.code)
        if event.value == 1:
            self.keys_down[name] = (t, received)
        elif event.value == 0 and name in self.keys_down:
            down, got = self.keys_down.pop(name)
            self.done.append(KeyPress(event.code, down, t, event.device, got))

    # -- touches ---------------------------------------------------------------------------------
    def _touch(self, event: RawEvent, t: float, received: float) -> None:
        code, value = event.code, event.value
        if event.type == "EV_ABS":
            if code == "ABS_MT_SLOT":
                self.slot = value
                self.slots.setdefault(value, _Contact())
            elif code == "ABS_MT_TRACKING_ID":
                c = self.slots.setdefault(self.slot, _Contact())
                c.id, c.changed = value, True
            elif code in ("ABS_MT_POSITION_X", "ABS_MT_POSITION_Y"):
                x, y = self._a_pending  # kept for protocol A too: only its first SYN_MT_REPORT tells which it is
                self._a_pending = (value, y) if code.endswith("X") else (x, value)
                if self.protocol == "B":
                    c = self.slots.setdefault(self.slot, _Contact())
                    if code.endswith("X"):
                        c.x = value
                    else:
                        c.y = value
                    c.changed = True
            elif code in ("ABS_X", "ABS_Y"):
                if code == "ABS_X":
                    self._single.x = value
                else:
                    self._single.y = value
                self._single.changed = True
        elif event.type == "EV_KEY" and code == "BTN_TOUCH":
            self._btn_touch = value == 1
        elif event.type == "EV_SYN" and code == "SYN_MT_REPORT":
            if self.protocol == "B":  # what looked like slot 0 was protocol A's first contact
                self.slots = {0: _Contact()}
            self.protocol = "A"
            if self._a_pending != (None, None):
                self._a_contacts.append(self._a_pending)
            self._a_pending = (None, None)
        elif event.type == "EV_SYN" and code == "SYN_REPORT":
            self._frame(t, received)

    def _frame(self, t: float, received: float) -> None:
        if self.protocol == "A":
            self._frame_a(t, received)
            return
        self._a_pending = (None, None)
        uses_slots = any(c.id >= 0 or c.changed for c in self.slots.values())
        if not uses_slots and (self._single.changed or self._btn_touch is not None):
            self._frame_single(t, received)
            return
        for k, c in sorted(self.slots.items()):
            if not c.changed:
                continue
            c.changed = False
            if c.id >= 0 and not c.active:
                c.active = True
                if self.stroke is None:
                    self.primary = k
                    self.stroke = Stroke([(t, c.x or 0, c.y or 0)], received)
                else:
                    self.stroke.fingers += 1
            elif c.id < 0 and c.active:
                c.active = False
                if k == self.primary and self.stroke is not None:
                    self._lift(t)
                    self.primary = None  # the path ends; the stroke ends when every finger is up
            elif c.active and k == self.primary and self.stroke is not None:
                self.stroke.points.append((t, c.x or 0, c.y or 0))
        if self._btn_touch is False:  # BTN_TOUCH up: every contact is gone
            for c in self.slots.values():
                c.active = False
            if self.primary is not None:
                self._lift(t)
            self.primary = None
        self._btn_touch = None
        if self.stroke is not None and not any(c.active for c in self.slots.values()):
            self.done.append(self.stroke)
            self.stroke, self.primary = None, None

    def _frame_single(self, t: float, received: float) -> None:
        s = self._single
        down = self._btn_touch if self._btn_touch is not None else s.active
        if down and not s.active:
            s.active = True
            self.stroke = Stroke([(t, s.x or 0, s.y or 0)], received)
        elif down and s.changed and self.stroke is not None:
            self.stroke.points.append((t, s.x or 0, s.y or 0))
        elif not down and s.active:
            s.active = False
            if self.stroke is not None:
                self._lift(t)
                self.done.append(self.stroke)
            self.stroke = None
        s.changed = False
        self._btn_touch = None

    def _frame_a(self, t: float, received: float) -> None:
        contacts = [c for c in self._a_contacts if c[0] is not None and c[1] is not None]
        self._a_contacts = []
        if self._btn_touch is False:
            contacts = []
        self._btn_touch = None
        if contacts:
            x, y = contacts[0]
            if self.stroke is None:
                self.stroke = Stroke([(t, x or 0, y or 0)], received)
            else:
                self.stroke.points.append((t, x or 0, y or 0))
            self.stroke.fingers = max(self.stroke.fingers, len(contacts))
        elif self.stroke is not None:
            self._lift(t)
            self.done.append(self.stroke)
            self.stroke = None

    def _lift(self, t: float) -> None:
        """The finger leaves where it last was, at ``t`` (the lift carries no position)."""
        assert self.stroke is not None
        _t, x, y = self.stroke.points[-1]
        if t > _t:
            self.stroke.points.append((t, x, y))
