"""Plain geometry shared by every room: points, sizes and element bounds.

They are NamedTuples so they serialize as JSON arrays (``[x, y]``), the shape models emit, and cost
nothing to build on the hot path. Which coordinate space a point lives in is decided by the container
it travels in (``ModelAction`` / ``DeviceAction`` in perception), never by the point itself.
"""

from __future__ import annotations

from typing import Annotated, NamedTuple

from pydantic import Field, Strict

__all__ = ["Bounds", "Coordinate", "Point", "Size"]

Coordinate = Annotated[float, Strict(), Field(allow_inf_nan=False)]
"""A finite number; strings and booleans are refused so a model's sloppiness is reported, not guessed."""


class Point(NamedTuple):
    x: Coordinate
    y: Coordinate


class Size(NamedTuple):
    width: Annotated[int, Strict(), Field(gt=0)]
    height: Annotated[int, Strict(), Field(gt=0)]

    def __str__(self) -> str:
        return f"{self.width}x{self.height}"


class Bounds(NamedTuple):
    """A rectangle in device pixels, right and bottom exclusive (Android's ``[l,t][r,b]``)."""

    left: int
    top: int
    right: int
    bottom: int

    @property
    def center(self) -> Point:
        return Point((self.left + self.right) / 2, (self.top + self.bottom) / 2)

    @property
    def area(self) -> int:
        return max(0, self.right - self.left) * max(0, self.bottom - self.top)

    def contains(self, point: Point) -> bool:
        return self.left <= point.x < self.right and self.top <= point.y < self.bottom
