"""The one door to adbutils: shell commands with exit codes, timeouts, reconnects, and honest failures.

adbutils gives us the adb server's smart-socket protocol (connections, transports, device lists, host
commands). Its ``shell2`` hides WHEN a failure happened, and that decides what we may do next: a failure
before the command reached the device is safe to retry after reconnecting; one after it was sent means
the command may have run, which for an action (a tap, a purchase) must be reported, never re-sent. So
this module drives the same adbutils connection step by step and keeps track of that line.

adbutils also runs ``adb start-server`` by itself whenever no server answers; a driver pointed at a
chosen host/port must say "no adb server" instead of silently starting a different one, so its
connection class is narrowed here (starting a server stays available, as an explicit choice).
"""

from __future__ import annotations

import functools
import re
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .._errors import (
    ActionOutcomeUnknown,
    DeviceError,
    DeviceNotFound,
    DeviceOffline,
    DeviceTimeout,
    ServerUnavailable,
)
from ._errors import translate

__all__ = ["AdbLink", "Backoff", "ShellResult", "is_network_serial"]

_EXIT_MAGIC = b"__SPEXIT__:"
_NETWORK_SERIAL = re.compile(r"^[\w.\-\[\]:]+:\d+$")


def is_network_serial(serial: str) -> bool:
    """``192.168.1.7:5555`` / ``127.0.0.1:5560``: a device the server reaches over TCP (reconnectable)."""
    return bool(_NETWORK_SERIAL.match(serial)) and not serial.startswith("emulator-")


@dataclass(frozen=True)
class ShellResult:
    """What one shell command did on the device."""

    command: str
    exit_code: int
    stdout: bytes
    stderr: bytes
    seconds: float

    @property
    def text(self) -> str:
        return self.stdout.decode("utf-8", errors="replace")

    @property
    def output(self) -> str:
        """stdout then stderr, as a person would read them."""
        return (self.stdout + self.stderr).decode("utf-8", errors="replace")


@dataclass(frozen=True)
class Backoff:
    """Waits between reconnect attempts: ``first`` doubling up to ``cap``, for at most ``total`` seconds."""

    first: float = 0.1
    cap: float = 2.0
    total: float = 15.0

    def delays(self) -> list[float]:
        out, d, spent = [], self.first, 0.0
        while spent + d <= self.total + 1e-9:
            out.append(d)
            spent += d
            d = min(d * 2, self.cap)
        return out


@functools.cache
def _client_class() -> type:
    """adbutils' client whose connections never spawn a server (built lazily: adbutils imports requests)."""
    import adbutils
    from adbutils._adb import AdbConnection

    class _Connection(AdbConnection):  # type: ignore[misc]
        def _safe_connect(self) -> Any:
            return self._create_socket()

        def close(self) -> None:
            # adbutils sleeps 10 ms after shutdown(); closing sends the same FIN, and by the time we
            # close we have read the command's exit status, so the wait bought nothing but latency.
            sock = self._AdbConnection__conn
            if sock is None:
                return
            try:
                sock.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            sock.close()
            self._AdbConnection__conn = None

    class _Client(adbutils.AdbClient):  # type: ignore[misc]
        def make_connection(self, timeout: float | None = None) -> AdbConnection:
            conn = _Connection(self.host, self.port)
            if timeout:
                conn.conn.settimeout(timeout)
            return conn

    return _Client


class _Sent(Exception):
    """Wraps a failure that happened after the command reached the device."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.cause = cause


# FAIL replies that prove the request never reached the device (safe to retry even for actions).
_NOT_DELIVERED = ("offline", "not found", "unauthorized", "authorizing", "no devices", "connecting")


class AdbLink:
    """One device through one adb server.

    ``run`` executes a shell command and returns its exit code and output. Failures before the command
    was sent are retried with backoff (reconnecting a network device if it fell off the server); after
    it was sent, an observation is retried but an action raises :class:`ActionOutcomeUnknown`.
    """

    def __init__(
        self,
        serial: str,
        host: str = "127.0.0.1",
        port: int = 5037,
        *,
        timeout: float = 30.0,
        backoff: Backoff | None = None,
        shell_v2: bool = True,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.serial = serial
        self.host, self.port = host, port
        self.timeout = timeout
        self.backoff = backoff or Backoff()
        self.shell_v2 = shell_v2
        self.reconnects = 0
        self._sleep = sleep
        self._client = _client_class()(host=host, port=port)
        self._tport = True

    def for_serial(self, serial: str) -> AdbLink:
        """The same server and settings, bound to one device."""
        link = AdbLink(serial, self.host, self.port, timeout=self.timeout, backoff=self.backoff, shell_v2=self.shell_v2)
        link._client, link._tport, link._sleep = self._client, self._tport, self._sleep
        return link

    @property
    def server(self) -> str:
        return f"{self.host}:{self.port}"

    def _err(self, exc: BaseException) -> DeviceError:
        return translate(exc, serial=self.serial, server=self.server)

    # -- server-level ----------------------------------------------------------------------------

    def server_version(self) -> int:
        try:
            version = int(self._client.server_version())
        except Exception as exc:
            raise self._err(exc) from exc
        self._tport = version >= 41
        return version

    def devices(self) -> list[tuple[str, str, dict[str, str]]]:
        """(serial, state, tags) for every device the server knows, offline and unauthorized included."""
        return list_devices(self._client, self.server)

    def features(self) -> set[str]:
        """What the device's adbd offers (``shell_v2``, ``cmd``, ...), as the server recorded at handshake."""
        try:
            return set(self._adbutils_device().get_features().strip().split(","))
        except Exception as exc:
            raise self._err(exc) from exc

    def _adbutils_device(self) -> Any:
        import adbutils

        return adbutils.AdbDevice(self._client, serial=self.serial)

    def state(self) -> str:
        """This device's state on the server: device, offline, unauthorized, ... or 'absent'."""
        for serial, state, _ in self.devices():
            if serial == self.serial:
                return state
        return "absent"

    def reconnect(self) -> str:
        """Ask the server to (re)connect a network device; a USB device can only be waited for."""
        self.reconnects += 1
        if not is_network_serial(self.serial):
            return ""
        try:
            if self.state() == "offline":
                self._client.disconnect(self.serial)
            # bounded: a phone that accepts TCP but holds the handshake keeps `host:connect` waiting
            return str(self._client.connect(self.serial, timeout=min(self.timeout, self.backoff.cap, 3.0)))
        except Exception as exc:  # noqa: BLE001 - a failed reconnect shows in the next attempt
            return f"reconnect failed: {exc}"

    # -- device-level ----------------------------------------------------------------------------

    def _open(self, timeout: float) -> Any:
        c = self._client.make_connection(timeout=timeout)
        try:
            if self._tport:
                c.send_command(f"host:tport:serial:{self.serial}")
                c.check_okay()
                c.read_exact(8)  # the transport id
            else:
                c.send_command(f"host:transport:{self.serial}")
                c.check_okay()
        except BaseException:
            c.close()
            raise
        return c

    def _once(self, command: str, timeout: float) -> ShellResult:
        start = time.perf_counter()
        c = self._open(timeout)
        try:
            v2 = self.shell_v2
            service = f"shell,v2,raw:{command}" if v2 else f"shell:{command} ; echo {_EXIT_MAGIC.decode()}$?"
            c.send_command(service)
            try:
                c.check_okay()
            except Exception as exc:
                if any(w in str(exc).lower() for w in _NOT_DELIVERED):
                    raise
                raise _Sent(exc) from exc
            try:
                code, out, err = _read_v2(c) if v2 else _read_v1(c)
            except Exception as exc:
                raise _Sent(exc) from exc
        finally:
            c.close()
        return ShellResult(command, code, out, err, time.perf_counter() - start)

    def run(self, command: str, *, timeout: float | None = None, action: bool = False,
            shown: str | None = None) -> ShellResult:
        """Run ``command`` through the device's ``sh -c``; retries only where that cannot repeat an action.

        ``shown`` is how messages name the command when it carries a secret (the driver's own wording).
        """
        timeout = timeout or self.timeout
        delays = iter(self.backoff.delays())
        give_up_at = time.monotonic() + self.backoff.total  # wall clock: a stalled phone eats whole timeouts
        while True:
            try:
                return self._once(command, timeout)
            except _Sent as sent:
                err = self._err(sent.cause)
                if action:
                    raise ActionOutcomeUnknown(
                        f"`{_short(shown or command)}` was sent to {self.serial} but {err.message}: it may or may not "
                        "have run, so it was not sent again",
                        hint="look at the screen again before deciding what to do next",
                    ) from sent.cause
            except Exception as exc:  # noqa: BLE001 - translated below
                err = self._err(exc)
            if not isinstance(err, DeviceOffline | DeviceNotFound | DeviceTimeout | ServerUnavailable):
                raise err
            delay = next(delays, None)
            if delay is None or time.monotonic() + delay > give_up_at:
                raise err
            self._sleep(delay)
            if isinstance(err, DeviceOffline | DeviceNotFound):
                self.reconnect()


def _short(command: str, limit: int = 120) -> str:
    return command if len(command) <= limit else command[: limit - 3] + "..."


def _read_exact(sock: socket.socket, n: int) -> bytearray:
    """n bytes into one preallocated buffer (adbutils' reader concatenates bytes: quadratic on
    the megabytes of a raw screenshot)."""
    buf = bytearray(n)
    view, got = memoryview(buf), 0
    while got < n:
        k = sock.recv_into(view[got:], n - got)
        if not k:
            raise EOFError(f"the connection closed after {got} of {n} bytes")
        got += k
    return buf


def _read_v2(c: Any) -> tuple[int, bytes, bytes]:
    """Shell protocol v2 packets: [id u8][len u32 LE][data]; 1 stdout, 2 stderr, 3 exit code."""
    sock = c.conn
    out, err = bytearray(), bytearray()
    while True:
        header = _read_exact(sock, 5)
        kind, length = header[0], int.from_bytes(header[1:5], "little")
        data = _read_exact(sock, length) if length else b""
        if kind == 1:
            out += data
        elif kind == 2:
            err += data
        elif kind == 3:
            return (data[0] if data else 255), bytes(out), bytes(err)


def _read_v1(c: Any) -> tuple[int, bytes, bytes]:
    """Shell v1 has no exit code: we appended ``echo MAGIC$?`` and read it back off the end."""
    raw = c.read_until_close(encoding=None)
    i = raw.rfind(_EXIT_MAGIC)
    if i < 0:
        raise EOFError("the shell closed before reporting its exit status")
    return int(raw[i + len(_EXIT_MAGIC):].strip() or b"255"), raw[:i], b""


def list_devices(client: Any, server: str) -> list[tuple[str, str, dict[str, str]]]:
    try:
        infos = client.list(extended=True)
    except Exception as exc:
        raise translate(exc, serial=None, server=server) from exc
    return [(i.serial, i.state, dict(i.tags)) for i in infos]


def start_server(port: int, *, adb: str | None = None, timeout: float = 20.0) -> None:
    """``adb -P PORT start-server`` with the adb that adbutils would pick (an explicit, opt-in step)."""
    from adbutils import adb_path

    exe = adb or adb_path()
    try:
        subprocess.run([exe, "-P", str(port), "start-server"], check=True, capture_output=True, timeout=timeout)
    except (OSError, subprocess.SubprocessError) as exc:
        raise ServerUnavailable(
            f"could not start an adb server on port {port}: {exc}",
            hint="install adb (Debian: apt-get install adb) or set ADBUTILS_ADB_PATH",
        ) from exc
