"""Shared by the phone and desktop suite tests: run one scenario both ways and check what a user would."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from screenpilot.scenarios import ScenarioSpec, Target, run_scenario
from screenpilot.trajectories import read_episode


def solved_by_reference(spec: ScenarioSpec, target: Target, out: Path, *, seed: int = 0, **context: Any) -> Any:
    """The reference solution through the full agent loop passes every check, and the episode says so."""
    scenario = spec.instantiate(seed, **context)
    result = run_scenario(scenario, target, model="reference", out=out)
    assert result.status == "passed", f"{spec.id}: {result.first_failure()} (problems: {result.problems})"
    assert result.problems == []
    assert len(result.checks) == len(scenario.success) and all(c.passed for c in result.checks)
    assert result.decided_by == "model", "the reference ends the episode itself, never by budget or loop"
    assert 1 <= result.steps <= scenario.max_steps
    episode = read_episode(out / str(result.episode))
    assert episode.meta.decided_by == "scenario"
    assert episode.meta.outcome == ("infeasible" if result.model_outcome == "failure" else "success")
    assert episode.meta.scenario["id"] == spec.id and episode.meta.scenario["passed"] is True
    assert episode.meta.source == "scripted" and episode.meta.instruction == scenario.instruction
    assert all(step.executed or step.model_action.action.action in ("terminate", "answer") for step in episode.steps)
    return result


def fails_negative_control(spec: ScenarioSpec, target: Target, out: Path, *, seed: int = 0, **context: Any) -> Any:
    """The negative control (a wrong or truncated solution) runs to its end and FAILS a check."""
    scenario = spec.instantiate(seed, **context)
    result = run_scenario(scenario, target, model="reference:negative", out=out)
    assert result.status == "failed", f"{spec.id}: the negative control passed every check: {result.checks}"
    assert not all(c.passed for c in result.checks)
    episode = read_episode(out / str(result.episode))
    assert episode.meta.outcome == "failure" and episode.meta.decided_by == "scenario"
    assert episode.meta.scenario["passed"] is False
    return result
