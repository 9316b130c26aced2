"""The X11 desktop driver: screenshots with mss, input with pyautogui, xdotool and the clipboard.

Nothing here touches X at import: the connections open in ``DesktopDevice(...)``. Points arrive in
the pixels of this driver's monitor (physical, as its screenshots are, or logical at its scale) and
leave as X root coordinates through :meth:`Monitor.to_root`.

Focus without a window manager: X then sends keys to the window under the POINTER, so text typed
after a click would follow a later hover into another window. After every click (and drag press)
on a desktop with no window manager, the driver gives keyboard focus to the top-level window under
the pointer with ``xdotool windowfocus --sync`` (click-to-focus, as a window manager would); with a
window manager it leaves focus to it.
"""

from __future__ import annotations

import contextlib
import math
import platform
import time
from collections.abc import Mapping, Sequence
from typing import Any, Self, cast

from ...actions import (
    ActionError,
    Answer,
    Click,
    Drag,
    Element,
    Hotkey,
    Key,
    Move,
    Point,
    Scroll,
    SecretText,
    Size,
    Terminate,
    Type,
    Wait,
    points_of,
)
from ...errors import ScreenPilotError
from ...perception import DeviceAction, Frame, SettleOptions, SettleResult, settle_screen
from .._errors import ActionOutcomeUnknown, CaptureFailed, DeviceError, DisplayUnavailable, UnsupportedAction
from .._protocol import ActionResult, DeviceInfo
from ._accessibility import Accessibility
from ._atspi_layout import AccessibleNode, to_elements
from ._clipboard import Clipboard
from ._input import Input
from ._keys import normalize_keys
from ._killswitch import AgentStopped, KillSwitch
from ._monitors import Monitor, select_monitor
from ._tools import Tools
from ._typing import TypingMethod, Typist
from ._x11 import X11, resolve_display

__all__ = ["DesktopDevice"]

DRAG_STEP_S = 0.01
"""Pointer updates during a drag: every 10 ms, so applications see the movement, not a jump."""


class DesktopDevice:
    """A Linux X11 desktop (a real session or Xvfb) as a :class:`~screenpilot.devices.Device`.

    ``monitor``: None for the primary monitor, ``"all"`` for the whole virtual desktop, an index as
    ``xrandr --listmonitors`` counts, or a RandR monitor name. ``scale``: the desktop's scale (one
    number, or per monitor name); None reads ``Xft.dpi`` / 96 (1.0 when unset). Actions may be in
    physical pixels (the screenshots' size) or logical pixels (``info().logical_size``).
    ``accessibility``: the AT-SPI tree ``ui_tree()`` returns (docs/desktop.md): None uses it when the
    accessibility bus is there (else pixels alone, saying why in ``info().extra["accessibility"]``),
    True requires it (AccessibilityUnavailable now, naming what is missing), False never reads it.
    ``typing``: see ``_typing`` (``auto`` is exact for any text). ``failsafe``: pyautogui's
    pointer-in-a-corner stop, OFF by default because models legitimately click in corners (menus,
    clocks, close buttons) and pyautogui would then refuse the NEXT action; the kill switch
    (hotkey ctrl+alt+shift+k or the stop file) is the deliberate way to stop an agent.
    """

    default_settle = SettleOptions(interval_s=0.1)
    """What ``settle()`` holds to when asked with no options: a capture costs under a millisecond here, so
    captures 0.1 s apart (back to back they would call a window still before it has repainted)."""

    kind = "desktop"

    def __init__(
        self,
        display: str | None = None,
        *,
        monitor: int | str | None = None,
        scale: float | Mapping[str, float] | None = None,
        typing: TypingMethod = "auto",
        paste_keys: Sequence[str] = ("ctrl", "v"),
        failsafe: bool = False,
        focus_on_click: bool = True,
        kill_switch: KillSwitch | None = None,
        accessibility: bool | None = None,
    ) -> None:
        self.display = resolve_display(display)
        self._scale_option = scale
        self.typing: TypingMethod = typing
        self.failsafe = failsafe
        self.focus_on_click = focus_on_click
        self._x = X11(self.display)
        self._monitor_choice = monitor
        self.tools = Tools(self.display)
        self.kill_switch = kill_switch if kill_switch is not None else KillSwitch()
        self.input = Input(self.display, self.tools, failsafe=failsafe)
        self.clipboard = Clipboard(self.tools, self._x.selection_owner)
        self.paste_keys = normalize_keys(paste_keys)
        self.typist = Typist(self.input, self.tools, self.clipboard, self.kill_switch, self.paste_keys)
        self._mss: Any = None
        self.accessibility: Accessibility | None = None
        try:
            self._window_manager = self._x.window_manager()
            self.refresh()
            self.accessibility = Accessibility(self._x, mode=accessibility)
            self.kill_switch.listen(self.display)
        except BaseException:
            self.close()
            raise

    # -- monitors ----------------------------------------------------------------------------

    def _scale_of(self, name: str) -> float:
        option = self._scale_option
        if isinstance(option, Mapping):
            value = option.get(name)
            if value is not None:
                return float(value)
        elif option is not None:
            return float(option)
        return self._xft_scale or 1.0

    def refresh(self) -> Monitor:
        """Re-read the monitor layout (after ``xrandr`` changes) and re-select this driver's monitor."""
        self._xft_scale = self._x.xft_scale()
        for value in ([self._scale_option] if not isinstance(self._scale_option, Mapping) else self._scale_option.values()):
            if value is not None and not (math.isfinite(value) and value > 0):
                raise ValueError(f"scale must be a positive number, got {value!r}")
        self._monitors = self._x.monitors(self._scale_of)
        self._desktop = self._x.desktop_size()
        self.monitor = select_monitor(self._monitors, self._monitor_choice, self._desktop, self.display)
        return self.monitor

    @property
    def monitors(self) -> list[Monitor]:
        return list(self._monitors)

    # -- Device ------------------------------------------------------------------------------

    def info(self) -> DeviceInfo:
        m = self.monitor
        focused = self._x.focused_window()
        return DeviceInfo(
            kind="desktop",
            serial=f"{self.display}/{m.name}",
            physical_size=m.size,
            logical_size=m.logical_size,
            scale=m.scale,
            origin=m.origin,
            os=f"Linux X11 ({platform.release()})",
            foreground=self._x.window_name(focused) if focused else "",
            extra={
                "display": self.display,
                "monitor": m.describe(),
                "monitors": [mon.describe() for mon in self._monitors],
                "virtual_desktop": [self._desktop.width, self._desktop.height],
                "window_manager": self._window_manager,
                "typing": self.typing,
                "failsafe": self.failsafe,
                "kill_switch": self.kill_switch.describe(),
                "accessibility": self.accessibility.status() if self.accessibility else None,
            },
        )

    def screenshot(self) -> Frame:
        """This monitor's pixels as mss captured them (BGRA, physical pixels), decoded lazily."""
        m = self.monitor
        region = {"left": int(m.origin.x), "top": int(m.origin.y), "width": m.size.width, "height": m.size.height}
        try:
            if self._mss is None:
                import mss

                self._mss = mss.MSS(display=self.display)
            shot = self._mss.grab(region)
        except Exception as exc:  # mss raises AssertionError/XError/ScreenShotError on a dead server
            self._x.ping()  # a dead display is DisplayUnavailable, not a capture problem
            raise CaptureFailed(f"mss could not capture {m} on {self.display}: {exc!r}") from exc
        # mss hands every grab a fresh bytearray: the frame keeps it as is (copying 8 MB into bytes
        # would cost more than the capture itself).
        data = cast(bytes, shot.raw)
        return Frame.from_raw(data, Size(*shot.size), "bgra", captured_at=time.time(), source=f"x11:{self.display}/{m.name}")

    def accessible_nodes(self) -> list[AccessibleNode] | None:
        """Every visible accessible of the whole desktop in root pixels, with its role, states, monitor
        and application; None without a tree (see ``accessibility``)."""
        return self.accessibility.nodes(self._monitors) if self.accessibility is not None else None

    def accessible_elements(self) -> list[tuple[Element, AccessibleNode]] | None:
        """``ui_tree()``'s elements, each with the accessible it was made from (its value, its monitor)."""
        nodes = self.accessible_nodes()
        return None if nodes is None else to_elements(nodes, self.monitor)

    def ui_tree(self) -> list[Element] | None:
        """The AT-SPI elements visible on this driver's monitor, in its pixels (the screenshot's space);
        None when there is no accessibility tree to read."""
        pairs = self.accessible_elements()
        return None if pairs is None else [element for element, _ in pairs]

    def settle(self, options: SettleOptions | None = None) -> SettleResult:
        """Wait until this monitor stops changing, as ``options`` say (``perception.settle_screen``); the
        wait stops at once, raising AgentStopped, when the kill switch trips."""
        return settle_screen(self.screenshot, options or self.default_settle,
                             ui_tree=lambda: tuple(self.ui_tree() or ()), source="mss", sleep=self.kill_switch.sleep)

    def execute(self, action: DeviceAction) -> ActionResult:
        self.kill_switch.check()
        started = time.monotonic()
        commands: list[str] = []
        inner = action.action
        self._check_points(action)
        try:
            detail = self._run(inner, action.size, commands, action.secrets)
        except AgentStopped:
            raise
        except (DeviceError, OSError) as exc:
            failure: BaseException = exc
            if not isinstance(exc, DisplayUnavailable):
                try:
                    self._x.ping()  # a tool that failed because the display died: say so (DisplayUnavailable)
                except DisplayUnavailable as dead:
                    failure = dead
            if commands:  # part of the action reached the display: it must never be sent again blindly
                said = failure.message if isinstance(failure, DeviceError) else repr(failure)
                raise ActionOutcomeUnknown(
                    f"{len(commands)} input(s) of this action had been sent when it failed: {said}",
                    hint="look at the screen before deciding what to do next; it was not sent again",
                ) from failure
            if failure is exc:
                raise
            raise failure from exc
        return ActionResult(
            ok=True,
            detail=detail,
            duration_s=time.monotonic() - started,
            ends_episode=isinstance(inner, (Terminate, Answer)),
            commands=commands,
        )

    def close(self) -> None:
        self.kill_switch.close()
        if self.accessibility is not None:
            self.accessibility.close()
        if self._mss is not None:
            with contextlib.suppress(Exception):  # the server may already be gone
                self._mss.close()
            self._mss = None
        self._x.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- actions -----------------------------------------------------------------------------

    def _check_points(self, action: DeviceAction) -> None:
        w, h = action.size
        problems = [
            f"{action.action.action}.{name} ({p.x:g}, {p.y:g}) is outside the {w}x{h} screen"
            for name, p in points_of(action.action).items()
            if not (0 <= p.x < w and 0 <= p.y < h)
        ]
        if problems:
            raise ActionError(problems)

    def _root(self, point: Point, space: Size) -> tuple[int, int]:
        return self.monitor.to_root(point, space)

    def _run(self, action: Any, space: Size, commands: list[str], action_secrets: dict[str, str]) -> str:
        match action:
            case Click(point=p, button=button, count=count):
                x, y = self._root(p, space)
                self._out_from_under_tooltip(x, y)
                self.input.click(x, y, button, count)
                commands.append(f"pyautogui click ({x}, {y}) {button} x{count}")
                self._focus_under_pointer(commands)
                return f"{button} click x{count} at root ({x}, {y})"
            case Move(point=p):
                x, y = self._root(p, space)
                self.input.move(x, y)
                commands.append(f"pyautogui moveTo ({x}, {y})")
                return f"pointer at root ({x}, {y})"
            case Drag(start=a, end=b, duration_ms=ms):
                return self._drag(self._root(a, space), self._root(b, space), ms / 1000, commands)
            case Scroll(point=p, dx=dx, dy=dy):
                if p is not None:
                    x, y = self._root(p, space)
                    self.input.move(x, y)
                    commands.append(f"pyautogui moveTo ({x}, {y})")
                self.input.scroll(dx, dy)
                commands.append(f"pyautogui scroll dy={dy} dx={dx} (wheel clicks; + is down/right)")
                return f"scrolled dx={dx} dy={dy}"
            case Type(text=text):
                target = self._x.focused_window()
                secret = SecretText.of(text, action_secrets)
                try:
                    report = self.typist.type(secret.real, self.typing, commands=commands)
                except ScreenPilotError as exc:  # its words may quote the text: never a secret value
                    exc.message = secret.scrub(exc.message)
                    raise
                where = f"window {self._x.window_name(target)!r} ({target:#x})" if target else "the window under the pointer"
                notes = f"; {'; '.join(report.notes)}" if report.notes else ""
                return f"typed {len(secret.real)} characters into {where} by {report.method}{notes}"
            case Key(key=key):
                names = normalize_keys([key])
                commands.append(self.input.keys(names))
                return f"pressed {names[0]}"
            case Hotkey(keys=keys):
                names = normalize_keys(keys)
                commands.append(self.input.keys(names))
                return f"pressed {'+'.join(names)}"
            case Wait(seconds=seconds):
                self.kill_switch.sleep(seconds)
                return f"waited {seconds:g} s"
            case Terminate(status=status):
                return f"episode ends: {status}"
            case Answer(text=text):
                return f"answered: {text}"
        raise UnsupportedAction(
            f"{action.action!r} is not a desktop action",
            hint="the desktop understands click, move, drag, scroll, type, key, hotkey, wait, terminate and answer",
        )

    def _drag(self, start: tuple[int, int], end: tuple[int, int], seconds: float, commands: list[str]) -> str:
        """Press, move in 10 ms steps for ``seconds``, release; stepped here (not pyautogui's tween)
        so the kill switch can stop a long drag mid-way, and the button is released whatever happens."""
        (x0, y0), (x1, y1) = start, end
        self.input.move(x0, y0)
        self.input.button(True)
        commands.append(f"pyautogui mouseDown ({x0}, {y0})")
        try:
            self._focus_under_pointer(commands)
            steps = max(1, round(seconds / DRAG_STEP_S))
            t0 = time.monotonic()
            for i in range(1, steps + 1):
                self.kill_switch.sleep_until(t0 + seconds * i / steps)
                self.input.move(round(x0 + (x1 - x0) * i / steps), round(y0 + (y1 - y0) * i / steps))
        finally:
            self.input.button(False)
        commands.append(f"pyautogui moveTo ({x1}, {y1}) in {steps} steps over {seconds:g} s; mouseUp")
        return f"dragged root ({x0}, {y0}) -> ({x1}, {y1}) in {seconds:g} s"

    def _out_from_under_tooltip(self, x: int, y: int, wait_s: float = 1.0) -> None:
        """A click is aimed at the widget a model saw, never at a tooltip that happens to float over it:
        with the pointer on the point, wait (bounded) for a tooltip there to go (toolkits hide it when
        the pointer moves to another widget), as a person's hand would."""
        self.input.move(x, y)
        deadline = time.monotonic() + wait_s
        while (window := self._x.toplevel_at_pointer()) and self._x.is_tooltip(window) and time.monotonic() < deadline:
            self.kill_switch.sleep(0.02)

    def _focus_under_pointer(self, commands: list[str]) -> None:
        if not self.focus_on_click or self._window_manager is not None:
            return
        window = self._x.toplevel_at_pointer()
        if not window or window == self._x.focused_window() or not self._x.takes_focus(window):
            return  # an open menu (override-redirect) or a window the click just closed takes no focus
        try:
            self.tools.run(["xdotool", "windowfocus", "--sync", str(window)])
        except DeviceError:
            if self._x.takes_focus(window):
                raise
            return  # it went away between the look and the focus (a menu closing on the click)
        commands.append(f"xdotool windowfocus --sync {window:#x}")
