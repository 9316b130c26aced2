"""``evaluate``: repeats on fresh state, one shared model across episodes, results saved as it goes."""

from __future__ import annotations

import json
from pathlib import Path

from screenpilot.planner import ScriptedBackend
from screenpilot.scenarios import RESULTS_FILE, Target, evaluate, select_scenarios


def test_each_repeat_starts_from_fresh_state(phone_target: Target, tmp_path: Path) -> None:
    # the canonical instance every time: the same note is deleted twice, which only works if the
    # phone is fresh again before the second run
    report = evaluate(select_scenarios(["notes.delete_note"]), phone_target, repeat=2, seed=None, out=tmp_path)
    assert [r.status for r in report.results] == ["passed", "passed"]
    assert report.results[0].params == report.results[1].params
    saved = json.loads((Path(report.folder) / RESULTS_FILE).read_text())
    assert saved["passed"] == 2 and saved["success_rate"] == 1.0
    assert {r["episode"] for r in saved["results"]} == {p.name for p in Path(report.folder).iterdir() if p.is_dir()}


def test_a_model_that_only_claims_success_is_caught_by_the_checks(phone_target: Target, tmp_path: Path) -> None:
    claims = ScriptedBackend(lambda _request: '<tool_call>{"name": "mobile_use", "arguments": '
                                              '{"action": "terminate", "status": "success"}}</tool_call>',
                             name="liar")
    report = evaluate(select_scenarios(["settings.wifi_toggle", "clock.add_alarm", "infeasible.nfc"]), phone_target,
                      model=claims, out=tmp_path)
    assert [r.status for r in report.results] == ["failed", "failed", "failed"]
    assert all(r.model_outcome == "success" and r.decided_by == "model" for r in report.results)
    assert report.success_rate == 0.0
