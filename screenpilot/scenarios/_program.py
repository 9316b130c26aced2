"""What desktop scenarios start: a scene of the scenario program (``_gtkapp``, GTK 3), or a real
application of this machine (galculator, l3afpad, yad, ...). Both run on the X display the device
drives, in the D-Bus session of this process (so they join its accessibility bus), and are stopped
by PID at teardown."""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from ._errors import SetupFailed

__all__ = ["App", "Program"]

_GTK_HINT = ("the scenes are GTK 3 windows: install PyGObject (`pip install 'PyGObject>=3.42,<3.51'`, after "
             "`apt-get install libgirepository1.0-dev libcairo2-dev gir1.2-gtk-3.0`) and check that DISPLAY names a "
             "running X server")


def _stop(proc: subprocess.Popen[Any]) -> None:
    """Terminate one process we started, by PID; kill it if it lingers."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=3)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=3)


class Program:
    """One scene window of the scenario program on an X display."""

    def __init__(self, scene: str, *, display: str, geometry: str, title: str, options: dict[str, Any],
                 timeout_s: float = 20.0) -> None:
        self.scene = scene
        self.title = title
        self.timeout_s = timeout_s
        argv = [sys.executable, "-m", "screenpilot.scenarios._gtkapp", "--scene", scene, "--geometry", geometry,
                "--title", title, "--options", json.dumps(options, ensure_ascii=False)]
        self._replies: queue.Queue[dict[str, Any]] = queue.Queue()
        self._lock = threading.Lock()
        self._next = 0
        self._stderr: list[str] = []
        try:
            self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                         text=True, encoding="utf-8", env={**os.environ, "DISPLAY": display})
        except OSError as exc:
            raise SetupFailed(f"cannot start the {scene} program: {exc}") from None
        self.pid = self.proc.pid
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._drain, daemon=True).start()
        ready = self._wait(lambda r: r.get("event") == "ready", "its window to appear")
        self.window = int(ready.get("window", 0))

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            try:
                self._replies.put(json.loads(line))
            except ValueError:
                continue

    def _drain(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self._stderr.append(line)
            del self._stderr[:-20]

    def _wait(self, wanted: Any, what: str) -> dict[str, Any]:
        deadline = time.monotonic() + self.timeout_s
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or (self.proc.poll() is not None and self._replies.empty()):
                self.stop()
                why = "".join(self._stderr).strip()[-400:] or f"exit status {self.proc.poll()}"
                raise SetupFailed(f"the {self.scene} program did not report {what}: {why}", hint=_GTK_HINT)
            try:
                reply = self._replies.get(timeout=min(remaining, 0.2))
            except queue.Empty:
                continue
            if wanted(reply):
                return reply

    def request(self, cmd: str) -> dict[str, Any]:
        """Ask the program (``state``); the answer includes every input already sent."""
        with self._lock:
            self._next += 1
            rid = self._next
            if self.proc.poll() is not None or self.proc.stdin is None:
                raise SetupFailed(f"the {self.scene} program is no longer running (exit {self.proc.poll()})",
                                  hint="the task may have closed it; the episode's checks cannot read it")
            try:
                self.proc.stdin.write(json.dumps({"cmd": cmd, "id": rid}) + "\n")
                self.proc.stdin.flush()
            except OSError as exc:
                raise SetupFailed(f"the {self.scene} program stopped listening: {exc}") from None
            return self._wait(lambda r: r.get("id") == rid, f"an answer to {cmd!r}")

    def state(self) -> dict[str, Any]:
        return dict(self.request("state").get("state") or {})

    def stop(self) -> None:
        """End it: close its input (it quits on EOF), then terminate/kill by PID if it lingers."""
        if self.proc.poll() is None:
            try:
                if self.proc.stdin is not None:
                    self.proc.stdin.close()
                self.proc.wait(timeout=3)
            except (OSError, subprocess.TimeoutExpired):
                _stop(self.proc)


class App:
    """A real application started by a scenario: its process, its first window, where its output goes."""

    def __init__(self, command: Sequence[str], *, display: str, geometry: tuple[int, int], cwd: str | None = None,
                 stdout: str | None = None, env: dict[str, str] | None = None, timeout_s: float = 20.0) -> None:
        self.command = list(command)
        self.name = Path(self.command[0]).name
        self.stdout_path = stdout
        if shutil.which(self.command[0]) is None:
            raise SetupFailed(f"{self.name} is not installed on this machine",
                              hint=f"install it (`apt-get install {self.name}`) or leave out the scenarios that use it")
        self.env = {**os.environ, "DISPLAY": display, **(env or {})}
        out: IO[bytes] | int = subprocess.DEVNULL
        if stdout:
            Path(stdout).parent.mkdir(parents=True, exist_ok=True)
            out = open(stdout, "wb")  # noqa: SIM115 - the child writes it for as long as it runs
        try:
            self.proc = subprocess.Popen(self.command, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.PIPE,
                                         cwd=cwd, env=self.env)
        except OSError as exc:
            raise SetupFailed(f"cannot start {self.name}: {exc}") from None
        finally:
            if not isinstance(out, int):
                out.close()
        self.pid = self.proc.pid
        self.window = self._window(timeout_s)
        x, y = geometry
        self._xdotool("windowmove", "--sync", str(self.window), str(x), str(y))

    def _xdotool(self, *args: str, timeout_s: float = 20.0) -> str:
        try:
            done = subprocess.run(["xdotool", *args], capture_output=True, text=True, env=self.env, timeout=timeout_s,
                                  check=False)
        except FileNotFoundError:
            raise SetupFailed("xdotool is not installed", hint="apt-get install xdotool") from None
        except subprocess.TimeoutExpired:
            done = subprocess.CompletedProcess(args, 1, "", "timed out")
        return done.stdout if done.returncode == 0 else ""

    def _window(self, timeout_s: float) -> int:
        """Its first visible top-level window (xdotool waits for it)."""
        found = self._xdotool("search", "--sync", "--onlyvisible", "--pid", str(self.pid), timeout_s=timeout_s)
        if not found.strip():
            err = b""
            if self.proc.poll() is not None and self.proc.stderr is not None:
                err = self.proc.stderr.read()
            self.stop()
            raise SetupFailed(f"{self.name} showed no window within {timeout_s:g} s "
                              f"(exit {self.proc.poll()}): {err.decode(errors='replace')[-300:]}")
        return int(found.split()[0])

    def finished(self, timeout_s: float) -> int | None:
        """Wait up to ``timeout_s`` for it to exit (its output is then complete); its exit code, or None."""
        try:
            return self.proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            return None

    def stop(self) -> None:
        _stop(self.proc)
        if self.proc.stderr is not None:
            self.proc.stderr.close()
