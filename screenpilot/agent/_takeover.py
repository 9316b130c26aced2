"""Takeover: a person acts on the device in the middle of a run, and hands back.

A takeover starts when a person asks for it (a key in the live view: ``Takeover.request``), when the
model asks for help (UI-TARS' ``call_user()``), or when a person refuses a sensitive action and says
they will do it themselves. From then on the ``person`` node replaces plan, check and act: it waits
for the person's next action on the device (read by a :class:`PersonChannel`, which the record room
implements for phones and desktops), and the step goes to the same ``record`` node as a model's, with
``actor: person``, both coordinate spaces, the element under the point, and the settled screen after
it. The model's history shows each such step as done by a person. The person hands back (the run goes
on with the model, on the screen as the person left it) or says the task is done (the run ends as a
success, decided by the person).

The channel is the one seam: the agent never reads touchscreens or X events itself, and the same
channel records whole demonstrations (``screenpilot record``).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from ..actions import Element, Screen, Terminate, points_of
from ..errors import ScreenPilotError
from ..perception import DeviceAction, Frame, SettleOptions
from ..planner import Dialect
from ..trajectories import FrameRef, Observed, Recorder, Settled, StepRecord, StepTimings

if TYPE_CHECKING:
    from langgraph.runtime import Runtime

    from ..devices import Device, OpenedDevice
    from ._context import RunContext
    from ._state import AgentState

__all__ = [
    "HandBack",
    "PersonAction",
    "PersonChannel",
    "Takeover",
    "asks_for_help",
    "person",
    "person_fields",
    "person_step",
]

PERSON_MARK = "(done by a person)"
"""How a person's step begins in the model's history line: the model must know it did not do it."""


@dataclass(frozen=True)
class PersonAction:
    """One action a person did on the device, as the channel read it.

    ``after`` is the settled screen after it (``trajectories.settle``, stored as the step's after-frame),
    which is also the next step's screen; ``duration_s`` is how long the gesture (or the typing) took.
    """

    action: DeviceAction
    started_at: float
    duration_s: float
    after: Settled
    notes: tuple[str, ...] = ()
    text_after: str | None = None


@dataclass(frozen=True)
class HandBack:
    """The person gives control back (``finished``: and says the task is done)."""

    finished: bool = False
    reason: str = ""


class PersonChannel(Protocol):
    """What reads a person's actions on one device (``screenpilot.record`` has one per device kind)."""

    def begin(self, reason: str) -> None:
        """The person takes over now (start reading the device's input)."""
        ...

    def next_action(self, step: int, observed: Observed, recorder: Recorder,
                    settle: SettleOptions | None) -> PersonAction | HandBack:
        """Block until the person's next action on the screen ``observed``, or until they hand back."""
        ...

    def hand_back(self, finished: bool = False) -> None:
        """From any thread: end the wait of ``next_action`` with a HandBack."""
        ...

    def end(self) -> None:
        """The takeover is over (stop reading input; it may begin again later)."""
        ...

    def close(self) -> None: ...


ChannelFactory = Callable[["Device", "OpenedDevice | None"], PersonChannel]
"""Makes the channel for the device a run opened (the CLI passes the record room's ``open_channel``)."""


class Takeover:
    """A run's way to a person: the channel (made once the device is open) and the requests that reach
    it from other threads (a key in the live view). Pass one to ``run(takeover=...)``."""

    def __init__(self, factory: ChannelFactory) -> None:
        self.factory = factory
        self.channel: PersonChannel | None = None
        self._requested: str | None = None
        self._lock = threading.Lock()
        self.active = False
        self.on_change: Callable[[bool, str], None] | None = None  # the live view's status line

    def attach(self, device: Device, opened: OpenedDevice | None) -> None:
        if self.channel is None:
            self.channel = self.factory(device, opened)

    def request(self, reason: str = "a person pressed the takeover key") -> None:
        """Take over at the next step (the step in progress finishes first)."""
        with self._lock:
            self._requested = reason

    def take_request(self) -> str | None:
        with self._lock:
            reason, self._requested = self._requested, None
            return reason

    def hand_back(self, finished: bool = False) -> None:
        """Give control back to the model (``finished``: the person says the task is done)."""
        with self._lock:
            self._requested = None
        if self.channel is not None and self.active:
            self.channel.hand_back(finished)

    def started(self, reason: str) -> None:
        assert self.channel is not None
        if not self.active:
            self.channel.begin(reason)
            self.active = True
            if self.on_change is not None:
                self.on_change(True, reason)

    def stopped(self) -> None:
        if not self.active:
            return
        if self.channel is not None:
            self.channel.end()
        self.active = False
        if self.on_change is not None:
            self.on_change(False, "")

    def close(self) -> None:
        if self.channel is not None:
            self.stopped()
            self.channel.close()


# ---- what a person's step records ------------------------------------------------------------------

def _element(elements: list[Element] | None, action: DeviceAction) -> Element | None:
    points = list(points_of(action.action).values())
    if not points or not elements:
        return None
    return Screen(kind="phone", size=action.size, elements=tuple(elements)).element_at(points[0])


def person_fields(dialect: Dialect, observed: Observed, action: DeviceAction) -> dict[str, Any]:
    """The action in the dialect's model space, written as the dialect writes it, and what it touched."""
    space = dialect.space(action.size)
    model = space.to_model(action, integral=True)
    try:
        call = dialect.parse(dialect.format(model.action), space).call
    except (ValueError, KeyError, ScreenPilotError):  # an action this dialect has no words for
        call = json.dumps(model.action.model_dump(mode="json"), ensure_ascii=False)
    element = _element(observed.elements, action)
    return {"model_action": model.model_dump(mode="json"), "call": call,
            "summary": f"{PERSON_MARK} {call}",
            "element": element.model_dump(mode="json") if element is not None else None}


def person_step(index: int, dialect: Dialect, observed: Observed, done: PersonAction | None,
                *, finished: bool = False, now: Callable[[], float] = time.time) -> StepRecord:
    """A person's step as a trajectory record (``screenpilot record``; the agent's record node writes the
    same fields from the state). ``done`` None with ``finished``: the person said the task is done."""
    if done is None:
        action = DeviceAction(action=Terminate(status="success" if finished else "failure"), size=observed.frame.size)
        fields = person_fields(dialect, observed, action)
        return StepRecord.model_validate({
            "index": index, "actor": "person", "started_at": now(), "ended_at": now(), "frame": observed.ref,
            "ui_tree": observed.tree, "device_action": action.model_dump(mode="json"), "executed": False,
            "timings": StepTimings(observe_s=observed.seconds, ui_tree_s=observed.tree_seconds), **fields})
    fields = person_fields(dialect, observed, done.action)
    return StepRecord.model_validate({
        "index": index, "actor": "person", "started_at": done.started_at, "ended_at": now(),
        "frame": observed.ref, "frame_after": done.after.ref, "ui_tree": observed.tree,
        "device_action": done.action.model_dump(mode="json"), "executed": True,
        "result": _result(done), "notes": list(done.notes), "settle": done.after.record,
        "timings": StepTimings(observe_s=observed.seconds, ui_tree_s=observed.tree_seconds, act_s=done.duration_s,
                               settle_s=done.after.seconds),
        **fields})


def _result(done: PersonAction) -> dict[str, Any]:
    detail = "done by a person on the device"
    if done.text_after is not None:
        detail += f"; the focused field reads {done.text_after!r}"
    return {"ok": True, "detail": detail, "duration_s": done.duration_s, "text_after": done.text_after}


# ---- when the model asks for help ----------------------------------------------------------------

_CALL_USER = re.compile(r"\bcall_user\s*\(", re.IGNORECASE)


def asks_for_help(raw: str | None, action: Any) -> bool:
    """The model asked a person to step in: UI-TARS' ``call_user()`` (which its dialect reads as a failed
    terminate). Qwen's tools have no such action; a Qwen model's refusal is a plain terminate."""
    return isinstance(action, Terminate) and action.status == "failure" and bool(_CALL_USER.search(raw or ""))


# ---- the node ------------------------------------------------------------------------------------

def _observed(ctx: RunContext, state: AgentState) -> Observed:
    """The screen the person acts on: this process's observation, or (resumed) the files it was stored in."""
    seen = ctx.live.observed
    frame_doc = state["frame"]
    assert frame_doc is not None
    if seen is not None and seen.ref.path == frame_doc["path"]:
        return seen
    ref = FrameRef.model_validate(frame_doc)
    folder = ctx.recorder.folder
    frame = Frame.from_bytes((folder / ref.path).read_bytes(), captured_at=ref.captured_at)
    elements = None
    if state.get("ui_tree"):
        try:
            elements = [Element.model_validate(e) for e in json.loads((folder / state["ui_tree"]).read_text("utf-8"))]  # type: ignore[operator]
        except (OSError, ValueError):
            elements = None
    return Observed(frame, ref, elements, state.get("ui_tree"), 0.0)


def person(state: AgentState, runtime: Runtime[RunContext]) -> dict[str, Any]:
    """Wait for the person's next action on the device and make it this step's; or take their hand-back."""
    ctx = runtime.context
    step = state["step"]
    takeover = ctx.takeover
    why = (state.get("takeover") or {}).get("reason", "a person took over")
    if takeover is None or takeover.channel is None:  # resumed without a person at hand: the model goes on
        return {"takeover": None, "notes": [*state.get("notes", []), "no person to take over: the model goes on"]}
    takeover.started(why)  # the person's input is being read before anyone is told to act
    ctx.emit("phase", step, "person")
    observed = _observed(ctx, state)
    started = time.time()
    got = takeover.channel.next_action(step, observed, ctx.recorder, ctx.settle)
    if isinstance(got, HandBack):
        takeover.stopped()
        if not got.finished:
            return {"takeover": None}
        action = DeviceAction(action=Terminate(status="success"), size=observed.frame.size)
        return {"takeover": None, "actor": "person", "step_started_at": started,
                "device_action": action.model_dump(mode="json"), "executed": False,
                **person_fields(ctx.dialect, observed, action)}
    ctx.live.after = (step, got.after.frame, got.after.ref)
    timings = {**state.get("timings", {}), "act_s": got.duration_s, "settle_s": got.after.seconds}
    return {"actor": "person", "step_started_at": got.started_at, "device_action": got.action.model_dump(mode="json"),
            "executed": True, "result": _result(got), "frame_after": got.after.ref.model_dump(mode="json"),
            "settle": got.after.record.model_dump(mode="json"), "timings": timings,
            "notes": [*state.get("notes", []), *got.notes], "person_steps": state.get("person_steps", 0) + 1,
            **person_fields(ctx.dialect, observed, got.action)}
