"""From touches to gestures, with Android's own timeouts (ViewConfiguration of Android 14).

Every way a finger reaches the phone ends here as DOWN, MOVE and UP with phone-clock timestamps: a
person on the touchscreen (``phone.touch_down/move/up``, also logged for ``getevent``), and injected
input (``input tap/swipe/motionevent``, the scrcpy control socket, ``phone.tap/swipe/motion``). The
recognizer then decides what the gesture was, as a View does:

* a long press fires when the finger has stayed within the touch slop for the long-press timeout
  (``settings secure long_press_timeout``, 400 ms by default) over a view that has a long-click action:
  it fires while the finger is still down, and the lift then does not click;
* a finger that leaves the touch slop (8 dp) drags: scrolls, slides, pulls the shade;
* anything else is a tap, however slowly it lifts; a second tap within 300 ms (and 100 dp) is a double
  tap where the view has one (a text field selects a word).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ._evdev import TOUCH_DEVICE, TOUCH_MAX

if TYPE_CHECKING:
    from ._phone import VirtualPhone
    from ._ui import View

__all__ = ["DOUBLE_TAP_MIN_TIME_MS", "DOUBLE_TAP_SLOP_DP", "DOUBLE_TAP_TIMEOUT_MS", "LONG_PRESS_TIMEOUT_MS",
           "MOVE_INTERVAL_MS", "TOUCH_SLOP_DP", "TouchPipeline"]

LONG_PRESS_TIMEOUT_MS = 400  # ViewConfiguration.DEFAULT_LONG_PRESS_TIMEOUT since Android 12
DOUBLE_TAP_TIMEOUT_MS = 300
DOUBLE_TAP_MIN_TIME_MS = 40
TOUCH_SLOP_DP = 8
DOUBLE_TAP_SLOP_DP = 100
MOVE_INTERVAL_MS = 16  # how often an injected swipe moves the pointer (one frame at 60 Hz)


@dataclass
class _Stroke:
    x0: float
    y0: float
    t0: float
    x: float
    y: float
    t: float
    long_target: View | None
    deadline: float | None
    physical: bool
    dragging: bool = False
    long_fired: bool = False
    timer: threading.Timer | None = None


class TouchPipeline:
    """One pointer's strokes through the gesture recognizer (the phone holds one of these)."""

    def __init__(self, phone: VirtualPhone) -> None:
        self.phone = phone
        self.stroke: _Stroke | None = None
        self._last_tap: tuple[float, float, float] | None = None
        self._tracking_id = 0

    # -- timing and distances -------------------------------------------------------------------------
    def long_press_timeout(self) -> float:
        try:
            return int(self.phone.settings["secure"].get("long_press_timeout", LONG_PRESS_TIMEOUT_MS)) / 1000.0
        except ValueError:
            return LONG_PRESS_TIMEOUT_MS / 1000.0

    def _px(self, dp: float) -> float:
        return dp * self.phone.density() / 160.0

    # -- events --------------------------------------------------------------------------------------
    def down(self, x: float, y: float, t: float | None = None, *, physical: bool = False, timer: bool = True) -> None:
        phone = self.phone
        with phone.lock:
            t = phone.clock.uptime() if t is None else t
            if physical:
                self._log_down(x, y, t)
            if self.stroke is not None:
                self._cancel_timer(self.stroke)
            phone.user_activity()
            if not phone.screen_on:
                self.stroke = None
                return
            target = phone.touch_target(x, y)
            long_target = target if target is not None and target.on_long_press is not None else None
            deadline = t + self.long_press_timeout() if long_target is not None else None
            stroke = _Stroke(x, y, t, x, y, t, long_target, deadline, physical)
            self.stroke = stroke
            if deadline is not None and timer:
                delay = phone.clock.host_seconds(deadline - phone.clock.uptime())
                stroke.timer = threading.Timer(delay, self._timeout, args=(stroke,))
                stroke.timer.daemon = True
                stroke.timer.start()

    def move(self, x: float, y: float, t: float | None = None, *, physical: bool = False) -> None:
        phone = self.phone
        with phone.lock:
            t = phone.clock.uptime() if t is None else t
            if physical:
                self._log_move(x, y, t)
            stroke = self.stroke
            if stroke is None:
                return
            self._maybe_long_press(stroke, t)
            stroke.x, stroke.y, stroke.t = x, y, t
            if not stroke.dragging and math.hypot(x - stroke.x0, y - stroke.y0) > self._px(TOUCH_SLOP_DP):
                stroke.dragging = True
                self._cancel_timer(stroke)

    def up(self, x: float | None = None, y: float | None = None, t: float | None = None, *,
           physical: bool = False) -> None:
        phone = self.phone
        with phone.transaction():
            t = phone.clock.uptime() if t is None else t
            stroke = self.stroke
            moved = stroke is not None and x is not None and y is not None and (x, y) != (stroke.x, stroke.y)
            if moved:  # a finger's last position is reported before it lifts
                self.move(x, y, t, physical=physical)  # type: ignore[arg-type]
            if physical:
                self._log_up(t)
            if stroke is None:
                return
            self._maybe_long_press(stroke, t)
            self._cancel_timer(stroke)
            self.stroke = None
            if stroke.long_fired:
                self._last_tap = None
                return
            if stroke.dragging:
                phone.drag_gesture(stroke.x0, stroke.y0, stroke.x, stroke.y)
                self._last_tap = None
                return
            last = self._last_tap
            if (last is not None and DOUBLE_TAP_MIN_TIME_MS / 1000 <= t - last[2] <= DOUBLE_TAP_TIMEOUT_MS / 1000
                    and math.hypot(stroke.x0 - last[0], stroke.y0 - last[1]) <= self._px(DOUBLE_TAP_SLOP_DP)):
                target = phone.touch_target(stroke.x0, stroke.y0)
                if target is not None and target.on_double_tap is not None:
                    self._last_tap = None
                    target.on_double_tap()
                    return
            self._last_tap = (stroke.x0, stroke.y0, t)
            phone.click(stroke.x0, stroke.y0)

    def cancel(self, *, physical: bool = False) -> None:
        with self.phone.lock:
            if physical and self.stroke is not None:
                self._log_up(self.phone.clock.uptime())
            if self.stroke is not None:
                self._cancel_timer(self.stroke)
            self.stroke = None

    # -- long press ------------------------------------------------------------------------------------
    def _maybe_long_press(self, stroke: _Stroke, t: float) -> None:
        if (stroke.deadline is not None and not stroke.dragging and not stroke.long_fired
                and t >= stroke.deadline and stroke.long_target is not None):
            stroke.long_fired = True
            self._cancel_timer(stroke)
            handler = stroke.long_target.on_long_press
            if handler is not None:
                with self.phone.transaction():
                    handler()

    def _timeout(self, stroke: _Stroke) -> None:
        """The finger is still down at the long-press timeout (nothing else happened meanwhile)."""
        with self.phone.lock:
            if self.stroke is stroke and stroke.deadline is not None:
                self._maybe_long_press(stroke, max(stroke.deadline, self.phone.clock.uptime()))

    @staticmethod
    def _cancel_timer(stroke: _Stroke) -> None:
        if stroke.timer is not None:
            stroke.timer.cancel()
            stroke.timer = None

    # -- the touchscreen's events for getevent ----------------------------------------------------------
    def _axes(self, x: float, y: float) -> tuple[int, int]:
        """Display coordinates -> the panel's own axes (natural orientation, 0..TOUCH_MAX)."""
        phone = self.phone
        w, h = phone.display_size()
        rot = phone.rotation()
        u, v = x / max(1, w), y / max(1, h)  # 0..1 on the rotated display
        nx, ny = {0: (u, v), 1: (1 - v, u), 2: (1 - u, 1 - v), 3: (v, 1 - u)}[rot]
        return (max(0, min(TOUCH_MAX, round(nx * TOUCH_MAX))), max(0, min(TOUCH_MAX, round(ny * TOUCH_MAX))))

    def _log_down(self, x: float, y: float, t: float) -> None:
        self._tracking_id = (self._tracking_id + 1) % 65536
        ax, ay = self._axes(x, y)
        self.phone.evdev.emit(TOUCH_DEVICE, [("EV_ABS", "ABS_MT_SLOT", 0), ("EV_ABS", "ABS_MT_TRACKING_ID", self._tracking_id),
                                             ("EV_ABS", "ABS_MT_POSITION_X", ax), ("EV_ABS", "ABS_MT_POSITION_Y", ay),
                                             ("EV_ABS", "ABS_MT_TOUCH_MAJOR", 6), ("EV_ABS", "ABS_MT_PRESSURE", 48),
                                             ("EV_KEY", "BTN_TOUCH", 1), ("EV_SYN", "SYN_REPORT", 0)], t)

    def _log_move(self, x: float, y: float, t: float) -> None:
        ax, ay = self._axes(x, y)
        self.phone.evdev.emit(TOUCH_DEVICE, [("EV_ABS", "ABS_MT_POSITION_X", ax), ("EV_ABS", "ABS_MT_POSITION_Y", ay),
                                             ("EV_SYN", "SYN_REPORT", 0)], t)

    def _log_up(self, t: float) -> None:
        self.phone.evdev.emit(TOUCH_DEVICE, [("EV_ABS", "ABS_MT_TRACKING_ID", -1), ("EV_KEY", "BTN_TOUCH", 0),
                                             ("EV_SYN", "SYN_REPORT", 0)], t)
