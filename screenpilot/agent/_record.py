"""The record node: one appended step line, and the outcome when the run ends."""

from __future__ import annotations

import time
from typing import Any

from langgraph.runtime import Runtime

from ..trajectories import RequestRecord, StepRecord, StepTimings, atomic_write
from ._context import RunContext, history_step
from ._decide import build_request, request_record
from ._state import AgentState, fresh_step

__all__ = ["DEVICE_STATE_FILE", "record", "save_device_state"]


DEVICE_STATE_FILE = "device-state.bin"
"""The device's whole state after the last recorded step, where it can be saved (the virtual phone)."""


def save_device_state(ctx: RunContext) -> None:
    """Keep the device's state beside the checkpoint, so a resumed run continues on the screen it left."""
    if ctx.device_state is not None:
        atomic_write(ctx.recorder.folder / DEVICE_STATE_FILE, ctx.device_state.save(), fsync=False)


_PHASES = ("observe_s", "prompt_s", "model_s", "parse_s", "act_s", "settle_s")
"""The phases that follow one another in a step (``ui_tree_s`` is part of ``observe_s``)."""


def _request(ctx: RunContext, state: AgentState) -> RequestRecord | None:
    saved = ctx.live.request
    if saved is not None and saved[0] == state["step"]:
        return saved[1]
    if state.get("frame") is None:
        return None
    # resumed after a crash between plan and record: the request is rebuilt, not re-sent
    return request_record(ctx, state, build_request(ctx, state))


def _outcome(ctx: RunContext, state: AgentState, streak: int, elapsed: float) -> tuple[str, str, str, str | None] | None:
    """(outcome, decided_by, detail, answer) when this step ends the run, else None."""
    b = ctx.budgets
    action = (state.get("model_action") or {}).get("action") or {}
    if state.get("actor") == "person":  # a person's step counts against no budget; their "done" ends the run
        if action.get("action") == "terminate":
            return "success", "person", "a person who took over said the task is done", None
        return None
    if not state.get("error"):
        if action.get("action") == "terminate" and state.get("takeover"):
            return None  # the model asked for help: a person takes over
        if action.get("action") == "terminate":
            status = action.get("status", "failure")
            return status, "model", f"the model terminated with status {status!r}", None
        if action.get("action") == "answer":
            return "success", "model", "the model answered", action.get("text")
        if (state.get("result") or {}).get("ends_episode"):
            return "success", "model", "the device reported the episode over", None
    if state.get("error_kind") == "loop" and (state.get("repeat") or {}).get("warned"):
        return "failure", "loop", f"the same action on an unchanged screen {(state.get('repeat') or {}).get('count')} times, after a warning", None
    if streak >= b.max_invalid:
        return "failure", "budget", f"{streak} outputs in a row could not be executed (limit {b.max_invalid})", None
    if state["step"] + 1 - state.get("person_steps", 0) >= b.max_steps:
        return "failure", "budget", f"the step limit ({b.max_steps}) was reached", None
    if elapsed >= b.max_wall_s:
        return "failure", "budget", f"the time limit ({b.max_wall_s:g} s) was reached", None
    return None


def record(state: AgentState, runtime: Runtime[RunContext]) -> dict[str, Any]:
    """Append the step (once, even if this node re-runs after a crash) and decide whether the run ends."""
    ctx = runtime.context
    step = state["step"]
    timings = dict(state.get("timings") or {})
    person = state.get("actor") == "person"
    active = 0.0 if person else sum(timings.get(phase, 0.0) for phase in _PHASES)  # a person's time is theirs
    started = state.get("step_started_at") or time.time()
    timings["total_s"] = time.time() - started
    executed = bool(state.get("executed"))
    streak = 0 if executed else state.get("invalid_streak", 0) + 1
    elapsed = state.get("elapsed_s", 0.0) + active
    ended = _outcome(ctx, state, streak, elapsed)
    request = None if person else _request(ctx, state)  # a person was asked nothing
    after = state.get("frame_after")
    if after is not None and ctx.live.frame(after["path"]) is None and not (ctx.recorder.folder / after["path"]).exists():
        after = None  # resumed, and the crash came before the writer stored it: the next screen shows it
    rec = StepRecord.model_validate({
        "index": step, "actor": "person" if person else "model", "started_at": started, "ended_at": time.time(), "frame": state["frame"],
        "frame_after": after, "ui_tree": state.get("ui_tree"), "request": request,
        "raw_output": state.get("raw_output"), "thought": state.get("thought"), "summary": state.get("summary"),
        "call": state.get("call"), "parse_notes": state.get("parse_notes") or [],
        "model_action": state.get("model_action"), "device_action": state.get("device_action"),
        "element": state.get("element"), "confirmation": state.get("confirmation"), "executed": executed,
        "result": state.get("result"), "error": state.get("error"), "error_kind": state.get("error_kind"),
        "timings": StepTimings(**timings), "usage": state.get("usage"), "settle": state.get("settle"),
        "notes": state.get("notes") or [],
    })
    if ctx.recorder.append_step(rec):
        ctx.history.append(history_step(rec, ctx.recorder.folder))
    save_device_state(ctx)
    ctx.emit("step", step, record=rec)
    repeat = state.get("repeat")
    if state.get("error_kind") == "loop" and repeat is not None:
        repeat = {**repeat, "warned": True}
    update: dict[str, Any] = {**fresh_step(), "step": step + 1, "invalid_streak": streak, "elapsed_s": elapsed,
                              "repeat": repeat, "step_started_at": 0.0}
    if ended is not None:
        outcome, by, detail, answer = ended
        ctx.recorder.finish(outcome, by, detail, answer=answer)  # type: ignore[arg-type]
        ctx.emit("end", step)
        update.update(outcome=outcome, decided_by=by, outcome_detail=detail, answer=answer)
    elif not executed and not state.get("reobserve"):
        # nothing changed on the device (as far as we know): the next turn looks at the same screen
        update.update(frame=state["frame"], ui_tree=state.get("ui_tree"), step_started_at=time.time())
    return update
