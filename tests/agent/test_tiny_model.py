"""One episode with a real transformers model (the tiny random Qwen2.5-VL): its outputs are junk, and the
run must end cleanly after them, with every reply, prompt and token count recorded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from screenpilot.actions import Size
from screenpilot.agent import Budgets, run
from screenpilot.planner import HistoryPolicy, backend_from_spec, dialect_for
from screenpilot.trajectories import read_episode

from ._script import taps


def test_a_tiny_local_model_runs_an_episode_that_ends_after_its_invalid_outputs(
    phone: Any, tiny_qwen25vl: Path, tmp_path: Path
) -> None:
    backend = backend_from_spec(f"local:{tiny_qwen25vl}", min_new_tokens=8)
    dialect = dialect_for("qwen2.5-vl", "phone", max_pixels=256 * 28 * 28)  # a small image keeps the CPU quick
    result = run("Turn on Wi-Fi", device=f"android:{phone.serial}", model=backend, dialect=dialect, out=tmp_path,
                 budgets=Budgets(max_invalid=3), history=HistoryPolicy(max_new_tokens=24))
    assert (result.outcome, result.decided_by, result.steps) == ("failure", "budget", 3)
    episode = read_episode(result.folder)
    assert episode.finished and episode.meta.model == backend.name
    for step in episode.steps:
        assert isinstance(step.raw_output, str) and not step.executed
        assert step.error_kind in ("parse", "invalid") and step.error
        assert step.usage is not None and (step.usage.prompt or 0) > 0 and (step.usage.completion or 0) > 0
        assert step.request is not None and step.request.image_size == dialect.image_size(Size(1080, 2400))
        assert step.timings.model_s > 0
    assert episode.meta.tokens.prompt == sum(s.usage.prompt for s in episode.steps)  # type: ignore[union-attr,misc]
    assert taps(phone) == []
