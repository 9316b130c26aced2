"""Every virtual-phone scenario, through the FULL loop (prompt, parse, coordinate mapping, validation,
the Android driver over a real adb server, settle, recording), solved by its reference solution, and
failed by its negative control. One phone is shared and reset before each scenario."""

from __future__ import annotations

from pathlib import Path

import pytest

from screenpilot.scenarios import Target, builtin_scenarios

from ._suite import fails_negative_control, solved_by_reference

PHONE = [s for s in builtin_scenarios() if s.device == "phone"]


@pytest.mark.parametrize("spec", PHONE, ids=[s.id for s in PHONE])
def test_reference_passes_and_negative_control_fails(spec, phone_target: Target, tmp_path: Path) -> None:
    passed = solved_by_reference(spec, phone_target, tmp_path)
    failed = fails_negative_control(spec, phone_target, tmp_path)
    assert passed.episode != failed.episode
    if "long" in spec.tags:
        assert passed.steps >= 20


def test_the_long_task_really_is_long(phone_target: Target, tmp_path: Path) -> None:
    long = [s for s in PHONE if "long" in s.tags]
    assert long, "the suite needs a long task"
    for spec in long:
        assert len(spec.instantiate(0).solution) >= 19  # + the type-into taps: 22 model turns


def test_another_seed_is_another_task_and_still_solved(phone_target: Target, tmp_path: Path) -> None:
    by_id = {s.id: s for s in PHONE}
    for name in ("contacts.add_contact", "clock.add_alarm", "contacts.find_number"):
        spec = by_id[name]
        instructions = {spec.instantiate(seed).instruction for seed in range(6)}
        assert len(instructions) >= 3, instructions
        solved_by_reference(spec, phone_target, tmp_path, seed=5)
