"""``screenpilot export`` from the command line: bad inputs get one line and exit 2 with nothing written,
its choices and help come from the table of formats, and its summary counts what it took."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from screenpilot.actions import Tap, Terminate
from screenpilot.cli import main
from screenpilot.trajectories import EXPORT_FORMATS

from ._builders import Turn, build_episode


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("runs")
    build_episode(root / "ep", [Turn(Tap(point=(10, 10))), Turn(Terminate(status="success"))])
    build_episode(root / "ep-replay", [Turn(Tap(point=(10, 10))), Turn(Terminate(status="success"))],
                  source="scripted", model="replay:runs/ep", config={"replay": {"source_id": "ep"}})
    return root


def _tree(root: Path) -> set[str]:
    return {str(Path(d, f).relative_to(root)) for d, _, files in os.walk(root) for f in files} | \
        {str(Path(d).relative_to(root)) for d, _, _ in os.walk(root)}


BAD = [
    (["--format", "llamafactory", "--max-pixels", "784"], "--max-pixels 784 is too small for a 1080x2400 screen"),
    (["--format", "aitw", "--out", "{file}"], "is a file, not a folder"),
    (["--format", "aitw", "--max-pixels", "1000000"], "aitw does not use --max-pixels"),
    (["--format", "hf", "--history-images", "2"], "hf does not use --history-images"),
    (["--format", "swift", "--tfrecord"], "swift does not use --tfrecord"),
    (["--format", "csv"], "'csv' is not one of"),
    (["--format", "swift", "--history-images", "0"], "greater than or equal to 1"),
    (["--format", "aitw", "--only-success", "{runs}/nope"], "does not exist"),
]


@pytest.mark.parametrize(("args", "message"), BAD)
def test_bad_inputs_get_one_line_and_write_nothing(args: list[str], message: str, runs: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "file").write_text("x")
    out = tmp_path / "out"
    args = [a.format(file=tmp_path / "file", runs=runs) for a in args]
    if "--out" not in args:
        args += ["--out", str(out)]
    sources = [a for a in args if a.startswith(str(runs))] or [str(runs)]
    args = [a for a in args if not a.startswith(str(runs))]
    before, runs_before = _tree(tmp_path), _tree(runs)
    with pytest.raises(SystemExit) as exit_:
        main(["export", *sources, *args])
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    expected = 1 if message == "does not exist" else 2  # a missing folder is not a usage error
    assert exit_.value.code == expected, captured.err
    assert len(lines) == 1 and lines[0].startswith("screenpilot: error:") and message in lines[0], captured.err
    assert "Traceback" not in captured.err + captured.out
    assert _tree(tmp_path) == before and _tree(runs) == runs_before  # nothing written anywhere


def test_choices_and_help_come_from_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["export", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for name in EXPORT_FORMATS:
        assert name in text
    assert "androidcontrol" in text and "--include-replays" in text and "--tfrecord" in text


def test_summary_counts_episodes_by_source_and_replays_left_out(runs: Path, tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["export", str(runs), "--format", "aitw", "--out", str(tmp_path / "a")])
    assert exit_.value.code == 0
    printed = capsys.readouterr().out
    assert "aitw: 2 samples from 1 episodes (1 agent)" in printed
    assert "left out: 1 episodes (1 replays: --include-replays takes them)" in printed
    with pytest.raises(SystemExit):
        main(["export", str(runs), "--format", "aitw", "--out", str(tmp_path / "b"), "--include-replays"])
    assert "4 samples from 2 episodes (1 agent, 1 replay)" in capsys.readouterr().out
