"""Sockets in the phone's abstract namespace (``localabstract:NAME``), as a program on the phone opens them.

A program (the scrcpy server) ``listen``s on a name; ``adb forward tcp:P localabstract:NAME`` makes the
host's adb server OPEN the service ``localabstract:NAME`` on the phone for every connection to port P,
and that stream is what the listener ``accept``s. Nobody listening: the OPEN is refused (adbd answers
CLSE), which the adb server turns into a closed TCP connection; that is why scrcpy's first socket
carries a dummy byte.
"""

from __future__ import annotations

import queue
import threading
import weakref
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._adbd import ServiceRunner, Stream

__all__ = ["AbstractListener", "AddressInUse", "abstract_service", "listen"]

_LISTENERS: weakref.WeakKeyDictionary[Any, dict[str, AbstractListener]] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


class AddressInUse(OSError):
    """Another program on the phone already listens on that abstract name."""


class Accepted:
    """One accepted connection: the adb stream, held open until the program closes its end."""

    def __init__(self, stream: Stream) -> None:
        self.stream = stream
        self.done = threading.Event()

    def close(self) -> None:
        self.done.set()


class AbstractListener:
    """``LocalServerSocket(name)``: accepts the streams that adb opens for ``localabstract:NAME``."""

    def __init__(self, phone: Any, name: str) -> None:
        self.phone = phone
        self.name = name
        self._pending: queue.Queue[Accepted] = queue.Queue()
        self._closed = False

    def accept(self, timeout: float | None = None) -> Accepted | None:
        """The next connection, or None when ``timeout`` passes first."""
        try:
            return self._pending.get(timeout=timeout)
        except queue.Empty:
            return None

    def close(self) -> None:
        """Stop listening; connections not yet accepted are closed (their OPEN was already answered)."""
        with _LOCK:
            self._closed = True
            names = _LISTENERS.get(self.phone, {})
            if names.get(self.name) is self:
                del names[self.name]
        while True:
            try:
                self._pending.get_nowait().close()
            except queue.Empty:
                return

    def _offer(self, conn: Accepted) -> bool:
        with _LOCK:
            if self._closed:
                return False
            self._pending.put(conn)
            return True

    def __enter__(self) -> AbstractListener:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def listen(phone: Any, name: str) -> AbstractListener:
    """Bind ``name`` in this phone's abstract namespace; :class:`AddressInUse` if it is taken."""
    with _LOCK:
        names = _LISTENERS.setdefault(phone, {})
        if name in names:
            raise AddressInUse(f"Address already in use: {name}")
        listener = AbstractListener(phone, name)
        names[name] = listener
        return listener


def abstract_service(phone: Any, name: str) -> ServiceRunner | None:
    """The runner for an OPEN of ``localabstract:NAME``; None (adbd answers CLSE) when nobody listens."""
    with _LOCK:
        listener = _LISTENERS.get(phone, {}).get(name)
    if listener is None:
        return None

    def run(stream: Stream, _service: str) -> None:
        conn = Accepted(stream)
        if not listener._offer(conn):
            return
        while not conn.done.wait(0.5):  # the stream lives as long as the program keeps its end open
            if stream.closed:
                conn.close()
                return

    return run
