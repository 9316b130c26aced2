"""Append-only JSON-lines files that survive a crash mid-write.

A line is written whole with one ``write`` + flush + fsync, so after a SIGKILL the file holds every
line appended before it plus, at worst, one torn tail without its newline. Readers keep the valid
prefix; a writer reopening the file cuts the torn tail off first, so it never sits mid-file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ._errors import TrajectoryError

__all__ = ["JsonlAppender", "atomic_write", "json_bytes", "read_jsonl"]


def json_bytes(value: Any, **options: Any) -> bytes:
    """``value`` as UTF-8 JSON, for ANY Python string in it: text that UTF-8 cannot hold (a lone surrogate,
    e.g. a model reply cut inside an escaped emoji) is written as a ``\\udXXX`` escape, which reads back
    as the same string."""
    try:
        return json.dumps(value, ensure_ascii=False, **options).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value, ensure_ascii=True, **options).encode("ascii")


def atomic_write(path: Path, data: bytes, *, fsync: bool = True) -> None:
    """Replace ``path`` with ``data`` so a reader sees the old file or the new one, never half."""
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        if fsync:
            fh.flush()
            os.fsync(fh.fileno())
    os.replace(tmp, path)


def read_jsonl(path: Path) -> tuple[list[tuple[int, Any]], bool]:
    """(line number, value) for each complete line, and whether a torn last line was dropped.

    Only the LAST line may be broken (that is what a crash leaves); a broken line before it means
    the file was damaged some other way, which is an error worth stopping for.
    """
    raw = path.read_bytes() if path.exists() else b""
    if not raw:
        return [], False
    lines = raw.split(b"\n")
    ends_clean = lines[-1] == b""
    if ends_clean:
        lines.pop()
    values: list[tuple[int, Any]] = []
    torn = False
    for number, line in enumerate(lines, 1):
        last = number == len(lines)
        try:
            values.append((number, json.loads(line)))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            if last and not ends_clean:
                torn = True
                break
            raise TrajectoryError(
                f"{path.name} line {number} is not valid JSON ({exc.msg if hasattr(exc, 'msg') else exc})",
                hint="only a torn LAST line is expected after a crash; this file was damaged or edited",
            ) from None
    return values, torn


def _valid_length(path: Path) -> int:
    """Bytes up to the end of the last complete line (what survives a cut of the torn tail)."""
    raw = path.read_bytes()
    if raw.endswith(b"\n") or not raw:
        return len(raw)
    cut = raw.rfind(b"\n") + 1
    tail = raw[cut:]
    try:
        json.loads(tail)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return cut
    return len(raw)  # a whole value lacking only its newline: keep it and finish the line


class JsonlAppender:
    """Appends one JSON value per line; flushes and (by default) fsyncs each one."""

    def __init__(self, path: Path, *, fsync: bool = True) -> None:
        self.path = path
        self.fsync = fsync
        keep = _valid_length(path) if path.exists() else 0
        self._fh = open(path, "ab")
        if path.stat().st_size != keep:
            self._fh.truncate(keep)
        self._fh.seek(0, os.SEEK_END)
        if keep and not self._needs_no_newline():
            self._fh.write(b"\n")
            self._sync()

    def _needs_no_newline(self) -> bool:
        with open(self.path, "rb") as fh:
            fh.seek(-1, os.SEEK_END)
            return fh.read(1) == b"\n"

    def _sync(self, fsync: bool | None = None) -> None:
        self._fh.flush()
        if self.fsync if fsync is None else fsync:
            os.fsync(self._fh.fileno())

    def append(self, value: Any, *, fsync: bool | None = None) -> None:
        """Write one line; ``fsync`` overrides the file's default for this line (flushed either way,
        which is all a killed process needs; fsync guards against a power cut)."""
        line = json_bytes(value, separators=(",", ":")) + b"\n"
        self._fh.write(line)
        self._sync(fsync)

    def close(self) -> None:
        if not self._fh.closed:
            self._fh.close()
