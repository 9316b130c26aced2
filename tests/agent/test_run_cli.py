"""`screenpilot run` as a user types it: the README's demo on a virtual phone it starts itself, and errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from screenpilot.trajectories import read_episode


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "screenpilot.cli", *args], capture_output=True, text=True,
                          timeout=180, cwd=cwd)


def test_the_readme_demo_runs_end_to_end_on_a_virtual_phone(tmp_path: Path) -> None:
    done = cli("run", "Turn on Wi-Fi", "--device", "sim", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stdout.splitlines() if line.startswith("trajectory: ")]
    assert len(lines) == 1, done.stdout
    folder = Path(lines[0].removeprefix("trajectory: "))
    assert folder.parent == Path("runs") or folder.parent.name == "runs"
    episode = read_episode(tmp_path / folder if not folder.is_absolute() else folder)
    assert episode.meta.outcome == "success" and episode.meta.model == "scripted:demo"
    assert [s.call and '"click"' in s.call for s in episode.steps[:3]] == [True, True, True]
    assert episode.steps[2].element is not None and episode.steps[2].element.resource_id.endswith("/wifi")
    last_tree = (episode.folder / episode.steps[-1].ui_tree).read_text()  # type: ignore[operator]
    assert '"resource_id":"com.android.settings:id/wifi"' in last_tree and '"checked":true' in last_tree
    assert "step 1: tap" in done.stdout and "success (decided by model)" in done.stdout


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["run", "Open the camera", "--device", "sim"], 1, "only knows the task 'Turn on Wi-Fi'"),
        (["run", "Turn on Wi-Fi", "--device", "android:nope"], 1, "built-in demo for the virtual phone only"),
        (["run", "Turn on Wi-Fi", "--device", "sim:2"], 2, "not a device"),  # bad usage (issue 14)
        (["run", "Turn on Wi-Fi", "--model", "nonsense"], 2, "not a backend spec"),
        (["run", "--resume", "no/such/run"], 1, "holds no episode"),
        (["run", "Log in with {{secret:PIN}}", "--model", "scripted:x.json", "--device", "sim"], 1,
         "SCREENPILOT_SECRET_PIN"),
    ],
)
def test_bad_input_is_one_line_and_leaves_no_run_behind(tmp_path: Path, args: list[str], code: int, words: str) -> None:
    done = cli(*args, cwd=tmp_path)
    assert done.returncode == code, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("screenpilot: error:") and words in lines[0], done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


def test_screenpilot_run_is_the_agent_and_is_imported_only_when_used() -> None:
    code = ("import sys, screenpilot\n"
            "assert 'langgraph' not in sys.modules and 'screenpilot.agent' not in sys.modules\n"
            "from screenpilot.agent import run\n"
            "assert screenpilot.run is run\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
