"""From a finger's stroke on the panel to one phone action in display pixels: tap, long press or swipe.

The panel's axes are mapped as Android's TouchInputMapper maps them: scaled by the display size over
the axis span (``max - min + 1``) in the panel's natural orientation, then turned by the display's
rotation (90°: ``x = y_nat``, ``y = W_nat - x_nat``; 180°: both mirrored; 270°: ``x = H_nat - y_nat``,
``y = x_nat``). The gesture is decided as a View decides it (ViewConfiguration): a finger that left the
touch slop (8 dp) swiped; one that stayed within it for the long-press timeout (``settings secure
long_press_timeout``, 400 ms by default since Android 12) long-pressed; anything else tapped.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..actions import LongPress, Point, Size, Swipe, Tap
from ._getevent import AxisRange, Stroke

__all__ = ["DEFAULT_LONG_PRESS_MS", "TOUCH_SLOP_DP", "GestureRules", "PanelMap", "classify"]

DEFAULT_LONG_PRESS_MS = 400
TOUCH_SLOP_DP = 8


@dataclass(frozen=True)
class PanelMap:
    """The touchscreen's axes onto the display as screenshots show it (``display``: the rotated size)."""

    x: AxisRange
    y: AxisRange
    display: Size
    rotation: int = 0

    @property
    def natural(self) -> Size:
        """The display in the panel's natural orientation."""
        return self.display if self.rotation % 2 == 0 else Size(self.display.height, self.display.width)

    def to_display(self, ax: int, ay: int) -> Point:
        w, h = self.natural
        nx = (ax - self.x.minimum) * w / self.x.span
        ny = (ay - self.y.minimum) * h / self.y.span
        x, y = {0: (nx, ny), 1: (ny, w - nx), 2: (w - nx, h - ny), 3: (h - ny, nx)}[self.rotation % 4]
        dw, dh = self.display
        return Point(min(max(round(x), 0), dw - 1), min(max(round(y), 0), dh - 1))


@dataclass(frozen=True)
class GestureRules:
    """Android's thresholds for one phone: the long-press timeout and the touch slop in pixels."""

    long_press_ms: int = DEFAULT_LONG_PRESS_MS
    slop_px: float = TOUCH_SLOP_DP * 420 / 160

    @classmethod
    def for_density(cls, density: int | None, long_press_ms: int | None = None) -> GestureRules:
        return cls(long_press_ms or DEFAULT_LONG_PRESS_MS, TOUCH_SLOP_DP * (density or 160) / 160)


def classify(stroke: Stroke, panel: PanelMap, rules: GestureRules) -> tuple[Tap | LongPress | Swipe, list[str]]:
    """The action a stroke was, in display pixels, and what is worth noting about it."""
    points = [(t, panel.to_display(ax, ay)) for t, ax, ay in stroke.points]
    t0, p0 = points[0]
    t1, p1 = points[-1]
    duration_ms = max(0, round((t1 - t0) * 1000))
    notes = []
    if stroke.fingers > 1:
        notes.append(f"{stroke.fingers} fingers touched at once; only the first one's path is recorded")
    left_at = next((t for t, p in points if math.hypot(p.x - p0.x, p.y - p0.y) > rules.slop_px), None)
    if left_at is not None:
        held_ms = round((left_at - t0) * 1000)
        if held_ms >= rules.long_press_ms:
            notes.append(f"the finger rested {held_ms} ms before moving (a long press, then a drag)")
        return Swipe(start=p0, end=p1, duration_ms=min(max(duration_ms, 50), 10_000)), notes
    if duration_ms >= rules.long_press_ms:
        return LongPress(point=p0, duration_ms=min(max(duration_ms, 300), 10_000)), notes
    return Tap(point=p0), notes
