"""A private adb server for the virtual phone: its own port and HOME, our child, stopped by PID.

The chain a user has is phone <- adb server <- client. For tests, benchmarks and ``--device sim`` runs
that chain must not touch the user's own server (port 5037) or phones, and must leave nothing behind,
so the server is started with ``nodaemon`` as a child process, emulator port scanning is turned off
(``ADB_LOCAL_TRANSPORT_MAX_PORT``), and it is stopped by ``kill-server`` and then by PID.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._adbd import AdbdEndpoint
from ._config import PhoneConfig
from ._errors import SimError
from ._phone import VirtualPhone

__all__ = ["AdbServer", "ServedPhone", "find_adb", "free_port", "served_phone", "wait_until"]

EMULATOR_PORTS = range(5554, 5586)
"""The ports an adb server scans for emulators by itself (console on even, adbd on odd ports)."""


def find_adb() -> str:
    """The adb binary: ``$SCREENPILOT_ADB``, then ``adb`` on PATH, then the one inside the adbutils wheel."""
    candidates = [os.environ.get("SCREENPILOT_ADB"), shutil.which("adb")]
    try:
        import adbutils  # optional: only to find the adb binary its wheel ships

        candidates.append(str(Path(adbutils.__file__).parent / "binaries" / "adb"))
    except ImportError:
        pass
    for candidate in candidates:
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    raise SimError("no adb binary to serve the virtual phone",
                   hint="install adb (Debian: apt-get install adb), pip install adbutils, or set SCREENPILOT_ADB")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on now, outside the emulator scan range."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        if port not in EMULATOR_PORTS:
            return port


def wait_until(condition: Callable[[], Any], *, timeout: float, what: str, interval: float = 0.01) -> Any:
    """Poll ``condition`` (backing off to 0.2 s) until it is truthy; SimError naming ``what`` on timeout."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while True:
        last = condition()
        if last:
            return last
        if time.monotonic() > deadline:
            raise SimError(f"timed out after {timeout:g} s waiting for {what} (last value: {last!r})")
        time.sleep(interval)
        interval = min(interval * 2, 0.2)


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


@dataclass
class AdbServer:
    """A running private adb server; :meth:`start` makes one, :meth:`stop` ends it by PID."""

    adb: str
    port: int
    home: Path
    process: subprocess.Popen[bytes]
    env: dict[str, str] = field(repr=False)

    @classmethod
    def start(cls, *, adb: str | None = None, home: Path | None = None,
              scan_emulators_up_to: int | None = None) -> AdbServer:
        """Start a server on a free port with HOME=``home`` (a new temporary folder if None)."""
        adb = adb or find_adb()
        home = home or Path(tempfile.mkdtemp(prefix="screenpilot-adb-"))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ANDROID_", "ADB"))}
        env.update(HOME=str(home), ADB_LOCAL_TRANSPORT_MAX_PORT=str(scan_emulators_up_to or 5553))
        for _attempt in range(5):
            port = free_port()
            env["ANDROID_ADB_SERVER_PORT"] = str(port)
            log_path = home / f"adb-server-{port}.log"
            with open(log_path, "wb") as log:
                process = subprocess.Popen([adb, "-P", str(port), "nodaemon", "server"], env=dict(env), stdout=log,
                                           stderr=subprocess.STDOUT, start_new_session=True)
            server = cls(adb=adb, port=port, home=home, process=process, env=dict(env))
            try:
                # A TCP connect, never the adb CLI: `adb devices` against a port nobody listens on yet
                # forks a daemon server of its own, which would outlive us.
                wait_until(lambda: process.poll() is not None or _listening(port), timeout=30,
                           what="the private adb server to listen")
            except SimError:
                server.stop()
                raise
            if process.poll() is None:
                return server
            if "in use" not in log_path.read_text(errors="replace") and "bind" not in log_path.read_text(errors="replace"):
                raise SimError(f"the adb server exited at once: {log_path.read_text(errors='replace')[-300:]}",
                               hint="check that the adb binary runs (adb version)")
        raise SimError("could not start an adb server on a free port")

    @property
    def pid(self) -> int:
        return self.process.pid

    def run(self, *args: str, timeout: float = 60, input: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
        """``adb -P PORT ARGS...`` against this server (stdout and stderr as bytes)."""
        return subprocess.run([self.adb, "-P", str(self.port), *args], env=self.env, capture_output=True,
                              timeout=timeout, input=input, check=False)

    def devices(self) -> dict[str, str]:
        """serial -> state (``device``, ``offline``, ``unauthorized``...) as ``adb devices`` lists them."""
        out = self.run("devices", timeout=10).stdout.decode(errors="replace")
        return {parts[0]: parts[1] for line in out.splitlines()[1:] if len(parts := line.split()) >= 2}

    def wait_state(self, serial: str, state: str = "device", timeout: float = 20) -> None:
        wait_until(lambda: self.devices().get(serial) == state, timeout=timeout,
                   what=f"{serial} to be '{state}' on the adb server at port {self.port}")

    def connect(self, serial: str, *, state: str = "device", timeout: float = 20) -> str:
        """``adb connect SERIAL`` and wait until the device is in ``state``; returns what adb said."""
        said = self.run("connect", serial, timeout=timeout).stdout.decode(errors="replace")
        self.wait_state(serial, state, timeout)
        return said

    def client(self) -> Any:
        """An ``adbutils.AdbClient`` talking to this server (adbutils must be installed)."""
        import adbutils

        return adbutils.AdbClient(host="127.0.0.1", port=self.port)

    def stop(self) -> None:
        """``adb kill-server``, then SIGKILL by PID if it lingers."""
        if self.process.poll() is None:
            try:
                self.run("kill-server", timeout=10)
            except subprocess.TimeoutExpired:
                pass
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)


@dataclass(frozen=True)
class ServedPhone:
    """A virtual phone, the adbd endpoint it listens on, and the private adb server that has it connected."""

    phone: VirtualPhone
    endpoint: AdbdEndpoint
    server: AdbServer

    @property
    def serial(self) -> str:
        return str(self.endpoint.serial)

    @property
    def adb_port(self) -> int:
        return self.server.port


@contextmanager
def served_phone(config: PhoneConfig | None = None, *, adb: str | None = None) -> Iterator[ServedPhone]:
    """A virtual phone on 127.0.0.1 and a private adb server with it connected, both stopped on exit."""
    phone = VirtualPhone(config or PhoneConfig())
    endpoint = AdbdEndpoint(phone, port=free_port()).start()
    home = Path(tempfile.mkdtemp(prefix="screenpilot-adb-"))
    server: AdbServer | None = None
    try:
        server = AdbServer.start(adb=adb, home=home)
        server.connect(endpoint.serial)
        yield ServedPhone(phone, endpoint, server)
    finally:
        if server is not None:
            server.stop()
        endpoint.stop()
        shutil.rmtree(home, ignore_errors=True)
