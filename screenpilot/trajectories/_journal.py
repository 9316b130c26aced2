"""The act node's intent journal: what makes "never repeat an executed action" hold across a SIGKILL.

LangGraph re-runs the interrupted node on resume. For the act node that could mean a second tap on
"Buy". So before the driver is called an ``intent`` line is fsync'd, and after it a ``done`` line
(or ``failed`` when the driver raised before anything reached the device). On resume:

- ``done``: the action ran; its recorded result is reused, the device is not touched;
- ``intent`` alone: the process died while the action was in flight: it may or may not have
  happened, so it is NOT re-sent; the model is told to look at the screen;
- ``failed`` or nothing: it never reached the device and runs normally.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ._jsonl import JsonlAppender, read_jsonl

__all__ = ["JOURNAL_FILE", "ActionJournal", "JournalEntry"]

JOURNAL_FILE = "journal.jsonl"


@dataclass(frozen=True)
class JournalEntry:
    state: Literal["intent", "done", "failed"]
    action: dict[str, Any] | None = None
    result: dict[str, Any] | None = None


class ActionJournal:
    """Append-only, fsync'd per line; remembers the last state of every step it has seen."""

    def __init__(self, folder: Path | str) -> None:
        path = Path(folder) / JOURNAL_FILE
        self._entries: dict[int, JournalEntry] = {}
        values, _ = read_jsonl(path)
        for _, value in values:
            self._apply(value)
        self._file = JsonlAppender(path, fsync=True)

    def _apply(self, value: dict[str, Any]) -> None:
        step = int(value["step"])
        previous = self._entries.get(step)
        action = value.get("action") or (previous.action if previous else None)
        self._entries[step] = JournalEntry(value["state"], action, value.get("result"))

    def _write(self, value: dict[str, Any], *, fsync: bool = True) -> None:
        value["at"] = time.time()
        self._file.append(value, fsync=fsync)
        self._apply(value)

    def get(self, step: int) -> JournalEntry | None:
        return self._entries.get(step)

    def intent(self, step: int, action: dict[str, Any]) -> None:
        self._write({"step": step, "state": "intent", "action": action})

    # ``done`` and ``failed`` are flushed, not fsync'd: a killed process loses neither, and if a power
    # cut did, the step would read as "in flight", which is the safe side (never re-sent).
    def done(self, step: int, result: dict[str, Any]) -> None:
        self._write({"step": step, "state": "done", "result": result}, fsync=False)

    def failed(self, step: int, error: str) -> None:
        self._write({"step": step, "state": "failed", "result": {"error": error}}, fsync=False)

    def close(self) -> None:
        self._file.close()
