"""Android-in-the-Wild (AITW): one record per step with the data set's own feature names.

Written with the fields AITW's action-matching code reads: ``results/action_type`` (its ActionType ids),
``results/yx_touch`` / ``results/yx_lift`` as normalized (y, x) (a tap has touch = lift; a swipe is
told from a tap by their distance, > 0.04), ``results/type_action``, and the UI annotations of the
screen (``image/ui_annotations_positions`` as normalized (y, x, height, width) per element, with
their ``_text`` and ``_ui_types``) taken from the recorded UI tree. ``android_api_level`` is an int,
``current_activity`` is on every step.

AITW has no long press: a long press is a DUAL_POINT with touch = lift (what the matcher compares),
told apart by ``results/action_name`` = ``LONG_PRESS`` and ``results/duration_ms``. Actions AITW has
no type for (open an app by name, wait, most keys) are left out, listed and counted.

``aitw.jsonl`` has one row per step (the image as a PNG path); ``--tfrecord`` also writes
``aitw.tfrecord.gz``: GZIP TFRecord ``tf.train.Example`` records as the data set ships them, the
screenshot as raw uint8 RGB pixels in ``image/encoded`` (height x width x channels).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..actions import Answer, Key, LongPress, Swipe, SystemButton, Tap, Terminate, Type
from ._export import (
    ExportOptions,
    ExportReport,
    ImageStore,
    actor_of,
    device_action_of,
    instruction_of,
    write_jsonl,
)
from ._export_phone import (
    Untranslatable,
    current_activity,
    key_name,
    labelled,
    sdk_level,
    translatable_steps,
    ui_elements,
)
from ._reader import Episode
from ._schema import StepRecord

__all__ = ["AITW_ACTION_TYPES", "aitw_step", "ui_annotations", "write_aitw"]

AITW_ACTION_TYPES = {"TYPE": 3, "DUAL_POINT": 4, "PRESS_BACK": 5, "PRESS_HOME": 6, "PRESS_ENTER": 7,
                     "STATUS_TASK_COMPLETE": 10, "STATUS_TASK_IMPOSSIBLE": 11}
"""The ``results/action_type`` ids of AITW's ActionType enum."""

_NO_POINT = [-1.0, -1.0]  # AITW's touch/lift for actions that are not gestures
TFRECORD = "aitw.tfrecord.gz"


def aitw_step(step: StepRecord) -> dict[str, Any]:
    """The ``results/*`` fields of one step (raises Untranslatable)."""
    device = device_action_of(step)
    action, (w, h) = device.action, device.size
    touch = lift = _NO_POINT
    text, name, duration = "", "", 0
    match action:
        case Tap(point=p):
            kind, name = "DUAL_POINT", "TAP"
            touch = lift = [p.y / h, p.x / w]
        case LongPress(point=p, duration_ms=ms):
            kind, name, duration = "DUAL_POINT", "LONG_PRESS", ms
            touch = lift = [p.y / h, p.x / w]
        case Swipe(start=a, end=b, duration_ms=ms):
            kind, name, duration = "DUAL_POINT", "SWIPE", ms
            touch, lift = [a.y / h, a.x / w], [b.y / h, b.x / w]
        case Type(text=t):
            kind, text = "TYPE", t
        case Key() | SystemButton():
            key = key_name(action)
            kinds = {"back": "PRESS_BACK", "home": "PRESS_HOME", "enter": "PRESS_ENTER"}
            if key not in kinds:
                raise Untranslatable(f"AITW has no key {key!r}", f"key {key}")
            kind = kinds[key]
        case Terminate(status=status):
            kind = "STATUS_TASK_COMPLETE" if status == "success" else "STATUS_TASK_IMPOSSIBLE"
        case Answer(text=t):
            kind, text = "STATUS_TASK_COMPLETE", t  # AITW ends with a status; the answer rides in type_action
        case _:
            raise Untranslatable(f"AITW has no {action.action!r} action", action.action)
    return {"results/action_type": AITW_ACTION_TYPES[kind], "results/action_name": name or kind,
            "results/type_action": text, "results/yx_touch": touch, "results/yx_lift": lift,
            "results/duration_ms": duration}


def ui_annotations(episode: Episode, step: StepRecord) -> dict[str, Any]:
    """The screen's elements as AITW's UI annotations: normalized (y, x, height, width), text, type."""
    w, h = step.frame.size
    positions: list[float] = []
    texts, types = [], []
    for e in labelled(ui_elements(episode, step), (w, h)):
        b = e.bounds
        left, top, right, bottom = max(b.left, 0), max(b.top, 0), min(b.right, w), min(b.bottom, h)
        positions += [top / h, left / w, (bottom - top) / h, (right - left) / w]
        texts.append(e.text or e.description)
        types.append("TEXT" if e.text else "ICON")
    return {"image/ui_annotations_positions": positions, "image/ui_annotations_text": texts,
            "image/ui_annotations_ui_types": types}


def _rows(episode: Episode, report: ExportReport, store: ImageStore) -> list[tuple[StepRecord, dict[str, Any]]]:
    meta, device = episode.meta, episode.meta.device
    translated = []
    for step in translatable_steps(episode, report):
        try:
            translated.append((step, aitw_step(step)))
        except Untranslatable as exc:
            report.untranslatable(f"{meta.id} step {step.index}", str(exc), exc.kind)
    rows = []
    activity = ""
    for k, (step, results) in enumerate(translated):
        size = step.frame.size
        activity = current_activity(episode, step, ui_elements(episode, step), k == 0) or activity  # else: unchanged
        rows.append((step, {
            "episode_id": meta.id, "step_id": k, "source_step": step.index, "episode_length": len(translated),
            "goal_info": meta.instruction, "android_api_level": sdk_level(device.os) or 0,
            "device_type": device.model,
            "current_activity": activity,
            "image/height": size.height, "image/width": size.width, "image/channels": 3,
            "image/path": store.put(episode.path(step.frame), meta.id),
            **ui_annotations(episode, step), **results,
            "actor": actor_of(step), "step_instruction": instruction_of(step) or "",
        }))
    return rows


def _example(episode: Episode, step: StepRecord, row: dict[str, Any]) -> dict[str, Any]:
    """One row as the data set's ``tf.train.Example`` features (the screenshot as raw RGB pixels)."""
    from PIL import Image

    from ._export_tfrecord import feature

    with Image.open(episode.path(step.frame)) as img:
        pixels = img.convert("RGB").tobytes()
    ints = ("android_api_level", "episode_length", "image/channels", "image/height", "image/width",
            "results/action_type", "step_id")
    texts = ("current_activity", "device_type", "episode_id", "goal_info", "results/type_action")
    doc = {name: feature(row[name], "int") for name in ints}
    doc |= {name: feature(row[name], "byte") for name in texts}
    doc |= {"image/encoded": feature(pixels, "byte"),
            "image/ui_annotations_positions": feature(row["image/ui_annotations_positions"], "float"),
            "image/ui_annotations_text": feature(row["image/ui_annotations_text"], "byte"),
            "image/ui_annotations_ui_types": feature(row["image/ui_annotations_ui_types"], "byte"),
            "results/yx_touch": feature(row["results/yx_touch"], "float"),
            "results/yx_lift": feature(row["results/yx_lift"], "float")}
    return doc


def write_aitw(episodes: list[Episode], options: ExportOptions, report: ExportReport) -> None:
    out = Path(options.out)
    store = ImageStore(out)
    rows: list[tuple[Episode, StepRecord, dict[str, Any]]] = []
    for episode in episodes:
        rows += [(episode, step, row) for step, row in _rows(episode, report, store)]
        report.episodes += 1
    report.samples = write_jsonl(out / "aitw.jsonl", (row for _, _, row in rows))
    report.images = len(store)
    report.files += ["aitw.jsonl", "images/"]
    if options.tfrecord:
        from ._export_tfrecord import gzip_tfrecord

        with gzip_tfrecord(out / TFRECORD) as writer:
            for episode, step, row in rows:
                writer.write(_example(episode, step, row))
        report.files.append(TFRECORD)
