"""The device side of the adb transport: what a real adb server connects to over TCP.

One listening socket per virtual phone. Each connection (the adb server, or anyone else) gets a
reader thread; each stream it OPENs gets a service thread. Streams follow adb's flow control: one
WRTE in flight until the peer's OKAY. Garbage from one client closes that client's connection
only; the listener and every other connection go on.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Self

from ._procs import CancelScope
from ._wire import (
    A_AUTH,
    A_CLSE,
    A_CNXN,
    A_OKAY,
    A_OPEN,
    A_VERSION,
    A_VERSION_SKIP_CHECKSUM,
    A_WRTE,
    AUTH_RSAPUBLICKEY,
    AUTH_SIGNATURE,
    HEADER,
    MAX_PAYLOAD,
    Message,
    ProtocolError,
)

if TYPE_CHECKING:
    from ._phone import VirtualPhone

__all__ = ["AdbdEndpoint", "Stream", "StreamClosed"]

log = logging.getLogger("screenpilot_sim.adbd")

ServiceRunner = Callable[["Stream", str], None]



class StreamClosed(Exception):
    """The peer closed the stream (or the whole connection) while a service was using it."""


class Stream:
    """One OPENed service: a byte pipe in both directions with adb's one-packet-in-flight rule."""

    def __init__(self, conn: _Connection, local_id: int, remote_id: int, service: str) -> None:
        self.conn = conn
        self.local_id = local_id
        self.remote_id = remote_id
        self.service = service
        self._inbox: list[bytes] = []
        self._cond = threading.Condition()
        self._acked = True
        self._closed = False
        self.cancelled = CancelScope()  # set when the peer closes: stops every process of this stream's shell
        self.metered = False  # the timing profile's link bandwidth applies (not to the admin channel)
        self.discard = False  # a lost reply (fault): what the service writes never leaves the phone
        self.stall_s = 0.0  # a stalled reply (fault): the first write waits this long

    @property
    def closed(self) -> bool:
        return self._closed

    # -- called by the connection's reader --------------------------------------------------------
    def _deliver(self, data: bytes) -> None:
        with self._cond:
            self._inbox.append(data)
            self._cond.notify_all()

    def _ack(self) -> None:
        with self._cond:
            self._acked = True
            self._cond.notify_all()

    def _accepted(self, remote_id: int) -> None:
        with self._cond:
            self.remote_id = remote_id
            self._cond.notify_all()

    def _wait_accepted(self, timeout: float) -> bool:
        with self._cond:
            self._cond.wait_for(lambda: self.remote_id != 0 or self._closed, timeout)
            return self.remote_id != 0 and not self._closed

    def _peer_closed(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self.cancelled.set()

    # -- called by the service ---------------------------------------------------------------------
    def write(self, data: bytes) -> None:
        """Send all of ``data``, one packet at a time, waiting for the peer's OKAY in between."""
        if self.discard:
            return
        if self.stall_s > 0:
            stall, self.stall_s = self.stall_s, 0.0
            if self.cancelled.wait(stall):
                raise StreamClosed(self.service)
        if self.metered:
            phone = self.conn.phone
            if phone.link.transfer(len(data), phone.timing.bandwidth_mb_s, self.cancelled):
                raise StreamClosed(self.service)
        view = memoryview(data)
        limit = self.conn.max_payload
        for start in range(0, len(view), limit):
            with self._cond:
                while not self._acked and not self._closed:
                    self._cond.wait(1.0)
                if self._closed:
                    raise StreamClosed(self.service)
                self._acked = False
            self.conn.send(Message(A_WRTE, self.local_id, self.remote_id, bytes(view[start:start + limit])))

    def read(self, timeout: float | None = None) -> bytes | None:
        """The next chunk the peer wrote; None once the stream is closed (or on timeout)."""
        with self._cond:
            deadline = None if timeout is None else time.monotonic() + timeout
            while not self._inbox and not self._closed:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return None
                self._cond.wait(remaining if remaining is not None else 1.0)
            chunk = self._inbox.pop(0) if self._inbox else None
        if chunk is not None and self.metered:
            phone = self.conn.phone
            phone.link.transfer(len(chunk), phone.timing.bandwidth_mb_s, self.cancelled)
        return chunk

    def drain(self, timeout: float = 5.0) -> None:
        """Wait until the peer acknowledged the last packet (so a CLSE never overtakes data)."""
        with self._cond:
            self._cond.wait_for(lambda: self._acked or self._closed, timeout)

    def close(self) -> None:
        with self._cond:
            if self._closed:
                return
            self._closed = True
            self._cond.notify_all()
        self.conn.send(Message(A_CLSE, self.local_id, self.remote_id), quiet=True)
        self.conn.forget(self)


class _Connection:
    """One TCP connection: handshake (CNXN, optional AUTH), then streams."""

    def __init__(self, endpoint: AdbdEndpoint, sock: socket.socket, peer: str) -> None:
        self.endpoint = endpoint
        self.sock = sock
        self.peer = peer
        self.max_payload = MAX_PAYLOAD
        self.version = A_VERSION
        self.online = False
        self.streams: dict[int, Stream] = {}
        self._next_id = 1
        self._lock = threading.Lock()
        self._send_lock = threading.Lock()
        self._closed = threading.Event()
        self._pending_token = b""
        self.admin = False  # a sim-admin client: never held offline, never faulted, no AUTH

    @property
    def phone(self) -> VirtualPhone:
        return self.endpoint.phone

    def send(self, msg: Message, *, quiet: bool = False) -> None:
        data = msg.pack(checksum=self.version < A_VERSION_SKIP_CHECKSUM)
        with self._send_lock:
            try:
                self.sock.sendall(data)
            except OSError:
                self.close()
                if not quiet:
                    raise StreamClosed("connection lost") from None

    def forget(self, stream: Stream) -> None:
        with self._lock:
            self.streams.pop(stream.local_id, None)

    def close(self) -> None:
        if self._closed.is_set():
            return
        self._closed.set()
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        with self._lock:
            streams = list(self.streams.values())
            self.streams.clear()
        for s in streams:
            s._peer_closed()
        self.endpoint._forget(self)

    def _recv_exact(self, n: int) -> bytes:
        buf = bytearray()
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise EOFError
            buf += chunk
        return bytes(buf)

    def serve(self) -> None:
        try:
            while not self._closed.is_set():
                header = self._recv_exact(HEADER.size)
                command, arg0, arg1, length, _check = Message.parse_header(header, max_payload=MAX_PAYLOAD)
                data = self._recv_exact(length) if length else b""
                self._handle(Message(command, arg0, arg1, data))
        except (EOFError, OSError):
            pass
        except ProtocolError as e:
            log.info("closing connection from %s: %s", self.peer, e)
        except Exception:
            log.exception("closing connection from %s after an internal error", self.peer)
        finally:
            self.close()

    # -- packets ---------------------------------------------------------------------------------
    def _handle(self, msg: Message) -> None:
        cmd = msg.command
        if cmd == A_CNXN:
            return self._on_cnxn(msg)
        if cmd == A_AUTH:
            return self._on_auth(msg)
        if not self.online:
            return None  # before the handshake a device ignores everything else
        if cmd == A_OPEN:
            return self._on_open(msg)
        with self._lock:
            stream = self.streams.get(msg.arg1)
        if stream is not None and stream.remote_id == 0 and msg.arg0 and cmd == A_OKAY:
            stream._accepted(msg.arg0)  # the host answers an OPEN of ours
            return None
        if stream is None or (msg.arg0 and stream.remote_id != msg.arg0):
            if cmd == A_WRTE and msg.arg0:
                self.send(Message(A_CLSE, 0, msg.arg0), quiet=True)
            return None
        if cmd == A_OKAY:
            stream._ack()
        elif cmd == A_WRTE:
            stream._deliver(msg.data)
            self.send(Message(A_OKAY, stream.local_id, stream.remote_id), quiet=True)
        elif cmd == A_CLSE:
            self.forget(stream)
            stream._peer_closed()
        return None

    def open_to_host(self, service: str, timeout: float = 10.0) -> Stream:
        """A stream the phone opens towards the host (what a reverse tunnel does when something on the
        phone connects): OPEN, then the host's OKAY; StreamClosed when the host refuses (CLSE)."""
        with self._lock:
            local_id = self._next_id
            self._next_id = self._next_id + 1 if self._next_id < 0x7FFFFFFF else 1
            stream = Stream(self, local_id, 0, service)
            self.streams[local_id] = stream
        self.send(Message(A_OPEN, local_id, 0, service.encode() + b"\0"))
        if not stream._wait_accepted(timeout):
            self.forget(stream)
            raise StreamClosed(service)
        return stream

    def _on_cnxn(self, msg: Message) -> None:
        self.version = min(msg.arg0, A_VERSION) if msg.arg0 else A_VERSION
        self.max_payload = max(4096, min(msg.arg1 or MAX_PAYLOAD, MAX_PAYLOAD))
        with self._lock:
            streams = list(self.streams.values())
            self.streams.clear()
        for s in streams:
            s._peer_closed()
        self.online = False
        from ._admin import ADMIN_FEATURE

        self.admin = ADMIN_FEATURE in msg.data
        if self.admin:
            self._go_online()
            return
        self.endpoint.wait_until_online(self._closed)
        if self._closed.is_set():
            return
        if self.phone.auth.required and not self.phone.auth.trusted:
            self._pending_token = os.urandom(20)
            self.send(Message(A_AUTH, 1, 0, self._pending_token))  # AUTH TOKEN
            return
        self._go_online()

    def _on_auth(self, msg: Message) -> None:
        if self.online or not self._pending_token:
            return
        auth = self.phone.auth
        if msg.arg0 == AUTH_SIGNATURE:
            if auth.trusted:
                self._go_online()
            else:  # a new token: the host tries its next key, then offers its public key
                self._pending_token = os.urandom(20)
                self.send(Message(A_AUTH, 1, 0, self._pending_token))
        elif msg.arg0 == AUTH_RSAPUBLICKEY:
            auth.offered(msg.data.rstrip(b"\0"), self)

    def _go_online(self) -> None:
        self.online = True
        self.send(Message(A_CNXN, A_VERSION, MAX_PAYLOAD, self.phone.banner().encode()))

    def authorize(self) -> None:
        """The person tapped "Allow" on the phone: finish the pending handshake."""
        if not self.online and not self._closed.is_set():
            self._go_online()

    def _on_open(self, msg: Message) -> None:
        remote_id = msg.arg0
        service = msg.data.rstrip(b"\0").decode("utf-8", "replace")
        if remote_id == 0:
            return
        with self._lock:
            local_id = self._next_id
            self._next_id = self._next_id + 1 if self._next_id < 0x7FFFFFFF else 1
            stream = Stream(self, local_id, remote_id, service)
            self.streams[local_id] = stream
        t = threading.Thread(target=self._run_service, args=(stream,), daemon=True,
                             name=f"adbd-{self.endpoint.port}-{service[:24]}")
        t.start()

    def _run_service(self, stream: Stream) -> None:
        """Faults first (latency, a dropped link, an offline spell), then the service or, if unknown, a
        CLSE; a stalled or lost reply is arranged on the stream. The admin channel is never faulted."""
        faults = self.phone.faults
        lost = False
        if not (self.admin or stream.service.startswith("sim:")):
            if faults.latency_s > 0 and stream.cancelled.wait(faults.latency_s):
                return
            if faults.should_drop():
                faults.record("drop", stream.service)
                log.info("fault: dropping the connection from %s on %r", self.peer, stream.service)
                self.close()
                return
            if faults.should_go_offline():
                faults.record("offline", stream.service, seconds=faults.offline_s)
                faults.go_offline(faults.offline_s)
                self.endpoint.kick()
                return
            if faults.should_stall():
                faults.record("stall", stream.service, seconds=faults.stall_s)
                stream.stall_s = faults.stall_s
            if faults.should_lose():
                faults.record("lost", stream.service)
                lost = stream.discard = True
            if self.phone.charge(self.phone.timing.request_ms, stream.cancelled):
                return
            stream.metered = True
        runner = self.endpoint.services(stream.service)
        if runner is None:
            self.forget(stream)
            self.send(Message(A_CLSE, 0, stream.remote_id), quiet=True)
            return
        self.send(Message(A_OKAY, stream.local_id, stream.remote_id), quiet=True)
        try:
            runner(stream, stream.service)
        except StreamClosed:
            pass
        except Exception:
            log.exception("service %r failed", stream.service)
        finally:
            if lost:  # the command ran; its reply dies with the link
                self.close()
            else:
                try:
                    if not stream.closed:
                        stream.drain()
                    stream.close()
                except StreamClosed:
                    pass


class AdbdEndpoint:
    """A listening socket that speaks adbd for one virtual phone."""

    def __init__(self, phone: VirtualPhone, *, host: str = "127.0.0.1", port: int = 0,
                 services: Callable[[str], ServiceRunner | None] | None = None) -> None:
        from ._services import service_for

        self.phone = phone
        self.host = host
        self._requested_port = port
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._conns: set[_Connection] = set()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._online = threading.Condition()
        self.services: Callable[[str], ServiceRunner | None] = services or (lambda s: service_for(phone, s))
        phone.endpoints.append(self)

    @property
    def port(self) -> int:
        if self._sock is None:
            raise RuntimeError("the endpoint is not started")
        return int(self._sock.getsockname()[1])

    @property
    def serial(self) -> str:
        """How an adb server names this phone: ``emulator-N`` on 5555-5585, else host:port."""
        port = self.port
        if 5555 <= port <= 5585 and port % 2 == 1:
            return f"emulator-{port - 1}"
        return f"{self.host}:{port}"

    def start(self) -> AdbdEndpoint:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, self._requested_port))
        except OSError:
            sock.close()
            raise
        sock.listen(64)
        self._sock = sock
        self._thread = threading.Thread(target=self._accept_loop, daemon=True, name=f"adbd-{self.port}")
        self._thread.start()
        return self

    def _accept_loop(self) -> None:
        assert self._sock is not None
        while not self._stopping.is_set():
            try:
                client, addr = self._sock.accept()
            except OSError:
                if self._stopping.is_set():
                    return
                continue
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn = _Connection(self, client, f"{addr[0]}:{addr[1]}")
            with self._lock:
                self._conns.add(conn)
            threading.Thread(target=conn.serve, daemon=True, name=f"adbd-conn-{addr[1]}").start()

    def _forget(self, conn: _Connection) -> None:
        with self._lock:
            self._conns.discard(conn)

    def connections(self) -> list[_Connection]:
        with self._lock:
            return list(self._conns)

    def kick(self) -> None:
        """Close every connection, as a phone does when its USB/Wi-Fi link drops."""
        for conn in self.connections():
            conn.close()

    def wait_until_online(self, cancelled: threading.Event) -> None:
        """Hold a handshake while the phone is faulted offline; the host sees ``offline`` meanwhile."""
        while not cancelled.is_set() and not self._stopping.is_set():
            remaining = self.phone.faults.offline_remaining()
            if remaining <= 0:
                return
            with self._online:
                self._online.wait(min(remaining, 0.5))

    def stop(self) -> None:
        self._stopping.set()
        if self._sock is not None:
            try:  # shutdown wakes a thread blocked in accept(); close alone does not on Linux
                self._sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self._sock.close()
        self.kick()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self in self.phone.endpoints:
            self.phone.endpoints.remove(self)

    def __enter__(self) -> Self:
        return self.start() if self._sock is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()

