"""``DIR/manifest.jsonl``: one line per attempt, appended and fsync'd by the driver alone.

Every task x repeat ends with exactly one line whose ``final`` is true; attempts that a device fault,
a dead worker or a hang cut short come before it with ``final: false`` and the reason. The file is
the collection's memory: ``--resume`` reads it back, skips every key that has a final line, and
counts the attempts of the others. A torn last line (the driver killed mid-write) is ignored.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from ._errors import FleetError

__all__ = ["MANIFEST_FILE", "Durations", "Manifest", "ManifestRecord"]

MANIFEST_FILE = "manifest.jsonl"
Outcome = Literal["success", "failure", "infeasible", "aborted", "error"]


class Durations(BaseModel):
    """Seconds. ``episode_s`` is the agent loop alone; ``worker_s`` the whole call on the device's worker
    (reset, setup, episode, checks, teardown, packing); ``overhead_s`` what the driver added around it
    (queueing the call, moving the episode, writing it out and this line)."""

    total_s: float = 0.0
    reset_s: float = 0.0
    setup_s: float = 0.0
    episode_s: float = 0.0
    worker_s: float = 0.0
    transfer_s: float = 0.0
    overhead_s: float = 0.0


class ManifestRecord(BaseModel):
    """One attempt at one task x repeat."""

    key: str = Field(description="TASK#REPEAT, unique in the collection")
    task: str
    kind: Literal["scenario", "task"]
    seed: int | None = None
    repeat: int
    attempt: int = Field(ge=1, description="1 for the first try; a re-run after a fault counts on")
    final: bool = Field(description="the one line that settles this key; earlier attempts are false")
    device: str = Field(description="the slot's name (sim-2, android:R58M12, desktop-1)")
    node: str | None = Field(None, description="the Ray node the device's worker ran on")
    outcome: Outcome | None = Field(None, description="the episode's outcome (scenarios: decided by the checks)")
    check: bool | None = Field(None, description="scenarios: whether every check passed; free-form tasks: null")
    checks: list[dict[str, Any]] = Field(default_factory=list)
    model_outcome: str | None = None
    decided_by: str | None = None
    answer: str | None = None
    reason: str | None = Field(None, description="why an attempt did not count, or why the final one is an error")
    fault: Literal["device", "worker", "hang", "episode", "open", "interrupted"] | None = None
    steps: int = 0
    episode: str | None = Field(None, description="the episode folder, relative to DIR")
    durations: Durations = Field(default_factory=Durations)
    tokens: dict[str, int | None] = Field(default_factory=dict)
    started_at: float = 0.0
    ended_at: float = 0.0


class Manifest:
    """The manifest of one collection folder: read on open, appended line by line (flushed and fsync'd)."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / MANIFEST_FILE
        self.records: list[ManifestRecord] = list(self._read())
        self._file = self.path.open("a", encoding="utf-8")

    def _read(self) -> Iterable[ManifestRecord]:
        if not self.path.is_file():
            return
        lines = self.path.read_text(encoding="utf-8", errors="replace").split("\n")
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                yield ManifestRecord.model_validate(json.loads(line))
            except (ValueError, ValidationError) as exc:
                if all(not rest.strip() for rest in lines[n:]):
                    self._truncate_torn()
                    return  # torn last line: the driver was killed while writing it
                raise FleetError(f"{self.path}:{n} is not a manifest line ({str(exc).splitlines()[0]})",
                                 hint="the manifest is damaged; move it away to start the collection anew") from None

    def _truncate_torn(self) -> None:
        data = self.path.read_bytes()
        cut = data.rstrip(b"\n")
        keep = cut[: cut.rfind(b"\n") + 1] if b"\n" in cut else b""
        with self.path.open("r+b") as f:
            f.truncate(len(keep))

    def append(self, record: ManifestRecord) -> None:
        self._file.write(record.model_dump_json() + "\n")
        self._file.flush()
        os.fsync(self._file.fileno())
        self.records.append(record)

    def finals(self) -> dict[str, ManifestRecord]:
        return {r.key: r for r in self.records if r.final}

    def attempts(self, key: str) -> int:
        return sum(r.key == key for r in self.records)

    def close(self) -> None:
        self._file.close()
