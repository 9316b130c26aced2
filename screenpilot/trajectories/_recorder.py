"""The crash-safe episode recorder: one folder per episode, written so a SIGKILL loses at most a step.

Layout (docs/trajectory-format.md)::

    <episode>/episode.json     EpisodeMeta, replaced atomically when it changes
    <episode>/steps.jsonl      one StepRecord per line, appended, flushed and fsync'd per step
    <episode>/frames/          screenshots as the device sent them (NNNNNN.png, NNNNNN-after.png)
    <episode>/ui/              UI elements per step (NNNNNN.json)

Frames and UI trees go through a :class:`BackgroundWriter`; a step line is written only once every
file it references is on disk, except its ``frame_after`` (the next step's screen, which the next
line waits for). So the steps file never points at a file a crash could have lost, but for an
after-frame still queued when the process died; the reader notes such a gap instead of failing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..actions import Element
from ..perception import Frame
from ._errors import RecordingError, TrajectoryError
from ._jsonl import JsonlAppender, atomic_write, json_bytes, read_jsonl
from ._reader import load_meta
from ._schema import DecidedBy, EpisodeMeta, FrameRef, Outcome, StepRecord, TokenUsage
from ._writer import BackgroundWriter

__all__ = ["EPISODE_FILE", "FRAMES_DIR", "STEPS_FILE", "UI_DIR", "Recorder", "Redactor", "redact_value"]

EPISODE_FILE = "episode.json"
STEPS_FILE = "steps.jsonl"
FRAMES_DIR = "frames"
UI_DIR = "ui"

Redactor = Callable[[str], str]
"""Rewrites a string before it is stored (the agent passes one that swaps secret values for their
``{{secret:NAME}}`` placeholders)."""


PATH_KEYS = frozenset({"path", "ui_tree", "image", "images"})
"""Fields that hold file names we chose; never redacted (a 4-digit PIN must not rename frames/000012.png)."""


def redact_value(value: Any, redact: Redactor | None) -> Any:
    """``value`` (JSON-like) with ``redact`` applied to every string in it but the file references."""
    if redact is None:
        return value
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {redact(k) if isinstance(k, str) else k: v if k in PATH_KEYS else redact_value(v, redact)
                for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact_value(v, redact) for v in value]
    return value


class Recorder:
    """Writes one episode. Not thread-safe: one agent loop drives it."""

    def __init__(
        self,
        folder: Path,
        meta: EpisodeMeta,
        *,
        redact: Redactor | None = None,
        fsync: bool = True,
        max_pending: int = 8,
        _recorded: Sequence[int] = (),
    ) -> None:
        self.folder = folder
        self.meta = meta
        self.redact = redact
        self.fsync = fsync
        (folder / FRAMES_DIR).mkdir(parents=True, exist_ok=True)
        (folder / UI_DIR).mkdir(exist_ok=True)
        self._writer = BackgroundWriter(max_pending=max_pending)
        self._tickets: dict[str, int] = {}
        self._recorded = set(_recorded)
        self._steps = JsonlAppender(folder / STEPS_FILE, fsync=fsync)
        self._closed = False

    # -- opening ---------------------------------------------------------------------------------

    @classmethod
    def create(cls, folder: Path | str, meta: EpisodeMeta, **kw: Any) -> Recorder:
        """Start a new episode in ``folder`` (created; it must not hold an episode already)."""
        folder = Path(folder)
        if (folder / EPISODE_FILE).exists():
            raise TrajectoryError(
                f"{folder} already holds an episode",
                hint="choose another --out folder, or resume that run with --resume",
            )
        try:
            folder.mkdir(parents=True, exist_ok=True)
            recorder = cls(folder, meta, **kw)
            recorder.save_meta()
        except OSError as exc:
            raise RecordingError(f"cannot write the episode to {folder}: {exc.strerror or exc}",
                                 hint="choose a writable --out folder") from None
        return recorder

    @classmethod
    def reopen(cls, folder: Path | str, **kw: Any) -> Recorder:
        """Continue an episode after a crash: the torn tail is cut, recorded steps are remembered."""
        folder = Path(folder)
        meta = load_meta(folder)
        values, _torn = read_jsonl(folder / STEPS_FILE)
        steps = [v for _, v in values if isinstance(v, dict) and "index" in v]
        tokens = TokenUsage()
        for v in steps:  # the totals as they stood at the crash (the metadata is saved only at the ends)
            usage = v.get("usage") or {}
            tokens = TokenUsage(prompt=_add(tokens.prompt, usage.get("prompt")),
                                completion=_add(tokens.completion, usage.get("completion")))
        meta.tokens = tokens
        return cls(folder, meta, _recorded=[int(v["index"]) for v in steps], **kw)

    # -- files -----------------------------------------------------------------------------------

    def _submit(self, rel: str, write: Callable[[Path], object]) -> None:
        self._check_open()
        self._tickets[rel] = self._writer.submit(self.folder / rel, write)

    def save_frame(self, frame: Frame, name: str) -> FrameRef:
        """Queue a frame for writing (the device's own bytes) and return its reference at once."""
        rel = f"{FRAMES_DIR}/{name}{frame.suffix}"
        self._submit(rel, frame.save)
        size = len(frame.data) if frame.encoded else None  # raw pixels are encoded to PNG by the writer
        stream = {"stream_pts_us": frame.stream_pts_us} if frame.stream_pts_us is not None else {}
        return FrameRef(path=rel, size=frame.size, format=frame.format, captured_at=frame.captured_at, bytes=size,
                        **stream)

    def save_ui_tree(self, elements: Sequence[Element], name: str) -> str:
        """Queue the UI elements as JSON (redacted: a typed secret would show in a field's text)."""
        rel = f"{UI_DIR}/{name}.json"
        doc = redact_value([e.model_dump(mode="json") for e in elements], self.redact)
        data = json_bytes(doc, separators=(",", ":"))
        self._submit(rel, lambda path: path.write_bytes(data))
        return rel

    def wait_for(self, rel: str | None) -> None:
        """Block until a queued file is on disk (no-op for files written earlier or by another run)."""
        ticket = self._tickets.pop(rel, None) if rel else None
        if ticket is not None:
            self._writer.wait(ticket)

    # -- steps -----------------------------------------------------------------------------------

    def has_step(self, index: int) -> bool:
        return index in self._recorded

    @property
    def step_count(self) -> int:
        return len(self._recorded)

    def append_step(self, step: StepRecord) -> bool:
        """Append one step line; returns False (and writes nothing) if that index is already recorded.

        The skip makes recording idempotent: a run resumed after a crash between this write and its
        checkpoint re-runs the record node and must not write the step twice.
        """
        self._check_open()
        if step.index in self._recorded:
            return False
        self.wait_for(step.frame.path)
        self.wait_for(step.ui_tree)
        doc = redact_value(step.model_dump(mode="json", exclude_none=True), self.redact)
        try:
            self._steps.append(doc)
        except OSError as exc:
            raise RecordingError(f"could not append to {self._steps.path}: {exc}", hint="is the disk full?") from exc
        self._recorded.add(step.index)
        if step.usage is not None:
            self.meta.tokens = TokenUsage(prompt=_add(self.meta.tokens.prompt, step.usage.prompt),
                                          completion=_add(self.meta.tokens.completion, step.usage.completion))
        return True

    # -- metadata --------------------------------------------------------------------------------

    def save_meta(self) -> None:
        self.meta.steps = len(self._recorded)
        doc = redact_value(self.meta.model_dump(mode="json"), self.redact)
        atomic_write(self.folder / EPISODE_FILE, json_bytes(doc, indent=2) + b"\n",
                     fsync=self.fsync)

    def finish(self, outcome: Outcome, decided_by: DecidedBy, detail: str = "", *, answer: str | None = None) -> None:
        """Write the outcome into the metadata, once every queued file is on disk."""
        self._writer.wait()
        self.meta.outcome = outcome
        self.meta.decided_by = decided_by
        self.meta.outcome_detail = detail
        self.meta.answer = answer
        self.meta.ended_at = time.time()
        self.save_meta()

    def close(self) -> None:
        """Drain the writer and close the steps file; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        try:
            self._writer.close()
        finally:
            self._steps.close()

    def _check_open(self) -> None:
        if self._closed:
            raise RecordingError("the recorder is closed", hint="this is a bug: a step arrived after the episode ended")

    def __enter__(self) -> Recorder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _add(total: int | None, more: int | None) -> int | None:
    """Token totals stay None until some step reports a count (a scripted model counts nothing)."""
    return total if more is None else (total or 0) + more
