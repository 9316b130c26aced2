"""The agent as a LangGraph StateGraph, following the data path of one step (docs/design.md).

    observe -> plan -> check -> [confirm] -> act -> settle -> record -> observe | plan | END
    observe -> person -> record        (a takeover: a person acts, see _takeover)

``check`` is parse + map to device pixels + validate + loop detection. Model faults skip straight to
``record`` (and the next turn goes to ``plan`` on the same screen, or to ``observe`` when the screen
changed under the plan); terminate / answer skip the device. The routers live here, beside the edges
they choose between.

Transient infrastructure faults (a capture that failed once, a link that dropped) are retried by
LangGraph's per-node RetryPolicy on the nodes that only look at the device; ``act`` is never retried
by the graph (its journal decides what a re-run may do).
"""

from __future__ import annotations

from typing import Any, Literal

from langgraph.graph import END, START, StateGraph
from langgraph.types import RetryPolicy

from ..errors import InfraFault
from ._act import act
from ._context import RunContext
from ._decide import check, confirm, plan
from ._perceive import observe, settle
from ._record import record
from ._state import AgentState
from ._takeover import person

__all__ = ["NODES", "build_graph", "is_transient"]

NODES = ("observe", "plan", "check", "confirm", "act", "settle", "record", "person")


def is_transient(exc: Exception) -> bool:
    """A fault worth one more try of a node that only looks at the device."""
    return isinstance(exc, InfraFault) and exc.transient


LOOK_AGAIN = RetryPolicy(initial_interval=0.2, backoff_factor=2.0, max_interval=2.0, max_attempts=3,
                         retry_on=is_transient)


def after_observe(state: AgentState) -> Literal["person", "plan"]:
    """A person who took over acts next; else the model plans."""
    return "person" if state.get("takeover") else "plan"


def after_person(state: AgentState) -> Literal["record", "plan"]:
    """The person's action (or their "done") is recorded; a plain hand-back lets the model plan on this screen."""
    return "record" if state.get("device_action") else "plan"


def after_check(state: AgentState) -> Literal["record", "confirm", "act"]:
    """An invalid reply, a terminate or an answer is recorded at once; a sensitive action asks first."""
    if state.get("error"):
        return "record"
    action = (state.get("model_action") or {}).get("action") or {}
    if action.get("action") in ("terminate", "answer"):
        return "record"
    return "confirm" if state.get("confirm_reasons") else "act"


def after_confirm(state: AgentState) -> Literal["record", "act"]:
    return "act" if (state.get("confirmation") or {}).get("approved") else "record"


def after_act(state: AgentState) -> Literal["record", "settle"]:
    """Whatever reached the device (known outcome or not) is waited for; a refusal by the device is not."""
    return "settle" if state.get("executed") else "record"


def after_record(state: AgentState) -> Literal["observe", "plan", "person", "__end__"]:
    """The run ends with an outcome; a turn that changed nothing plans again on the same screen (or, once a
    person took over, waits for the person there)."""
    if state.get("outcome"):
        return END  # type: ignore[return-value]
    if state.get("frame") is None:
        return "observe"
    return "person" if state.get("takeover") else "plan"


def build_graph(checkpointer: Any = None) -> Any:
    """The compiled graph; pass a checkpointer (``open_checkpointer``) to make it resumable."""
    graph = StateGraph(AgentState, context_schema=RunContext)
    graph.add_node("observe", observe, retry_policy=LOOK_AGAIN)
    graph.add_node("plan", plan)
    graph.add_node("check", check)
    graph.add_node("confirm", confirm)
    graph.add_node("act", act)
    graph.add_node("settle", settle, retry_policy=LOOK_AGAIN)
    graph.add_node("record", record)
    graph.add_node("person", person)
    graph.add_edge(START, "observe")
    graph.add_conditional_edges("observe", after_observe, ["person", "plan"])
    graph.add_conditional_edges("person", after_person, ["record", "plan"])
    graph.add_edge("plan", "check")
    graph.add_conditional_edges("check", after_check, ["record", "confirm", "act"])
    graph.add_conditional_edges("confirm", after_confirm, ["record", "act"])
    graph.add_conditional_edges("act", after_act, ["record", "settle"])
    graph.add_edge("settle", "record")
    graph.add_conditional_edges("record", after_record, ["observe", "plan", "person", END])
    return graph.compile(checkpointer=checkpointer)
