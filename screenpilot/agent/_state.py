"""The graph's state: plain data only (strings, numbers, lists, dicts), so every checkpoint is small.

Frames are referenced by their path in the episode folder, never held as images; devices, backends
and the recorder live in the run's context (``_context.RunContext``). The state carries only what the
current step needs plus O(1) counters: the history of earlier steps is the trajectory itself, kept
in the context and rebuilt from ``steps.jsonl`` on resume, so a checkpoint does not grow with the
episode.
"""

from __future__ import annotations

from typing import Any, TypedDict

__all__ = ["AgentState", "StepScratch", "fresh_step"]


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
    timings: dict[str, float]
    # -- across steps --
    invalid_streak: int
    repeat: dict[str, Any] | None  # loop detection: {"key", "frame", "count", "warned"}
    elapsed_s: float  # active time over every process that worked on this run (the wall budget)
    outcome: str | None
    decided_by: str | None
    outcome_detail: str
    answer: str | None


StepScratch = dict[str, Any]
"""Per-step objects that must not be checkpointed (the Frame, the request), kept in the context."""


def fresh_step() -> dict[str, Any]:
    """The per-step fields at their empty values (a partial state update)."""
    return {
        "frame": None, "ui_tree": None, "raw_output": None, "thought": None, "summary": None, "call": None, "parse_notes": [],
        "usage": None, "model_action": None, "device_action": None, "element": None, "confirm_reasons": [],
        "confirmation": None, "executed": False, "result": None, "frame_after": None, "settle": None, "error": None,
        "error_kind": None, "timings": {},
    }
