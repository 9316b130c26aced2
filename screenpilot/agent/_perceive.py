"""The nodes that look at the device: observe (before the model) and settle (after the action).

Both run the shared step functions (``trajectories.observe`` / ``trajectories.settle``), as replay does.
"""

from __future__ import annotations

import time
from typing import Any

from langgraph.runtime import Runtime

from .. import trajectories as steps
from ._context import RunContext
from ._state import AgentState

__all__ = ["observe", "settle"]


def observe(state: AgentState, runtime: Runtime[RunContext]) -> dict[str, Any]:
    """The screen the model will see: the settled frame of the last action if this process took it,
    else a fresh capture; plus the UI tree, which validation uses to spot sensitive targets."""
    ctx = runtime.context
    step = state["step"]
    ctx.emit("phase", step, "observe")
    started = time.time()
    after = ctx.live.after
    reuse = (after[1], after[2]) if after is not None and after[0] == step - 1 else None
    seen = steps.observe(ctx.device, ctx.recorder, f"{step:06d}", reuse=reuse, ui_tree=ctx.record_ui_tree)
    ctx.live.observed, ctx.live.after = seen, None  # only the newest frame stays in memory
    notes = [f"no UI tree: {ctx.secrets.redact(seen.tree_error)}"] if seen.tree_error else []
    update = {"step_started_at": started, "frame": seen.ref.model_dump(mode="json"), "ui_tree": seen.tree,
              "notes": notes, "timings": {"observe_s": seen.seconds, "ui_tree_s": seen.tree_seconds}}
    wanted = ctx.takeover.take_request() if ctx.takeover is not None and not state.get("takeover") else None
    if wanted:  # a person asked to take over (a key in the live view): they act on this screen
        update["takeover"] = {"reason": wanted, "by": "person", "since": step}
    return update


def settle(state: AgentState, runtime: Runtime[RunContext]) -> dict[str, Any]:
    """Wait until the screen stops changing (never a fixed sleep); its last capture is the after-frame
    and, in this process, the next step's observation."""
    ctx = runtime.context
    step = state["step"]
    ctx.emit("phase", step, "settle")
    done = steps.settle(ctx.device, ctx.recorder, ctx.settle, f"{step:06d}-after")
    ctx.live.after = (step, done.frame, done.ref)
    timings = {**state.get("timings", {}), "settle_s": done.seconds}
    update: dict[str, Any] = {"frame_after": done.ref.model_dump(mode="json"), "timings": timings,
                              "settle": done.record.model_dump(mode="json")}
    if not done.settled:
        result = state.get("result") or {}
        still = f"the screen was still changing after {(done.record.options or {}).get('timeout_s', 0):g} s"
        update["result"] = {**result, "detail": f"{result['detail']}; {still}" if result.get("detail") else still}
    return update
