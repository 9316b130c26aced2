"""The run's checkpointer: LangGraph's SqliteSaver in the run folder, tuned for a long episode.

Two choices, both measured (docs/agent.md):

- ``synchronous=NORMAL`` in WAL mode: a commit no longer waits for fsync. A killed PROCESS loses
  nothing (the WAL is in the OS's page cache); only a power cut may drop the last commits, and the
  graph's nodes are idempotent across a lost checkpoint anyway (the act node's intent journal and the
  recorder's step index are fsync'd).
- Pruning: SqliteSaver keeps every super-step's checkpoint (7 per agent step, ~1.5 KB each even for
  a small state), about 11 MB per 1,000 steps. We never time-travel, so every ``keep`` puts the rows
  older than the latest ``keep`` checkpoints are deleted and the file stays flat.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from langgraph.checkpoint.sqlite import SqliteSaver

from ..errors import ScreenPilotError

__all__ = ["CHECKPOINT_FILE", "PruningSqliteSaver", "open_checkpointer"]

CHECKPOINT_FILE = "checkpoints.sqlite"


class PruningSqliteSaver(SqliteSaver):
    """A SqliteSaver that keeps the newest ``keep`` checkpoints of each thread (pruned every ``keep`` puts)."""

    def __init__(self, conn: sqlite3.Connection, *, keep: int = 16, **kw: Any) -> None:
        super().__init__(conn, **kw)
        if keep < 2:
            raise ValueError("keep at least 2 checkpoints: the latest and its parent")
        self.keep = keep
        self._puts = 0

    def put(self, config: Any, checkpoint: Any, metadata: Any, new_versions: Any) -> Any:
        saved = super().put(config, checkpoint, metadata, new_versions)
        self._puts += 1
        if self._puts % self.keep == 0:
            self.prune(saved["configurable"]["thread_id"], saved["configurable"]["checkpoint_ns"])
        return saved

    def prune(self, thread_id: str, checkpoint_ns: str = "") -> None:
        """Delete all but the newest ``keep`` checkpoints of a thread (by insertion order) and their writes."""
        with self.cursor() as cur:
            cur.execute(
                "SELECT rowid FROM checkpoints WHERE thread_id = ? AND checkpoint_ns = ? "
                "ORDER BY rowid DESC LIMIT 1 OFFSET ?",
                (thread_id, checkpoint_ns, self.keep - 1),
            )
            row = cur.fetchone()
            if row is None:
                return
            cur.execute(
                "DELETE FROM checkpoints WHERE thread_id = ? AND checkpoint_ns = ? AND rowid < ?",
                (thread_id, checkpoint_ns, row[0]),
            )
            cur.execute(
                "DELETE FROM writes WHERE thread_id = ? AND checkpoint_ns = ? AND checkpoint_id NOT IN "
                "(SELECT checkpoint_id FROM checkpoints WHERE thread_id = ? AND checkpoint_ns = ?)",
                (thread_id, checkpoint_ns, thread_id, checkpoint_ns),
            )


def open_checkpointer(folder: Path | str, *, keep: int = 16, pragmas: Sequence[str] = ()) -> PruningSqliteSaver:
    """The checkpointer of the run in ``folder`` (created on first use); close its ``conn`` when done.

    A file that is not a checkpoint database (damaged, or overwritten) is one ScreenPilotError that
    says so, not sqlite's own error from deep inside LangGraph."""
    path = Path(folder) / CHECKPOINT_FILE
    conn = sqlite3.connect(path, check_same_thread=False)
    try:
        saver = PruningSqliteSaver(conn, keep=keep)
        saver.setup()
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA wal_autocheckpoint=256")  # fold the WAL into the database every ~1 MB ...
        conn.execute(f"PRAGMA journal_size_limit={1 << 20}")  # ... and truncate it back, so it stays small too
        for pragma in pragmas:
            conn.execute(f"PRAGMA {pragma}")
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise ScreenPilotError(f"{path} is damaged ({exc}): the run cannot continue from it",
                               hint=f"start a new run; what it recorded stays readable: screenpilot view {Path(folder)}"
                               ) from None
    return saver
