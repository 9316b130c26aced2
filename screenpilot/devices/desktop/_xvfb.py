"""A private desktop: its own Xvfb display and its own D-Bus session bus, both stopped by PID.

What a desktop worker (``collect --devices desktop:N``) runs on, and what the desktop tests start. GTK
programs register on the session bus with the accessibility bus, which the desktop driver reads
(docs/desktop.md); without dbus-daemon the desktop still works, without its accessibility tree.
"""

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

from .._errors import DisplayUnavailable

__all__ = ["PrivateDisplay", "start_session_bus", "start_xvfb", "stop_process_group"]


def _spawn_reporting(args: list[str], deadline: float,
                     env: dict[str, str] | None = None) -> tuple[subprocess.Popen[bytes], str]:
    """Start a server that writes one line to the file descriptor appended to ``args`` when it is up
    (Xvfb ``-displayfd``, dbus-daemon ``--print-address=``), in its own process group; that line, or ""
    if it exited or ``deadline`` passed first."""
    read, write = os.pipe()
    try:
        process = subprocess.Popen([*args[:-1], args[-1] + str(write)], pass_fds=(write,), stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, env=env, start_new_session=True)
    except BaseException:
        os.close(read)
        raise
    finally:
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


def stop_process_group(process: subprocess.Popen[bytes] | None) -> None:
    """The process and what it started in its group (a bus's activated services), by PID: TERM, then KILL."""
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


def start_xvfb(size: tuple[int, int] = (1280, 1024), timeout_s: float = 20.0,
               depth: int = 24) -> tuple[subprocess.Popen[bytes], str]:
    """``Xvfb -displayfd``: the server picks a free display number itself (no race between workers or test
    runs); ``-noreset`` keeps it from resetting when its last client leaves. Returns once its socket accepts.
    """
    if shutil.which("Xvfb") is None:
        raise DisplayUnavailable("Xvfb is not installed", hint="apt-get install xvfb")
    deadline = time.monotonic() + timeout_s
    process, number = _spawn_reporting(
        ["Xvfb", "-screen", "0", f"{size[0]}x{size[1]}x{depth}", "-nolisten", "tcp", "-noreset", "-displayfd", ""], deadline)
    if not number.isdigit():
        stop_process_group(process)
        raise DisplayUnavailable(f"Xvfb did not start within {timeout_s:g} s (exit {process.poll()})")
    display = f":{number}"
    while True:  # -displayfd reports the number before every listener is up on some builds
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.connect(f"/tmp/.X11-unix/X{number}")
            return process, display
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                stop_process_group(process)
                raise DisplayUnavailable(f"Xvfb {display} never accepted connections") from None
            time.sleep(0.02)


def start_session_bus(display: str, socket_path: str, timeout_s: float = 20.0) -> tuple[subprocess.Popen[bytes], str]:
    """A D-Bus session bus for ``display`` (as ``dbus-run-session`` makes one, DISPLAY in its activation
    environment) listening on ``socket_path``; returns it and its address once it is up."""
    if shutil.which("dbus-daemon") is None:
        raise DisplayUnavailable("dbus-daemon is not installed: no accessibility tree without a session bus",
                                 hint="apt-get install dbus at-spi2-core")
    process, address = _spawn_reporting(
        ["dbus-daemon", "--session", "--nofork", f"--address=unix:path={socket_path}", "--print-address="],
        time.monotonic() + timeout_s, env={**os.environ, "DISPLAY": display})
    if not address:
        stop_process_group(process)
        raise DisplayUnavailable(f"dbus-daemon did not report its address within {timeout_s:g} s "
                                 f"(exit {process.poll()})")
    return process, address


class PrivateDisplay:
    """An Xvfb display of ``size`` ("WxH" or "WxHxDEPTH", as Xvfb's ``-screen`` takes it; depth 24 if not
    given) and, where dbus-daemon is installed, a session bus for it (``bus_address``; None without one).
    ``close()`` stops both."""

    def __init__(self, size: str = "1280x1024x24", timeout_s: float = 20.0) -> None:
        width, height, depth = ([int(v) for v in size.split("x")] + [24])[:3]
        self.bus: subprocess.Popen[bytes] | None = None
        self.bus_address: str | None = None
        self._folder = tempfile.mkdtemp(prefix="screenpilot-desktop-")
        try:
            self.process, self.display = start_xvfb((width, height), timeout_s, depth)
        except BaseException:
            shutil.rmtree(self._folder, ignore_errors=True)
            raise
        with contextlib.suppress(DisplayUnavailable):  # no dbus-daemon, or it failed: no accessibility tree
            self.bus, self.bus_address = start_session_bus(self.display, f"{self._folder}/bus", timeout_s)

    def close(self) -> None:
        stop_process_group(self.bus)
        stop_process_group(self.process)
        shutil.rmtree(self._folder, ignore_errors=True)
