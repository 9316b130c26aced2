"""Per-step instructions written after recording: a sidecar file a person edits, read with the episode.

``screenpilot annotate DIR`` writes ``annotations.yaml`` beside ``steps.jsonl``: one entry per step with
what it did (for the person's eye) and an ``instruction`` to fill in ("Open the Notes app", "Type the
title"). ``read_episode`` lays the filled ones over the steps' own ``instruction``, so every reader of
the episode (the exports with per-step instruction fields: AndroidControl's ``step_instructions``,
GUI-Odyssey's ``low_level_instruction``, the chat formats' metadata) gets them without the steps file
ever being rewritten.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from ._errors import TrajectoryError
from ._jsonl import atomic_write

__all__ = ["ANNOTATIONS_FILE", "read_annotations", "write_annotations"]

ANNOTATIONS_FILE = "annotations.yaml"

_HEADER = """\
# Per-step instructions for episode {id}
# task: {task}
# Fill in `instruction` with what each step does, in words ("Open the Notes app", "Type the note's
# title"). Exports that have per-step instructions use them (AndroidControl's step_instructions,
# GUI-Odyssey's low_level_instruction); a step left empty is worded from its action there.
# `index` is the step's number in steps.jsonl (from 0); `did` is shown for you and never read.
"""


def read_annotations(folder: Path | str) -> dict[int, str]:
    """The filled-in instructions of an episode's sidecar, by step index ({} without a sidecar)."""
    path = Path(folder) / ANNOTATIONS_FILE
    if not path.exists():
        return {}
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise TrajectoryError(f"{path} is not valid YAML: {exc}", hint="fix it, or delete it and run screenpilot annotate again") from None
    entries = doc.get("steps") if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        raise TrajectoryError(f"{path} has no `steps:` list", hint="run screenpilot annotate again to see its form")
    found: dict[int, str] = {}
    for n, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or not isinstance(entry.get("index"), int) or isinstance(entry.get("index"), bool):
            raise TrajectoryError(f"{path}: entry {n} needs an integer `index`")
        text = entry.get("instruction")
        if text is None:
            continue
        if not isinstance(text, str):
            raise TrajectoryError(f"{path}: the instruction of step {entry['index']} is not text")
        if text.strip():
            found[entry["index"]] = text.strip()
    return found


def write_annotations(folder: Path | str, episode_id: str, task: str, steps: Iterable[Mapping[str, Any]]) -> Path:
    """Write the sidecar (atomically): ``steps`` are ``{"index", "did", "instruction"}`` mappings."""
    path = Path(folder) / ANNOTATIONS_FILE
    body = yaml.safe_dump({"steps": [dict(s) for s in steps]}, sort_keys=False, allow_unicode=True, width=120)
    header = _HEADER.format(id=episode_id, task=" ".join(task.split()))
    atomic_write(path, (header + body).encode("utf-8"), fsync=True)
    return path
