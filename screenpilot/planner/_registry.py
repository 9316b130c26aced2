"""Dialects by name: ONE table, from which ``--dialect`` choices, its help and every lookup come.

Adding a dialect is a module with its class, its templates, its golden prompt, and one row here
(docs/extending.md). Classes are imported on first use, so the table costs nothing to import.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from ..actions import DeviceKind
from ._dialect import Dialect
from ._errors import ScreenPilotError

__all__ = ["DEFAULT_DIALECT", "DIALECTS", "DialectEntry", "dialect_for", "dialect_help", "resolve_dialect"]


@dataclass(frozen=True)
class DialectEntry:
    """One dialect: its name, where its class lives (``module:Class`` in the planner), what else people
    call it, and one line for help texts."""

    name: str
    target: str
    summary: str
    aliases: tuple[str, ...] = ()

    def load(self) -> type[Dialect]:
        module, _, attr = self.target.partition(":")
        return getattr(importlib.import_module(module, __package__), attr)  # type: ignore[no-any-return]


DIALECTS: dict[str, DialectEntry] = {
    e.name: e
    for e in (
        DialectEntry("qwen2.5-vl", "._qwen:Qwen25VL", "Qwen2.5-VL: absolute pixels of the resized image",
                     ("qwen25-vl", "qwen2.5vl", "qwen2_5-vl", "qwen2-5-vl")),
        DialectEntry("qwen3-vl", "._qwen:Qwen3VL", "Qwen3-VL: a relative 0..1000 grid", ("qwen3vl",)),
        DialectEntry("ui-tars-1.5", "._uitars:UITars15", "UI-TARS 1.5: absolute pixels, Thought/Action text",
                     ("ui-tars", "uitars-1.5", "ui-tars-1.5-7b")),
        DialectEntry("ui-tars-1.0", "._uitars:UITars10", "UI-TARS 1.0: a relative 0..1000 grid", ("uitars-1.0",)),
    )
}

DEFAULT_DIALECT = "qwen2.5-vl"
"""The dialect a run speaks when none is named (and the one an episode without a dialect was in)."""


def resolve_dialect(name: str | None) -> DialectEntry:
    """The table's row for a name or alias (None: the default); one clear error for anything else."""
    if name is None or not name.strip():
        return DIALECTS[DEFAULT_DIALECT]
    key = name.strip().lower().replace("_", "-")
    for entry in DIALECTS.values():
        if key == entry.name or key in entry.aliases:
            return entry
    raise ScreenPilotError(f"unknown dialect {name!r}", hint="use one of " + ", ".join(DIALECTS))


def dialect_for(name: str | None, kind: DeviceKind = "phone", **options: Any) -> Dialect:
    """The dialect called ``name`` for a phone or a desktop (options: max_pixels, min_pixels, grid)."""
    return resolve_dialect(name).load()(kind, **options)


def dialect_help() -> str:
    """``--dialect``'s help, written from the table."""
    return " | ".join(DIALECTS) + f"  (default: {DEFAULT_DIALECT})"
