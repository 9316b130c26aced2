"""Backends that need no model: scripted replies (tests, demos, reference solutions) and replays.

A scripted backend answers from a list, in order, or by calling a function with the request (so a
reference solution can look at the step it is asked about). A replay backend answers with the raw
outputs a recorded episode holds, in order, so an episode can be re-run against a device without the
model that produced it.

Replay reads the episode folder directly (the planner sits below the trajectories room): it expects
``steps.jsonl``, one JSON object per line, the model's text in a ``raw_output`` string field. Lines
without one (steps no model decided) are skipped; a torn last line (a crash mid-write) is ignored.
"""

from __future__ import annotations

import importlib
import json
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from ._errors import BackendError, ScriptExhausted
from ._request import Completion, ModelRequest

__all__ = ["ReplayBackend", "ScriptedBackend", "read_raw_outputs"]

Script = Iterable[str] | Callable[[ModelRequest], str]


class ScriptedBackend:
    """Replies from a list (in order) or from ``fn(request) -> str``."""

    def __init__(self, replies: Script, *, name: str = "scripted") -> None:
        self.name = name
        self.calls = 0
        if callable(replies):
            self._fn: Callable[[ModelRequest], str] | None = replies
            self._replies: list[str] = []
        else:
            self._fn = None
            self._replies = list(replies)

    @classmethod
    def from_spec(cls, rest: str, **options: object) -> ScriptedBackend:
        """``FILE.json`` (a list of replies), ``FILE.jsonl`` (one per line) or ``MODULE:FUNCTION``."""
        path = Path(rest).expanduser()
        if path.is_file():
            return cls(_read_replies(path), name=f"scripted:{path.name}", **options)  # type: ignore[arg-type]
        module, sep, attr = rest.rpartition(":")
        if sep and module and attr.isidentifier():
            try:
                fn = getattr(importlib.import_module(module), attr)
            except (ImportError, AttributeError) as exc:
                raise BackendError(f"cannot load the script function {rest!r}: {exc}",
                                   hint="give a JSON file of replies or an importable MODULE:FUNCTION") from None
            if not callable(fn):
                raise BackendError(f"{rest!r} is not callable", hint="point at a function taking the request")
            return cls(fn, name=f"scripted:{rest}", **options)  # type: ignore[arg-type]
        raise BackendError(f"no script at {rest!r}: not a file, nor MODULE:FUNCTION",
                           hint="give a JSON list of replies (scripted:replies.json) or scripted:package.module:func")

    def generate(self, request: ModelRequest) -> Completion:
        start = time.perf_counter()
        if self._fn is not None:
            text = self._fn(request)
        else:
            if self.calls >= len(self._replies):
                raise ScriptExhausted(f"{self.name} was asked for reply {self.calls + 1} but holds {len(self._replies)}",
                                      hint="add replies to the script, or end the episode sooner")
            text = self._replies[self.calls]
        self.calls += 1
        return Completion(text=text if isinstance(text, str) else "", latency_s=time.perf_counter() - start,
                          model=self.name, finish_reason="stop",
                          extra={} if isinstance(text, str) else {"non_text_reply": type(text).__name__})

    def close(self) -> None:
        pass


def _read_replies(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonl":
        out = []
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except ValueError as exc:
                raise BackendError(f"{path}:{n}: not JSON ({exc})", hint="one JSON string per line") from None
            out.append(value.get("raw_output", "") if isinstance(value, dict) else value)
        return [v if isinstance(v, str) else json.dumps(v) for v in out]
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise BackendError(f"{path}: not JSON ({exc})", hint="a JSON list of reply strings") from None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BackendError(f"{path}: expected a JSON list of strings", hint='e.g. ["<tool_call>…</tool_call>", …]')
    return value


def read_raw_outputs(episode: Path | str) -> list[str]:
    """The ``raw_output`` of each step of a recorded episode, in order."""
    folder = Path(episode).expanduser()
    steps = folder / "steps.jsonl"
    if not steps.is_file():
        raise BackendError(f"no steps.jsonl in {folder}", hint="replay: takes the folder of a recorded episode")
    lines = steps.read_text(encoding="utf-8", errors="replace").split("\n")
    out: list[str] = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            if n == len(lines) or all(not rest.strip() for rest in lines[n:]):
                break  # torn last line: the recorder crashed mid-write
            raise BackendError(f"{steps}:{n} is not a JSON object", hint="the episode file is damaged") from None
        raw = record.get("raw_output") if isinstance(record, dict) else None
        if isinstance(raw, str):
            out.append(raw)
    return out


class ReplayBackend(ScriptedBackend):
    """A recorded episode's raw outputs, answered in order."""

    def __init__(self, episode: Path | str, *, name: str | None = None) -> None:
        super().__init__(read_raw_outputs(episode), name=name or f"replay:{Path(episode).name}")
