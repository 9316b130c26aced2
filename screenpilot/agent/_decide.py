"""The nodes that decide: plan (ask the model), check (parse, map, validate, loop), confirm (ask a person).

Model faults end here as observations, not exceptions: an unparseable reply, a point off the image,
an action the policy forbids, a loop, a refusal. Each becomes the step's ``error``, is recorded, and
reaches the model through the next request's history line.
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from langgraph.runtime import Runtime
from langgraph.types import interrupt

from ..actions import ActionError, Answer, Element, Screen, Size, Terminate, Type, points_of, validate
from ..perception import DeviceAction, Frame
from ..planner import ModelRequest, ParseError
from ..trajectories import Confirmation, RequestRecord
from ._context import RunContext
from ._loops import action_key, same_screen
from ._state import AgentState
from ._takeover import asks_for_help

__all__ = ["build_request", "check", "confirm", "plan", "request_record"]


def _frame_source(ctx: RunContext, state: AgentState) -> Any:
    path = state["frame"]["path"]  # type: ignore[index]
    return ctx.live.frame(path) or ctx.recorder.folder / path


def build_request(ctx: RunContext, state: AgentState) -> ModelRequest:
    """The request for the current step; deterministic, so it can be rebuilt after a crash.

    Only the steps the history policy may show as screenshots keep their image: the dialect sizes
    every image it is handed, and opening a thousand old frames per step would make a long run slow.
    """
    history = ctx.history
    keep = ctx.history_policy.screenshots - 1
    if len(history) > keep:
        cut = len(history) - keep
        history = [replace(h, image=None) if i < cut else h for i, h in enumerate(history)]
    return ctx.dialect.messages(state["task"], history, _frame_source(ctx, state), policy=ctx.history_policy)


def request_record(ctx: RunContext, state: AgentState, request: ModelRequest) -> RequestRecord:
    """The request as recorded: exact text, and each image as its frame file and the size sent."""
    doc = request.to_record()
    folder = ctx.recorder.folder
    current = state["frame"]["path"]  # type: ignore[index]
    parts = [p for m in request.messages for p in m.content if getattr(p, "type", "") == "image"]
    refs = []
    for part in parts:
        source = part.source  # type: ignore[union-attr]
        refs.append(str(Path(source).relative_to(folder)) if isinstance(source, Path) and source.is_relative_to(folder)
                    else str(source) if isinstance(source, Path) else current)
    images = iter(refs)
    for message in doc["messages"]:
        for part in message["content"]:
            if part.get("type") == "image":
                part["image"] = next(images)
    doc["images"] = refs
    doc["image_size"] = list(parts[-1].size) if parts else None  # type: ignore[union-attr]
    return RequestRecord.model_validate(doc)


def plan(state: AgentState, runtime: Runtime[RunContext]) -> dict[str, Any]:
    """Ask the model. The reply is redacted before it enters the state: a model that read a secret
    off the screen must not carry it into the checkpoint."""
    ctx = runtime.context
    step = state["step"]
    ctx.emit("phase", step, "plan")
    t0 = ctx.clock()
    request = build_request(ctx, state)
    ctx.live.request = (step, request_record(ctx, state, request))
    t1 = ctx.clock()
    completion = ctx.backend.generate(request)
    timings = {**state.get("timings", {}), "prompt_s": t1 - t0, "model_s": ctx.clock() - t1}
    usage = {"prompt": completion.prompt_tokens, "completion": completion.completion_tokens}
    raw = ctx.secrets.redact(completion.text)
    update: dict[str, Any] = {"raw_output": raw, "usage": usage, "timings": timings}
    bad = _unencodable(raw)
    if bad is not None:  # the model's fault (a reply cut mid-escape): back to it, never a crash of a later node
        update["raw_output"] = raw.encode("utf-8", "backslashreplace").decode("utf-8")
        update["error_kind"] = "parse"
        update["error"] = (f"the reply holds U+{ord(raw[bad]):04X} at character {bad}, half of a character pair that "
                           "cannot be encoded (a reply cut inside an escaped emoji?): answer again with complete text")
    if not state.get("step_started_at"):
        update["step_started_at"] = time.time()
    return update


def _unencodable(text: str) -> int | None:
    """Where ``text`` holds a lone surrogate (which UTF-8, the checkpoint and the trajectory cannot hold)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return exc.start
    return None


def _screen(ctx: RunContext, state: AgentState, size: Any) -> Screen:
    seen = ctx.live.observed
    elements = seen.elements if seen is not None and seen.ref.path == state["frame"]["path"] else None  # type: ignore[index]
    if elements is None and state.get("ui_tree"):  # resumed: read back the tree this step saw
        path = ctx.recorder.folder / state["ui_tree"]  # type: ignore[operator]
        try:
            elements = [Element.model_validate(e) for e in json.loads(path.read_text(encoding="utf-8"))]
        except (OSError, ValueError):
            elements = None
    return Screen(kind=ctx.dialect.kind, size=size, elements=tuple(elements or ()), apps=ctx.apps)


def _invalid(kind: str, message: str, timings: dict[str, float]) -> dict[str, Any]:
    return {"error": message, "error_kind": kind, "timings": timings}


def check(state: AgentState, runtime: Runtime[RunContext]) -> dict[str, Any]:
    """Parse the reply, map it to device pixels, validate it, and look for a loop."""
    ctx = runtime.context
    t0 = ctx.clock()
    frame = state["frame"]
    assert frame is not None
    size = Size(*frame["size"])
    space = ctx.dialect.space(size)

    def timings() -> dict[str, float]:
        return {**state.get("timings", {}), "parse_s": ctx.clock() - t0}

    if state.get("error_kind") == "parse":  # the plan node already found the reply unusable
        return {"timings": timings()}
    try:
        parsed = ctx.dialect.parse(state.get("raw_output") or "", space)
    except ParseError as exc:
        return _invalid("parse", ctx.secrets.redact(str(exc)), timings())
    said = {"thought": ctx.secrets.redact(parsed.thought or "") or None,
            "summary": ctx.secrets.redact(parsed.summary or "") or None, "call": parsed.call,
            "parse_notes": list(parsed.notes), "model_action": parsed.model_action.model_dump(mode="json")}
    action = parsed.action
    if isinstance(action, Type) and (problems := ctx.secrets.problems(action.text)):
        return {**said, **_invalid("invalid", "; ".join(problems), timings())}
    try:
        device_action = space.to_device(parsed.model_action)
    except ActionError as exc:
        return {**said, **_invalid("invalid", str(exc), timings())}
    said["device_action"] = device_action.model_dump(mode="json")
    if ctx.takeover is not None and asks_for_help(state.get("raw_output"), action):
        return {**said, "timings": timings(), "error": "you asked for help: a person took over",
                "takeover": {"reason": "the model asked for help", "by": "model", "since": state["step"]}}
    if isinstance(action, (Terminate, Answer)):
        return {**said, "timings": timings()}
    verdict = validate(device_action.action, _screen(ctx, state, size), ctx.policy)
    if verdict.element is not None:
        said["element"] = verdict.element.model_dump(mode="json")
    if verdict.errors:
        return {**said, **_invalid("invalid", "; ".join(verdict.errors), timings())}
    loop = _loop(ctx, state, device_action)
    said["repeat"] = loop
    if loop["count"] >= ctx.budgets.loop_repeats:
        what = f"{action.action} {parsed.call}"
        message = (f"you did the same action ({what}) {loop['count']} times and the screen did not change; "
                   "do something else, or terminate if the task cannot be done")
        return {**said, **_invalid("loop", message, timings())}
    return {**said, "confirm_reasons": verdict.confirm, "timings": timings()}


def _loop(ctx: RunContext, state: AgentState, device_action: DeviceAction) -> dict[str, Any]:
    key = action_key(device_action.model_dump(mode="json"))
    here = state["frame"]["path"]  # type: ignore[index]
    previous = state.get("repeat")
    folder = ctx.recorder.folder
    if (previous and previous["key"] == key
            and same_screen(folder / previous["frame"], folder / here, tolerance=ctx.budgets.loop_difference,
                            cache=_in_memory(ctx, folder, previous["frame"], here),
                            around=list(points_of(device_action.action).values()))):
        return {"key": key, "frame": here, "count": previous["count"] + 1, "warned": previous.get("warned", False)}
    return {"key": key, "frame": here, "count": 1, "warned": False}


def _in_memory(ctx: RunContext, folder: Path, *paths: str) -> dict[str, Frame]:
    """The frames among ``paths`` this process still holds (so loop detection need not decode them)."""
    return {str(folder / p): f for p in paths if (f := ctx.live.frame(p)) is not None}


def confirm(state: AgentState, runtime: Runtime[RunContext]) -> dict[str, Any]:
    """Sensitive actions wait for a yes. In "ask" mode the graph pauses with interrupt(); the node
    re-runs from its first line when resumed, so nothing before interrupt() has side effects."""
    ctx = runtime.context
    reasons = state.get("confirm_reasons") or []
    if ctx.confirm == "yes":
        approved, by = True, "--yes"
    elif ctx.confirm == "no":
        approved, by = False, "--no-input"
    else:
        ctx.emit("phase", state["step"], "confirm")
        answer = interrupt({"step": state["step"], "reasons": reasons, "call": state.get("call"),
                            "action": (state.get("device_action") or {}).get("action"),
                            "element": state.get("element")})
        if isinstance(answer, dict):
            approved, by = bool(answer.get("approved")), str(answer.get("by", "person"))
            takeover = bool(answer.get("takeover")) and not approved and ctx.takeover is not None
        else:
            approved, by, takeover = bool(answer), "person", False
    if ctx.confirm != "ask":
        takeover = False
    decision = Confirmation(reasons=reasons, approved=approved, by=by, at=time.time()).model_dump(mode="json")  # type: ignore[arg-type]
    if approved:
        return {"confirmation": decision}
    refused = {"confirmation": decision, "error_kind": "refused",
               "error": f"a person refused this action ({'; '.join(reasons)}); find another way, or terminate"}
    if takeover:  # refused, and the person will do it themselves
        refused["error"] = f"a person refused this action ({'; '.join(reasons)}) and took over"
        refused["takeover"] = {"reason": "a person refused a sensitive action and took over", "by": "refusal",
                               "since": state["step"]}
    return refused
