"""Monitors as X places them, and the mapping from a frame's pixels to the X root window.

X knows only physical pixels on one root window; each monitor is a rectangle of it (RandR 1.5
monitors). A model sees one monitor's screenshot, so a point it picks is relative to that monitor's
top-left corner (its ``origin``) and, where the desktop is scaled (HiDPI: ``Xft.dpi`` 192 means scale
2), it may be in LOGICAL pixels (physical / scale), as toolkits and most recorded trajectories count
them. :meth:`Monitor.to_root` is the one place that adds the origin and the scale.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ...actions import Point, Size
from .._errors import DeviceNotFound, UnsupportedAction

__all__ = ["ALL_MONITORS", "Monitor", "select_monitor", "union"]

ALL_MONITORS = "all"
"""The monitor selector for the whole virtual desktop (every monitor, as one picture)."""


@dataclass(frozen=True)
class Monitor:
    """One monitor, or the whole desktop: its place on the X root window, size and scale."""

    name: str
    origin: Point
    size: Size
    scale: float = 1.0
    primary: bool = False
    index: int = 0

    @property
    def logical_size(self) -> Size:
        """The size toolkits lay out in: physical pixels divided by the scale."""
        return Size(max(1, round(self.size.width / self.scale)), max(1, round(self.size.height / self.scale)))

    def _factors(self, space: Size) -> tuple[float, float]:
        if space == self.size:
            return 1.0, 1.0
        if space == self.logical_size:
            return self.size.width / space.width, self.size.height / space.height
        raise UnsupportedAction(
            f"the action's points are for a {space} screen, but monitor {self.name!r} is {self.size} physical"
            f" ({self.logical_size} logical at scale {self.scale:g})",
            hint="map model points with a CoordinateSpace built on this device's screenshot().size or info().logical_size",
        )

    def contains_root(self, x: float, y: float) -> bool:
        return (
            self.origin.x <= x < self.origin.x + self.size.width
            and self.origin.y <= y < self.origin.y + self.size.height
        )

    def to_root(self, point: Point, space: Size) -> tuple[int, int]:
        """A point in ``space`` (this monitor's physical or logical size) -> the X root pixel under it.

        Logical pixel (x, y) covers physical pixels from (x * scale, y * scale); we take that corner,
        so integer logical points land on exact physical pixels at integer scales.
        """
        fx, fy = self._factors(space)
        x = min(max(round(point.x * fx), 0), self.size.width - 1)
        y = min(max(round(point.y * fy), 0), self.size.height - 1)
        return int(self.origin.x) + x, int(self.origin.y) + y

    def from_root(self, x: float, y: float, space: Size | None = None) -> Point:
        """The inverse of :meth:`to_root`: an X root pixel in this monitor's (physical or logical) pixels."""
        fx, fy = self._factors(space or self.size)
        return Point((x - self.origin.x) / fx, (y - self.origin.y) / fy)

    def describe(self) -> dict[str, object]:
        """A plain record for DeviceInfo.extra and trajectories."""
        return {
            "index": self.index,
            "name": self.name,
            "origin": [int(self.origin.x), int(self.origin.y)],
            "physical_size": [self.size.width, self.size.height],
            "logical_size": [self.logical_size.width, self.logical_size.height],
            "scale": self.scale,
            "primary": self.primary,
        }

    def __str__(self) -> str:
        return f"{self.name} {self.size}+{int(self.origin.x)}+{int(self.origin.y)} (scale {self.scale:g})"


def union(monitors: Sequence[Monitor], desktop: Size) -> Monitor:
    """The whole virtual desktop as one monitor: the root window from (0, 0).

    Its scale is the monitors' common scale, or 1 where they disagree (one picture cannot have two
    logical sizes).
    """
    scales = {m.scale for m in monitors}
    scale = scales.pop() if len(scales) == 1 else 1.0
    return Monitor(ALL_MONITORS, Point(0, 0), desktop, scale, primary=False, index=-1)


def select_monitor(monitors: Sequence[Monitor], wanted: int | str | None, desktop: Size, display: str) -> Monitor:
    """``None``: the primary monitor (else the first); ``"all"``: the whole desktop; an int: the
    monitor at that index of ``xrandr --listmonitors``; a string: the monitor of that name."""
    if wanted is None:
        return next((m for m in monitors if m.primary), monitors[0])
    if isinstance(wanted, str) and wanted.lower() in {ALL_MONITORS, "desktop"}:
        return union(monitors, desktop)
    if isinstance(wanted, int) and not isinstance(wanted, bool):
        if 0 <= wanted < len(monitors):
            return monitors[wanted]
    elif isinstance(wanted, str):
        found = [m for m in monitors if m.name == wanted] or [m for m in monitors if m.name.lower() == wanted.lower()]
        if found:
            return found[0]
    listing = "; ".join(f"{m.index}: {m}" for m in monitors)
    raise DeviceNotFound(
        f"no monitor {wanted!r} on X display {display} (monitors: {listing})",
        hint=f"pick a monitor by index or name from that list, or {ALL_MONITORS!r} for the whole desktop",
    )
