"""``screenpilot eval`` as a user runs it: its own virtual phone and private adb server, the table,
the success rate, the results file next to the episodes, and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from screenpilot.trajectories import read_episode


def _eval(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "screenpilot.cli", "eval", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=300, env=_env(), check=False)


def _env() -> dict[str, str]:
    import os

    env = dict(os.environ)
    env["COLUMNS"] = "200"
    return env


def test_eval_runs_each_scenario_on_fresh_state_and_writes_results(tmp_path: Path) -> None:
    done = _eval("settings.wifi_toggle", "notes.delete_note", "--device", "sim", "--repeat", "2", "--seed", "3",
                 "--out", str(tmp_path / "runs"), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "success rate: 4/4 (100.0%)" in out
    for name in ("settings.wifi_toggle", "notes.delete_note", "scenario", "check", "steps", "time"):
        assert name in out
    results_path = Path(out.split("results: ")[-1].strip())
    doc = json.loads(results_path.read_text())
    assert doc["success_rate"] == 1.0 and doc["total"] == 4 and doc["model"] == "reference"
    rows = doc["results"]
    assert [(r["scenario"], r["seed"]) for r in rows] == [("settings.wifi_toggle", 3), ("settings.wifi_toggle", 4),
                                                           ("notes.delete_note", 3), ("notes.delete_note", 4)]
    for row in rows:
        assert row["status"] == "passed" and row["steps"] >= 2 and row["time_s"] > 0
        episode = read_episode(results_path.parent / row["episode"])  # next to the results
        assert episode.meta.decided_by == "scenario" and episode.meta.instruction == row["instruction"]
    assert all(r["checks"] and all(c["passed"] for c in r["checks"]) for r in rows)


def test_negative_controls_from_the_command_line_fail_and_exit_3(tmp_path: Path) -> None:
    done = _eval("clock.delete_alarm", "infeasible.nfc", "--model", "reference:negative", "--out", str(tmp_path),
                 cwd=tmp_path)
    assert done.returncode == 3, done.stdout + done.stderr
    assert "success rate: 0/2 (0.0%)" in done.stdout and "FAIL" in done.stdout
    assert "the model reported success, not failure" in done.stdout


def test_bad_selection_and_device_mismatch_are_one_line_errors(tmp_path: Path) -> None:
    done = _eval("setings", cwd=tmp_path)
    assert done.returncode == 1 and done.stderr.count("\n") == 1
    assert "no scenario or suite named 'setings' (did you mean settings" in done.stderr
    done = _eval("desktop.form.signup", "--device", "sim", cwd=tmp_path)
    assert done.returncode == 1 and "--device desktop" in done.stderr
    listing = _eval("--list", cwd=tmp_path)
    assert listing.returncode == 0 and "settings.wifi_toggle" in listing.stdout and "desktop.calc.add" in listing.stdout


def test_eval_on_the_desktop(xvfb, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    env = {**_env(), "DISPLAY": xvfb.display, "SCREENPILOT_STOP_FILE": str(tmp_path / "stop")}  # a private kill switch
    done = subprocess.run([sys.executable, "-m", "screenpilot.cli", "eval", "desktop.calc.add", "desktop.prefs.apply",
                           "--device", "desktop", "--dialect", "ui-tars-1.5", "--out", str(tmp_path / "runs")],
                          capture_output=True, text=True, cwd=tmp_path, timeout=300, env=env, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "success rate: 2/2 (100.0%)" in done.stdout and "ui-tars-1.5" in done.stdout
