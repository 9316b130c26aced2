"""Android's ``content`` command: building the command lines and reading ``content query`` output.

``content query`` prints ``Row: N col=value, col=value`` per row (values are not escaped, so a
value may hold ", " or newlines), or ``No result found.``. Rows are split at the ``Row: N`` markers
and columns at ``, NAME=`` for the names asked for (a projection), which keeps commas and newlines
inside values intact.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["bind_args", "parse_rows", "query_command"]

_ROW = re.compile(r"(?:^|\n)Row: \d+ ", re.MULTILINE)
_ANY_COLUMN = r"[A-Za-z_][A-Za-z0-9_]*"


def _bind_type(value: Any) -> tuple[str, str]:
    if value is None:
        return "n", ""
    if isinstance(value, bool):
        return "b", "true" if value else "false"
    if isinstance(value, int):
        return "i", str(value)
    if isinstance(value, float):
        return "d", repr(value)
    return "s", str(value)


def bind_args(values: Mapping[str, Any]) -> str:
    """``--bind name:type:value`` for each value, quoted for the phone's shell."""
    parts = []
    for name, value in values.items():
        kind, text = _bind_type(value)
        parts.append(f"--bind {shlex.quote(f'{name}:{kind}:{text}')}")
    return " ".join(parts)


def query_command(uri: str, *, where: str | None = None, projection: Sequence[str] = ()) -> str:
    cmd = f"content query --uri {shlex.quote(uri)}"
    if projection:
        cmd += f" --projection {shlex.quote(':'.join(projection))}"
    if where:
        cmd += f" --where {shlex.quote(where)}"
    return cmd


def parse_rows(text: str, columns: Sequence[str] = ()) -> list[dict[str, str]]:
    """The rows of ``content query`` output; ``columns`` (the projection asked for) makes splitting exact."""
    text = text.rstrip("\n")
    if not text.startswith("Row: "):
        return []
    names = "|".join(re.escape(c) for c in columns) if columns else _ANY_COLUMN
    split = re.compile(rf"(?:^|, )({names})=")
    rows = []
    for chunk in _ROW.split(text)[1:]:
        row: dict[str, str] = {}
        marks = list(split.finditer(chunk))
        for k, m in enumerate(marks):
            end = marks[k + 1].start() if k + 1 < len(marks) else len(chunk)
            row[m.group(1)] = chunk[m.end():end]
        rows.append(row)
    return rows
