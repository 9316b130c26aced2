"""The agent as a LangGraph StateGraph, following the data path of ARCHITECTURE.md.

    observe -> plan -> check -> [confirm] -> act -> settle -> record -> observe | plan | END

``check`` is parse + map to device pixels + validate + loop detection. Model faults skip straight to
``record`` (and the next turn goes to ``plan`` on the same screen); terminate / answer skip the device.
"""

from __future__ import annotations

from typing import Any

from langgraph.graph import END, START, StateGraph

from ._act import act
from ._context import RunContext
from ._decide import check, confirm, plan
from ._perceive import observe, settle
from ._record import after_act, after_check, after_confirm, after_record, record
from ._state import AgentState

__all__ = ["NODES", "build_graph"]

NODES = ("observe", "plan", "check", "confirm", "act", "settle", "record")


def build_graph(checkpointer: Any = None) -> Any:
    """The compiled graph; pass a checkpointer (``open_checkpointer``) to make it resumable."""
    graph = StateGraph(AgentState, context_schema=RunContext)
    graph.add_node("observe", observe)
    graph.add_node("plan", plan)
    graph.add_node("check", check)
    graph.add_node("confirm", confirm)
    graph.add_node("act", act)
    graph.add_node("settle", settle)
    graph.add_node("record", record)
    graph.add_edge(START, "observe")
    graph.add_edge("observe", "plan")
    graph.add_edge("plan", "check")
    graph.add_conditional_edges("check", after_check, ["record", "confirm", "act"])
    graph.add_conditional_edges("confirm", after_confirm, ["record", "act"])
    graph.add_conditional_edges("act", after_act, ["record", "settle"])
    graph.add_edge("settle", "record")
    graph.add_conditional_edges("record", after_record, ["observe", "plan", END])
    return graph.compile(checkpointer=checkpointer)
