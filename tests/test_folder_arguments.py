"""Every public function that takes an episode or run folder takes it as a str or a Path (and, where it
takes several, a list of them or a folder of runs): a bare string is a folder, never its characters."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import screenpilot
from screenpilot.actions import Tap, Terminate
from screenpilot.agent import open_checkpointer
from screenpilot.trajectories import (
    ActionJournal,
    ExportOptions,
    Recorder,
    export,
    find_episodes,
    load_meta,
    read_episode,
    render_report,
    write_report,
)

from .trajectories._builders import Turn, build_episode


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("folders") / "runs"
    for name in ("a", "b"):
        build_episode(root / name, [Turn(Tap(point=(540, 1200))), Turn(Terminate(status="success"))])
    return root


@pytest.mark.parametrize("kind", [str, Path])
def test_one_folder_as_str_or_path(runs: Path, tmp_path: Path, kind: type) -> None:
    episode = kind(runs / "a")
    assert read_episode(episode).meta.id == "a" == load_meta(episode).id == screenpilot.read_episode(episode).meta.id
    assert find_episodes(kind(runs)) == [runs / "a", runs / "b"]
    assert "<html" in render_report(episode)
    assert write_report(episode, kind(tmp_path / "one.html")) == tmp_path / "one.html"
    assert screenpilot.export(episode, "aitw", kind(tmp_path / "data")).episodes == 1
    copy = tmp_path / "copy"
    shutil.copytree(runs / "a", copy)
    ActionJournal(kind(copy)).close()
    Recorder.reopen(kind(copy)).close()
    open_checkpointer(kind(copy)).conn.close()


@pytest.mark.parametrize("sources", [lambda r: str(r), lambda r: r, lambda r: [str(r / "a"), r / "b"]])
def test_many_episodes_as_a_folder_of_runs_or_a_list(runs: Path, tmp_path: Path, sources) -> None:  # type: ignore[no-untyped-def]
    given = sources(runs)
    assert export(given, ExportOptions(format="aitw", out=tmp_path / "data")).episodes == 2
    index = screenpilot.write_report(given, tmp_path / "index.html")
    assert sorted(p.name for p in (tmp_path / "index_files").iterdir()) == ["a.html", "b.html"]
    assert index.read_text().count('class="episode-link"') == 2
    assert render_report(given).count('<section class="episode"') == 2
