"""``--device sim``: a virtual phone for one run, reached the way a real phone is.

The chain is the user's: the virtual phone's adbd endpoint <- a real adb server <- the Android driver.
The adb server is a private one (its own port and HOME, started as our child with ``nodaemon`` and
stopped by PID), so a run never touches the user's own server or phones, and leaves nothing behind.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..devices import ServerUnavailable

__all__ = ["SimPhone", "start_sim_phone"]


@dataclass(frozen=True)
class SimPhone:
    phone: object  # screenpilot.sim.VirtualPhone
    serial: str
    adb_port: int


def _adb_binary() -> str:
    for candidate in (os.environ.get("SCREENPILOT_ADB"), shutil.which("adb")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    try:
        from adbutils import adb_path

        return str(adb_path())
    except Exception as exc:  # noqa: BLE001 - adbutils raises a bare error when it has no binary
        raise ServerUnavailable("no adb binary to serve the virtual phone",
                                hint="install adb (Debian: apt-get install adb) or set SCREENPILOT_ADB") from exc


def _free_port() -> int:
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        if not 5554 <= port <= 5585:  # the emulator range: a server would also probe it by itself
            return port


def _until(condition: object, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    delay = 0.01
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise ServerUnavailable(f"timed out after {seconds:g} s waiting for {what}",
                                    hint="check that the adb binary runs (adb version)")
        time.sleep(delay)
        delay = min(delay * 2, 0.2)


def _answers(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        if s.connect_ex(("127.0.0.1", port)) != 0:
            return False
        s.sendall(b"000chost:version")
        try:
            return s.recv(4) == b"OKAY"
        except OSError:
            return False


@contextmanager
def start_sim_phone(*, width: int = 1080, height: int = 2400, animation_ms: float = 150.0,
                    clock: str | None = None) -> Iterator[SimPhone]:
    """A virtual phone listening on 127.0.0.1 plus a private adb server that has it connected."""
    from ..sim import AdbdEndpoint, PhoneConfig, VirtualPhone

    phone = VirtualPhone(PhoneConfig(width=width, height=height, animation_ms=animation_ms, clock=clock))
    endpoint = AdbdEndpoint(phone, port=_free_port()).start()
    home = Path(tempfile.mkdtemp(prefix="screenpilot-adb-"))
    adb = _adb_binary()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANDROID_", "ADB"))}
    env.update(HOME=str(home), ADB_LOCAL_TRANSPORT_MAX_PORT="5553")
    server: subprocess.Popen[bytes] | None = None
    port = _free_port()
    try:
        log = open(home / "adb-server.log", "wb")  # noqa: SIM115 - closed below
        server = subprocess.Popen([adb, "-P", str(port), "nodaemon", "server"], env=env, stdout=log,
                                  stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        _until(lambda: server.poll() is not None or _answers(port), 20, "the private adb server to start")
        if server.poll() is not None:
            raise ServerUnavailable(f"the adb server exited at once: {(home / 'adb-server.log').read_text()[-300:]}",
                                    hint="check that the adb binary runs (adb version)")
        serial = endpoint.serial
        run = [adb, "-P", str(port)]
        subprocess.run([*run, "connect", serial], env=env, capture_output=True, timeout=20, check=False)

        def online() -> bool:
            out = subprocess.run([*run, "devices"], env=env, capture_output=True, timeout=10).stdout.decode()
            return any(line.split()[:2] == [serial, "device"] for line in out.splitlines()[1:])

        _until(online, 20, f"the virtual phone {serial} to come online")
        yield SimPhone(phone, serial, port)
    finally:
        if server is not None and server.poll() is None:
            subprocess.run([adb, "-P", str(port), "kill-server"], env=env, capture_output=True, timeout=10, check=False)
            try:
                server.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=5)
        endpoint.stop()
        shutil.rmtree(home, ignore_errors=True)
