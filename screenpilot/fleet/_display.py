"""A private desktop for a desktop worker (``--devices desktop:N``): its own Xvfb display and its own
D-Bus session bus (GTK programs register on it with the accessibility bus, which the desktop driver
reads; docs/desktop.md), both stopped with the worker."""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import time

from ..devices import DisplayUnavailable

__all__ = ["PrivateDisplay"]


def _spawn(args: list[str], deadline: float, env: dict[str, str] | None = None) -> tuple[subprocess.Popen[bytes], str]:
    """Start a server that writes one line to the file descriptor appended to ``args`` when it is up
    (Xvfb ``-displayfd``, dbus-daemon ``--print-address``), in its own process group; that line, or ""
    if it exited or ``deadline`` passed first."""
    read, write = os.pipe()
    process = subprocess.Popen([*args[:-1], args[-1] + str(write)], pass_fds=(write,), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, env=env, start_new_session=True)
    os.close(write)
    line = b""
    try:
        while not line.endswith(b"\n"):
            ready, _, _ = select.select([read], [], [], max(0.0, deadline - time.monotonic()))
            chunk = os.read(read, 256) if ready else b""
            if not chunk:
                break
            line += chunk
    finally:
        os.close(read)
    return process, line.decode().strip() if line.endswith(b"\n") else ""


def _stop(process: subprocess.Popen[bytes] | None) -> None:
    """The process and what it started in its group (the bus's activated services), by PID."""
    if process is None or process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


class PrivateDisplay:
    """``Xvfb -displayfd`` picks a free display number itself (no race between workers); ``-noreset``
    keeps it from resetting when its last client leaves. Then a session bus, as ``dbus-run-session``
    makes one (without dbus-daemon the desktop works, without its accessibility tree)."""

    def __init__(self, size: str = "1280x1024x24", timeout_s: float = 20.0) -> None:
        if shutil.which("Xvfb") is None:
            raise DisplayUnavailable("Xvfb is not installed", hint="apt-get install xvfb (desktop:N starts one per device)")
        self.bus: subprocess.Popen[bytes] | None = None
        self.bus_address: str | None = None
        self._folder = tempfile.mkdtemp(prefix="screenpilot-desktop-")
        deadline = time.monotonic() + timeout_s
        self.process, number = _spawn(["Xvfb", "-screen", "0", size, "-nolisten", "tcp", "-noreset", "-displayfd", ""],
                                      deadline)
        if not number.isdigit():
            self.close()
            raise DisplayUnavailable(f"Xvfb did not start within {timeout_s:g} s (exit {self.process.poll()})")
        self.display = f":{number}"
        while True:  # the number can come before the socket accepts
            try:
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                    s.connect(f"/tmp/.X11-unix/X{number}")
                break
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.close()
                    raise DisplayUnavailable(f"Xvfb {self.display} never accepted connections") from None
                time.sleep(0.02)
        if shutil.which("dbus-daemon") is not None:
            self.bus, address = _spawn(["dbus-daemon", "--session", "--nofork", f"--address=unix:path={self._folder}/bus",
                                        "--print-address="], deadline, env={**os.environ, "DISPLAY": self.display})
            self.bus_address = address or None

    def close(self) -> None:
        _stop(self.bus)
        _stop(self.process)
        shutil.rmtree(self._folder, ignore_errors=True)
