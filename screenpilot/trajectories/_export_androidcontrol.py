"""AndroidControl: one ``tf.train.Example`` per episode in a GZIP TFRecord file, with the data set's schema.

Features (as its README defines them): ``episode_id`` (int), ``goal``, ``screenshots`` (PNG bytes, one per
observation, device pixels as captured), ``accessibility_trees`` (serialized android_env
``AndroidAccessibilityForest``, one per screenshot, from the recorded UI tree; empty when none was
recorded), ``screenshot_widths`` / ``screenshot_heights``, ``actions`` (JSON strings, one between each two
consecutive screenshots, so len(screenshots) - 1 of them) and ``step_instructions`` (one per action).

Actions in device pixels: ``click`` / ``long_press`` (x, y), ``scroll`` (direction: a finger moving up
scrolls ``down``), ``open_app`` (app_name), ``input_text`` (text), ``navigate_home``, ``navigate_back``,
``wait``. The episode's final terminate or answer is not an action in AndroidControl: its screen is the
last screenshot. Step instructions are the steps' own where recorded, else worded from the action and
the element hit (``screenpilot/step_instruction_sources`` says which: ``recorded`` or ``action``;
``screenpilot/actors`` who acted). Consecutive screenshots must be one action apart, so an episode with an
executed step AndroidControl has no action for (a drag, a hotkey, an enter key) is left out whole, with
the reason; steps that never reached the device are simply not in it.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from ..actions import Answer, Key, LongPress, OpenApp, Swipe, SystemButton, Tap, Terminate, Type, Wait
from ._export import (
    ExportOptions,
    ExportReport,
    actor_of,
    device_action_of,
    instruction_of,
    trainable,
    write_jsonl,
)
from ._export_phone import (
    Untranslatable,
    element_at,
    key_name,
    label_of,
    scroll_direction,
    ui_elements,
    worded_instruction,
)
from ._reader import Episode
from ._schema import FrameRef, StepRecord

__all__ = ["TFRECORD", "androidcontrol_action", "episode_number", "write_androidcontrol"]

TFRECORD = "android_control-00000-of-00001"
"""Named like the data set's shards (GZIP TFRecord, no extension)."""


def episode_number(episode_id: str) -> int:
    """AndroidControl's integer ``episode_id`` for a ScreenPilot id (stable: the first 63 bits of its SHA-256)."""
    return int.from_bytes(hashlib.sha256(episode_id.encode("utf-8")).digest()[:8], "big") >> 1


def androidcontrol_action(step: StepRecord) -> dict[str, Any] | None:
    """The step's action as AndroidControl's JSON; None for the final terminate/answer (raises Untranslatable)."""
    action = device_action_of(step).action
    match action:
        case Tap(point=p):
            return {"action_type": "click", "x": int(p.x), "y": int(p.y)}
        case LongPress(point=p):
            return {"action_type": "long_press", "x": int(p.x), "y": int(p.y)}
        case Swipe():
            return {"action_type": "scroll", "direction": scroll_direction(step)}
        case Type(text=t):
            return {"action_type": "input_text", "text": t}
        case OpenApp(app=app):
            return {"action_type": "open_app", "app_name": app}
        case Wait():
            return {"action_type": "wait"}
        case Key() | SystemButton() if key_name(action) in ("home", "back"):
            return {"action_type": "navigate_home" if key_name(action) == "home" else "navigate_back"}
        case Terminate() | Answer():
            return None
        case Key() | SystemButton():
            raise Untranslatable(f"AndroidControl has no {key_name(action)!r} key", f"key {key_name(action)}")
    raise Untranslatable(f"AndroidControl has no {action.action!r} action", action.action)


class _Gap(Exception):
    """The screens of the episode would not be one action apart."""


def _episode(episode: Episode, report: ExportReport) -> dict[str, Any]:
    """Screens, trees, actions and instructions of one episode (raises _Gap)."""
    shots: list[tuple[FrameRef, StepRecord | None]] = []
    actions: list[dict[str, Any]] = []
    instructions: list[str] = []
    sources: list[str] = []
    actors: list[str] = []
    final: tuple[FrameRef, StepRecord | None] | None = None
    for step in episode.steps:
        where = f"{episode.meta.id} step {step.index}"
        if not trainable(step):
            if step.executed:  # sent, so the screen may have changed without an action to say how
                raise _Gap(f"step {step.index} ran but is not a sound action ({step.error_kind})")
            report.skipped_steps.append(f"{where}: not executed ({step.error_kind or 'no action'})")
            continue
        try:
            doc = androidcontrol_action(step)
        except Untranslatable as exc:
            report.untranslatable(where, str(exc), exc.kind)
            raise _Gap(f"step {step.index}: {exc}") from None
        if doc is None:
            final = (step.frame, step)
            break
        own = instruction_of(step)
        elements = ui_elements(episode, step)
        hit = element_at(step, elements) if doc["action_type"] in ("click", "long_press") else None
        shots.append((step.frame, step))
        actions.append(doc)
        instructions.append(own or worded_instruction(step, label_of(hit, elements)))
        sources.append("recorded" if own else "action")
        actors.append(actor_of(step))
    if final is None and shots:
        last = shots[-1][1]
        assert last is not None
        if last.frame_after is not None and episode.path(last.frame_after).exists():
            final = (last.frame_after, None)
        else:  # the screen after the last action was lost (a crash): that action cannot be shown
            report.skipped_steps.append(f"{episode.meta.id} step {last.index}: no screen after it (the run stopped first)")
            for column in (actions, instructions, sources, actors):
                column.pop()
            final = shots.pop()  # the screen before it is the last one an action led to
    if not actions or final is None:
        raise _Gap("no action with a screen after it")
    shots.append(final)
    return {"shots": shots, "actions": actions, "instructions": instructions, "sources": sources, "actors": actors}


def _png(episode: Episode, ref: FrameRef) -> bytes:
    path = episode.path(ref)
    if path.suffix.lower() == ".png":
        return path.read_bytes()
    import io

    from PIL import Image

    buf = io.BytesIO()
    with Image.open(path) as img:
        img.convert("RGB").save(buf, format="PNG", compress_level=3)
    return buf.getvalue()


def write_androidcontrol(episodes: list[Episode], options: ExportOptions, report: ExportReport) -> None:
    from ._export_tfrecord import a11y_forest, feature, gzip_tfrecord

    out = Path(options.out)
    index = []
    with gzip_tfrecord(out / TFRECORD) as writer:
        for episode in episodes:
            meta = episode.meta
            try:
                doc = _episode(episode, report)
            except _Gap as exc:
                report.skipped_episodes.append(f"{meta.id}: left out, AndroidControl needs every two screens one "
                                               f"action apart ({exc})")
                continue
            trees = []
            for ref, step in doc["shots"]:
                elements = ui_elements(episode, step) if step is not None else []
                trees.append(a11y_forest(elements, tuple(ref.size)) if elements else b"")
            number = episode_number(meta.id)
            writer.write({
                "episode_id": feature(number, "int"),
                "goal": feature(meta.instruction, "byte"),
                "screenshots": feature([_png(episode, ref) for ref, _ in doc["shots"]], "byte"),
                "accessibility_trees": feature(trees, "byte"),
                "screenshot_widths": feature([ref.size.width for ref, _ in doc["shots"]], "int"),
                "screenshot_heights": feature([ref.size.height for ref, _ in doc["shots"]], "int"),
                "actions": feature([json.dumps(a) for a in doc["actions"]], "byte"),
                "step_instructions": feature(doc["instructions"], "byte"),
                "screenpilot/step_instruction_sources": feature(doc["sources"], "byte"),
                "screenpilot/actors": feature(doc["actors"], "byte"),
            })
            index.append({"episode_id": number, "screenpilot_id": meta.id, "goal": meta.instruction,
                          "actions": len(doc["actions"]), "screenshots": len(doc["shots"]), "outcome": meta.outcome})
            report.samples += len(doc["actions"])
            report.images += len(doc["shots"])
            report.episodes += 1
    write_jsonl(out / "index.jsonl", index)
    report.files += [TFRECORD, "index.jsonl"]
