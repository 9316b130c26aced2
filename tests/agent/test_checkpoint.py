"""The run's checkpoint file stays small over a long run and still resumes where it stopped."""

from __future__ import annotations

import operator
from pathlib import Path
from typing import Annotated, TypedDict

from langgraph.graph import END, START, StateGraph

from screenpilot.agent import CHECKPOINT_FILE, open_checkpointer


class Counter(TypedDict):
    n: int
    seen: Annotated[list[int], operator.add]


def _graph(saver: object, stop_at: int) -> object:
    g = StateGraph(Counter)
    g.add_node("a", lambda s: {"n": s["n"] + 1, "seen": [s["n"]]})
    g.add_node("b", lambda s: {})
    g.add_edge(START, "a")
    g.add_edge("a", "b")
    g.add_conditional_edges("b", lambda s: END if s["n"] % stop_at == 0 else "a", ["a", END])
    return g.compile(checkpointer=saver)


def test_old_checkpoints_are_pruned_and_the_latest_still_resumes(tmp_path: Path) -> None:
    saver = open_checkpointer(tmp_path, keep=8)
    config = {"configurable": {"thread_id": "t"}, "recursion_limit": 10_000}
    graph = _graph(saver, stop_at=600)
    graph.invoke({"n": 0, "seen": []}, config, durability="sync")
    rows = saver.conn.execute("SELECT count(*) FROM checkpoints").fetchone()[0]
    assert rows < 16, f"{rows} checkpoints kept (pruned to 8 every 8 puts)"
    orphans = saver.conn.execute(
        "SELECT count(*) FROM writes WHERE checkpoint_id NOT IN (SELECT checkpoint_id FROM checkpoints)").fetchone()[0]
    assert orphans == 0
    saver.conn.close()

    saver = open_checkpointer(tmp_path, keep=8)  # a new process picks the run up
    graph = _graph(saver, stop_at=600)
    state = graph.get_state(config)
    assert state.values["n"] == 600 and state.values["seen"] == list(range(600))
    graph.invoke({"n": 600}, config, durability="sync")  # and continues from there
    assert graph.get_state(config).values["n"] == 1200
    saver.conn.close()
    size = sum(p.stat().st_size for p in tmp_path.iterdir() if p.name.startswith(CHECKPOINT_FILE))
    assert size < 2_000_000, f"checkpoint files take {size} bytes after 2,400 super-steps"
