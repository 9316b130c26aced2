"""The phone's processes: what runs now (``ps``), and signals that stop it (``kill``, ``pkill``).

Each command the shell runs is a process with a pid while it runs, so a recording started in one
``adb shell`` can be stopped from another (``pkill -2 screenrecord``), a script can stop its own
background job (``screenrecord f.mp4 & PID=$!; ...; kill -INT $PID``), and ``ps`` shows a waiting
``logcat``. A signal sets the process's cancel scope: the command sees ``cancelled`` and ends as it
would on that signal (exit 128 + signal, or screenrecord finishing its file on SIGINT).
"""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field

__all__ = ["SIGNALS", "CancelScope", "Process", "ProcessTable"]

SIGNALS = {"HUP": 1, "INT": 2, "QUIT": 3, "KILL": 9, "USR1": 10, "USR2": 12, "TERM": 15, "CONT": 18, "STOP": 19}


class CancelScope(threading.Event):
    """An Event that also sets every scope made from it with :meth:`child` (a closed stream stops every
    process of its shell; a signal stops one process)."""

    def __init__(self) -> None:
        super().__init__()
        self._children: list[CancelScope] = []
        self._child_lock = threading.Lock()

    def child(self) -> CancelScope:
        scope = CancelScope()
        with self._child_lock:
            self._children = [c for c in self._children if not c.is_set()]
            self._children.append(scope)
        if self.is_set():
            scope.set()
        return scope

    def set(self) -> None:
        super().set()
        with self._child_lock:
            children = list(self._children)
        for c in children:
            c.set()


@dataclass
class Process:
    pid: int
    ppid: int
    name: str
    argv: tuple[str, ...]
    scope: CancelScope
    user: str = "shell"
    started: float = field(default_factory=time.time)
    signal: int | None = None

    @property
    def command_line(self) -> str:
        return " ".join(self.argv)


class ProcessTable:
    """Running processes by pid (thread-safe: every adb stream runs commands at once)."""

    def __init__(self, first_pid: int = 5000) -> None:
        self._lock = threading.Lock()
        self._procs: dict[int, Process] = {}
        self._pids = itertools.count(first_pid)

    def new_pid(self) -> int:
        with self._lock:
            return next(self._pids)

    def start(self, argv: list[str], parent: CancelScope, *, pid: int | None = None, ppid: int = 4242) -> Process:
        proc = Process(pid=pid if pid is not None else self.new_pid(), ppid=ppid, name=argv[0].rsplit("/", 1)[-1],
                       argv=tuple(argv), scope=parent.child())
        with self._lock:
            self._procs[proc.pid] = proc
        return proc

    def end(self, proc: Process) -> None:
        with self._lock:
            self._procs.pop(proc.pid, None)

    def running(self) -> list[Process]:
        with self._lock:
            return sorted(self._procs.values(), key=lambda p: p.pid)

    def get(self, pid: int) -> Process | None:
        with self._lock:
            return self._procs.get(pid)

    def signal(self, pid: int, sig: int) -> bool:
        """Deliver ``sig`` to ``pid``; False when no such process runs."""
        proc = self.get(pid)
        if proc is None:
            return False
        if sig in (0, SIGNALS["CONT"], SIGNALS["STOP"]):
            return True  # 0 only asks whether it exists; stop/continue are not simulated
        proc.signal = sig
        proc.scope.set()
        return True
