"""Training-data export: recorded episodes -> the files a trainer or a data set's own tooling reads.

The formats are one table (``EXPORT_FORMATS`` in ``_export_formats.py``: name -> writer, the files it
writes, a one-line description, the options it honours); this module is what every format shares:
the options, the report, which episodes are taken, and the rules every writer keeps.

The one rule every format keeps: coordinates are computed from the action in DEVICE pixels through
the target's own coordinate space (``CoordinateSpace.to_model``), never by rescaling the model's
numbers, and the images written are exactly the pixels those coordinates refer to.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from ..actions import Point, Size, points_of
from ..perception import CoordinateSpace, DeviceAction, ModelAction
from ._discover import EpisodeSources, find_episodes, package_version
from ._errors import TrajectoryError
from ._export_formats import EXPORT_FORMATS, FORMAT_OPTIONS, ExportFormat
from ._reader import Episode, read_episode
from ._schema import StepRecord

__all__ = [
    "EXPORT_FORMATS",
    "LLAMAFACTORY_MAX_PIXELS",
    "EpisodeSources",
    "ExportFormat",
    "ExportOptionError",
    "ExportOptions",
    "ExportReport",
    "ImageStore",
    "actor_of",
    "export",
    "instruction_of",
    "is_replay",
    "trainable",
]

"""What every function that takes episodes accepts: an episode folder or a folder of runs (str or
Path), or a list of them."""
LLAMAFACTORY_MAX_PIXELS = 768 * 768
"""LLaMA-Factory's default ``image_max_pixels``: images above it are shrunk before the processor sees
them, so absolute coordinates must be computed for that size (or the cap raised)."""

MANIFEST = "export.json"


class ExportOptionError(TrajectoryError):
    """An option that cannot work (a pixel budget too small for the screens, ``--out`` naming a file, an
    option the format does not use): the user's to fix, found before anything is written. ``option`` is
    the command-line flag at fault."""

    def __init__(self, message: str, *, hint: str | None = None, option: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.option = option


@dataclass(frozen=True)
class ExportOptions:
    """What to export and how.

    ``history_images``: screenshots per sample, the current one included (re-renders every prompt with
    that window; None keeps the prompt the model saw where the pixel budget allows). ``max_pixels``:
    the pixel budget the trainer feeds (chat formats; default: LLaMA-Factory's 768*768 for
    ``llamafactory``, the dialect's own for ``swift``). ``max_tokens``: a hard budget per sample, reply
    included (older history is windowed out, as the planner does live). ``keep_invalid_turns``: keep
    unparseable or refused replies as assistant turns of later samples' history (as the model saw them;
    trainers learn every assistant turn unless told otherwise), instead of only as "[not executed]" lines.
    ``include_replays``: also episodes that replayed another one (they repeat its samples).
    ``tfrecord``: also write the data set's own TFRecord form (``aitw``).
    """

    format: str
    out: Path | str
    history_images: int | None = None
    max_pixels: int | None = None
    max_tokens: int | None = None
    only_success: bool = False
    include_unfinished: bool = False
    include_replays: bool = False
    keep_invalid_turns: bool = False
    tfrecord: bool = False

    def __post_init__(self) -> None:
        if self.format not in EXPORT_FORMATS:
            raise ExportOptionError(f"unknown export format {self.format!r}",
                                    hint="use one of " + ", ".join(EXPORT_FORMATS), option="--format")
        if self.history_images is not None and self.history_images < 1:
            raise ExportOptionError(f"--history-images must be at least 1 (the current screen), got {self.history_images}",
                                    option="--history-images")
        if self.max_pixels is not None and self.max_pixels < 28 * 28:
            raise ExportOptionError(f"--max-pixels {self.max_pixels} is below one 28x28 patch",
                                    hint="e.g. --max-pixels 589824 (768*768)", option="--max-pixels")
        if self.max_tokens is not None and self.max_tokens < 1:
            raise ExportOptionError(f"--max-tokens must be positive, got {self.max_tokens}", option="--max-tokens")
        defaults = {f.name: f.default for f in fields(self)}
        honoured = self.spec.options
        unused = [flag for name, flag in FORMAT_OPTIONS.items()
                  if name not in honoured and getattr(self, name) != defaults[name]]
        if unused:
            users = sorted(n for n, f in EXPORT_FORMATS.items() if any(
                k in f.options for k, flag in FORMAT_OPTIONS.items() if flag in unused))
            raise ExportOptionError(f"{self.format} does not use {', '.join(unused)}",
                                    hint="it is for " + ", ".join(users) if users else None, option=unused[0])

    @property
    def spec(self) -> ExportFormat:
        """The format's row of the table."""
        return EXPORT_FORMATS[self.format]


@dataclass
class ExportReport:
    """What an export wrote and what it left out (and why).

    ``taken``: episodes written, by source (agent, human, scripted, replay). ``warnings``: what the
    user must act on when training (a resized pixel budget, a sequence length over a trainer's default).
    ``tokens``: the longest sample and what each trainer must be told (chat formats).
    """

    format: str
    out: Path
    episodes: int = 0
    samples: int = 0
    images: int = 0
    files: list[str] = field(default_factory=list)
    taken: dict[str, int] = field(default_factory=dict)
    skipped_episodes: list[str] = field(default_factory=list)
    skipped_steps: list[str] = field(default_factory=list)
    untranslated: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    tokens: dict[str, Any] = field(default_factory=dict)
    trainer_settings: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        doc = asdict(self)
        doc["out"] = str(self.out)
        return doc

    def untranslatable(self, where: str, why: str, kind: str) -> None:
        """A step the layout has no word for: listed with its reason and counted by action kind."""
        self.skipped_steps.append(f"{where}: {why}")
        self.untranslated[kind] = self.untranslated.get(kind, 0) + 1


# ---- shared pieces ------------------------------------------------------------------------------


def actor_of(step: StepRecord) -> str:
    """Who chose the step's action: the model, a person demonstrating, or a replay (``model`` when the
    record does not say)."""
    return str(getattr(step, "actor", None) or "model")


def instruction_of(step: StepRecord) -> str | None:
    """The step's own instruction (a person's per-step goal), when one was recorded."""
    text = getattr(step, "instruction", None)
    return text.strip() or None if isinstance(text, str) else None


def trainable(step: StepRecord) -> bool:
    """A step whose action is a sound target: parsed, valid, mapped to device pixels, not refused.

    A person's step needs no model-space action (people act on the device); exporters compute every
    coordinate from device pixels anyway.
    """
    if step.error is not None or step.device_action is None:
        return False
    return step.model_action is not None or actor_of(step) == "person"


def is_replay(episode: Episode) -> bool:
    """An episode that re-ran another one (``screenpilot replay``, or ``--model replay:``): its steps
    repeat the source's, so exporting both counts each sample twice."""
    meta = episode.meta
    return "replay" in meta.config or meta.model.startswith("replay:")


def source_label(episode: Episode) -> str:
    return "replay" if is_replay(episode) else episode.meta.source


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
    hi_x, hi_y = space.largest
    fixed = {name: Point(min(max(p.x, 0), hi_x), min(max(p.y, 0), hi_y)) for name, p in points_of(mapped.action).items()}
    return ModelAction(action=mapped.action.model_copy(update=fixed), space=space) if fixed else mapped


def _scale(action: Any, a: Size, b: Size) -> Any:
    update = {n: Point(p.x * b.width / a.width, p.y * b.height / a.height) for n, p in points_of(action).items()}
    return action.model_copy(update=update)


class ImageStore:
    """Writes each (frame, size) once under ``out/images/<episode>/`` and returns its relative path.

    ``flat``: every file straight in the folder, named ``<episode>_<name>.png`` (data sets whose tooling
    moves all screenshots into one folder, where same-named files would overwrite each other).
    """

    def __init__(self, out: Path, folder: str = "images", *, flat: bool = False) -> None:
        self.out = out
        self.folder = folder
        self.flat = flat
        self._written: dict[tuple[Path, Size | None], str] = {}

    def __len__(self) -> int:
        return len(self._written)

    def put(self, source: Path, episode_id: str, size: Size | None = None, *, name: str | None = None) -> str:
        """``source`` resized to ``size`` (None: as captured) as PNG; the path relative to ``out``."""
        key = (source, size)
        if key in self._written:
            return self._written[key]
        stem = name or source.stem + (f"-{size.width}x{size.height}" if size else "")
        rel = f"{self.folder}/{safe_name(episode_id)}{'_' if self.flat else '/'}{stem}.png"
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


def safe_name(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name) or "episode"


def export_extra(module: str, purpose: str) -> Any:
    """A module of the ``export`` extra, or the one-line error that says how to install it."""
    from importlib import import_module

    try:
        return import_module(module)
    except ImportError as exc:
        raise TrajectoryError(f"{purpose} needs the {module.partition('.')[0]} package ({exc})",
                              hint="pip install 'screenpilot[export]'") from None


def select_episodes(sources: EpisodeSources, options: ExportOptions, report: ExportReport) -> list[Episode]:
    """The episodes to export: finished ones (unless asked otherwise), successful ones with
    --only-success, no replays unless --include-replays, and only the device kinds the format carries."""
    chosen = []
    kinds = options.spec.kinds
    for folder in find_episodes(sources):
        try:
            episode = read_episode(folder)
        except TrajectoryError as exc:  # one damaged episode must not sink a whole export
            report.skipped_episodes.append(f"{folder.name}: damaged ({exc.message})")
            continue
        meta = episode.meta
        if meta.outcome is None and not options.include_unfinished:
            report.skipped_episodes.append(f"{meta.id}: unfinished (no outcome; it may have crashed)")
        elif options.only_success and meta.outcome != "success":
            report.skipped_episodes.append(f"{meta.id}: outcome {meta.outcome or 'none'} (--only-success)")
        elif is_replay(episode) and not options.include_replays:
            report.skipped_episodes.append(f"{meta.id}: a replay (its samples repeat its source's; --include-replays takes it)")
        elif meta.device.kind not in kinds:
            report.skipped_episodes.append(f"{meta.id}: a {meta.device.kind} episode ({options.format} is a "
                                           f"{'/'.join(kinds)} layout)")
        else:
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


def export(sources: EpisodeSources, options: ExportOptions) -> ExportReport:
    """Export the episodes under ``sources`` (an episode folder, a folder of runs, or a list of them;
    str or Path) into ``options.out``. Usage errors (``ExportOptionError``) are raised before anything
    is written."""
    out = Path(options.out)
    if out.exists() and not out.is_dir():
        raise ExportOptionError(f"--out {out} is a file, not a folder", hint="give a folder to write the data set in",
                                option="--out")
    spec = options.spec
    report = ExportReport(format=options.format, out=out)
    episodes = select_episodes(sources, options, report)
    if not episodes:
        raise TrajectoryError("no episode left to export: " + ("; ".join(report.skipped_episodes[:3]) or "none found"),
                              hint="drop --only-success, or pass --include-unfinished / --include-replays")
    spec.check(episodes, options)
    out.mkdir(parents=True, exist_ok=True)
    before = len(report.skipped_episodes)
    spec.write(episodes, options, report)  # counts the episodes and samples it writes
    left = {line.split(":", 1)[0] for line in report.skipped_episodes[before:]}  # a writer may leave one out
    report.taken = dict(Counter(source_label(e) for e in episodes if e.meta.id not in left))
    manifest = {"screenpilot": package_version(), "made_at": time.time(),
                "options": {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(options).items()},
                "sources": [str(e.folder) for e in episodes], **report.to_json()}
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    report.files.append(MANIFEST)
    return report
