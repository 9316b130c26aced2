"""The act node: the one place an action reaches the device, at most once, with secrets filled in.

``trajectories.execute`` does the work (journal first, faults sorted by whose they are), as it does
for replay; the secret value exists only in the argument of ``device.execute`` and is redacted out
of everything that comes back.
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from .. import trajectories as steps
from ..perception import DeviceAction
from ._context import RunContext
from ._state import AgentState

__all__ = ["act"]


def act(state: AgentState, runtime: Runtime[RunContext]) -> dict[str, Any]:
    ctx = runtime.context
    step = state["step"]
    ctx.emit("phase", step, "act")
    assert state.get("device_action") is not None
    action = DeviceAction.model_validate(state["device_action"])
    sent = steps.execute(ctx.device, action, step=step, journal=ctx.journal, resolve=ctx.secrets.resolve_action,
                         redact=ctx.secrets.redact)
    update: dict[str, Any] = {"executed": sent.executed, "result": sent.result,
                              "timings": {**state.get("timings", {}), "act_s": sent.seconds}}
    if sent.error is not None:
        update.update(error=sent.error, error_kind=sent.error_kind, reobserve=sent.reobserve)
    return update
