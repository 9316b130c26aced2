"""Where shell commands read and write: streams, pipes, files and /dev/null.

Kept apart from the interpreter so commands can be written (and tested) against plain buffers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._vfs import VirtualFS

__all__ = [
    "BufferOutput",
    "BytesInput",
    "CallbackOutput",
    "FileOutput",
    "Input",
    "NullOutput",
    "Output",
    "PipeInput",
]


class Output:
    """A byte sink. ``write`` accepts str (UTF-8) for convenience."""

    def write(self, data: bytes | str) -> None:
        raise NotImplementedError

    def flush(self) -> None:
        """Push what was written to the reader now (a long-running program's log lines); most sinks need nothing."""

    @staticmethod
    def _bytes(data: bytes | str) -> bytes:
        return data.encode("utf-8", "surrogateescape") if isinstance(data, str) else data


class NullOutput(Output):
    def write(self, data: bytes | str) -> None:
        pass


class BufferOutput(Output):
    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def write(self, data: bytes | str) -> None:
        self.chunks.append(self._bytes(data))

    def getvalue(self) -> bytes:
        return b"".join(self.chunks)


class CallbackOutput(Output):
    def __init__(self, fn: Callable[[bytes], None], flush: Callable[[], None] | None = None) -> None:
        self.fn = fn
        self._flush = flush

    def write(self, data: bytes | str) -> None:
        b = self._bytes(data)
        if b:
            self.fn(b)

    def flush(self) -> None:
        if self._flush is not None:
            self._flush()


class FileOutput(Output):
    """``> file`` truncates at open (even if nothing is written), ``>> file`` appends."""

    def __init__(self, fs: VirtualFS, path: str, *, append: bool) -> None:
        self.fs = fs
        self.path = path
        if append:
            fs.write(path, b"", append=True)
        else:
            fs.write(path, b"")

    def write(self, data: bytes | str) -> None:
        self.fs.write(self.path, self._bytes(data), append=True)


class Input:
    """A byte source; ``read()`` blocks until end of input (``read(n)`` until n bytes), as a pipe does."""

    def read(self, n: int = -1) -> bytes:
        raise NotImplementedError

    def readline(self) -> bytes:
        raise NotImplementedError


class BytesInput(Input):
    def __init__(self, data: bytes = b"") -> None:
        self.data = data
        self.pos = 0

    def read(self, n: int = -1) -> bytes:
        end = len(self.data) if n < 0 else min(len(self.data), self.pos + n)
        out = self.data[self.pos:end]
        self.pos = end
        return out

    def readline(self) -> bytes:
        end = self.data.find(b"\n", self.pos)
        end = len(self.data) if end < 0 else end + 1
        out = self.data[self.pos:end]
        self.pos = end
        return out


class PipeInput(Input):
    """Fed by another thread (the host's stdin over adb); ``close()`` marks end of input."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self._eof = False
        self._cond = threading.Condition()

    def feed(self, data: bytes) -> None:
        with self._cond:
            self._buf += data
            self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self._eof = True
            self._cond.notify_all()

    def read(self, n: int = -1) -> bytes:
        with self._cond:
            self._cond.wait_for(lambda: self._eof or (0 <= n <= len(self._buf)))
            end = len(self._buf) if n < 0 else min(n, len(self._buf))
            out = bytes(self._buf[:end])
            del self._buf[:end]
            return out

    def readline(self) -> bytes:
        with self._cond:
            self._cond.wait_for(lambda: self._eof or b"\n" in self._buf)
            end = self._buf.find(b"\n")
            end = len(self._buf) if end < 0 else end + 1
            out = bytes(self._buf[:end])
            del self._buf[:end]
            return out

    def read_available(self, timeout: float | None = None) -> bytes | None:
        """What has arrived so far (waiting up to ``timeout`` for something); None at end of input."""
        with self._cond:
            self._cond.wait_for(lambda: self._eof or self._buf, timeout)
            if not self._buf and self._eof:
                return None
            out = bytes(self._buf)
            self._buf.clear()
            return out
