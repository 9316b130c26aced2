"""GUI-Odyssey episode annotations, in the layout and with the fields of the data set's card and its own
format converter (``data/format_converter.py``: standard and semantic chat, high and low level).

``DIR/annotations/<episode>.json``, ``DIR/screenshots/<episode>_<step>.png`` (one flat folder, as its
preprocessing leaves the screenshots: names are unique across episodes), ``DIR/splits/screenpilot.json``
(``{"train": ["<episode>.json", ...], "test": []}``: the converter opens ``annotations/<entry>``).

Per step every field the card lists is filled where ScreenPilot knows it: ``action`` / ``info`` on the
0..1000 grid (CLICK, LONG_PRESS, SCROLL, TEXT, COMPLETE, INCOMPLETE; CLICK with KEY_HOME, KEY_BACK,
KEY_APPSELECT), ``ps`` (a scroll's path, an answer's text), ``sam2_bbox`` (the element hit, from the step
or its recorded UI tree, on the grid), ``low_level_instruction`` (the step's own instruction when one was
recorded, else worded from the action and the element), ``intention`` (the model's thought),
``context`` (the earlier steps' lines), ``description`` (the screen's labelled elements, from its UI tree).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..actions import Answer, Key, LongPress, OpenApp, Swipe, SystemButton, Tap, Terminate, Type
from ..perception import CoordinateSpace
from ._export import (
    ExportOptions,
    ExportReport,
    ImageStore,
    actor_of,
    device_action_of,
    instruction_of,
    safe_name,
)
from ._export_phone import (
    Untranslatable,
    element_at,
    key_name,
    label_of,
    labelled,
    release_version,
    sdk_level,
    translatable_steps,
    ui_elements,
    worded_instruction,
)
from ._history import history_line
from ._reader import Episode
from ._schema import StepRecord

__all__ = ["SPLIT_FILE", "odyssey_step", "write_odyssey"]

SPLIT_FILE = "splits/screenpilot.json"
_KEYS = {"back": "KEY_BACK", "home": "KEY_HOME", "app_switch": "KEY_APPSELECT", "recent_apps": "KEY_APPSELECT"}
_LAUNCHERS = ("launcher", "systemui")


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
            path = [[int(a.x), int(a.y)], [int(b.x), int(b.y)]]
            return "SCROLL", path, json.dumps(path)
        case Type(text=t):
            return "TEXT", t, ""
        case Key() | SystemButton():
            name = key_name(grid)
            if name not in _KEYS:
                raise Untranslatable(f"GUI-Odyssey has no key {name!r}", f"key {name}")
            return "CLICK", _KEYS[name], ""
        case Terminate(status=status):
            return ("COMPLETE" if status == "success" else "INCOMPLETE"), "", ""
        case Answer(text=t):
            return "COMPLETE", "", t
        case OpenApp():
            raise Untranslatable("GUI-Odyssey has no open-app action", "open_app")
        case _:
            raise Untranslatable(f"GUI-Odyssey has no {grid.action!r} action", grid.action)


def _grid_box(bounds: Any, size: Any) -> list[int]:
    """An element's bounds (x1, y1, x2, y2) on the 0..1000 grid."""
    w, h = size
    return [round(bounds.left * 1000 / w), round(bounds.top * 1000 / h), round(bounds.right * 1000 / w),
            round(bounds.bottom * 1000 / h)]


def _description(elements: list[Any], size: Any) -> str:
    shown = [e.text or e.description for e in labelled(elements, tuple(size)) if e.text or e.description]
    if not shown:
        return ""
    apps = [e.package for e in elements if e.package]
    app = max(set(apps), key=apps.count) if apps else "the phone"
    return f"A screen of {app} showing: " + ", ".join(dict.fromkeys(shown)) + "."


def _episode_doc(episode: Episode, report: ExportReport, store: ImageStore) -> dict[str, Any]:
    meta, device = episode.meta, episode.meta.device
    written: list[dict[str, Any]] = []
    lines: list[str] = []
    apps: dict[str, None] = {}
    for step in translatable_steps(episode, report):
        try:
            action, info, ps = odyssey_step(step)
        except Untranslatable as exc:
            report.untranslatable(f"{meta.id} step {step.index}", str(exc), exc.kind)
            continue
        elements = ui_elements(episode, step)
        apps.update({e.package: None for e in elements if e.package and not any(x in e.package for x in _LAUNCHERS)})
        hit = element_at(step, elements) if action in ("CLICK", "LONG_PRESS") and isinstance(info, list) else None
        own = instruction_of(step)
        number = len(written)
        shot = store.put(episode.path(step.frame), meta.id, name=f"{number}")
        written.append({
            "step": number, "screenshot": shot.split("/", 1)[1], "action": action, "info": info, "ps": ps,
            "description": _description(elements, step.frame.size),
            "intention": step.thought or "",
            "context": " ".join(f"Step {i + 1}: {line}" for i, line in enumerate(lines)),
            "low_level_instruction": own or worded_instruction(step, label_of(hit, elements)),
            "sam2_bbox": _grid_box(hit.bounds, step.frame.size) if hit is not None else [],
            "source_step": step.index, "actor": actor_of(step),
            "low_level_instruction_from": "recorded" if own else "action",
        })
        lines.append(history_line(step) or worded_instruction(step, ""))
    size = episode.steps[0].frame.size if episode.steps else device.logical_size
    return {
        "episode_id": meta.id,
        "device_info": {"product": device.model, "release_version": release_version(device.os),
                        "sdk_version": str(sdk_level(device.os) or ""), "h": size.height, "w": size.width,
                        "device_name": device.model},
        "task_info": {"category": str(meta.config.get("category") or "ScreenPilot"), "app": list(apps),
                      "meta_task": meta.instruction, "task": meta.instruction, "instruction": meta.instruction},
        "step_length": len(written),
        "steps": written,
        "outcome": meta.outcome,
    }


def write_odyssey(episodes: list[Episode], options: ExportOptions, report: ExportReport) -> None:
    out = Path(options.out)
    store = ImageStore(out, folder="screenshots", flat=True)
    (out / "annotations").mkdir(parents=True, exist_ok=True)
    names = []
    for episode in episodes:
        doc = _episode_doc(episode, report, store)
        name = f"{safe_name(episode.meta.id)}.json"
        (out / "annotations" / name).write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        names.append(name)
        report.samples += doc["step_length"]
        report.episodes += 1
    (out / "splits").mkdir(exist_ok=True)
    (out / SPLIT_FILE).write_text(json.dumps({"train": names, "test": []}, indent=1) + "\n", encoding="utf-8")
    report.images = len(store)
    report.files += ["annotations/", "screenshots/", SPLIT_FILE]

