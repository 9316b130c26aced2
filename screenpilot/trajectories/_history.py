"""How a recorded step reads in a later prompt's history: one wording for the live run and the exports.

What a model is trained on must be what it saw live, so the agent (building the next request) and the
chat exporters (re-rendering prompts) both call :func:`history_entry`.
"""

from __future__ import annotations

from pathlib import Path

from ..planner import HistoryStep
from ._schema import StepRecord

__all__ = ["history_entry", "history_line", "ran_as_recorded"]


def ran_as_recorded(step: StepRecord) -> bool:
    """The step's action reached the device and its outcome is known."""
    return step.executed and step.error_kind != "unknown_outcome"


def history_line(step: StepRecord, *, call: str | None = None) -> str:
    """The step's line: the model's own summary or its call when it ran; else what went wrong.

    ``call`` overrides the recorded call (an exporter writing the call again in another space).
    """
    said = step.summary or call or step.call or ""
    if ran_as_recorded(step):
        return said
    if step.executed:  # sent, but whether it took effect is unknown: the model must look before repeating it
        return f"[outcome unknown] {said}: {step.error or 'the result was lost'}" if said else \
            f"[outcome unknown] {step.error or 'the result was lost'}"
    return f"[not executed] {step.error or 'no action'}"


def history_entry(step: StepRecord, image: Path | str | None, *, call: str | None = None,
                  reply: str | None = None) -> HistoryStep:
    """The step as a history entry (line, the reply as an assistant turn, and its screenshot)."""
    return HistoryStep(line=history_line(step, call=call),
                       reply=(step.raw_output or "").strip() if reply is None else reply, image=image)
