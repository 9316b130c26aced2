"""A Hugging Face ``datasets`` data set: one parquet row per step, the screenshots embedded.

Every step is a row, invalid turns included (``trainable`` says which are sound targets), so the
data set is the whole trajectory, filterable with ``ds.filter``. Screenshots are the device's own
bytes (no resize: the trainer's processor decides sizes); the action is given in device pixels
(``x``, ``y``, ``x2``, ``y2``), in the model's recorded space (``model_action`` + ``model_space``), and
normalized 0..1 (``nx``, ``ny``, ``nx2``, ``ny2``). Nested records (UI tree, request, timings) are JSON
strings, so the schema is the same for every row and every episode.

The dataset card (README.md) lists the features and one config whose name is a fingerprint of the
shards' bytes, marked default: ``load_dataset(DIR)`` builds its cache under that name, so a re-export
into the same folder, or another folder of the same name, is never answered from a stale cache (the
cache of a local folder is keyed by its name and its card, not by the data files' contents).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ._export import (
    ExportOptions,
    ExportReport,
    actor_of,
    device_action_of,
    export_extra,
    instruction_of,
    trainable,
)
from ._reader import Episode
from ._schema import StepRecord

__all__ = ["SHARD_ROWS", "hf_features", "write_hf"]

SHARD_ROWS = 200
"""Rows per parquet file: bounds the memory an export holds (each row carries two screenshots)."""


def hf_features() -> Any:
    from datasets import Features, Image, Value

    text = Value("string")
    return Features({
        "episode_id": text, "step": Value("int32"), "instruction": text, "outcome": text, "decided_by": text,
        "source": text, "model": text, "dialect": text, "device_kind": text, "os": text,
        "image": Image(), "image_after": Image(), "width": Value("int32"), "height": Value("int32"),
        "action_type": text, "action": text, "model_action": text, "model_space": text,
        "x": Value("float32"), "y": Value("float32"), "x2": Value("float32"), "y2": Value("float32"),
        "nx": Value("float32"), "ny": Value("float32"), "nx2": Value("float32"), "ny2": Value("float32"),
        "text": text, "thought": text, "summary": text, "raw_output": text, "call": text,
        "error": text, "error_kind": text, "executed": Value("bool"), "trainable": Value("bool"),
        "element": text, "ui_tree": text, "request": text, "result": text, "timings": text,
        "started_at": Value("float64"), "actor": text, "step_instruction": text,
    })


def _image(episode: Episode, path: str | None) -> dict[str, Any] | None:
    if path is None:
        return None
    file = episode.folder / path
    if not file.exists():  # an after-frame a crash lost: the next step's frame shows the same screen
        return None
    return {"bytes": file.read_bytes(), "path": Path(path).name}


def _json(value: Any) -> str | None:
    if value is None:
        return None
    if hasattr(value, "model_dump"):
        value = value.model_dump(mode="json")
    return json.dumps(value, ensure_ascii=False)


def _row(episode: Episode, step: StepRecord) -> dict[str, Any]:
    meta = episode.meta
    size = step.frame.size
    row: dict[str, Any] = {
        "episode_id": meta.id, "step": step.index, "instruction": meta.instruction, "outcome": meta.outcome,
        "decided_by": meta.decided_by, "source": meta.source, "model": meta.model, "dialect": meta.dialect,
        "device_kind": meta.device.kind, "os": meta.device.os,
        "image": _image(episode, step.frame.path),
        "image_after": _image(episode, step.frame_after.path if step.frame_after else None),
        "width": size.width, "height": size.height,
        "action_type": None, "action": None, "model_action": None, "model_space": None,
        "x": None, "y": None, "x2": None, "y2": None, "nx": None, "ny": None, "nx2": None, "ny2": None, "text": None,
        "thought": step.thought, "summary": step.summary, "raw_output": step.raw_output, "call": step.call,
        "error": step.error, "error_kind": step.error_kind, "executed": step.executed, "trainable": trainable(step),
        "element": _json(step.element), "ui_tree": None, "request": _json(step.request), "result": _json(step.result),
        "timings": _json(step.timings), "started_at": step.started_at,
        "actor": actor_of(step), "step_instruction": instruction_of(step),
    }
    if step.ui_tree and (episode.folder / step.ui_tree).exists():
        row["ui_tree"] = (episode.folder / step.ui_tree).read_text(encoding="utf-8")
    if step.model_action is not None:
        row["model_action"] = _json(step.model_action.action)
        row["model_space"] = _json(step.model_action.space)
    if step.device_action is not None or step.model_action is not None:
        try:
            device = device_action_of(step)
        except Exception:  # noqa: BLE001 - an off-screen model point: no device numbers to give
            device = None
        action = device.action if device is not None else step.model_action.action  # type: ignore[union-attr]
        row["action_type"] = action.action
        row["action"] = _json(action)
        row["text"] = getattr(action, "text", None)
        if device is not None:
            w, h = device.size
            first = getattr(action, "point", None) or getattr(action, "start", None)
            second = getattr(action, "end", None)
            if first is not None:
                row.update(x=first.x, y=first.y, nx=first.x / w, ny=first.y / h)
            if second is not None:
                row.update(x2=second.x, y2=second.y, nx2=second.x / w, ny2=second.y / h)
    return row


def _rows(episodes: list[Episode]) -> Iterator[dict[str, Any]]:
    for episode in episodes:
        for step in episode.steps:
            yield _row(episode, step)


def write_hf(episodes: list[Episode], options: ExportOptions, report: ExportReport) -> None:
    datasets = export_extra("datasets", "the hf export")
    bars = datasets.is_progress_bar_enabled()
    datasets.disable_progress_bars()  # an export prints one summary line, not a bar per shard
    try:
        _write(datasets.Dataset, episodes, options, report)
    finally:
        if bars:
            datasets.enable_progress_bars()


def _write(Dataset: Any, episodes: list[Episode], options: ExportOptions, report: ExportReport) -> None:

    out = Path(options.out)
    data = out / "data"
    data.mkdir(parents=True, exist_ok=True)
    for old in data.glob("train-*.parquet"):  # a re-export replaces the shards, never mixes them
        old.unlink()
    features = hf_features()
    shards: list[list[dict[str, Any]]] = [[]]
    count = images = 0
    names: list[str] = []

    def flush() -> None:
        rows = shards.pop()
        shards.append([])
        if rows:
            name = f"data/train-{len(names):05d}.parquet"
            Dataset.from_list(rows, features=features).to_parquet(str(out / name))
            names.append(name)

    for row in _rows(episodes):
        shards[-1].append(row)
        count += 1
        images += (row["image"] is not None) + (row["image_after"] is not None)
        if len(shards[-1]) >= SHARD_ROWS:
            flush()
    flush()
    report.samples = count
    report.images = images  # embedded in the parquet files
    report.episodes = len(episodes)
    report.files += names + ["README.md"]
    (out / "README.md").write_text(_card(report, names, out, features), encoding="utf-8")


def _yaml_features(features: Any) -> list[dict[str, Any]]:
    """The features as a dataset card lists them (``datasets``' own YAML form)."""
    try:
        return features._to_yaml_list()  # type: ignore[no-any-return]
    except AttributeError:  # a datasets without it: name and dtype are what a card needs
        return [{"name": name, "dtype": getattr(f, "dtype", None) or type(f).__name__.lower()}
                for name, f in features.items()]


def _card(report: ExportReport, names: list[str], out: Path, features: Any) -> str:
    """A dataset card: features, sizes, and a default config named after the shards' contents, so
    ``load_dataset(DIR)`` finds the shards and never reads a stale cache."""
    import yaml

    digest = hashlib.sha256()
    size = 0
    for name in names:
        with (out / name).open("rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                digest.update(chunk)
                size += len(chunk)
    config = f"export-{digest.hexdigest()[:16]}"
    header = {
        "configs": [{"config_name": config, "default": True,
                     "data_files": [{"split": "train", "path": "data/train-*.parquet"}]}],
        "dataset_info": {"config_name": config, "features": _yaml_features(features),
                         "splits": [{"name": "train", "num_bytes": size, "num_examples": report.samples}],
                         "download_size": size, "dataset_size": size},
    }
    return ("---\n" + yaml.safe_dump(header, sort_keys=False) + "---\n\n"
            f"# ScreenPilot trajectories\n\n{report.samples} steps from {report.episodes} episodes, one row per step, "
            f"in {len(names)} parquet file(s).\n\n"
            "```python\nfrom datasets import load_dataset\nds = load_dataset(\"DIR\", split=\"train\")   # this card's config\n"
            "# or, naming the files (cached by their paths and modification times):\n"
            "ds = load_dataset(\"parquet\", data_files=\"DIR/data/train-*.parquet\", split=\"train\")\n"
            "ds = ds.filter(lambda r: r[\"trainable\"])   # only sound targets\n"
            "ds = ds.filter(lambda r: r[\"actor\"] == \"person\")   # only demonstrations\n```\n\n"
            "`image` is the screen the model saw (device pixels, as captured), `image_after` the settled screen after "
            "the action. `x, y, x2, y2` are device pixels; `nx, ny, nx2, ny2` the same divided by the frame size; "
            "`model_action` is in the model's space `model_space`.\n")
