"""The graph's state: plain data only (strings, numbers, lists, dicts), so every checkpoint is small.

Frames are referenced by their path in the episode folder, never held as images; devices, backends
and the recorder live in the run's context (``_context.RunContext``). The state carries only what the
current step needs plus O(1) counters: the history of earlier steps is the trajectory itself, kept
in the context and rebuilt from ``steps.jsonl`` on resume, so a checkpoint does not grow with the
episode.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypedDict

from ..perception import Frame
from ..trajectories import FrameRef, Observed, RequestRecord

__all__ = ["AgentState", "LiveStep", "fresh_step"]


class AgentState(TypedDict, total=False):
    run_id: str
    task: str  # with {{secret:NAME}} placeholders, never values
    step: int  # index of the step in progress
    # -- the step in progress (reset by ``fresh_step``) --
    step_started_at: float
    frame: dict[str, Any] | None  # FrameRef of the screen the model sees
    ui_tree: str | None
    raw_output: str | None
    thought: str | None
    summary: str | None
    call: str | None  # the action written back in the dialect (history line)
    parse_notes: list[str]
    usage: dict[str, Any] | None
    model_action: dict[str, Any] | None
    device_action: dict[str, Any] | None
    element: dict[str, Any] | None
    confirm_reasons: list[str]
    confirmation: dict[str, Any] | None
    executed: bool
    result: dict[str, Any] | None
    frame_after: dict[str, Any] | None
    settle: dict[str, Any] | None  # SettleResult.record(): how the wait ended and the definition it kept
    error: str | None
    error_kind: str | None
    notes: list[str]  # what the loop noticed about this step (no UI tree, and why)
    reobserve: bool  # the action no longer fit the screen: the next turn looks again before it plans
    timings: dict[str, float]
    actor: str  # who chose this step's action: "model", or "person" during a takeover
    # -- across steps --
    takeover: dict[str, Any] | None  # a person is acting ({"reason", "by", "since"}), else None
    person_steps: int  # steps a person did (they count against no budget)
    invalid_streak: int
    repeat: dict[str, Any] | None  # loop detection: {"key", "frame", "count", "warned"}
    elapsed_s: float  # active time over every process that worked on this run (the wall budget)
    outcome: str | None
    decided_by: str | None
    outcome_detail: str
    answer: str | None


@dataclass
class LiveStep:
    """What the nodes hand each other in memory and never checkpoint (frames, UI elements, the request).

    Each part names the step it belongs to; after a crash all of it is gone and the nodes rebuild what
    they need from the files the state points at (the frame, the stored UI tree, the request).
    """

    observed: Observed | None = None  # the screen the model sees, kept while a turn does not change it
    request: tuple[int, RequestRecord] | None = None  # (step, the request as recorded): plan -> record
    after: tuple[int, Frame, FrameRef] | None = None  # (step, the settled screen after its action)

    def frame(self, path: str) -> Frame | None:
        """The in-memory frame stored at ``path``, if this process still holds it."""
        if self.observed is not None and self.observed.ref.path == path:
            return self.observed.frame
        if self.after is not None and self.after[2].path == path:
            return self.after[1]
        return None


def fresh_step() -> dict[str, Any]:
    """The per-step fields at their empty values (a partial state update)."""
    return {
        "frame": None, "ui_tree": None, "raw_output": None, "thought": None, "summary": None, "call": None, "parse_notes": [],
        "usage": None, "model_action": None, "device_action": None, "element": None, "confirm_reasons": [],
        "confirmation": None, "executed": False, "result": None, "frame_after": None, "settle": None, "error": None,
        "error_kind": None, "notes": [], "reobserve": False, "timings": {}, "actor": "model",
    }
