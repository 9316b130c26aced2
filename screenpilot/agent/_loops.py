"""Loop detection: the same action on a screen it did not change, again and again.

Actions are compared in device pixels with points snapped to a coarse grid (a model that taps
(935, 406) then (936, 407) is repeating itself); screens are compared with perception's thumbnail
difference, so a clock ticking in the status bar does not hide a loop. A small change counts when it
is where the action acted: scrolling a short list on a large desktop moves well under 1% of the
whole screen, but most of the area around the pointer.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..actions import Point
from ..perception import Frame, frame_difference

__all__ = ["action_key", "same_screen"]

_SNAP = 12  # device pixels
_AROUND = 0.125  # half the side of the area around an action's point, as a fraction of the screen


def action_key(device_action: dict[str, Any]) -> str:
    """A canonical text for an action in device pixels, points snapped to a 12-pixel grid."""
    action = dict(device_action["action"])
    for name, value in action.items():
        if isinstance(value, (list, tuple)) and len(value) == 2 and all(isinstance(v, (int, float)) for v in value):
            action[name] = [round(v / _SNAP) for v in value]
    return json.dumps(action, sort_keys=True, separators=(",", ":"))


def same_screen(
    a: Path,
    b: Path,
    *,
    tolerance: float,
    cache: dict[str, Frame] | None = None,
    around: Sequence[Point] = (),
) -> bool:
    """Whether two stored frames show the same screen (identical files short-cut the decode).

    Both the whole screen and the area around each point in ``around`` (the action's points, in
    device pixels) must differ by at most ``tolerance``.
    """
    if a == b:
        return True
    try:
        da, db = a.read_bytes(), b.read_bytes()
    except OSError:
        return False
    if da == db:
        return True
    fa = (cache or {}).get(str(a)) or Frame.from_bytes(da)
    fb = (cache or {}).get(str(b)) or Frame.from_bytes(db)
    if frame_difference(fa, fb) > tolerance:
        return False
    if fa.size != fb.size:
        return False
    width, height = fa.size
    rx, ry = max(1, round(width * _AROUND)), max(1, round(height * _AROUND))
    for p in around:
        box = (max(0, int(p.x) - rx), max(0, int(p.y) - ry), min(width, int(p.x) + rx), min(height, int(p.y) + ry))
        if box[0] < box[2] and box[1] < box[3] and frame_difference(fa.image.crop(box), fb.image.crop(box)) > tolerance:
            return False
    return True
