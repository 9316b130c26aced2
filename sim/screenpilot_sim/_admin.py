"""The admin channel of a served phone: snapshots and faults for a phone running in another process.

It is part of the phone's own adbd port, so it needs no port of its own: a client opens a TCP
connection to the phone, handshakes with a CNXN whose banner names the ``sim-admin`` feature (such a
connection skips authorization and is never held offline or dropped by injected faults) and OPENs one
of these services. Through an adb server the same services are reachable with a raw transport
(adbutils: ``device.open_transport()`` then ``send_command("sim:snapshot")``), but injected faults
still apply to that path's connection.

``sim:snapshot``
    the phone writes a snapshot (see ``_snapshot``) and closes the stream.
``sim:restore``
    the client writes an 8-byte little-endian length and that many snapshot bytes; the phone answers
    ``OKAY`` or ``FAIL`` followed by a one-line reason.
``sim:faults`` / ``sim:faults:SPEC``
    the phone answers its fault settings and the log of injected faults as JSON, after applying
    ``SPEC`` (the syntax of ``serve --faults``; ``off`` turns every fault off).
"""

from __future__ import annotations

import json
import socket
import struct
import time
from typing import TYPE_CHECKING, Any

from ._errors import SimError
from ._wire import A_CLSE, A_CNXN, A_OKAY, A_OPEN, A_VERSION, A_WRTE, HEADER, MAX_PAYLOAD, Message

if TYPE_CHECKING:
    from ._adbd import Stream
    from ._phone import VirtualPhone

__all__ = ["ADMIN_FEATURE", "AdminClient", "run_admin"]

ADMIN_FEATURE = b"sim-admin"
_MAX_SNAPSHOT = 1 << 31


def run_admin(phone: VirtualPhone, stream: Stream, service: str) -> None:
    """Serve one ``sim:...`` request on the phone's side."""
    from ._services import StreamReader

    name, _, arg = service[len("sim:"):].partition(":")
    if name == "snapshot":
        stream.write(phone.snapshot())
    elif name == "restore":
        reader = StreamReader(stream)
        header = reader.read_exact(8)
        if header is None:
            return
        (length,) = struct.unpack("<Q", header)
        data = reader.read_exact(length) if 0 < length < _MAX_SNAPSHOT else None
        if data is None:
            stream.write(b"FAIL no snapshot bytes arrived\n")
            return
        try:
            phone.restore(data)
        except SimError as e:
            stream.write(f"FAIL {e}\n".encode())
            return
        stream.write(b"OKAY\n")
    elif name == "faults":
        from ._faults import apply_spec

        try:
            if arg:
                apply_spec(phone.faults, arg)
        except ValueError as e:
            stream.write(json.dumps({"error": str(e)}).encode())
            return
        stream.write(json.dumps(phone.faults.describe(), sort_keys=True).encode())
    else:
        stream.write(f"FAIL unknown admin service {name!r}\n".encode())


class AdminClient:
    """Talks to a served phone's admin channel directly over its adbd port (no adb server needed)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 5555, *, timeout: float = 30.0) -> None:
        self.host = host
        self.port = port
        self.timeout = timeout

    def _request(self, service: str, payload: bytes = b"") -> bytes:
        try:
            sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        except OSError as e:
            raise SimError(f"no phone answers on {self.host}:{self.port} ({e.strerror or e})",
                           hint="start one with `screenpilot-sim serve`, or give its --port") from None
        try:
            return self._exchange(sock, service, payload)
        except (OSError, EOFError) as e:
            raise SimError(f"the phone on {self.host}:{self.port} closed the admin link ({e or 'closed'})") from None
        finally:
            sock.close()

    def _exchange(self, sock: socket.socket, service: str, payload: bytes) -> bytes:
        deadline = time.monotonic() + self.timeout

        def send(msg: Message) -> None:
            sock.sendall(msg.pack())

        def recv() -> Message:
            sock.settimeout(max(0.1, deadline - time.monotonic()))
            header = _recv_exact(sock, HEADER.size)
            command, arg0, arg1, length, _check, _magic = HEADER.unpack(header)
            return Message(command, arg0, arg1, _recv_exact(sock, length) if length else b"")

        send(Message(A_CNXN, A_VERSION, MAX_PAYLOAD, b"host::features=" + ADMIN_FEATURE + b"\0"))
        while (msg := recv()).command != A_CNXN:
            pass
        max_payload = max(4096, min(msg.arg1 or MAX_PAYLOAD, MAX_PAYLOAD))
        send(Message(A_OPEN, 1, 0, service.encode() + b"\0"))
        remote = 0
        while remote == 0:
            msg = recv()
            if msg.command == A_CLSE:
                raise SimError(f"the phone refused {service!r} (an older screenpilot-sim?)")
            if msg.command == A_OKAY:
                remote = msg.arg0
        if payload:
            data = struct.pack("<Q", len(payload)) + payload
            for start in range(0, len(data), max_payload):
                send(Message(A_WRTE, 1, remote, data[start:start + max_payload]))
                while (ack := recv()).command != A_OKAY:
                    if ack.command == A_CLSE:
                        raise SimError("the phone closed the admin stream while receiving")
                    if ack.command == A_WRTE:  # an early answer (FAIL) while we still send
                        send(Message(A_OKAY, 1, remote))
                        return ack.data
        out = bytearray()
        while True:
            msg = recv()
            if msg.command == A_WRTE:
                out += msg.data
                send(Message(A_OKAY, 1, remote))
            elif msg.command == A_CLSE:
                return bytes(out)

    def snapshot(self) -> bytes:
        data = self._request("sim:snapshot")
        if not data.startswith(b"PK"):
            raise SimError(f"the phone sent no snapshot: {data[:200]!r}")
        return data

    def restore(self, data: bytes) -> None:
        answer = self._request("sim:restore", data).decode("utf-8", "replace").strip()
        if answer != "OKAY":
            raise SimError(answer.removeprefix("FAIL ") or "the phone did not confirm the restore")

    def faults(self, spec: str = "") -> dict[str, Any]:
        """The phone's faults and their log after applying ``spec`` (empty: only read them)."""
        answer = json.loads(self._request("sim:faults" + (":" + spec if spec else "")) or b"{}")
        if "error" in answer:
            raise SimError(answer["error"])
        return dict(answer)


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError("connection closed")
        buf += chunk
    return bytes(buf)
