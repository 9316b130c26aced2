"""Dialects by name, so a run can say ``--dialect qwen3-vl`` and the code stays a lookup."""

from __future__ import annotations

from typing import Any

from ..actions import DeviceKind
from ._dialect import Dialect
from ._errors import ScreenPilotError

__all__ = ["DIALECTS", "dialect_for"]


def _table() -> dict[str, type[Dialect]]:
    from ._qwen import Qwen3VL, Qwen25VL
    from ._uitars import UITars10, UITars15

    return {"qwen2.5-vl": Qwen25VL, "qwen3-vl": Qwen3VL, "ui-tars-1.5": UITars15, "ui-tars-1.0": UITars10}


DIALECTS = ("qwen2.5-vl", "qwen3-vl", "ui-tars-1.5", "ui-tars-1.0")


def dialect_for(name: str, kind: DeviceKind = "phone", **options: Any) -> Dialect:
    """The dialect called ``name`` for a phone or a desktop (options: max_pixels, min_pixels, grid)."""
    key = name.strip().lower().replace("_", "-").replace("qwen2_5", "qwen2.5")
    aliases = {"qwen25-vl": "qwen2.5-vl", "qwen2.5vl": "qwen2.5-vl", "qwen3vl": "qwen3-vl", "ui-tars": "ui-tars-1.5",
               "uitars-1.5": "ui-tars-1.5", "uitars-1.0": "ui-tars-1.0", "ui-tars-1.5-7b": "ui-tars-1.5"}
    key = aliases.get(key, key)
    table = _table()
    if key not in table:
        raise ScreenPilotError(f"unknown dialect {name!r}", hint="use one of " + ", ".join(DIALECTS))
    return table[key](kind, **options)
