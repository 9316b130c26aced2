"""The top-level package is all a user needs: run, read the episode, replay it, report, export, evaluate;
every folder as a str or a Path."""

from __future__ import annotations

from pathlib import Path

import screenpilot


def test_the_users_verbs_from_the_top_level_package(tmp_path: Path) -> None:
    result = screenpilot.run("Turn on Wi-Fi", device="sim", model="scripted:demo", out=str(tmp_path / "runs"))
    assert result.success
    for folder in (str(result.folder), result.folder):
        episode = screenpilot.read_episode(folder)
        assert episode.finished and len(episode.steps) == 4
    report = screenpilot.write_report(str(result.folder))  # a str is a folder, never its characters
    assert report == result.folder / "report.html" and report.read_text().startswith("<!DOCTYPE html>")
    assert screenpilot.write_report(tmp_path / "runs").is_file()  # a folder of runs, as a Path
    exported = screenpilot.export(str(tmp_path / "runs"), "llamafactory", tmp_path / "data")
    assert exported.samples == 4 and (tmp_path / "data" / "dataset_info.json").is_file()
    replayed = screenpilot.replay(result.folder, out=tmp_path / "replays")  # the episode's own device: sim
    assert replayed.outcome == "success" and len(replayed.steps) == 4
    evaluation = screenpilot.evaluate("settings.wifi_toggle", device="sim", out=tmp_path / "eval")
    assert evaluation.passed == 1


def test_whose_fault_is_a_top_level_name() -> None:
    assert {"ModelFault", "InfraFault", "OutcomeUnknown", "Stopped", "ScreenPilotError"} <= set(screenpilot.__all__)
    assert not issubclass(screenpilot.OutcomeUnknown, screenpilot.InfraFault)  # a retry can never catch it
