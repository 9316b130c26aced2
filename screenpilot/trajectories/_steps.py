"""One step's device work, the same for every loop: observe, execute (at most once), settle, record.

The agent's nodes, replay, and (later) human takeover and fleet collection all run a step through
these functions, so a step looks at the screen, reaches the device, waits for it and lands in the
trajectory the same way whoever decided the action. What differs between them (who chose the action,
what is compared before it) stays in the caller.

Faults are sorted here by whose they are (``screenpilot.errors``): a model fault raised by the driver
(an unsupported action, a screen that changed shape) comes back as data for the model; an outcome
unknown after the device accepted a command comes back as executed-unknown and is journaled so a
resumed run never sends it again; an infrastructure fault before anything was sent is journaled as
failed and raised; a person's stop propagates untouched (the intent line alone then reads as "in
flight", the safe side).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from ..actions import Element
from ..devices import ActionResult, Device
from ..errors import InfraFault, ModelFault, OutcomeUnknown
from ..perception import DeviceAction, Frame, SettleOptions
from ._journal import ActionJournal
from ._recorder import Recorder, redact_value
from ._schema import FrameRef, SettleRecord

__all__ = ["UNKNOWN_OUTCOME", "Executed", "Observed", "Settled", "execute", "observe", "settle"]

UNKNOWN_OUTCOME = ("the run stopped while this action was being sent, so it may or may not have taken effect; "
                   "it was not sent again: look at the screen before repeating it")

ErrorKind = Literal["invalid", "unknown_outcome"]


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class Observed:
    """The screen a step starts from: the frame (in memory and on disk) and, when asked, its UI tree."""

    frame: Frame
    ref: FrameRef
    elements: list[Element] | None
    tree: str | None  # path of the stored UI tree, relative to the episode folder
    seconds: float
    tree_seconds: float = 0.0  # of ``seconds``, the time the UI tree took
    tree_error: str | None = None  # why there is no tree although one was asked for


def observe(device: Device, recorder: Recorder, name: str, *, reuse: tuple[Frame, FrameRef] | None = None,
            ui_tree: bool | Callable[[Frame], bool] = True) -> Observed:
    """Capture (or reuse a frame already stored, e.g. the last settle's), read the UI tree, and store both.

    The screenshot is the step's: a failure to take it raises. The UI tree only helps (validation,
    re-targeting, training data), so ``ui_tree`` may decide from the frame whether it is wanted; when
    the device cannot give one (a real phone's "could not get idle
    state" past its retries) the step goes on without it and says why in ``tree_error``. Both files
    are on disk when this returns: a checkpoint taken after it may name them.
    """
    t0 = time.perf_counter()
    if reuse is not None:
        frame, ref = reuse
    else:
        frame = device.screenshot()
        ref = recorder.save_frame(frame, name)
    elements, tree_error, t1 = None, None, time.perf_counter()
    if ui_tree(frame) if callable(ui_tree) else ui_tree:
        try:
            elements = device.ui_tree()
        except InfraFault as exc:  # if the device itself is gone, the next command says so
            tree_error = str(exc)
    tree_seconds = time.perf_counter() - t1
    tree = recorder.save_ui_tree(elements, name) if elements is not None else None
    recorder.wait_for(ref.path)  # the frame's write overlapped the UI-tree dump above
    recorder.wait_for(tree)
    return Observed(frame, ref, elements, tree, time.perf_counter() - t0, tree_seconds, tree_error)


@dataclass(frozen=True)
class Executed:
    """What came of sending one action.

    ``executed``: the device accepted the command (with a known result, or ``error_kind ==
    "unknown_outcome"`` when it may or may not have taken effect). Not executed with an ``error``: the
    model asked for something the device cannot do (fed back to it); ``reobserve`` then says the
    screen changed under the plan and the model needs a new screenshot.
    """

    executed: bool
    result: dict[str, Any] | None = None
    error: str | None = None
    error_kind: ErrorKind | None = None
    reobserve: bool = False
    seconds: float = 0.0


def execute(
    device: Device,
    action: DeviceAction,
    *,
    step: int,
    journal: ActionJournal | None = None,
    resolve: Callable[[DeviceAction], DeviceAction] = _same,
    redact: Callable[[str], str] = _same,
) -> Executed:
    """Send ``action`` to the device at most once across crashes (with a journal).

    ``resolve`` makes the action the driver gets (fills in secrets); ``redact`` cleans everything that
    comes back before it is stored or shown. A journal that says the step already ran, or was in
    flight when the process died, answers without touching the device.
    """
    t0 = time.perf_counter()

    def done(**fields: Any) -> Executed:
        return Executed(seconds=time.perf_counter() - t0, **fields)

    entry = journal.get(step) if journal is not None else None
    if entry is not None and entry.state == "done":  # it ran; the crash came before the checkpoint
        saved = entry.result or {}
        if saved.get("outcome") == "unknown":
            return done(executed=True, result=saved.get("result"), error=saved.get("error"),
                        error_kind="unknown_outcome")
        return done(executed=True, result=saved.get("result", saved))
    if entry is not None and entry.state == "intent":  # it was in flight when the process died
        doc = ActionResult(ok=False, detail=UNKNOWN_OUTCOME).model_dump(mode="json")
        return done(executed=True, result=doc, error=UNKNOWN_OUTCOME, error_kind="unknown_outcome")

    if journal is not None:
        journal.intent(step, action.model_dump(mode="json"))
    try:
        result = device.execute(resolve(action))
    except OutcomeUnknown as exc:
        message = redact(str(exc))
        doc = ActionResult(ok=False, detail=message).model_dump(mode="json")
        error = f"{message}; look at the screen before repeating it"
        if journal is not None:
            journal.done(step, {"outcome": "unknown", "result": doc, "error": error})
        return done(executed=True, result=doc, error=error, error_kind="unknown_outcome")
    except ModelFault as exc:  # the model asked for something this device cannot do (now): its to fix
        message = redact(str(exc))
        if journal is not None:
            journal.failed(step, message)
        return done(executed=False, error=f"the device cannot do this: {message}", error_kind="invalid",
                    reobserve=exc.reobserve)
    except InfraFault as exc:  # nothing took effect: a resumed run may send it again
        message = redact(str(exc))
        if journal is not None:
            journal.failed(step, message)
        if message != str(exc):  # the driver's message quoted a secret: it must not reach a log
            exc.message = redact(exc.message)
            exc.args = (exc.message,)
            raise exc from None  # the chained cause may quote it too
        raise
    doc = redact_value(result.model_dump(mode="json"), redact)
    if journal is not None:
        journal.done(step, {"result": doc})
    return done(executed=True, result=doc)


@dataclass(frozen=True)
class Settled:
    """The screen after an action: the last capture of the wait, stored, and how the wait ended."""

    frame: Frame
    ref: FrameRef
    record: SettleRecord
    settled: bool
    seconds: float


def settle(device: Device, recorder: Recorder, options: SettleOptions | None, name: str) -> Settled:
    """Wait as ``options`` define "settled" (``Device.settle``; None: the device's default) and store the
    last capture; the record keeps the options the device held to."""
    t0 = time.perf_counter()
    result = device.settle(options)
    assert result.frame is not None  # settling always captures at least once
    ref = recorder.save_frame(result.frame, name)
    return Settled(result.frame, ref, SettleRecord.model_validate(result.record()), result.settled,
                   time.perf_counter() - t0)
