"""The reference solutions speak every dialect: the same scenarios pass when the replies are written
for Qwen3-VL (a 0..1000 grid), UI-TARS 1.5 (resized pixels, <point>) and UI-TARS 1.0 (start_box)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from screenpilot.scenarios import Target, builtin_scenarios, run_scenario

BY_ID = {s.id: s for s in builtin_scenarios()}
# a tap, a scroll to find an item, a slider, typing, and an answer
SAMPLE = ["settings.wifi_toggle", "contacts.find_number", "settings.brightness", "clock.add_alarm"]


@pytest.mark.parametrize("dialect", ["qwen3-vl", "ui-tars-1.5", "ui-tars-1.0"])
def test_reference_solutions_in_every_dialect(dialect: str, phone_target: Target, tmp_path: Path) -> None:
    for name in SAMPLE:
        result = run_scenario(BY_ID[name].instantiate(1), phone_target, dialect=dialect, out=tmp_path)
        assert result.status == "passed", f"{name} in {dialect}: {result.first_failure()} {result.problems}"
        steps = [json.loads(line) for line in (tmp_path / str(result.episode) / "steps.jsonl").read_text().splitlines()]
        first = steps[0]
        raw, space = first["raw_output"], first["model_action"]["space"]
        if dialect == "qwen3-vl":
            assert space["convention"] == "relative" and '"coordinate": [' in raw
        else:
            assert "Action:" in raw and ("<point>" in raw if dialect == "ui-tars-1.5" else "start_box" in raw)
        numbers = [int(n) for n in re.findall(r"\d+", raw.split("Action")[-1] if "Action" in raw else raw)[:2]]
        device = first["device_action"]["action"]["point"]
        assert numbers != [round(v) for v in device], "the reply is in the model's space, not device pixels"


def test_the_default_dialect_writes_resized_pixels(phone_target: Target, tmp_path: Path) -> None:
    result = run_scenario(BY_ID["settings.wifi_toggle"].instantiate(0), phone_target, out=tmp_path)
    first = json.loads((tmp_path / str(result.episode) / "steps.jsonl").read_text().splitlines()[0])
    assert first["model_action"]["space"]["model"] == [1092, 2408]  # 1080x2400 smart-resized
    model_point = first["model_action"]["action"]["point"]
    device_point = first["device_action"]["action"]["point"]
    assert abs(model_point[0] * 1080 / 1092 - device_point[0]) <= 1
    assert f'"coordinate": [{round(model_point[0])}, {round(model_point[1])}]' in first["raw_output"]
