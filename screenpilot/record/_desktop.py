"""A person's actions on the X11 desktop, read from the X server as they happen (XRecord).

The RECORD extension (python-xlib) hands a second connection every key and button press and release and
every pointer motion the server delivers, from any client (XTEST's synthetic input, which xdotool and
pyautogui use, included). They become actions of the desktop vocabulary:

* a button pressed and released within 5 px is a click (left, middle, right); clicks of the same button
  within the double-click time (400 ms, GTK's default) at the same spot are one click with a count;
  a left button that moved further is a drag; wheel buttons 4-7 are scroll clicks, grouped while the
  wheel keeps turning at one spot;
* a key with Ctrl, Alt or Super held is a hotkey; printable keys (Shift allowed) are typing, grouped into
  one ``type`` with the text the keys made (BackSpace removes the last character); Return, Tab, Escape,
  arrows, F-keys are keys. The kill switch's hotkey (Ctrl+Alt+Shift+K) stops the recording.

Points are X root pixels mapped into the recorded monitor's pixels (``Monitor.from_root``): a click on
another monitor is left out, and said so.
"""

from __future__ import annotations

import contextlib
import math
import os
import threading
import time
from dataclasses import dataclass
from typing import Any

from ..actions import BaseAction, Click, Drag, Hotkey, Key, Point, Scroll, Type, normalize_desktop_key
from ..agent import HandBack
from ..devices import DesktopDevice, DeviceError
from ..trajectories import Observed
from ._channel import DEFAULT_TYPING_PAUSE_S, ChannelBase, Failed, Meaning

__all__ = ["DOUBLE_CLICK_S", "DesktopChannel", "XRecordStream"]

DOUBLE_CLICK_S = 0.4
"""Clicks this close in time (and 5 px in space) are one double or triple click (GTK's default)."""

_SLOP_PX = 5
_BUTTONS = {1: "left", 2: "middle", 3: "right"}
_WHEEL = {4: (0, -1), 5: (0, 1), 6: (-1, 0), 7: (1, 0)}
_MODIFIERS = {"Control_L": "ctrl", "Control_R": "ctrl", "Alt_L": "alt", "Alt_R": "alt", "Meta_L": "alt",
              "Meta_R": "alt", "Super_L": "super", "Super_R": "super", "Shift_L": "shift", "Shift_R": "shift",
              "ISO_Level3_Shift": "altgr"}
_KEYS = {"Return": "enter", "KP_Enter": "enter", "Tab": "tab", "ISO_Left_Tab": "tab", "Escape": "esc",
         "BackSpace": "backspace", "Delete": "delete", "Insert": "insert", "Home": "home", "End": "end",
         "Prior": "pageup", "Next": "pagedown", "Left": "left", "Right": "right", "Up": "up", "Down": "down",
         "Menu": "menu", "Print": "printscreen", "Pause": "pause", "space": "space"}


@dataclass(frozen=True)
class XEvent:
    kind: str  # key_down, key_up, button_down, button_up, motion
    detail: int  # keycode or button
    x: int
    y: int
    state: int
    time: float  # the server's clock, seconds
    received: float


@dataclass
class Gesture:
    """A finished pointer or key action, in root pixels (``kind``: click, drag, scroll, hotkey, key, char)."""

    kind: str
    start: float
    end: float
    received: float
    point: tuple[int, int] = (0, 0)
    to: tuple[int, int] = (0, 0)
    button: int = 1
    count: int = 1
    dx: int = 0
    dy: int = 0
    keys: tuple[str, ...] = ()
    char: str = ""


class XRecordStream:
    """The X server's input events (XRecord) on a thread of their own, handed to ``deliver``."""

    def __init__(self, display: str, deliver: Any) -> None:
        self.display = display
        self.deliver = deliver
        self._ctl: Any = None
        self._data: Any = None
        self._context: Any = None
        self._thread: threading.Thread | None = None
        self._live = threading.Event()

    def start(self) -> None:
        from Xlib import X
        from Xlib import display as xdisplay
        from Xlib.ext import record

        self._ctl = xdisplay.Display(self.display)
        if not self._ctl.has_extension("RECORD"):
            self._ctl.close()
            raise DeviceError(f"the X server {self.display} has no RECORD extension: a person's input cannot be read",
                              hint="Xorg and Xvfb have it (unless started with -extension RECORD)")
        self._data = xdisplay.Display(self.display)
        self._context = self._ctl.record_create_context(0, [record.AllClients], [{
            "core_requests": (0, 0), "core_replies": (0, 0), "ext_requests": (0, 0, 0, 0),
            "ext_replies": (0, 0, 0, 0), "delivered_events": (0, 0), "device_events": (X.KeyPress, X.MotionNotify),
            "errors": (0, 0), "client_started": False, "client_died": False}])
        self._ctl.sync()
        self._thread = threading.Thread(target=self._run, name="xrecord", daemon=True)
        self._thread.start()
        if not self._live.wait(timeout=10):
            raise DeviceError(f"XRecord on {self.display} did not start in 10 s")

    def _run(self) -> None:
        try:
            self._data.record_enable_context(self._context, self._reply)  # returns once disabled
        except Exception as exc:  # noqa: BLE001 - a dead display: said once, as the channel's failure
            self.deliver(Failed(DeviceError(f"the X server's input stream on {self.display} broke: {exc}")))
        finally:
            self._live.set()

    def _reply(self, reply: Any) -> None:
        from Xlib import X
        from Xlib.ext import record
        from Xlib.protocol import rq

        if reply.category == record.StartOfData:
            self._live.set()
            return
        if reply.category != record.FromServer or reply.client_swapped or not reply.data:
            return
        received = time.time()
        data = reply.data
        kinds = {X.KeyPress: "key_down", X.KeyRelease: "key_up", X.ButtonPress: "button_down",
                 X.ButtonRelease: "button_up", X.MotionNotify: "motion"}
        while data:
            event, data = rq.EventField(None).parse_binary_value(data, self._data.display, None, None)
            kind = kinds.get(event.type)
            if kind is not None:
                self.deliver(XEvent(kind, event.detail, event.root_x, event.root_y, event.state, event.time / 1000.0,
                                    received))

    def keysym_name(self, keycode: int, state: int) -> tuple[str, str]:
        """(the keysym's name, the character it types or "") for a keycode under a modifier state."""
        from Xlib import XK

        shifted = bool(state & 0x1)
        sym = self._ctl.keycode_to_keysym(keycode, 1 if shifted else 0) or self._ctl.keycode_to_keysym(keycode, 0)
        if state & 0x2 and 0x61 <= sym <= 0x7A:  # Caps Lock on a letter
            sym -= 0x20
        name = _keysym_names(XK).get(sym, "")
        char = chr(sym) if 0x20 <= sym <= 0x7E or 0xA0 <= sym <= 0xFF else \
            chr(sym - 0x1000000) if sym >= 0x1000100 else ""
        return name, char

    def focus_in(self, window: int) -> bool:
        """Whether the keyboard focus is in ``window``: on it, inside it, or on the frame around it (a
        terminal's $WINDOWID names its text area; the focus may sit on its top-level window)."""
        focus = self._ctl.get_input_focus().focus
        focused = int(getattr(focus, "id", 0) or 0)
        return focused != 0 and (focused == window or window in self._ancestors(focused) or
                                 focused in self._ancestors(window))

    def _ancestors(self, window: int) -> list[int]:
        found: list[int] = []
        try:
            w = self._ctl.create_resource_object("window", window)
            for _ in range(16):
                tree = w.query_tree()
                if not tree.parent or tree.parent.id == tree.root.id:
                    break
                w = tree.parent
                found.append(int(w.id))
        except Exception:  # noqa: BLE001 - a window gone meanwhile has no ancestors worth naming
            return found
        return found

    def stop(self) -> None:
        if self._ctl is not None and self._context is not None:
            with contextlib.suppress(Exception):  # the display is gone already
                self._ctl.record_disable_context(self._context)
                self._ctl.flush()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        for conn in (self._ctl, self._data):
            if conn is not None:
                with contextlib.suppress(Exception):
                    if conn is self._ctl and self._context is not None:
                        conn.record_free_context(self._context)
                    conn.close()
        self._ctl = self._data = self._context = None


_NAMES: dict[int, str] | None = None


def _keysym_names(xk: Any) -> dict[int, str]:
    global _NAMES
    if _NAMES is None:
        _NAMES = {v: k[3:] for k, v in vars(xk).items() if k.startswith("XK_") and isinstance(v, int)}
    return _NAMES


class DesktopChannel(ChannelBase[Any]):
    """A person at the X11 desktop (``agent.PersonChannel``): for takeovers and ``screenpilot record``."""

    def __init__(self, device: DesktopDevice, *, typing_pause_s: float = DEFAULT_TYPING_PAUSE_S,
                 double_click_s: float = DOUBLE_CLICK_S) -> None:
        super().__init__(device, typing_pause_s=typing_pause_s)
        self.double_click_s = double_click_s
        self.stream: XRecordStream | None = None
        self._raw: list[XEvent] = []
        self._held: dict[int, str] = {}  # keycodes of modifiers held, by name
        self._press: tuple[XEvent, list[tuple[int, int]]] | None = None
        kill = getattr(device.kill_switch, "hotkey", None)
        self.stop_keys = tuple(sorted(kill)) if kill else ()
        # The terminal that runs us, when it says which window it is: keys typed there (t, h, d, q) are ours
        own = os.environ.get("WINDOWID", "")
        self.own_window = int(own) if own.isdigit() else 0

    def begin(self, reason: str) -> None:
        if self.stream is None:
            self.items.queue.clear()
            self._pending, self._raw, self._held, self._press = None, [], {}, None
            self.stream = XRecordStream(self.device.display, self.items.put)
            self.stream.start()

    def end(self) -> None:
        if self.stream is not None:
            self.stream.stop()
            self.stream = None

    # -- from X events to gestures --------------------------------------------------------------------
    def _raw_event(self, timeout: float | None) -> Any:
        if self._raw:
            return self._raw.pop(0)
        return self._get(timeout)

    def _take(self, timeout: float | None) -> Any:
        """The next gesture (or a HandBack); X events are assembled here, waiting out double clicks and wheels."""
        if self._pending is not None:
            item, self._pending = self._pending, None
            return item
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            event = self._raw_event(left)
            if event is None or isinstance(event, HandBack):
                return event
            gesture = self._assemble(event)
            if gesture is not None:
                return gesture

    def _assemble(self, e: XEvent) -> Gesture | None:
        if e.kind == "key_down":
            return self._key(e)
        if e.kind == "key_up":
            self._held.pop(e.detail, None)
            return None
        if e.kind == "button_down" and e.detail in _WHEEL:
            return self._wheel(e)
        if e.kind == "button_down" and e.detail in _BUTTONS:
            self._press = (e, [(e.x, e.y)])
            return None
        if e.kind == "motion" and self._press is not None:
            self._press[1].append((e.x, e.y))
            return None
        if e.kind == "button_up" and self._press is not None and self._press[0].detail == e.detail:
            down, path = self._press
            self._press = None
            far = max(math.hypot(x - down.x, y - down.y) for x, y in [*path, (e.x, e.y)])
            if far > _SLOP_PX and e.detail == 1:
                return Gesture("drag", down.time, e.time, down.received, (down.x, down.y), (e.x, e.y))
            return self._clicks(Gesture("click", down.time, e.time, down.received, (down.x, down.y), button=e.detail))
        return None

    def _clicks(self, first: Gesture) -> Gesture:
        """Further clicks of the same button at the same spot within the double-click time join this one."""
        while first.count < 3:
            nxt = self._raw_event(self.double_click_s)
            if nxt is None:
                break
            near = isinstance(nxt, XEvent) and math.hypot(nxt.x - first.point[0], nxt.y - first.point[1]) <= _SLOP_PX
            if isinstance(nxt, XEvent) and nxt.kind == "motion" and near:
                continue
            if not (isinstance(nxt, XEvent) and nxt.kind == "button_down" and nxt.detail == first.button and near):
                self._raw.insert(0, nxt)
                break
            up = self._raw_event(self.double_click_s * 2)
            while isinstance(up, XEvent) and up.kind == "motion":
                up = self._raw_event(self.double_click_s * 2)
            first.count += 1
            first.end = up.time if isinstance(up, XEvent) else first.end
            if not (isinstance(up, XEvent) and up.kind == "button_up"):
                if up is not None:
                    self._raw.insert(0, up)
                break
        return first

    def _wheel(self, first: XEvent) -> Gesture:
        dx, dy = _WHEEL[first.detail]
        end = first.time
        while True:
            nxt = self._raw_event(self.double_click_s)
            if isinstance(nxt, XEvent) and nxt.kind == "button_up" and nxt.detail in _WHEEL:
                continue
            if isinstance(nxt, XEvent) and nxt.kind == "button_down" and nxt.detail in _WHEEL and \
                    math.hypot(nxt.x - first.x, nxt.y - first.y) <= 4 * _SLOP_PX:
                ddx, ddy = _WHEEL[nxt.detail]
                dx, dy, end = dx + ddx, dy + ddy, nxt.time
                continue
            if nxt is not None:
                self._raw.insert(0, nxt)
            return Gesture("scroll", first.time, end, first.received, (first.x, first.y),
                           dx=max(-50, min(50, dx)), dy=max(-50, min(50, dy)))

    def _key(self, e: XEvent) -> Gesture | None:
        assert self.stream is not None
        if self.own_window and self.stream.focus_in(self.own_window):
            return None  # typed into the terminal that runs the recorder, not into the desktop's apps
        name, char = self.stream.keysym_name(e.detail, e.state)
        if name in _MODIFIERS:
            self._held[e.detail] = _MODIFIERS[name]
            return None
        mods = [m for m in ("ctrl", "alt", "super", "altgr") if m in self._held.values()]
        if mods and "altgr" not in mods:
            shift = ["shift"] if "shift" in self._held.values() else []
            key = normalize_desktop_key(_KEYS.get(name) or (char.lower() if char else name.lower()))
            return Gesture("hotkey", e.time, e.time, e.received, keys=(*mods, *shift, key))
        if name == "BackSpace":
            return Gesture("char", e.time, e.time, e.received, char="\b")
        if char and name not in _KEYS or name == "space":
            return Gesture("char", e.time, e.time, e.received, char=char or " ")
        if name in _KEYS or name.startswith("F") and name[1:].isdigit():
            return Gesture("key", e.time, e.time, e.received, keys=(_KEYS.get(name) or name.lower(),))
        return None

    # -- meaning ----------------------------------------------------------------------------------------
    def _screen_of(self, observed: Observed) -> Any:
        if self.stream is None:
            self.begin("a person acts")
        return self.device.monitor

    def _times(self, item: Gesture) -> tuple[float, float, float]:
        return item.start, item.end, item.received

    def _point(self, monitor: Any, xy: tuple[int, int]) -> Point | None:
        if not monitor.contains_root(*xy):
            return None
        p = monitor.from_root(*xy)
        return Point(round(p.x), round(p.y))

    def _meaning(self, item: Gesture, observed: Observed, monitor: Any) -> Meaning:
        if item.kind == "char":
            return Meaning("typing")
        if item.kind == "hotkey":
            if tuple(sorted(item.keys)) == self.stop_keys:
                self._pending = HandBack(finished=True)  # the kill switch's hotkey ends the person's turn
                return Meaning("ignore", notes=("the stop hotkey was pressed",))
            return Meaning("action", Hotkey(keys=list(item.keys)))
        if item.kind == "key":
            return Meaning("action", Key(key=item.keys[0]))
        point = self._point(monitor, item.point)
        if point is None:
            outside = f"a {item.kind} at root {list(item.point)} was outside the recorded monitor {monitor.name}"
            return Meaning("ignore", notes=(outside,))
        if item.kind == "drag":
            end = self._point(monitor, item.to) or Point(*(min(max(v, 0), s - 1) for v, s in
                                                            zip(monitor.from_root(*item.to), monitor.size, strict=True)))
            ms = min(10_000, max(0, round((item.end - item.start) * 1000)))
            return Meaning("action", Drag(start=point, end=end, duration_ms=ms))
        if item.kind == "scroll":
            if item.dx == 0 and item.dy == 0:
                return Meaning("ignore", notes=("the wheel turned back and forth: no scroll",))
            return Meaning("action", Scroll(point=point, dx=item.dx, dy=item.dy))
        return Meaning("action", Click(point=point, button=_BUTTONS[item.button], count=item.count))  # type: ignore[arg-type]

    def _typed(self, keys: list[Gesture], observed: Observed, monitor: Any,
               after: Any) -> tuple[list[BaseAction], str | None, list[str]]:
        text, erased = "", 0
        for k in keys:
            if k.char == "\b":
                if text:
                    text = text[:-1]
                else:
                    erased += 1
            else:
                text += k.char
        actions: list[BaseAction] = [Key(key="backspace") for _ in range(erased)]
        if text:
            actions.append(Type(text=text[:4000]))
        return actions, None, [] if actions else [f"{len(keys)} key(s) typed nothing"]
