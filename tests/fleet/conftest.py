"""Fixtures for the fleet tests: a real two-node Ray cluster on 127.0.0.1 (``ray.cluster_utils.Cluster``),
each node offering its own virtual phones, shared by the tests of a module and shut down after them;
and ``collect_cli``, the real ``screenpilot collect`` as a subprocess whose JSON events a test reads
line by line (so it can kill a worker or the driver at a chosen moment).

Ray binds to 127.0.0.1 only: ``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0`` (read when ray is imported) makes it
use the loopback address, for this process and the subprocesses it starts.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")

ray = pytest.importorskip("ray")


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    """Two Ray nodes on this machine: the head offers 2 virtual phones, the second node 1."""
    from ray.cluster_utils import Cluster

    c = Cluster(initialize_head=True, connect=False,
                head_node_args={"num_cpus": 1, "resources": {"screenpilot_sim": 2}, "include_dashboard": False})
    c.add_node(num_cpus=1, resources={"screenpilot_sim": 1})
    c.wait_for_nodes()
    try:
        yield c
    finally:
        c.shutdown()


@dataclass
class Collect:
    """A running ``screenpilot collect --json``: its events as they come, and its exit."""

    process: subprocess.Popen[str]
    events: list[dict[str, Any]] = field(default_factory=list)
    stderr: str = ""
    _done: threading.Event = field(default_factory=threading.Event)

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with contextlib.suppress(ValueError):
                self.events.append(json.loads(line))
        self._done.set()

    def wait_for(self, predicate: Any, timeout: float = 120.0) -> dict[str, Any]:
        """The first event (seen so far or to come) that satisfies ``predicate``."""
        deadline = time.monotonic() + timeout
        seen = 0
        while time.monotonic() < deadline:
            while seen < len(self.events):
                event = self.events[seen]
                seen += 1
                if predicate(event):
                    return event
            if self._done.is_set() and seen >= len(self.events):
                break
            time.sleep(0.05)
        raise AssertionError(f"no such event; the last ones: {self.events[-5:]}; stderr: {self.stderr[-800:]}")

    def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.stderr += line

    def wait(self, timeout: float = 240.0) -> int:
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise
        self._done.wait(10)
        return self.process.returncode

    def children(self) -> set[int]:
        """Every process the workers said they started (adb servers): stopped by PID after the test."""
        return {int(p) for e in self.events if e.get("event") == "device" for p in e.get("children") or []}


@pytest.fixture
def collect_cli() -> Iterator[Any]:
    started: list[Collect] = []

    def start(*args: str, env: dict[str, str] | None = None) -> Collect:
        process = subprocess.Popen([sys.executable, "-m", "screenpilot.cli", "collect", *args, "--json"],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   env={**os.environ, **(env or {})})
        run = Collect(process)
        threading.Thread(target=run._read, daemon=True).start()
        threading.Thread(target=run._read_stderr, daemon=True).start()
        started.append(run)
        return run

    yield start
    for run in started:
        if run.process.poll() is None:
            run.process.kill()
            run.process.wait(10)
        for pid in run.children():  # a killed worker cannot stop its adb server: we do, by PID
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)


def manifest(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (folder / "manifest.jsonl").read_text().splitlines() if line.strip()]


def finals_by_key(records: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        if r["final"]:
            out.setdefault(r["key"], []).append(r)
    return out
