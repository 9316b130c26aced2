"""A person's actions on an Android phone, read from its touchscreen as they happen (``getevent -lt``).

The phone's own kernel events are the only source that sees exactly what a finger did, on any phone,
without an app installed: ``adb shell getevent -lt`` streams them (``_getevent`` reads them, ``_gestures``
names the gesture). Injected input (``input tap``, scrcpy) never reaches the kernel, so a recorder sees
the person only. Each action is then given the meaning it had on the screen the person saw:

* a tap on the on-screen keyboard starts a typing group: further keys join it until the person pauses
  (``typing_pause_s``) or touches anything else; the group becomes one ``type`` action whose text is
  read from the focused field (the text it gained; deletions first become ``key del``), plus ``key
  enter`` when the last key was the keyboard's Enter and added no new line;
* a tap on a three-button navigation bar is the system button (Back, Home; Overview is ``key
  app_switch``); hardware keys are their buttons or keys (``KEY_BACK`` is Back, ``KEY_POWER`` power...);
* anything else is the tap, long press or swipe the finger made.

After each action the screen is waited for with the step runner's ``settle`` and kept as the action's
after-frame; it is also the next action's screen.
"""

from __future__ import annotations

import queue
import threading
import time
from typing import Any

from ..actions import BaseAction, Element, Key, Point, Size, SystemButton, Tap, Type
from ..devices import AndroidDevice, DeviceError
from ..errors import InfraFault
from ..trajectories import Observed
from ._channel import DEFAULT_TYPING_PAUSE_S, ChannelBase, Failed, Meaning
from ._gestures import GestureRules, PanelMap, classify
from ._getevent import (
    InputDevice,
    KeyPress,
    Stroke,
    TouchTracker,
    parse_devices,
    parse_event_line,
    touchscreen,
)
from ._phone_screen import PhoneScreen, nav_button

__all__ = ["GeteventStream", "PhoneChannel", "key_action", "typing_actions"]

_BUTTON_KEYS: dict[str, BaseAction] = {
    "KEY_BACK": SystemButton(button="back"), "KEY_HOMEPAGE": SystemButton(button="home"),
    "KEY_MENU": SystemButton(button="menu"), "KEY_APPSELECT": Key(key="app_switch"), "KEY_POWER": Key(key="power"),
    "KEY_VOLUMEUP": Key(key="volume_up"), "KEY_VOLUMEDOWN": Key(key="volume_down"), "KEY_MUTE": Key(key="volume_mute"),
    "KEY_ENTER": Key(key="enter"), "KEY_KPENTER": Key(key="enter"), "KEY_ESC": Key(key="escape"),
    "KEY_TAB": Key(key="tab"), "KEY_SEARCH": Key(key="search"), "KEY_UP": Key(key="dpad_up"),
    "KEY_DOWN": Key(key="dpad_down"), "KEY_LEFT": Key(key="dpad_left"), "KEY_RIGHT": Key(key="dpad_right"),
}


def key_action(key: str) -> BaseAction | None:
    """The action a key of the phone (or of a keyboard plugged into it) is; None for a typing key."""
    return _BUTTON_KEYS.get(key)


def _typing_key(key: str) -> bool:
    name = key.removeprefix("KEY_")
    return (len(name) == 1 and name.isalnum()) or key in ("KEY_SPACE", "KEY_BACKSPACE")


def typing_actions(before: str, after: str, *, enter: bool) -> list[BaseAction]:
    """What a typing group did to the focused field, as actions that redo it: ``key del`` for each
    character removed from the end, one ``type`` of what was added, ``key enter`` for a final Enter that
    added no new line (a single-line field's Done or Search)."""
    common = 0
    for a, b in zip(before, after, strict=False):
        if a != b:
            break
        common += 1
    added = after[common:]
    actions: list[BaseAction] = [Key(key="del") for _ in range(len(before) - common)]
    if added:
        actions.append(Type(text=added[:4000]))
    if enter and not added.endswith("\n"):
        actions.append(Key(key="enter"))
    return actions


class GeteventStream:
    """``adb shell getevent -lt`` streamed on its own thread; every finished stroke or key press goes to
    ``deliver`` with the host time its first event was read."""

    def __init__(self, device: AndroidDevice, deliver: Any) -> None:
        self.device = device
        self.deliver = deliver
        self.touch: InputDevice | None = None
        self._conn: Any = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._live = threading.Event()

    def start(self) -> InputDevice:
        devices = parse_devices(self.device.shell("getevent -lp", check=False).text)
        touch = touchscreen(devices)
        if touch is None:
            raise DeviceError(f"the phone {self.device.serial} lists no touchscreen in `getevent -lp`",
                              hint="is the screen a touchscreen the shell user may read (/dev/input)?")
        self.touch = touch
        import adbutils

        try:
            client = adbutils.AdbClient(host=self.device.host, port=self.device.port)
            self._conn = client.device(serial=self.device.serial).shell("getevent -lt", stream=True)
        except (adbutils.AdbError, OSError) as exc:
            raise DeviceError(f"cannot read the touchscreen of {self.device.serial}: {exc}") from exc
        single = touch.path if len(devices) == 1 else ""
        self._stopping.clear()
        self._live.clear()
        self._thread = threading.Thread(target=self._read, args=(touch.path, single), name="getevent", daemon=True)
        self._thread.start()
        if not self._live.wait(timeout=15):  # getevent lists the devices it opened once it reads them
            self.stop()
            raise DeviceError(f"`getevent -lt` on {self.device.serial} printed nothing in 15 s",
                              hint="is the phone still connected? (adb devices)")
        return touch

    def _read(self, touch: str, single: str) -> None:
        try:
            self._pump(touch, single)
        finally:
            self._live.set()

    def _pump(self, touch: str, single: str) -> None:
        tracker = TouchTracker(touch)
        buf = b""
        sock = self._conn.conn
        try:
            while not self._stopping.is_set():
                chunk = sock.recv(65536)
                if not chunk:
                    break
                received = time.time()
                self._live.set()
                buf += chunk
                *lines, buf = buf.split(b"\n")
                for line in lines:
                    event = parse_event_line(line.decode("utf-8", "replace"), default_device=single)
                    if event is None:
                        continue
                    for item in tracker.feed(event, received):
                        self.deliver(item)
        except OSError as exc:
            if not self._stopping.is_set():
                self.deliver(Failed(DeviceError(f"the touchscreen stream of {self.device.serial} broke: {exc}")))
            return
        if not self._stopping.is_set():
            self.deliver(Failed(DeviceError(f"the touchscreen stream of {self.device.serial} ended",
                                             hint="is the phone still connected? (adb devices)")))

    def stop(self) -> None:
        self._stopping.set()
        if self._conn is not None:
            try:
                self._conn.close()
            except OSError:
                pass
            self._conn = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None


class PhoneChannel(ChannelBase[PhoneScreen]):
    """A person on an Android phone (``agent.PersonChannel``): for takeovers and ``screenpilot record``."""

    def __init__(self, device: AndroidDevice, *, typing_pause_s: float = DEFAULT_TYPING_PAUSE_S) -> None:
        super().__init__(device, typing_pause_s=typing_pause_s)
        self.stream: GeteventStream | None = None
        self.rules = GestureRules()
        self.rotation = 0
        self._size: Size | None = None
        self._screen: tuple[str, PhoneScreen] | None = None
        self._density: int | None = None

    def begin(self, reason: str) -> None:
        if self.stream is not None:
            return
        info = self.device.info()
        self._density, self.rotation, self._size = info.density, info.rotation, info.logical_size
        timeout = self.device.shell("settings get secure long_press_timeout", check=False).text.strip()
        self.rules = GestureRules.for_density(self._density, int(timeout) if timeout.isdigit() else None)
        self.items = queue.Queue()
        self._pending = None
        self.stream = GeteventStream(self.device, self.items.put)
        self.stream.start()

    def end(self) -> None:
        if self.stream is not None:
            self.stream.stop()
            self.stream = None

    # -- the screen -------------------------------------------------------------------------------------
    def _screen_of(self, observed: Observed) -> PhoneScreen:
        if self.stream is None:
            self.begin("a person acts")
        size = observed.frame.size
        if size != self._size:  # the phone turned: the panel maps onto the display anew
            self.rotation, self._size = self.device.info().rotation, size
        if self._screen is not None and self._screen[0] == observed.ref.path:
            return self._screen[1]
        screen = self._read_screen(size)
        self._screen = (observed.ref.path, screen)
        return screen

    def _read_screen(self, size: Size) -> PhoneScreen:
        windows = self.device.shell("dumpsys window", check=False).text
        shown = None
        if "mType=ime" not in windows and "ITYPE_IME" not in windows:
            shown = "mInputShown=true" in self.device.shell("dumpsys input_method", check=False).text
        return PhoneScreen.read(size, self._density, windows, shown)

    def _panel(self, size: Size) -> PanelMap:
        touch = self.stream.touch if self.stream is not None else None
        assert touch is not None
        return PanelMap(touch.axis("X"), touch.axis("Y"), size, self.rotation)

    # -- meaning ----------------------------------------------------------------------------------------
    def _times(self, item: Stroke | KeyPress) -> tuple[float, float, float]:
        if isinstance(item, Stroke):
            return item.start[0], item.end[0], item.received
        return item.down, item.up, item.received

    def _meaning(self, item: Stroke | KeyPress, observed: Observed, screen: PhoneScreen) -> Meaning:
        if isinstance(item, KeyPress):
            if _typing_key(item.key):
                return Meaning("typing")
            action = key_action(item.key)
            if action is None:
                return Meaning("ignore", notes=(f"a press of {item.key} was not recorded (no action for it)",))
            held = item.up - item.down
            notes = (f"the power key was held {held:.1f} s (a long press)",) if item.key == "KEY_POWER" and held >= 0.5 else ()
            return Meaning("action", action, notes)
        gesture, notes = classify(item, self._panel(observed.frame.size), self.rules)
        if isinstance(gesture, Tap):
            if screen.on_keyboard(gesture.point):
                return Meaning("typing", notes=(("the keyboard's place was guessed (the phone lists no insets)",)
                                                if screen.guessed else ()))
            button = nav_button(screen, gesture.point)
            if button is not None:
                return Meaning("action", button, (*notes, f"a tap on the navigation bar at {list(gesture.point)}"))
        return Meaning("action", gesture, tuple(notes))

    # -- typing -----------------------------------------------------------------------------------------
    def _after_keys(self, observed: Observed) -> tuple[Any, PhoneScreen | None, list[str]]:
        """The UI tree once keys stopped (the focused field's text), and where the keyboard is now."""
        try:
            elements = self.device.ui_tree()
            notes: list[str] = []
        except InfraFault as exc:
            elements, notes = None, [f"the field could not be read after typing: {exc}"]
        return elements, self._read_screen(observed.frame.size), notes

    def _typed(self, keys: list[Stroke | KeyPress], observed: Observed, screen: PhoneScreen,
               after: list[Element] | None) -> tuple[list[BaseAction], str | None, list[str]]:
        before = _focused(observed.elements)
        field = _same_field(before, after) or _focused(after)  # Enter or Tab may have moved the focus on
        if field is None:
            return [], None, [f"{len(keys)} key(s) were typed but no focused field could be read: not recorded"]
        last = keys[-1]
        if isinstance(last, Stroke):
            enter = screen.on_enter_key(_point(last, self._panel(observed.frame.size)))
        else:
            enter = last.key in ("KEY_ENTER", "KEY_KPENTER")
        notes = ["a password field: its text may read back masked"] if field.password else []
        actions = typing_actions(before.text if before is not None else "", field.text, enter=enter)
        if not actions:
            notes.append(f"{len(keys)} key(s) changed nothing in the focused field")
        return actions, field.text, notes


def _focused(elements: list[Element] | None) -> Element | None:
    """The focused text field (the deepest focused element)."""
    focused = [e for e in elements or () if e.focused]
    return max(focused, key=lambda e: e.depth) if focused else None


def _same_field(before: Element | None, after: list[Element] | None) -> Element | None:
    """The field that had the focus before the keys, as the screen after them shows it."""
    if before is None or not after:
        return None
    for e in after:
        same = (e.resource_id == before.resource_id) if before.resource_id else (e.bounds == before.bounds)
        if same and e.class_name == before.class_name:
            return e
    return None


def _point(item: Stroke, panel: PanelMap) -> Point:
    _t, ax, ay = item.start
    return panel.to_display(ax, ay)
