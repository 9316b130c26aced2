"""Reading an episode back, validated: the metadata, every step, and the files the steps point at.

What a crash may leave is accepted and reported (a torn last line of ``steps.jsonl``, the last step's
after-frame of an unfinished run); anything else wrong is a :class:`TrajectoryError` naming the line
and the field.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from ._annotations import read_annotations
from ._errors import TrajectoryError
from ._jsonl import read_jsonl
from ._schema import SCHEMA_VERSION, EpisodeMeta, FrameRef, StepRecord

__all__ = ["Episode", "load_meta", "read_episode"]

_EPISODE_FILE = "episode.json"
_STEPS_FILE = "steps.jsonl"


@dataclass
class Episode:
    """A validated episode: its metadata, its steps in order, and what a crash cut short."""

    folder: Path
    meta: EpisodeMeta
    steps: list[StepRecord]
    torn_tail: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        return self.meta.outcome is not None

    def path(self, ref: FrameRef | str) -> Path:
        """The file a frame reference or relative path names."""
        return self.folder / (ref.path if isinstance(ref, FrameRef) else ref)


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err.get("loc", ())) or "(root)"
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{where}: {err.get('msg')}{more}"


def load_meta(folder: Path | str) -> EpisodeMeta:
    """The episode's metadata, or a TrajectoryError that says what is wrong with it."""
    path = Path(folder) / _EPISODE_FILE
    if not path.exists():
        raise TrajectoryError(f"{folder} holds no episode ({_EPISODE_FILE} is missing)",
                              hint="point at the folder a run printed at its end")
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise TrajectoryError(f"{path} is not valid JSON: {exc}") from None
    version = doc.get("schema_version") if isinstance(doc, dict) else None
    if not isinstance(version, int) or isinstance(version, bool) or version > SCHEMA_VERSION:
        raise TrajectoryError(
            f"{path} has schema_version {version!r}; this ScreenPilot reads versions up to {SCHEMA_VERSION}",
            hint="upgrade screenpilot to read this episode",
        )
    try:
        return EpisodeMeta.model_validate(doc)
    except ValidationError as exc:
        raise TrajectoryError(f"{path} does not match the episode schema: {_first_error(exc)}") from None


def read_episode(folder: Path | str, *, check_files: bool = True) -> Episode:
    """Load and validate an episode folder.

    ``check_files`` also checks that every referenced frame and UI tree exists (and, for frames
    stored as captured, has the recorded byte count).
    """
    folder = Path(folder)
    meta = load_meta(folder)
    values, torn = read_jsonl(folder / _STEPS_FILE)
    steps: list[StepRecord] = []
    for number, value in values:
        try:
            step = StepRecord.model_validate(value)
        except ValidationError as exc:
            raise TrajectoryError(f"{_STEPS_FILE} line {number}: {_first_error(exc)}") from None
        expected = steps[-1].index + 1 if steps else 0
        if step.index != expected:
            raise TrajectoryError(
                f"{_STEPS_FILE} line {number} is step {step.index}, expected {expected}",
                hint="steps must be numbered 0, 1, 2 ... without gaps or repeats",
            )
        steps.append(step)
    written = read_annotations(folder)  # per-step instructions a person added afterwards (screenpilot annotate)
    if written:
        steps = [s.model_copy(update={"instruction": written[s.index]}) if s.index in written else s for s in steps]
    episode = Episode(folder, meta, steps, torn_tail=torn)
    if torn:
        episode.notes.append(f"{_STEPS_FILE} ended in a torn line (a crash mid-write); it was ignored")
    if episode.finished and meta.steps != len(steps):
        raise TrajectoryError(f"{_EPISODE_FILE} says {meta.steps} steps but {_STEPS_FILE} holds {len(steps)}")
    if check_files:
        _check_files(episode)
    return episode


def _check_files(episode: Episode) -> None:
    missing: list[str] = []
    for step in episode.steps:
        refs: list[tuple[str, FrameRef | str | None, bool]] = [
            ("frame", step.frame, False),
            ("frame_after", step.frame_after, True),  # written last; a crash may lose it (the next step's frame remains)
            ("ui_tree", step.ui_tree, False),
        ]
        for name, ref, may_be_missing in refs:
            if ref is None:
                continue
            path = episode.path(ref)
            if not path.exists():
                if may_be_missing:
                    episode.notes.append(f"step {step.index}: {name} {path.name} is missing (the run stopped before it was written)")
                    continue
                missing.append(f"step {step.index} {name} {episode.path(ref).relative_to(episode.folder)}")
            elif isinstance(ref, FrameRef) and ref.bytes is not None and path.stat().st_size != ref.bytes:
                missing.append(f"step {step.index} {name} {ref.path} has {path.stat().st_size} bytes, recorded {ref.bytes}")
    if missing:
        shown = "; ".join(missing[:5]) + (f"; and {len(missing) - 5} more" if len(missing) > 5 else "")
        raise TrajectoryError(f"{episode.folder}: files missing or changed: {shown}")
