"""What a person (or a program) watches while a collection runs.

On a terminal: a live table of the devices (state, task, step, last action, episodes, failures) and
the totals (done, running, queued, failed attempts, episodes/hour, ETA), with the Ray dashboard's
link when Ray serves one. With ``--json`` (or when the output is not a terminal and ``--json`` is
asked for): one JSON object per line for every event and a ``progress`` line each second, for machines.
"""

from __future__ import annotations

import json
import sys
from typing import Any, Self, TextIO

from rich.console import Console, Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

__all__ = ["JsonProgress", "LiveProgress", "progress_table"]


def _eta(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    seconds = int(seconds)
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m" if seconds >= 3600 else f"{seconds // 60}m{seconds % 60:02d}s"


def progress_table(snapshot: dict[str, Any]) -> Group:
    """The devices as a table, the totals as one line under it."""
    table = Table(show_edge=False, pad_edge=False, expand=False)
    for name in ("device", "node", "state", "task", "step", "last action", "done", "failures"):
        table.add_column(name, no_wrap=True, overflow="ellipsis", max_width=40 if name == "last action" else None,
                         min_width=16 if name == "last action" else None)
    colour = {"running": "green", "idle": "cyan", "opening": "yellow", "waiting": "yellow", "quarantined": "red"}
    for d in snapshot.get("devices", []):
        state = d["state"] + (f" ({d['reason']})" if d.get("reason") else "")
        table.add_row(d["device"], str(d.get("node") or "")[:8], Text(state[:60], style=colour.get(d["state"], "")),
                      d.get("key") or "", "" if d.get("step") is None else str(d["step"]), d.get("last") or "",
                      str(d.get("episodes", 0)), str(d.get("failures", 0)))
    totals = (f"done {snapshot.get('done', 0)}/{snapshot.get('total', 0)}  running {snapshot.get('running', 0)}  "
              f"queued {snapshot.get('queued', 0)}  failed attempts {snapshot.get('failed_attempts', 0)}  "
              f"errors {snapshot.get('errors', 0)}  {snapshot.get('episodes_per_hour', 0):.0f} episodes/h  "
              f"ETA {_eta(snapshot.get('eta_s'))}")
    lines: list[Any] = [table, Text(totals, style="bold")]
    if snapshot.get("dashboard"):
        lines.append(Text(f"Ray dashboard: {snapshot['dashboard']}", style="dim"))
    return Group(*lines)


class LiveProgress:
    """The rich live view; events other than progress print one line above it."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.live: Live | None = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.live is not None:
            self.live.__exit__(None, None, None)

    def __call__(self, kind: str, data: dict[str, Any]) -> None:
        if kind == "progress":
            if self.live is None:  # started with the first progress: errors before it stay one line
                self.live = Live(progress_table(data), console=self.console, refresh_per_second=4)
                self.live.__enter__()
            self.live.update(progress_table(data))
        elif kind == "cluster" and data.get("dashboard"):
            self.console.print(f"Ray dashboard: {data['dashboard']}", highlight=False)
        elif kind == "attempt":
            self.console.print(f"[yellow]attempt {data['attempt']} of {data['key']} on {data['device']} did not count:[/] "
                               f"{data.get('reason')}", highlight=False)
        elif kind == "quarantine":
            self.console.print(f"[red]{data['device']} quarantined:[/] {data['reason']}", highlight=False)
        elif kind == "note":
            self.console.print(data["text"], highlight=False)


class JsonProgress:
    """One JSON object per line: ``{"event": KIND, ...}``."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stream.flush()

    def __call__(self, kind: str, data: dict[str, Any]) -> None:
        self.stream.write(json.dumps({"event": kind, **data}, ensure_ascii=False, default=str) + "\n")
        self.stream.flush()
