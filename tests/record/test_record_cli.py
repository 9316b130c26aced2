"""``screenpilot record`` as a person runs it: it says when to start, prints each step, and stops with q or
Ctrl-C, the episode closed either way; ``--device sim`` puts the virtual phone on a web page."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from screenpilot.trajectories import read_episode

from .conftest import Finger, center, view_box


def _record(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "screenpilot.cli", "record", *args, "--out", str(tmp_path / "runs")],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "COLUMNS": "200", **(env or {})}, cwd=tmp_path)


def _until(proc: subprocess.Popen[str], words: str, seen: list[str]) -> str:
    assert proc.stdout is not None
    for line in proc.stdout:
        seen.append(line)
        if words in line:
            return line
    raise AssertionError(f"never printed {words!r}: {''.join(seen)}")


@pytest.mark.parametrize("stop", ["q", "ctrl-c"])
def test_record_prints_each_step_and_closes_the_episode_on_q_or_ctrl_c(adb_device: Any, tmp_path: Path,
                                                                       stop: str) -> None:
    env = {"ANDROID_ADB_SERVER_PORT": str(adb_device.server.port)}
    proc = _record(tmp_path, "Open Notes", "--device", f"android:{adb_device.serial}", env=env)
    seen: list[str] = []
    try:
        _until(proc, "recording 'Open Notes'", seen)
        Finger(adb_device.phone).tap(*center(view_box(adb_device.phone, desc="Notes")))
        assert "on 'Notes'" in _until(proc, "step 1:", seen)
        if stop == "q":
            assert proc.stdin is not None
            proc.stdin.write("q\n")
            proc.stdin.flush()
        else:
            proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    seen.append(out)
    text = "".join(seen)
    assert proc.returncode == 0, text
    assert "Traceback" not in text
    folder = re.search(r"^trajectory: (.+)$", text, re.MULTILINE)[1]  # type: ignore[index]
    episode = read_episode(Path(folder) if Path(folder).is_absolute() else tmp_path / folder)
    assert episode.meta.outcome == "success" and episode.meta.decided_by == "person" and len(episode.steps) == 1
    assert ("Ctrl-C" in episode.meta.outcome_detail) == (stop == "ctrl-c")
    assert sorted(p.name for p in (episode.folder / "frames").iterdir()) == ["000000-after.png", "000000.png"]


def test_record_on_the_virtual_phone_serves_its_web_page(tmp_path: Path) -> None:
    proc = _record(tmp_path, "Look around", "--device", "sim")
    seen: list[str] = []
    try:
        url = re.search(r"(http://\S+)", _until(proc, "web page", seen))[1]  # type: ignore[index]
        _until(proc, "recording 'Look around'", seen)
        with urllib.request.urlopen(url, timeout=30) as page:
            assert b"the phone's screen" in page.read()
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    text = "".join(seen) + out
    assert proc.returncode == 5, text  # nothing was done: no steps
    assert "stopped before the person did anything" in text


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "screenpilot.cli", *args], capture_output=True, text=True,
                          timeout=120, cwd=cwd)


def test_annotate_writes_a_sidecar_a_person_edits_and_refuses_bad_input_in_one_line(tmp_path: Path) -> None:
    from screenpilot.actions import Tap

    from ..trajectories._builders import Turn, build_episode

    folder = build_episode(tmp_path / "ep", [Turn(Tap(point=(135, 525)), actor="person"),
                                             Turn(Tap(point=(540, 700)), actor="person")])
    done = _cli("annotate", str(folder), cwd=tmp_path)
    assert done.returncode == 0 and "0 of 2 steps have an instruction" in done.stdout, done.stderr
    sidecar = folder / "annotations.yaml"
    text = sidecar.read_text()
    assert text.startswith("# Per-step instructions") and text.count("instruction: ''") == 2
    sidecar.write_text(text.replace("instruction: ''", "instruction: Open Settings", 1))  # the person's edit
    again = _cli("annotate", str(folder), cwd=tmp_path)
    assert "1 of 2 steps have an instruction" in again.stdout
    assert [s.instruction for s in read_episode(folder).steps] == ["Open Settings", None]
    for args, code, words in ((["--set", "7=Nope"], 2, "no step 7"), (["--set", "Nope"], 2, "INDEX=TEXT")):
        bad = _cli("annotate", str(folder), *args, cwd=tmp_path)
        lines = bad.stderr.strip().splitlines()
        assert bad.returncode == code and len(lines) == 1 and words in lines[0], bad.stderr
    sidecar.write_text("steps: [oops")
    broken = _cli("annotate", str(folder), cwd=tmp_path)
    assert broken.returncode == 1 and "annotations.yaml is not valid YAML" in broken.stderr
    assert "Traceback" not in broken.stderr
