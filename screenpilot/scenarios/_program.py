"""A running desktop scenario program (``_tkapp``): started by a setup step, asked for its state and
widgets over its stdin/stdout, stopped by PID at teardown."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from typing import Any

from ._errors import SetupFailed

__all__ = ["Program"]


class Program:
    """One scene window on an X display."""

    def __init__(self, scene: str, *, display: str, geometry: str, title: str, options: dict[str, Any],
                 timeout_s: float = 20.0) -> None:
        self.scene = scene
        self.title = title
        self.timeout_s = timeout_s
        argv = [sys.executable, "-m", "screenpilot.scenarios._tkapp", "--scene", scene, "--geometry", geometry,
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
                raise SetupFailed(f"the {self.scene} program did not report {what}: {why}",
                                  hint="check that DISPLAY names a running X server and that Tk works "
                                       "(python3 -c 'import tkinter; tkinter.Tk()')")
            try:
                reply = self._replies.get(timeout=min(remaining, 0.2))
            except queue.Empty:
                continue
            if wanted(reply):
                return reply

    def request(self, cmd: str) -> dict[str, Any]:
        """Ask the program (``state`` or ``widgets``); the answer includes every input already sent."""
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

    def widgets(self) -> list[dict[str, Any]]:
        return list(self.request("widgets").get("widgets") or [])

    def stop(self) -> None:
        """End it: close its input (it quits on EOF), then terminate/kill by PID if it lingers."""
        if self.proc.poll() is None:
            try:
                if self.proc.stdin is not None:
                    self.proc.stdin.close()
                self.proc.wait(timeout=3)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.terminate()
                try:
                    self.proc.wait(timeout=3)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(timeout=3)
