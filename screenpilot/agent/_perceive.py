"""The nodes that look at the device: observe (before the model) and settle (after the action)."""

from __future__ import annotations

import time
from typing import Any

from langgraph.runtime import Runtime

from ..perception import Frame
from ._context import RunContext
from ._state import AgentState

__all__ = ["observe", "settle"]


def _save(ctx: RunContext, frame: Frame, name: str) -> dict[str, Any]:
    ref = ctx.recorder.save_frame(frame, name)
    ctx.frames = {ref.path: frame}  # only the newest frame stays in memory
    return ref.model_dump(mode="json")


def observe(state: AgentState, runtime: Runtime[RunContext]) -> dict[str, Any]:
    """The screen the model will see: the settled frame of the last action if this process took it,
    else a fresh capture; plus the UI tree, which validation uses to spot sensitive targets."""
    ctx = runtime.context
    step = state["step"]
    ctx.emit("phase", step, "observe")
    started = time.time()
    t0 = ctx.clock()
    reuse = ctx.scratch.get("next_frame")
    if reuse is not None and reuse["path"] in ctx.frames:
        ref = reuse
    else:
        ref = _save(ctx, ctx.device.screenshot(), f"{step:06d}")
    ctx.scratch = {"step": step}
    ui_ref = None
    if ctx.record_ui_tree:
        elements = ctx.device.ui_tree()
        if elements is not None:
            ctx.scratch["elements"] = elements
            ui_ref = ctx.recorder.save_ui_tree(elements, f"{step:06d}")
    # The checkpoint taken after this node names these files: they must be on disk by then, or a
    # crash would leave a state pointing at nothing. The write overlapped the UI-tree dump above.
    ctx.recorder.wait_for(ref["path"])
    ctx.recorder.wait_for(ui_ref)
    return {"step_started_at": started, "frame": ref, "ui_tree": ui_ref,
            "timings": {"observe_s": ctx.clock() - t0}}


def settle(state: AgentState, runtime: Runtime[RunContext]) -> dict[str, Any]:
    """Wait until the screen stops changing (never a fixed sleep); its last capture is the after-frame
    and, in this process, the next step's observation."""
    ctx = runtime.context
    step = state["step"]
    ctx.emit("phase", step, "settle")
    t0 = ctx.clock()
    options = ctx.settle
    result = ctx.device.settle(options)
    frame, settled = result.frame, result.settled
    assert frame is not None  # settling always captures at least once
    ref = _save(ctx, frame, f"{step:06d}-after")
    ctx.scratch["next_frame"] = ref
    timings = {**state.get("timings", {}), "settle_s": ctx.clock() - t0}
    update: dict[str, Any] = {"frame_after": ref, "timings": timings, "settle": result.record()}
    if not settled:
        update["result"] = {**(state.get("result") or {}), "detail": _join((state.get("result") or {}).get("detail", ""),
                            f"the screen was still changing after {options.timeout_s:g} s")}
    return update


def _join(a: str, b: str) -> str:
    return f"{a}; {b}" if a else b
