"""Replay on the virtual phone through a real adb server: the episode replayed is one the agent recorded.

The source episode is recorded by ``screenpilot.agent.run`` with a scripted Qwen2.5-VL whose taps are
found on the phone's own UI tree (so the script follows the virtual phone's layout), then the phone is
reset and the episode is replayed: on the same screen, with another clock, after the screen diverged,
at another resolution, rotated, at a given speed, and through the agent loop as ``replay:EPISODE``.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from screenpilot.actions import Size, Tap, Terminate
from screenpilot.cli import main
from screenpilot.devices import AndroidDevice
from screenpilot.planner import ScriptedBackend, dialect_for
from screenpilot.trajectories import ReplayOptions, TrajectoryError, read_episode, replay

_SOURCE: dict[str, Path] = {}


def _find(device: AndroidDevice, test: Any) -> tuple[int, int]:
    hits = [e for e in device.ui_tree() or [] if test(e)]
    assert hits, "the virtual phone's layout changed: the element is gone"
    c = hits[0].bounds.center
    return round(c.x), round(c.y)


def _wifi_off(adb_device: Any) -> None:
    adb_device.phone.put_setting("global", "wifi_on", "0")


def _device(adb_device: Any) -> AndroidDevice:
    return AndroidDevice(adb_device.serial, port=adb_device.server.port)


def _record_source(adb_device: Any, out: Path) -> Path:
    """Turn Wi-Fi on with the agent, a scripted model aiming where the phone's UI tree says."""
    from screenpilot.agent import run

    device = _device(adb_device)
    points = []
    for test in (lambda e: e.text == "Settings", lambda e: e.text == "Network & internet",
                 lambda e: e.resource_id.endswith("/wifi")):
        points.append(_find(device, test))
        device.execute(_tap(device, points[-1]))
        device.settle()
    adb_device.phone.reset()
    _wifi_off(adb_device)
    dialect = dialect_for("qwen2.5-vl", "phone")
    space = dialect.space(Size(1080, 2400))
    replies = [dialect.format(space.to_model(Tap(point=p), integral=True).action, thought=f"step {i}", summary=f"Did {i}.")
               for i, p in enumerate(points)]
    replies.append(dialect.format(Terminate(status="success"), thought="Wi-Fi is on."))
    result = run("Turn on Wi-Fi", device=device, model=ScriptedBackend(replies), out=out)
    assert result.outcome == "success" and adb_device.phone.get_setting("global", "wifi_on") == "1"
    return result.folder


def _tap(device: AndroidDevice, point: tuple[int, int]) -> Any:
    from screenpilot.perception import DeviceAction

    return DeviceAction(action=Tap(point=point), size=device.screenshot().size)


@pytest.fixture
def source(adb_device: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The recorded episode (made once per session), with the phone reset and Wi-Fi off again."""
    if "wifi" not in _SOURCE:
        _SOURCE["wifi"] = _record_source(adb_device, tmp_path_factory.mktemp("source"))
    adb_device.phone.reset()
    _wifi_off(adb_device)
    return _SOURCE["wifi"]


def _taps(adb_device: Any) -> list[str]:
    return [line for line in adb_device.records.lines() if line.startswith("input tap")]


def test_replay_on_the_same_phone_repeats_the_episode(adb_device: Any, source: Path, tmp_path: Path) -> None:
    seen = []
    report = replay(source, _device(adb_device), tmp_path, device_spec="sim", on_step=seen.append)
    assert adb_device.phone.get_setting("global", "wifi_on") == "1"  # the device changed, not just the record
    assert report.outcome == "success" and report.stopped_at is None and not report.diverged
    assert [s.action for s in report.steps] == ["tap", "tap", "tap", "terminate"] and seen == report.steps
    assert all(s.divergence is not None and s.divergence < 0.01 for s in report.steps)
    original = read_episode(source)
    assert _taps(adb_device)[-3:] == [c for s in original.steps for c in (s.result.commands if s.result else [])]
    again = read_episode(report.folder)  # the replay is an episode like any other, linked to its source
    assert again.meta.config["replay"]["source_id"] == original.meta.id and again.meta.source == "scripted"
    assert again.meta.outcome == "success" and len(again.steps) == 4
    assert [s.model_extra["replay"]["source_step"] for s in again.steps] == [0, 1, 2, 3]
    assert again.steps[0].model_action.space.model == Size(1092, 2408)  # recomputed for the live screen
    assert again.steps[0].raw_output == original.steps[0].raw_output


def test_another_clock_is_not_a_divergence(adb_device: Any, source: Path, tmp_path: Path) -> None:
    adb_device.phone.config.clock = "23:59"
    try:
        report = replay(source, _device(adb_device), tmp_path, options=ReplayOptions(threshold=0.001))
    finally:
        adb_device.phone.config.clock = "10:30"
    assert report.outcome == "success" and not report.diverged
    assert adb_device.phone.get_setting("global", "wifi_on") == "1"


def test_divergence_stops_the_replay_and_says_where(adb_device: Any, source: Path, tmp_path: Path) -> None:
    adb_device.phone.launch("com.android.settings")  # the screen is not the one the recording started on
    before = len(_taps(adb_device))
    report = replay(source, _device(adb_device), tmp_path)
    assert report.outcome == "aborted" and report.stopped_at == 0
    step = report.steps[0]
    assert step.diverged and step.divergence > 0.10 and not step.executed and step.where
    assert len(_taps(adb_device)) == before  # nothing was sent to the phone
    assert adb_device.phone.get_setting("global", "wifi_on") == "0"
    episode = read_episode(report.folder)
    assert episode.meta.outcome == "aborted" and "diverged" in episode.meta.outcome_detail
    assert "source step 1" in episode.steps[0].error and f"{step.divergence:.1%}" in episode.steps[0].error


def test_continue_on_divergence_reports_every_diverged_step(adb_device: Any, source: Path, tmp_path: Path) -> None:
    adb_device.phone.launch("com.android.settings")
    report = replay(source, _device(adb_device), tmp_path, options=ReplayOptions(on_divergence="continue"))
    assert report.stopped_at is None and len(report.steps) == 4
    assert report.diverged and report.diverged[0].source_step == 0
    assert "diverged" in report.detail


def test_another_resolution_is_remapped_by_element(adb_device: Any, source: Path, tmp_path: Path) -> None:
    assert adb_device.shell("wm size 720x1600").returncode == 0
    try:
        device = _device(adb_device)
        assert device.info().logical_size == Size(720, 1600)
        report = replay(source, device, tmp_path)
    finally:
        adb_device.shell("wm size reset")
    assert report.outcome == "success", report.detail
    assert adb_device.phone.get_setting("global", "wifi_on") == "1"
    targets = {s.source_step: s.target for s in report.steps}
    assert targets == {0: "element", 1: "element", 2: "element", 3: "recorded"}  # the row was found by its title
    assert all(s.measure == "elements" for s in report.steps)
    episode = read_episode(report.folder)
    assert episode.steps[0].frame.size == Size(720, 1600) and episode.steps[0].device_action.size == Size(720, 1600)


def test_rotated_phone_is_replayed_by_element(adb_device: Any, source: Path, tmp_path: Path) -> None:
    adb_device.phone.put_setting("system", "user_rotation", "1")
    try:
        device = _device(adb_device)
        assert device.info().logical_size == Size(2400, 1080)
        report = replay(source, device, tmp_path)
    finally:
        adb_device.phone.put_setting("system", "user_rotation", "0")
    assert report.outcome == "success", report.detail
    assert adb_device.phone.get_setting("global", "wifi_on") == "1"
    assert report.steps[0].target == "element"


def test_speed_waits_the_recorded_pauses_scaled(adb_device: Any, source: Path, tmp_path: Path) -> None:
    slept: list[float] = []
    report = replay(source, _device(adb_device), tmp_path, options=ReplayOptions(speed=4.0),
                    sleep=lambda s: slept.append(s))
    original = read_episode(source).steps

    def act_start(s: Any) -> float:
        t = s.timings
        return s.started_at + t.observe_s + t.prompt_s + t.model_s + t.parse_s

    # same association as the replayer (b - (a + act)): a - b - c can differ from it by one ulp near 0
    gaps = [max(0.0, act_start(b) - (act_start(a) + a.timings.act_s)) / 4 for a, b in itertools.pairwise(original)]
    assert slept == pytest.approx([g for g in gaps if g])
    assert [s.waited_s for s in report.steps[1:]] == pytest.approx([round(g, 4) for g in gaps], abs=1e-4)
    assert report.outcome == "success" and adb_device.phone.get_setting("global", "wifi_on") == "1"


def test_recorded_model_outputs_run_through_the_agent_loop(adb_device: Any, source: Path, tmp_path: Path) -> None:
    from screenpilot.agent import run

    result = run("Turn on Wi-Fi", device=_device(adb_device), model=f"replay:{source}", out=tmp_path)
    assert result.outcome == "success" and adb_device.phone.get_setting("global", "wifi_on") == "1"
    before, after = read_episode(source), read_episode(result.folder)
    assert [s.raw_output for s in after.steps] == [s.raw_output for s in before.steps]
    assert [s.device_action for s in after.steps] == [s.device_action for s in before.steps]
    assert after.meta.model == f"replay:{source}"


def test_bad_replays_are_clear_errors(adb_device: Any, tmp_path: Path) -> None:
    from ._builders import Turn, build_episode

    empty = build_episode(tmp_path / "nothing", [Turn(None)], outcome="failure")
    with pytest.raises(TrajectoryError, match="no executed action"):
        replay(empty, _device(adb_device), tmp_path / "out")
    with pytest.raises(TrajectoryError, match="--speed must be positive"):
        ReplayOptions(speed=0)


def test_cli_records_with_run_then_replays_on_a_fresh_virtual_phone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["run", "Turn on Wi-Fi", "--device", "sim", "--out", str(tmp_path / "runs")])
    assert exit_.value.code == 0
    (episode,) = (tmp_path / "runs").iterdir()
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_:
        main(["replay", str(episode), "--out", str(tmp_path / "replays")])
    printed = capsys.readouterr().out
    assert exit_.value.code == 0, printed
    assert "replay: success" in printed and printed.count("screen ok") == 4
    (folder,) = (tmp_path / "replays").iterdir()
    doc = json.loads((folder / "episode.json").read_text())
    assert doc["config"]["replay"]["source_id"] == episode.name and doc["outcome"] == "success"
