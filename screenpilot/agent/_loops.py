"""Loop detection: the same action on a screen it did not change, again and again.

Actions are compared in device pixels with points snapped to a coarse grid (a model that taps
(935, 406) then (936, 407) is repeating itself); screens are compared with perception's thumbnail
difference, so a clock ticking in the status bar does not hide a loop.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..perception import Frame, frame_difference

__all__ = ["action_key", "same_screen"]

_SNAP = 12  # device pixels


def action_key(device_action: dict[str, Any]) -> str:
    """A canonical text for an action in device pixels, points snapped to a 12-pixel grid."""
    action = dict(device_action["action"])
    for name, value in action.items():
        if isinstance(value, (list, tuple)) and len(value) == 2 and all(isinstance(v, (int, float)) for v in value):
            action[name] = [round(v / _SNAP) for v in value]
    return json.dumps(action, sort_keys=True, separators=(",", ":"))


def same_screen(a: Path, b: Path, *, tolerance: float, cache: dict[str, Frame] | None = None) -> bool:
    """Whether two stored frames show the same screen (identical files short-cut the decode)."""
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
    return frame_difference(fa, fb) <= tolerance
