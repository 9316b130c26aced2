"""A background file writer with a bounded queue: frames leave the agent's hot path, memory stays bounded.

Screenshots are megabytes; writing them inline would add milliseconds to every step. Jobs go to one
worker thread in FIFO order; when ``max_pending`` jobs wait, ``submit`` blocks (back-pressure), so a
slow disk slows the run instead of growing memory. Each file is written under a temporary name and
renamed, so a crash never leaves a half-written frame under its real name.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable
from pathlib import Path

from ._errors import RecordingError

__all__ = ["BackgroundWriter"]

_STOP = object()


class BackgroundWriter:
    """Runs ``write(tmp_path)`` jobs in order on one thread; each returns a ticket to wait on."""

    def __init__(self, *, max_pending: int = 8, fsync: bool = False, name: str = "screenpilot-writer") -> None:
        if max_pending < 1:
            raise ValueError("max_pending must be at least 1")
        self.fsync = fsync
        self._queue: queue.Queue[object] = queue.Queue(maxsize=max_pending)
        self._done = threading.Condition()
        self._submitted = 0
        self._finished = 0
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    # -- the worker ------------------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            if job is _STOP:
                return
            path, write = job  # type: ignore[misc]
            if self._error is None:
                try:
                    self._write(path, write)
                except BaseException as exc:  # noqa: BLE001 - reported to the submitting thread
                    self._error = exc
            with self._done:
                self._finished += 1
                self._done.notify_all()

    def _write(self, path: Path, write: Callable[[Path], object]) -> None:
        tmp = path.with_name(f".{path.name}.tmp")
        write(tmp)
        if self.fsync:
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
        os.replace(tmp, path)

    # -- the caller's side -----------------------------------------------------------------------

    def _raise_if_failed(self) -> None:
        if self._error is not None:
            raise RecordingError(
                f"writing the trajectory failed: {self._error}",
                hint="check that the run folder still exists and the disk is not full",
            ) from self._error

    def submit(self, path: Path, write: Callable[[Path], object]) -> int:
        """Queue ``write`` to produce ``path``; blocks while the queue is full. Returns a ticket."""
        self._raise_if_failed()
        if not self._thread.is_alive():
            raise RecordingError("the trajectory writer is closed", hint="this is a bug: the recorder was used after close()")
        self._submitted += 1
        ticket = self._submitted
        self._queue.put((path, write))
        return ticket

    def wait(self, ticket: int | None = None, timeout: float | None = None) -> None:
        """Block until job ``ticket`` (default: every job so far) is on disk."""
        target = self._submitted if ticket is None else ticket
        with self._done:
            if not self._done.wait_for(lambda: self._finished >= target or not self._thread.is_alive(), timeout):
                raise RecordingError(f"the trajectory writer did not finish within {timeout} s", hint="is the disk stalled?")
        self._raise_if_failed()

    @property
    def pending(self) -> int:
        return self._submitted - self._finished

    def close(self) -> None:
        """Finish every queued job, then stop the thread; raises if any job failed."""
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join()
        self._raise_if_failed()
