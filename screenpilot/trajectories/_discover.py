"""Finding episodes: a path may be one episode folder or a folder of runs (``runs/``), as users type them.

``screenpilot view`` and ``screenpilot export`` both take either; a folder that holds neither is an
error that says what was expected, never an empty report.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from ._errors import TrajectoryError

__all__ = ["EpisodeSources", "as_sources", "find_episodes", "package_version"]

EpisodeSources = str | os.PathLike[str] | Iterable[str | os.PathLike[str]]
"""Where episodes are: one folder (an episode, or a folder of runs), str or Path, or a list of them."""

_EPISODE_FILE = "episode.json"
_MAX_DEPTH = 3


def _walk(folder: Path, depth: int) -> list[Path]:
    if (folder / _EPISODE_FILE).is_file():
        return [folder]
    if depth >= _MAX_DEPTH:
        return []
    found: list[Path] = []
    for child in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
        found.extend(_walk(child, depth + 1))
    return found


def as_sources(sources: EpisodeSources) -> list[Path]:
    """One folder (str or Path) or many, as a list: a bare string is a folder, never its characters."""
    if isinstance(sources, (str, os.PathLike)):
        return [Path(sources)]
    return [Path(s) for s in sources]


def find_episodes(paths: EpisodeSources) -> list[Path]:
    """Episode folders under ``paths`` (each an episode, or a folder of them up to 3 levels deep), in
    the order given and then by name, without repeats."""
    out: list[Path] = []
    seen: set[Path] = set()
    for raw in as_sources(paths):
        path = Path(raw).expanduser()
        if not path.exists():
            raise TrajectoryError(f"{path} does not exist", hint="give an episode folder or a folder of runs (e.g. runs/)")
        if not path.is_dir():
            raise TrajectoryError(f"{path} is a file, not an episode folder",
                                  hint="give the folder that holds episode.json, or a folder of such folders")
        found = _walk(path, 0)
        if not found:
            raise TrajectoryError(f"{path} holds no episode (no {_EPISODE_FILE} in it or below it)",
                                  hint="point at the folder a run printed at its end, or at its parent (runs/)")
        for folder in found:
            key = folder.resolve()
            if key not in seen:
                seen.add(key)
                out.append(folder)
    return out


def package_version() -> str:
    """ScreenPilot's version for reports and manifests (the root package would pull in the agent)."""
    try:
        return version("screenpilot")
    except PackageNotFoundError:
        return "0.0.0+unknown"
