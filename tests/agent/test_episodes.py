"""Whole episodes on the virtual phone, through a real adb server, with scripted Qwen2.5-VL replies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from screenpilot.actions import Size
from screenpilot.agent import Budgets, run
from screenpilot.planner import ScriptedBackend
from screenpilot.trajectories import read_episode

from ._script import EMPTY_AREA, NETWORK_ROW, SETTINGS_ICON, WIFI_ON, WIFI_SWITCH, done, resized, tap, taps


def _run(phone: Any, replies: list[str], tmp_path: Path, **kw: Any) -> Any:
    return run("Turn on Wi-Fi", device=f"android:{phone.serial}", model=ScriptedBackend(replies), out=tmp_path, **kw)


def test_a_scripted_model_turns_wifi_on_with_resized_coordinates(phone: Any, tmp_path: Path) -> None:
    result = _run(phone, WIFI_ON, tmp_path)
    assert result.outcome == "success" and result.decided_by == "model" and result.steps == 4
    assert phone.phone.get_setting("global", "wifi_on") == "1"  # the device changed, not just the record
    # the model's numbers were in the 1092x2408 image; the phone got device pixels of its 1080x2400 screen
    assert taps(phone) == [f"input tap {x} {y}" for x, y in (SETTINGS_ICON, NETWORK_ROW, WIFI_SWITCH)]
    episode = read_episode(result.folder)
    assert episode.finished and len(episode.steps) == 4
    first = episode.steps[0]
    assert first.model_action.space.model == Size(1092, 2408) and first.model_action.space.device == Size(1080, 2400)
    assert tuple(first.model_action.action.point) == resized(*SETTINGS_ICON) != SETTINGS_ICON
    assert tuple(first.device_action.action.point) == SETTINGS_ICON
    assert first.element is not None and first.element.label == "Settings"  # it landed on the intended icon
    assert first.element.bounds.contains(first.device_action.action.point)
    third = episode.steps[2]
    assert third.element is not None and third.element.resource_id.endswith("/wifi")
    # what the model was sent: the exact text, the screenshot by reference and the size it was sent at
    assert first.request is not None and first.request.image_size == Size(1092, 2408)
    assert first.request.images == [first.frame.path]
    assert "The screen's resolution is 1092x2408" in json.dumps(first.request.messages)
    assert episode.path(first.frame).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert first.frame_after is not None and episode.steps[1].frame.path == first.frame_after.path
    assert first.raw_output == WIFI_ON[0] and first.thought == "Open Settings."
    assert first.timings.settle_s > 0 and first.timings.observe_s > 0
    assert episode.meta.device.logical_size == Size(1080, 2400) and episode.meta.device.os.startswith("Android")
    assert "langgraph" in episode.meta.software


def test_invalid_outputs_are_fed_back_and_the_run_goes_on(phone: Any, tmp_path: Path) -> None:
    replies = [
        "I will tap the settings icon now.",  # no tool call at all
        '<tool_call>\n{"name": "mobile_use", "arguments": {"action": "click", "coordinate": [5000, 10]}}\n</tool_call>',
        *WIFI_ON,
    ]
    result = _run(phone, replies, tmp_path)
    assert result.outcome == "success" and phone.phone.get_setting("global", "wifi_on") == "1"
    steps = read_episode(result.folder).steps
    assert [s.error_kind for s in steps[:3]] == ["parse", "invalid", None]
    assert not steps[0].executed and not steps[1].executed and steps[2].executed
    assert "no tool call" in steps[0].error and "outside the 1092x2408 image" in steps[1].error
    # the next request told the model what was wrong, in its own words
    second_prompt = json.dumps(steps[1].request.messages)
    assert "[not executed]" in second_prompt and "no tool call" in second_prompt
    assert "outside the 1092x2408 image" in json.dumps(steps[2].request.messages)
    assert len(taps(phone)) == 3  # invalid outputs never reached the phone
    assert steps[1].frame.path == steps[0].frame.path  # nothing ran, so the model looked at the same screen


def test_consecutive_invalid_outputs_end_the_run(phone: Any, tmp_path: Path) -> None:
    result = _run(phone, ["nonsense"] * 5, tmp_path, budgets=Budgets(max_invalid=3))
    assert (result.outcome, result.decided_by, result.steps) == ("failure", "budget", 3)
    assert "3 outputs in a row" in result.detail and taps(phone) == []


def test_the_step_budget_ends_the_run(phone: Any, tmp_path: Path) -> None:
    result = _run(phone, WIFI_ON, tmp_path, budgets=Budgets(max_steps=2))
    assert (result.outcome, result.decided_by, result.steps) == ("failure", "budget", 2)
    assert len(taps(phone)) == 2 and read_episode(result.folder).meta.outcome == "failure"


def test_the_time_budget_ends_the_run(phone: Any, tmp_path: Path) -> None:
    result = _run(phone, WIFI_ON, tmp_path, budgets=Budgets(max_wall_s=0.001))
    assert (result.outcome, result.decided_by, result.steps) == ("failure", "budget", 1)
    assert "time limit" in result.detail


def test_a_loop_is_reported_to_the_model_then_ends_the_run(phone: Any, tmp_path: Path) -> None:
    replies = [tap(SETTINGS_ICON), tap(NETWORK_ROW)] + [tap(EMPTY_AREA)] * 5
    result = _run(phone, replies, tmp_path, budgets=Budgets(loop_repeats=3, max_invalid=5))
    assert (result.outcome, result.decided_by) == ("failure", "loop")
    steps = read_episode(result.folder).steps
    kinds = [s.error_kind for s in steps]
    assert kinds == [None, None, None, None, "loop", "loop"]
    assert "3 times and the screen did not change" in steps[4].error
    assert "3 times and the screen did not change" in json.dumps(steps[5].request.messages)
    assert len(taps(phone)) == 4  # the repeats after the warning never reached the phone


def test_answer_ends_the_run_with_the_answer(phone: Any, tmp_path: Path) -> None:
    answer = '<tool_call>\n{"name": "mobile_use", "arguments": {"action": "answer", "text": "Wi-Fi is off"}}\n</tool_call>'
    result = _run(phone, [answer], tmp_path)
    assert (result.outcome, result.answer) == ("success", "Wi-Fi is off")
    assert read_episode(result.folder).meta.answer == "Wi-Fi is off"


def test_the_model_saying_failure_is_a_failure(phone: Any, tmp_path: Path) -> None:
    result = _run(phone, [done("failure")], tmp_path)
    assert (result.outcome, result.decided_by) == ("failure", "model")
