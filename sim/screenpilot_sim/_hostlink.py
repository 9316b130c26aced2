"""Services between host and phone beyond the shell: ``framebuffer:`` and ``reverse:`` (with tunnels).

``framebuffer:`` answers the screen as adbd's framebuffer service does: a version-2 header
(version, bpp, colour space, size, width, height, then offset/length of red, blue, green, alpha)
and the RGBA pixels.

``reverse:forward:[norebind:]REMOTE;LOCAL`` makes the phone listen on REMOTE (``tcp:PORT``; 0 picks
one) and carry each connection there to LOCAL on the host, through a stream the phone opens (OPEN
``tcp:PORT`` towards the adb server, which connects on the host). ``reverse:list-forward``,
``reverse:killforward:REMOTE`` and ``reverse:killforward-all`` manage them. Programs on the phone
reach a tunnel with :meth:`Reverses.connect` (the browser does, for ``http://localhost:PORT``).
"""

from __future__ import annotations

import itertools
import struct
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._adbd import ServiceRunner, Stream
    from ._phone import VirtualPhone

__all__ = ["Reverses", "hostlink_service"]


@dataclass
class _Reverse:
    remote: str  # on the phone, e.g. tcp:8080
    local: str  # on the host, e.g. tcp:4000
    conn: Any  # the adbd connection (of the adb server) that asked for it


class Reverses:
    """The phone's reverse tunnels (what ``adb reverse --list`` shows)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_remote: dict[str, _Reverse] = {}
        self._ports = itertools.count(38000)

    def add(self, remote: str, local: str, conn: Any, *, norebind: bool) -> str:
        with self._lock:
            if remote == "tcp:0":
                remote = f"tcp:{next(self._ports)}"
            if norebind and remote in self._by_remote:
                raise ValueError(f"cannot rebind existing socket {remote}")
            self._by_remote[remote] = _Reverse(remote, local, conn)
            return remote

    def remove(self, remote: str) -> bool:
        with self._lock:
            return self._by_remote.pop(remote, None) is not None

    def clear(self) -> None:
        with self._lock:
            self._by_remote.clear()

    def listing(self) -> list[_Reverse]:
        with self._lock:
            return list(self._by_remote.values())

    def connect(self, port: int, timeout: float = 10.0) -> Stream | None:
        """Connect to ``localhost:PORT`` on the phone: the host side of a reverse tunnel, or None when
        nothing listens there (connection refused)."""
        with self._lock:
            rev = self._by_remote.get(f"tcp:{port}")
        if rev is None or rev.conn._closed.is_set():
            return None
        from ._adbd import StreamClosed

        try:
            return rev.conn.open_to_host(rev.local, timeout)
        except StreamClosed:
            return None


def _framebuffer(phone: VirtualPhone, stream: Stream) -> None:
    img = phone.frame().convert("RGBA")
    w, h = img.size
    t = phone.timing
    if phone.charge(w * h / 1e6 * t.screencap_raw_ms_per_mpix, stream.cancelled):
        return
    pixels = img.tobytes()
    header = struct.pack("<14I", 2, 32, 1, len(pixels), w, h, 0, 8, 16, 8, 8, 8, 24, 8)  # v2, sRGB, RGBA
    stream.write(header + pixels)


def _protocol_string(text: str) -> bytes:
    data = text.encode()
    return f"{len(data):04x}".encode() + data


def _reverse(phone: VirtualPhone, stream: Stream, command: str) -> None:
    """One reverse request; the reply follows adbd (status ``OKAY`` or ``FAIL`` + message)."""
    reverses = phone.reverses
    if command == "list-forward":
        stream.write(_protocol_string("".join(f"host-1 {r.remote} {r.local}\n" for r in reverses.listing())))
        return
    if command == "killforward-all":
        reverses.clear()
        stream.write(b"OKAY")
        return
    if command.startswith("killforward:"):
        remote = command[len("killforward:"):]
        if reverses.remove(remote):
            stream.write(b"OKAY")
        else:
            stream.write(b"FAIL" + _protocol_string(f"listener '{remote}' not found"))
        return
    if command.startswith("forward:"):
        spec = command[len("forward:"):]
        norebind = spec.startswith("norebind:")
        spec = spec.removeprefix("norebind:")
        remote, sep, local = spec.partition(";")
        if not sep or not remote.startswith("tcp:") or not local:
            stream.write(b"FAIL" + _protocol_string(f"cannot bind listener: unsupported socket spec '{remote}'"))
            return
        try:
            bound = reverses.add(remote, local, stream.conn, norebind=norebind)
        except ValueError as e:
            stream.write(b"FAIL" + _protocol_string(str(e)))
            return
        reply = b"OKAY"
        if remote == "tcp:0":
            reply += _protocol_string(bound.removeprefix("tcp:"))
        stream.write(reply)
        return
    stream.write(b"FAIL" + _protocol_string(f"unknown reverse command '{command}'"))


def hostlink_service(phone: VirtualPhone, service: str) -> ServiceRunner | None:
    if service.startswith("framebuffer"):
        return lambda stream, _s: _framebuffer(phone, stream)
    command = service[len("reverse:"):]
    return lambda stream, _s: _reverse(phone, stream, command)
