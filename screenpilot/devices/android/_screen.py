"""Which way up the screen is, and where an action's pixels land on it.

``wm size`` reports the panel in its natural orientation (portrait for phones) whatever the rotation,
while screenshots and ``input`` coordinates follow the screen as shown: at rotation 1 or 3 the width and
height swap. An action is planned on a screenshot; if the phone turned since, its pixels point at a
layout that no longer exists, and that is an error, not something to rescale.
"""

from __future__ import annotations

from ...actions import Point, Size
from ._errors import ScreenChanged

__all__ = ["input_point", "logical_size"]


def logical_size(natural: Size, rotation: int) -> Size:
    """The screen as shown (screenshots, ``input`` coordinates) for the natural size and rotation."""
    return Size(natural.height, natural.width) if rotation % 2 else natural


def input_point(point: Point, planned: Size, screen: Size) -> tuple[int, int]:
    """Device pixels on the ``planned`` screen -> integer ``input`` coordinates on ``screen`` as it is now.

    Equal sizes pass through (rounded). The same shape at another resolution (a screenshot taken before a
    ``wm size`` override changed) is scaled. The other orientation raises :class:`ScreenChanged`.
    """
    if planned == screen:
        x, y = point.x, point.y
    elif planned.width != planned.height and (planned.width > planned.height) != (screen.width > screen.height):
        raise ScreenChanged(
            f"the action was planned on a {planned} screen but the phone now shows {screen} (it rotated): "
            "the layout has moved",
            hint="take a new screenshot and plan again",
        )
    else:
        x, y = point.x * screen.width / planned.width, point.y * screen.height / planned.height
    return min(max(round(x), 0), screen.width - 1), min(max(round(y), 0), screen.height - 1)
