"""Phone data-set layouts: Android-in-the-Wild (AITW) steps and GUI-Odyssey episode annotations.

Both describe what a person's finger did, so they are written from the action in DEVICE pixels:
AITW as normalized ``(y, x)`` touch and lift points (y first, 0..1 of the frame), GUI-Odyssey as
``(x, y)`` on a 0..1000 grid (``CoordinateSpace.relative``, the same mapping Qwen3-VL uses). Actions a
layout has no word for (an app opened by name, a wait, most keys) are left out and listed in the
export's manifest; desktop episodes are left out whole.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..actions import (
    Answer,
    Key,
    LongPress,
    OpenApp,
    Swipe,
    SystemButton,
    Tap,
    Terminate,
    Type,
    normalize_phone_key,
)
from ..perception import CoordinateSpace
from ._export import ExportOptions, ExportReport, ImageStore, device_action_of, trainable, write_jsonl
from ._reader import Episode
from ._schema import StepRecord

__all__ = ["AITW_ACTION_TYPES", "aitw_step", "odyssey_step", "write_aitw", "write_odyssey"]

AITW_ACTION_TYPES = {"TYPE": 3, "DUAL_POINT": 4, "PRESS_BACK": 5, "PRESS_HOME": 6, "PRESS_ENTER": 7,
                     "STATUS_TASK_COMPLETE": 10, "STATUS_TASK_IMPOSSIBLE": 11}
"""The ``results/action_type`` ids of AITW's ActionType enum."""

_NO_POINT = [-1.0, -1.0]  # AITW's touch/lift for actions that are not gestures


class Untranslatable(ValueError):
    """The layout has no word for this action."""


def _key_name(action: Key | SystemButton) -> str:
    return action.button if isinstance(action, SystemButton) else normalize_phone_key(action.key)


def aitw_step(step: StepRecord) -> dict[str, Any]:
    """The ``results/*`` fields of one step (raises Untranslatable)."""
    device = device_action_of(step)
    action, (w, h) = device.action, device.size
    touch = lift = _NO_POINT
    text = ""
    match action:
        case Tap(point=p) | LongPress(point=p):
            kind = "DUAL_POINT"
            touch = lift = [p.y / h, p.x / w]
        case Swipe(start=a, end=b):
            kind = "DUAL_POINT"
            touch, lift = [a.y / h, a.x / w], [b.y / h, b.x / w]
        case Type(text=t):
            kind, text = "TYPE", t
        case Key() | SystemButton():
            name = _key_name(action)
            kinds = {"back": "PRESS_BACK", "home": "PRESS_HOME", "enter": "PRESS_ENTER"}
            if name not in kinds:
                raise Untranslatable(f"AITW has no key {name!r}")
            kind = kinds[name]
        case Terminate(status=status):
            kind = "STATUS_TASK_COMPLETE" if status == "success" else "STATUS_TASK_IMPOSSIBLE"
        case Answer(text=t):
            kind, text = "STATUS_TASK_COMPLETE", t  # AITW ends with a status; the answer rides in type_action
        case _:
            raise Untranslatable(f"AITW has no {action.action!r} action")
    return {"results/action_type": AITW_ACTION_TYPES[kind], "results/action_name": kind,
            "results/type_action": text, "results/yx_touch": touch, "results/yx_lift": lift}


def odyssey_step(step: StepRecord) -> tuple[str, Any, str]:
    """(action, info, ps) of one GUI-Odyssey step (raises Untranslatable)."""
    device = device_action_of(step)
    grid = CoordinateSpace.relative(device.size, 1000).to_model(device, integral=True).action
    match grid:
        case Tap(point=p):
            return "CLICK", [[int(p.x), int(p.y)]], ""
        case LongPress(point=p):
            return "LONG_PRESS", [[int(p.x), int(p.y)]], ""
        case Swipe(start=a, end=b):
            return "SCROLL", [[int(a.x), int(a.y)], [int(b.x), int(b.y)]], ""
        case Type(text=t):
            return "TEXT", t, ""
        case Key() | SystemButton():
            name = _key_name(grid)
            keys = {"back": "KEY_BACK", "home": "KEY_HOME", "app_switch": "KEY_APPSELECT", "recent_apps": "KEY_APPSELECT"}
            if name not in keys:
                raise Untranslatable(f"GUI-Odyssey has no key {name!r}")
            return "CLICK", keys[name], ""
        case Terminate(status=status):
            return ("COMPLETE" if status == "success" else "INCOMPLETE"), "", ""
        case Answer(text=t):
            return "COMPLETE", "", t
        case OpenApp():
            raise Untranslatable("GUI-Odyssey has no open-app action")
        case _:
            raise Untranslatable(f"GUI-Odyssey has no {grid.action!r} action")


def _usable(episode: Episode, report: ExportReport, layout: str) -> list[StepRecord] | None:
    meta = episode.meta
    if meta.device.kind != "phone":
        report.skipped_episodes.append(f"{meta.id}: a {meta.device.kind} episode ({layout} is a phone layout)")
        return None
    steps = []
    for step in episode.steps:
        if not trainable(step):
            report.skipped_steps.append(f"{meta.id} step {step.index}: not executed ({step.error_kind or 'no action'})")
        else:
            steps.append(step)
    return steps


def write_aitw(episodes: list[Episode], options: ExportOptions, report: ExportReport) -> None:
    out = Path(options.out)
    store = ImageStore(out)
    rows: list[dict[str, Any]] = []
    for episode in episodes:
        steps = _usable(episode, report, "AITW")
        if steps is None:
            continue
        meta, device = episode.meta, episode.meta.device
        translated = []
        for step in steps:
            try:
                translated.append((step, aitw_step(step)))
            except Untranslatable as exc:
                report.skipped_steps.append(f"{meta.id} step {step.index}: {exc}")
        for k, (step, results) in enumerate(translated):
            size = step.frame.size
            rows.append({
                "episode_id": meta.id, "step_id": k, "source_step": step.index, "episode_length": len(translated),
                "goal_info": meta.instruction, "android_api_level": _sdk(device.os), "device_type": device.model,
                "current_activity": device.foreground if k == 0 else "",
                "image/height": size.height, "image/width": size.width, "image/channels": 3,
                "image/path": store.put(episode.path(step.frame), meta.id),
                **results,
            })
        report.episodes += 1
    report.samples = write_jsonl(out / "aitw.jsonl", rows)
    report.images = len(store)
    report.files += ["aitw.jsonl", "images/"]


def write_odyssey(episodes: list[Episode], options: ExportOptions, report: ExportReport) -> None:
    out = Path(options.out)
    store = ImageStore(out, folder="screenshots")
    (out / "annotations").mkdir(parents=True, exist_ok=True)
    ids = []
    for episode in episodes:
        steps = _usable(episode, report, "GUI-Odyssey")
        if steps is None:
            continue
        meta, device = episode.meta, episode.meta.device
        written = []
        for step in steps:
            try:
                action, info, ps = odyssey_step(step)
            except Untranslatable as exc:
                report.skipped_steps.append(f"{meta.id} step {step.index}: {exc}")
                continue
            shot = store.put(episode.path(step.frame), meta.id, name=f"{step.index:06d}")
            written.append({"step": len(written), "source_step": step.index, "screenshot": shot.split("/", 1)[1],
                            "action": action, "info": info, "ps": ps})
        size = episode.steps[0].frame.size if episode.steps else device.logical_size
        doc = {
            "episode_id": meta.id,
            "device_info": {"product": device.model, "release_version": _release(device.os), "sdk_version": _sdk(device.os),
                            "h": size.height, "w": size.width, "device_name": device.model},
            "task_info": {"category": "ScreenPilot", "app": [], "meta_task": meta.instruction, "task": meta.instruction,
                          "instruction": meta.instruction},
            "step_length": len(written),
            "steps": written,
            "outcome": meta.outcome,
        }
        (out / "annotations" / f"{meta.id}.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n",
                                                              encoding="utf-8")
        ids.append(meta.id)
        report.samples += len(written)
        report.episodes += 1
    (out / "splits").mkdir(exist_ok=True)
    (out / "splits" / "screenpilot.json").write_text(json.dumps({"train": ids, "test": []}, indent=1) + "\n",
                                                     encoding="utf-8")
    report.images = len(store)
    report.files += ["annotations/", "screenshots/", "splits/screenpilot.json"]


def _sdk(os_name: str) -> str:
    return os_name.rpartition("SDK ")[2].rstrip(")") if "SDK " in os_name else ""


def _release(os_name: str) -> str:
    parts = os_name.split()
    return parts[1] if len(parts) > 1 and parts[0] == "Android" else ""
