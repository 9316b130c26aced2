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


class PrivateDisplay:
    """``Xvfb -displayfd`` picks a free display number itself (no race between workers); ``-noreset``
    keeps it from resetting when its last client leaves; stopped by PID."""

    def __init__(self, size: str = "1280x1024x24", timeout_s: float = 20.0) -> None:
        if shutil.which("Xvfb") is None:
            raise DisplayUnavailable("Xvfb is not installed", hint="apt-get install xvfb (desktop:N starts one per device)")
        read, write = os.pipe()
        self.process = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", size, "-nolisten", "tcp",
                                         "-noreset"], pass_fds=(write,), stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, start_new_session=True)
        os.close(write)
        deadline = time.monotonic() + timeout_s
        number = b""
        try:
            while not number.endswith(b"\n"):
                ready, _, _ = select.select([read], [], [], max(0.0, deadline - time.monotonic()))
                chunk = os.read(read, 16) if ready else b""
                if not chunk:
                    self.close()
                    raise DisplayUnavailable(f"Xvfb did not start within {timeout_s:g} s (exit {self.process.poll()})")
                number += chunk
        finally:
            os.close(read)
        self.display = f":{int(number)}"
        self.bus: subprocess.Popen[bytes] | None = None
        self.bus_address: str | None = None
        while True:  # the number can come before the socket accepts
            try:
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                    s.connect(f"/tmp/.X11-unix/X{int(number)}")
                break
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.close()
                    raise DisplayUnavailable(f"Xvfb {self.display} never accepted connections") from None
                time.sleep(0.02)

        if shutil.which("dbus-daemon") is not None:
            self._start_bus(deadline)

    def _start_bus(self, deadline: float) -> None:
        """A session bus as ``dbus-run-session`` makes one, in its own process group (what it activates,
        the accessibility bus, goes down with it)."""
        folder = tempfile.mkdtemp(prefix="screenpilot-bus-")
        read, write = os.pipe()
        self.bus = subprocess.Popen(["dbus-daemon", "--session", "--nofork", f"--address=unix:path={folder}/bus",
                                     f"--print-address={write}"], pass_fds=(write,), stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, env={**os.environ, "DISPLAY": self.display},
                                    start_new_session=True)
        os.close(write)
        address = b""
        try:
            while not address.endswith(b"\n"):
                ready, _, _ = select.select([read], [], [], max(0.0, deadline - time.monotonic()))
                chunk = os.read(read, 256) if ready else b""
                if not chunk:
                    break  # no session bus: the desktop still works, without its accessibility tree
                address += chunk
        finally:
            os.close(read)
        self.bus_address = address.decode().strip() or None

    def close(self) -> None:
        if self.bus is not None and self.bus.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.bus.pid, signal.SIGTERM)
            try:
                self.bus.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self.bus.pid, signal.SIGKILL)
                self.bus.wait(timeout=5)
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
