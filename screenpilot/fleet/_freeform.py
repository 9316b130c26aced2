"""One free-form task on an open device: fresh state, its setup, the agent, teardown. No checks: the
outcome is the model's own (a scenario's verdict comes from ``run_scenario`` instead)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from pydantic import TypeAdapter

from ..agent import Budgets
from ..agent import run as run_agent
from ..errors import ScreenPilotError
from ..planner import Backend, dialect_for
from ..scenarios import ScenarioResult, SetupFailed, SetupStep, Target, probe_for, run_steps
from ._work import WorkItem

__all__ = ["run_free_task"]

_SETUP = TypeAdapter(list[SetupStep])


def run_free_task(item: WorkItem, target: Target, *, model: str | Backend, dialect: str | None, out: Path,
                  confirm: Literal["yes", "no"], on_event: Callable[[Any], None] | None = None) -> ScenarioResult:
    """The same result shape as a scenario's, with no checks and ``status`` ``passed`` when the model
    reported success (``failed`` otherwise, ``error`` when a fault stopped it)."""
    started = time.monotonic()
    base: dict[str, Any] = {"scenario": item.task, "title": item.instruction[:80], "seed": item.seed,
                            "instruction": item.instruction}
    probe = probe_for(target.device)
    undo: list[Any] = []
    result: ScenarioResult | None = None
    reset_s = setup_s = 0.0
    try:
        if target.reset is not None:
            target.reset()
        elif target.kind == "phone":
            probe.run("input keyevent 3", "going home")  # type: ignore[attr-defined]
        reset_s = time.monotonic() - started
        try:
            run_steps(_SETUP.validate_python(item.setup), probe, undo=undo)
            probe.settle()
        except SetupFailed as exc:
            result = ScenarioResult(**base, status="error", error=f"setup: {exc}")
            return result
        finally:
            setup_s = time.monotonic() - started - reset_s
        ran = time.monotonic()
        try:
            run = run_agent(item.instruction, device=target.device, model=model,
                            dialect=dialect_for(dialect, target.kind), out=out,
                            budgets=Budgets(max_steps=item.max_steps, max_wall_s=item.max_time_s),
                            confirm=confirm, on_event=on_event)
        except ScreenPilotError as exc:
            result = ScenarioResult(**base, status="error", error=f"the episode stopped: {exc}")
            return result
        result = ScenarioResult(**base, status="passed" if run.outcome == "success" else "failed",
                                model=getattr(model, "name", str(model)), model_outcome=run.outcome,
                                decided_by=run.decided_by, answer=run.answer, steps=run.steps,
                                episode_s=round(time.monotonic() - ran, 3), episode=run.folder.name)
        return result
    finally:
        for restore in reversed(undo):
            try:
                restore()
            except ScreenPilotError:
                pass
        probe.close()
        if result is not None:
            result.time_s = round(time.monotonic() - started, 3)
            result.reset_s, result.setup_s = round(reset_s, 3), round(setup_s, 3)
