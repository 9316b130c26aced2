"""Episodes for the replay/view/export tests, written through the real Recorder and the real dialects.

A built episode looks like one the agent records: frames are PNG screenshots (a status bar with a
clock, a title, some tiles), each step's request is what the dialect rendered for it, the raw output
is what the dialect would write, and the action travels in both spaces.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

from screenpilot.actions import BaseAction, Bounds, Element, Size
from screenpilot.devices import ActionResult, DeviceInfo
from screenpilot.perception import Frame
from screenpilot.planner import HistoryStep, dialect_for
from screenpilot.trajectories import EpisodeMeta, Recorder, StepRecord, StepTimings

PHONE = Size(1080, 2400)


@dataclass
class Turn:
    """One step to record: the action in DEVICE pixels (None: an unparseable reply), and what the model said."""

    action: BaseAction | None
    thought: str | None = None
    summary: str | None = None
    raw: str | None = None  # default: the dialect's own writing of the action
    element: Element | None = None
    error: str | None = None
    ui: list[Element] | None = None  # the UI tree captured with the screen (saved through the recorder)
    actor: str | None = None  # "person" / "replay": a StepRecord field the lead adds (kept as an unknown field)
    instruction: str | None = None  # the step's own instruction (a person's demonstration)
    invalid: bool = False  # the model said ``action`` (device pixels, may be off-screen) and it was refused


def screen(size: Size, index: int, *, clock: str = "10:30", title: str = "") -> Image.Image:
    """A phone-like screen: status bar with a clock, a title bar, and tiles that differ per step."""
    w, h = size
    img = Image.new("RGB", size, (245, 246, 250))
    d = ImageDraw.Draw(img)
    bar = max(20, h // 32)
    d.rectangle([0, 0, w, bar], fill=(30, 34, 48))
    d.text((w * 0.04, bar * 0.3), clock, fill=(255, 255, 255))
    d.rectangle([0, bar, w, bar * 3], fill=((60 + 70 * index) % 256, 90, 160))
    d.text((w * 0.05, bar * 1.6), title or f"Screen {index}", fill=(255, 255, 255))
    for k in range(4):
        top = bar * 4 + k * h // 6
        shade = (40 * (index + k)) % 200 + 30
        d.rectangle([w * 0.06, top, w * 0.94, top + h // 8], fill=(shade, 200 - shade // 2, 120), outline=(0, 0, 0))
    return img


def device_info(size: Size, kind: str = "phone") -> DeviceInfo:
    return DeviceInfo(kind=kind, serial="emulator-5554" if kind == "phone" else ":99", physical_size=size,  # type: ignore[arg-type]
                      logical_size=size, density=420 if kind == "phone" else None,
                      model="Pixel Test" if kind == "phone" else "Xvfb", os="Android 14 (SDK 34)" if kind == "phone" else "Linux X11")


def build_episode(
    folder: Path,
    turns: list[Turn],
    *,
    instruction: str = "Turn on Wi-Fi",
    dialect: str = "qwen2.5-vl",
    size: Size = PHONE,
    kind: str = "phone",
    outcome: str | None = "success",
    screenshots: int = 1,
    frames: list[Image.Image] | None = None,
    episode_id: str | None = None,
    model: str = "scripted:test",
    source: str = "agent",
    config: dict | None = None,
) -> Path:
    """Record ``turns`` as an episode in ``folder`` (created) and return it."""
    d = dialect_for(dialect, kind)  # type: ignore[arg-type]
    meta = EpisodeMeta(id=episode_id or folder.name, instruction=instruction, model=model, dialect=d.name,
                       device=device_info(size, kind), software={"screenpilot": "test"}, started_at=time.time(),
                       source=source, config={"device": "sim", "history_screenshots": screenshots, **(config or {})})
    history: list[HistoryStep] = []
    with Recorder.create(folder, meta, fsync=False) as rec:
        pictures = frames or [screen(size, i) for i in range(len(turns) + 1)]
        pre = rec.save_frame(Frame.from_image(pictures[0]), "000000")
        for i, turn in enumerate(turns):
            rec.wait_for(pre.path)
            frame_path = folder / pre.path
            space = d.space(size)
            from screenpilot.planner import HistoryPolicy

            request = d.messages(instruction, history, frame_path, policy=HistoryPolicy(screenshots=screenshots))
            doc = request.to_record()
            refs = [str(p.source.relative_to(folder)) for m in request.messages for p in m.images]  # type: ignore[union-attr]
            it = iter(refs)
            for m in doc["messages"]:
                for part in m["content"]:
                    if part.get("type") == "image":
                        part["image"] = next(it)
            doc["images"] = refs
            doc["image_size"] = list(request.images[-1].size)
            now = time.time()
            fields: dict = {"index": i, "started_at": now, "ended_at": now + 0.5, "frame": pre, "request": doc,
                            "timings": StepTimings(observe_s=0.05, model_s=0.2, act_s=0.05, settle_s=0.3, total_s=0.6)}
            if turn.ui is not None:
                fields["ui_tree"] = rec.save_ui_tree(turn.ui, f"{i:06d}")
                rec.wait_for(fields["ui_tree"])
            if turn.actor is not None:
                fields["actor"] = turn.actor
            if turn.instruction is not None:
                fields["instruction"] = turn.instruction
            if turn.invalid and turn.action is not None:  # an off-screen or refused action: recorded, not run
                model_action = space.to_model(turn.action, integral=True)
                raw = turn.raw if turn.raw is not None else d.format(model_action.action, thought=turn.thought)
                error = turn.error or "; ".join(space.check(model_action.action)) or "refused"
                fields.update(raw_output=raw, thought=turn.thought, model_action=model_action, error=error,
                              error_kind="invalid", call=raw)
                rec.append_step(StepRecord(**fields))
                history.append(HistoryStep(line=f"[not executed] {error}", reply=raw, image=frame_path))
                continue
            if turn.action is None:
                fields.update(raw_output=turn.raw or "I am not sure what to do.", error=turn.error or "no tool call found",
                              error_kind="parse")
                rec.append_step(StepRecord(**fields))
                history.append(HistoryStep(line=f"[not executed] {fields['error']}", reply=fields["raw_output"], image=frame_path))
                continue
            model_action = space.to_model(turn.action, integral=True)
            device_action = space.to_device(model_action)
            raw = turn.raw if turn.raw is not None else d.format(model_action.action, thought=turn.thought, summary=turn.summary)
            plan = d.parse(raw, space)
            ends = model_action.action.action in ("terminate", "answer")
            post = None
            if not ends:
                post = rec.save_frame(Frame.from_image(pictures[i + 1]), f"{i:06d}-after")
            fields.update(raw_output=raw, thought=plan.thought, summary=plan.summary, call=plan.call,
                          model_action=model_action, device_action=device_action, element=turn.element,
                          executed=not ends, frame_after=post,
                          result=None if ends else ActionResult(ok=True, detail="done", commands=["input tap"]))
            if turn.actor == "person":  # a person acted on the device: no model reply, no model-space action
                fields.update(model_action=None, raw_output=None, request=None, call=None, thought=None)
            rec.append_step(StepRecord(**fields))
            history.append(plan.step(frame_path))
            if post is not None:
                pre = post
        if outcome is not None:
            rec.finish(outcome, "model", f"the model said {outcome}")  # type: ignore[arg-type]
    return folder


def element(label: str, bounds: tuple[int, int, int, int], rid: str = "") -> Element:
    return Element(bounds=Bounds(*bounds), text=label, resource_id=rid, class_name="android.widget.TextView",
                   package="com.android.settings", clickable=True)
