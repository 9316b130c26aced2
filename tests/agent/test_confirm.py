"""Sensitive actions wait for a person: interrupt() in the graph, a prompt in the CLI, --yes, --no-input."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from screenpilot.actions import Policy
from screenpilot.agent import ConfirmRequest, run
from screenpilot.planner import ScriptedBackend
from screenpilot.trajectories import read_episode

from ._script import NETWORK_ROW, SETTINGS_ICON, WIFI_ON, WIFI_SWITCH, tap, taps

ASK_TAPS = Policy(confirm_actions=frozenset({"tap"}))


def _run(phone: Any, replies: list[str], tmp_path: Path, **kw: Any) -> Any:
    return run("Turn on Wi-Fi", device=f"android:{phone.serial}", model=ScriptedBackend(replies), out=tmp_path,
               policy=ASK_TAPS, **kw)


def test_a_person_approves_one_action_and_refuses_another(phone: Any, tmp_path: Path) -> None:
    asked: list[ConfirmRequest] = []
    answers = iter([True, False, True, True])

    def decide(request: ConfirmRequest) -> bool:
        asked.append(request)
        return next(answers)

    replies = [tap(SETTINGS_ICON), tap(NETWORK_ROW), tap(NETWORK_ROW), tap(WIFI_SWITCH), WIFI_ON[-1]]
    result = _run(phone, replies, tmp_path, confirm=decide)
    assert result.outcome == "success" and phone.phone.get_setting("global", "wifi_on") == "1"
    assert len(asked) == 4 and "confirmation of every 'tap'" in asked[0].reasons[0]
    assert asked[0].action is not None and asked[0].action["point"] == list(SETTINGS_ICON)
    steps = read_episode(result.folder).steps
    assert [(s.confirmation.approved, s.confirmation.by) for s in steps[:4]] == [
        (True, "callback"), (False, "callback"), (True, "callback"), (True, "callback")]
    assert steps[1].error_kind == "refused" and not steps[1].executed
    assert "a person refused" in json.dumps(steps[2].request.messages)
    assert len(taps(phone)) == 3  # the refused tap never reached the phone


def test_yes_approves_everything_and_no_input_refuses_everything(phone: Any, tmp_path: Path) -> None:
    approved = _run(phone, WIFI_ON, tmp_path / "yes", confirm="yes")
    assert approved.outcome == "success"
    assert {s.confirmation.by for s in read_episode(approved.folder).steps[:3]} == {"--yes"}
    phone.phone.put_setting("global", "wifi_on", "0")
    before = len(taps(phone))
    refused = _run(phone, WIFI_ON * 3, tmp_path / "no", confirm="no")
    assert (refused.outcome, refused.decided_by) == ("failure", "budget")
    steps = read_episode(refused.folder).steps
    assert all(s.confirmation.by == "--no-input" and not s.confirmation.approved for s in steps)
    assert len(taps(phone)) == before


def _cli(tmp_path: Path, phone: Any, *args: str) -> list[str]:
    script = tmp_path / "replies.json"
    script.write_text(json.dumps(WIFI_ON))
    return [sys.executable, "-m", "screenpilot.cli", "run", "Turn on Wi-Fi", "--device", f"android:{phone.serial}",
            "--model", f"scripted:{script}", "--out", str(tmp_path / "runs"), "--confirm", "tap", *args]


def test_the_cli_asks_on_the_terminal(phone: Any, tmp_path: Path) -> None:
    done = subprocess.run(_cli(tmp_path, phone), input="y\nn\n", capture_output=True, text=True, timeout=120)
    # step 1 approved, step 2 refused, then the prompt reads end-of-input: refused
    assert "needs your approval" in done.stderr and "Allow it?" in done.stderr
    folder = next((tmp_path / "runs").iterdir())
    steps = read_episode(folder).steps
    assert steps[0].confirmation.approved and steps[0].confirmation.by == "person"
    assert not steps[1].confirmation.approved and steps[1].confirmation.by == "person"
    assert steps[2].confirmation.approved is False  # end of input counts as no
    assert len(taps(phone)) == 1
    assert done.returncode == 0, done.stderr  # the scripted model still says it is done
    assert folder.name in done.stdout


def test_no_input_never_reads_the_terminal(phone: Any, tmp_path: Path) -> None:
    done = subprocess.run(_cli(tmp_path, phone, "--no-input"), stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 3 and "Allow it?" not in done.stderr
    assert taps(phone) == []


def test_a_run_killed_at_the_prompt_asks_again_on_resume_and_records_one_decision(phone: Any, tmp_path: Path) -> None:
    err = tmp_path / "stderr.txt"
    with open(err, "w") as sink:
        proc = subprocess.Popen(_cli(tmp_path, phone), stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=sink)
    try:
        deadline = time.monotonic() + 60
        while "Allow it?" not in err.read_text() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "Allow it?" in err.read_text(), err.read_text()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    folder = next((tmp_path / "runs").iterdir())
    assert taps(phone) == []  # killed while asking: nothing ran
    resumed = subprocess.run([sys.executable, "-m", "screenpilot.cli", "run", "--resume", str(folder), "--yes"],
                             capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    steps = read_episode(folder).steps
    assert [s.index for s in steps] == [0, 1, 2, 3]
    assert steps[0].confirmation.by == "--yes" and len(taps(phone)) == 3
    assert phone.phone.get_setting("global", "wifi_on") == "1"
