"""Training-data export: recorded episodes -> the files a trainer reads.

Formats (``EXPORT_FORMATS``):

    llamafactory   LLaMA-Factory sharegpt rows (messages + images) and its dataset_info.json
    swift          ms-swift rows (messages with per-turn loss + images)
    hf             a Hugging Face ``datasets`` parquet data set, one row per step, images embedded
    aitw           Android-in-the-Wild style steps: action type ids, normalized (y, x) touch/lift points
    odyssey        GUI-Odyssey style episode annotations: CLICK/SCROLL/TEXT… with 0-1000 coordinates

The one rule every format keeps: coordinates are computed from the action in DEVICE pixels through
the target's own coordinate space (``CoordinateSpace.to_model``), never by rescaling the model's
numbers, and the images written are exactly the pixels those coordinates refer to.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..actions import Point, Size, points_of
from ..perception import CoordinateSpace, DeviceAction, ModelAction
from ._discover import find_episodes, package_version
from ._errors import TrajectoryError
from ._reader import Episode, read_episode
from ._schema import StepRecord

__all__ = [
    "EXPORT_FORMATS",
    "LLAMAFACTORY_MAX_PIXELS",
    "ExportOptions",
    "ExportReport",
    "ImageStore",
    "export",
    "trainable",
]

EXPORT_FORMATS = ("llamafactory", "swift", "hf", "aitw", "odyssey")
LLAMAFACTORY_MAX_PIXELS = 768 * 768
"""LLaMA-Factory's default ``image_max_pixels``: images above it are shrunk before the processor sees
them, so absolute coordinates must be computed for that size (or the cap raised)."""

MANIFEST = "export.json"


@dataclass(frozen=True)
class ExportOptions:
    """What to export and how.

    ``history_images``: screenshots per sample, the current one included (re-renders every prompt with
    that window; None keeps the prompt the model saw where the pixel budget allows). ``max_pixels``:
    the pixel budget the trainer feeds (chat formats; default: LLaMA-Factory's 768*768 for
    ``llamafactory``, the dialect's own for ``swift``). ``max_tokens``: a hard budget per sample for
    long episodes (older history lines are dropped, as the planner does live).
    """

    format: str
    out: Path
    history_images: int | None = None
    max_pixels: int | None = None
    max_tokens: int | None = None
    only_success: bool = False
    include_unfinished: bool = False

    def __post_init__(self) -> None:
        if self.format not in EXPORT_FORMATS:
            raise TrajectoryError(f"unknown export format {self.format!r}", hint="use one of " + ", ".join(EXPORT_FORMATS))
        if self.history_images is not None and self.history_images < 1:
            raise TrajectoryError(f"--history-images must be at least 1 (the current screen), got {self.history_images}")
        if self.max_pixels is not None and self.max_pixels < 28 * 28:
            raise TrajectoryError(f"--max-pixels {self.max_pixels} is below one 28x28 patch", hint="e.g. --max-pixels 589824 (768*768)")


@dataclass
class ExportReport:
    """What an export wrote and what it left out (and why)."""

    format: str
    out: Path
    episodes: int = 0
    samples: int = 0
    images: int = 0
    files: list[str] = field(default_factory=list)
    skipped_episodes: list[str] = field(default_factory=list)
    skipped_steps: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        doc = asdict(self)
        doc["out"] = str(self.out)
        return doc


# ---- shared pieces ------------------------------------------------------------------------------


def trainable(step: StepRecord) -> bool:
    """A step whose action is a sound target: parsed, valid, mapped to device pixels, not refused."""
    return step.error is None and step.model_action is not None and step.device_action is not None


def device_action_of(step: StepRecord) -> DeviceAction:
    """The step's action in device pixels (what ran, or would have: terminate/answer never reach a driver)."""
    if step.device_action is not None:
        return step.device_action
    if step.model_action is None:
        raise TrajectoryError(f"step {step.index} has no action")
    return step.model_action.space.to_device(step.model_action)


def in_space(step: StepRecord, space: CoordinateSpace) -> ModelAction:
    """The step's action in ``space``, with whole numbers as a model writes them, kept on the image."""
    device = device_action_of(step)
    if device.size != space.device:  # the frame the space was made for is the screen the action was on
        device = DeviceAction(action=_scale(device.action, device.size, space.device), size=space.device)
    mapped = space.to_model(device, integral=True)
    hi_x, hi_y = (space.model.width, space.model.height) if space.convention == "relative" else (space.model.width - 1, space.model.height - 1)
    fixed = {name: Point(min(max(p.x, 0), hi_x), min(max(p.y, 0), hi_y)) for name, p in points_of(mapped.action).items()}
    return ModelAction(action=mapped.action.model_copy(update=fixed), space=space) if fixed else mapped


def _scale(action: Any, a: Size, b: Size) -> Any:
    update = {n: Point(p.x * b.width / a.width, p.y * b.height / a.height) for n, p in points_of(action).items()}
    return action.model_copy(update=update)


class ImageStore:
    """Writes each (frame, size) once under ``out/images/<episode>/`` and returns its relative path."""

    def __init__(self, out: Path, folder: str = "images") -> None:
        self.out = out
        self.folder = folder
        self._written: dict[tuple[Path, Size | None], str] = {}

    def __len__(self) -> int:
        return len(self._written)

    def put(self, source: Path, episode_id: str, size: Size | None = None, *, name: str | None = None) -> str:
        """``source`` resized to ``size`` (None: as captured) as PNG; the path relative to ``out``."""
        key = (source, size)
        if key in self._written:
            return self._written[key]
        stem = name or source.stem + (f"-{size.width}x{size.height}" if size else "")
        rel = f"{self.folder}/{_safe(episode_id)}/{stem}.png"
        target = self.out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        write_png(source, target, size)
        self._written[key] = rel
        return rel


def write_png(source: Path, target: Path, size: Size | None) -> None:
    """The frame as PNG at ``size``, resized as the planner resizes what it sends (bicubic)."""
    from PIL import Image

    if size is None and source.suffix.lower() == ".png":
        target.write_bytes(source.read_bytes())
        return
    with Image.open(source) as img:
        picture = img.convert("RGB")
    if size is not None and picture.size != tuple(size):
        picture = picture.resize(tuple(size), Image.Resampling.BICUBIC)
    picture.save(target, format="PNG", compress_level=3)  # level 6 costs twice the time for 5 % less


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name) or "episode"


def select_episodes(sources: Iterable[Path | str], options: ExportOptions, report: ExportReport) -> list[Episode]:
    """The episodes to export: finished ones (unless asked otherwise), successful ones with --only-success."""
    chosen = []
    for folder in find_episodes(sources):
        try:
            episode = read_episode(folder)
        except TrajectoryError as exc:  # one damaged episode must not sink a whole export
            report.skipped_episodes.append(f"{folder.name}: damaged ({exc.message})")
            continue
        meta = episode.meta
        if meta.outcome is None and not options.include_unfinished:
            report.skipped_episodes.append(f"{meta.id}: unfinished (no outcome; it may have crashed)")
            continue
        if options.only_success and meta.outcome != "success":
            report.skipped_episodes.append(f"{meta.id}: outcome {meta.outcome or 'none'} (--only-success)")
            continue
        chosen.append(episode)
    return chosen


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> int:
    """Rows as JSON lines (UTF-8, not ASCII-escaped); returns how many."""
    n = 0
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    tmp.replace(path)
    return n


# ---- the entry point ----------------------------------------------------------------------------


def export(sources: Iterable[Path | str], options: ExportOptions) -> ExportReport:
    """Export the episodes under ``sources`` (episode folders or folders of runs) into ``options.out``."""
    out = Path(options.out)
    out.mkdir(parents=True, exist_ok=True)
    report = ExportReport(format=options.format, out=out)
    episodes = select_episodes(sources, options, report)
    if not episodes:
        raise TrajectoryError("no episode left to export: " + ("; ".join(report.skipped_episodes[:3]) or "none found"),
                              hint="drop --only-success, or pass --include-unfinished for runs that never ended")
    _writer(options.format)(episodes, options, report)  # counts the episodes and samples it writes
    manifest = {"screenpilot": package_version(), "made_at": time.time(),
                "options": {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(options).items()},
                "sources": [str(e.folder) for e in episodes], **report.to_json()}
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    report.files.append(MANIFEST)
    return report


def _writer(fmt: str) -> Callable[[list[Episode], ExportOptions, ExportReport], None]:
    if fmt in ("llamafactory", "swift"):
        from ._export_chat import write_chat

        return write_chat
    if fmt == "hf":
        from ._export_hf import write_hf

        return write_hf
    from ._export_phone import write_aitw, write_odyssey

    return write_aitw if fmt == "aitw" else write_odyssey
