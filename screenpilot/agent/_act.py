"""The act node: the one place an action reaches the device, at most once, with secrets filled in.

The intent journal (``_journal``) makes the node safe to re-run after a crash; the secret value
exists only in the argument of ``device.execute`` and is redacted out of everything that comes back.
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from ..devices import ActionOutcomeUnknown, ActionResult, DeviceError, UnsupportedAction
from ..perception import DeviceAction
from ..trajectories import redact_value
from ._context import RunContext
from ._state import AgentState

__all__ = ["UNKNOWN_OUTCOME", "act"]

UNKNOWN_OUTCOME = ("the run stopped while this action was being sent, so it may or may not have taken effect; "
                   "it was not sent again: look at the screen before repeating it")


def act(state: AgentState, runtime: Runtime[RunContext]) -> dict[str, Any]:
    ctx = runtime.context
    step = state["step"]
    ctx.emit("phase", step, "act")
    t0 = ctx.clock()

    def timed(update: dict[str, Any]) -> dict[str, Any]:
        return {**update, "timings": {**state.get("timings", {}), "act_s": ctx.clock() - t0}}

    entry = ctx.journal.get(step)
    if entry is not None and entry.state == "done":  # it ran; the crash came before the checkpoint
        result = entry.result or {}
        unknown = result.get("outcome") == "unknown"
        return timed({"executed": True, "result": result.get("result", result),
                      **({"error": result.get("error"), "error_kind": "unknown_outcome"} if unknown else {})})
    if entry is not None and entry.state == "intent":  # it was in flight when the process died
        return timed({"executed": True, "result": ActionResult(ok=False, detail=UNKNOWN_OUTCOME).model_dump(mode="json"),
                      "error": UNKNOWN_OUTCOME, "error_kind": "unknown_outcome"})

    assert state.get("device_action") is not None
    action = DeviceAction.model_validate(state["device_action"])
    ctx.journal.intent(step, state["device_action"])  # type: ignore[arg-type]
    try:
        result = ctx.device.execute(ctx.secrets.resolve_action(action))
    except ActionOutcomeUnknown as exc:
        message = ctx.secrets.redact(str(exc))
        doc = ActionResult(ok=False, detail=message).model_dump(mode="json")
        ctx.journal.done(step, {"outcome": "unknown", "result": doc, "error": message})
        return timed({"executed": True, "result": doc, "error": f"{message}; look at the screen before repeating it",
                      "error_kind": "unknown_outcome"})
    except UnsupportedAction as exc:  # the model asked for something this device cannot do: its fault
        message = ctx.secrets.redact(str(exc))
        ctx.journal.failed(step, message)
        return timed({"executed": False, "error": f"the device cannot do this: {message}", "error_kind": "invalid"})
    except DeviceError as exc:  # nothing reached the device; a resume may send it again
        message = ctx.secrets.redact(str(exc))
        ctx.journal.failed(step, message)
        if message != str(exc):  # the driver's message quoted a secret: it must not reach a log
            raise DeviceError(ctx.secrets.redact(exc.message), hint=exc.hint) from None
        raise
    doc = redact_value(result.model_dump(mode="json"), ctx.secrets.redact if ctx.secrets else None)
    ctx.journal.done(step, {"result": doc})
    return timed({"executed": True, "result": doc})
