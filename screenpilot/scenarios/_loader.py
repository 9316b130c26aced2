"""Finding scenarios: the files shipped in the package, files and folders of the user's own, and
selection by suite, tag, id or glob (``phone``, ``settings``, ``contacts.add_contact``, ``clock.*``)."""

from __future__ import annotations

import difflib
import fnmatch
from collections.abc import Iterable, Sequence
from functools import cache
from importlib import resources
from pathlib import Path

import yaml

from ._errors import ScenarioError
from ._scenario import ScenarioSpec, spec_from_dict

__all__ = ["builtin_scenarios", "load_scenario_file", "load_scenarios", "select_scenarios"]

_SUFFIXES = (".yaml", ".yml")


def load_scenario_file(path: Path | str) -> ScenarioSpec:
    """One YAML file -> a checked spec; any problem is a ScenarioError naming the file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        raise ScenarioError(f"{path}: not valid YAML{at}: {getattr(exc, 'problem', exc)}") from None
    return spec_from_dict(raw, path)


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix in _SUFFIXES and p.is_file())


def load_scenarios(paths: Path | str | Iterable[Path | str]) -> list[ScenarioSpec]:
    """Every scenario in these files and folders (recursively; one path or many); ids must be unique."""
    specs: list[ScenarioSpec] = []
    for p in [paths] if isinstance(paths, (str, Path)) else paths:
        p = Path(p)
        files = _files(p) if p.is_dir() else [p]
        specs.extend(load_scenario_file(f) for f in files)
    seen: dict[str, ScenarioSpec] = {}
    for spec in specs:
        if spec.id in seen:
            raise ScenarioError(f"scenario id {spec.id!r} is used twice: {seen[spec.id].path} and {spec.path}",
                                hint="every scenario needs its own id")
        seen[spec.id] = spec
    return specs


@cache
def builtin_scenarios() -> tuple[ScenarioSpec, ...]:
    """The scenarios shipped in ``screenpilot/scenarios/data`` (loaded and checked once)."""
    root = Path(str(resources.files(__package__) / "data"))
    return tuple(load_scenarios([root]))


def _looks_like_path(name: str) -> bool:
    return name.endswith(_SUFFIXES) or "/" in name or Path(name).is_dir()


def select_scenarios(names: str | Sequence[str], *, device: str | None = None,
                     available: Sequence[ScenarioSpec] | None = None) -> list[ScenarioSpec]:
    """The scenarios a command line names, in the order named (each once).

    A name is ``all``, a suite (``phone``, ``desktop``, an id's group such as ``settings``, or a
    tag), an id, a glob over ids (``contacts.*``), or a path to a YAML file or folder. No names: every
    scenario for ``device`` (``phone`` or ``desktop``), else all.
    """
    names = [names] if isinstance(names, str) else names
    pool = list(available if available is not None else builtin_scenarios())
    if not names:
        chosen = [s for s in pool if device is None or s.device == device]
        if not chosen:
            raise ScenarioError(f"there are no {device} scenarios")
        return chosen
    out: list[ScenarioSpec] = []
    for name in names:
        if _looks_like_path(name) and Path(name).exists():
            found = load_scenarios([name])
        elif name == "all":
            found = pool
        elif any(c in name for c in "*?["):
            found = [s for s in pool if fnmatch.fnmatchcase(s.id, name)]
        else:
            found = [s for s in pool if s.id == name] or [s for s in pool if name in s.suites]
        if not found and _looks_like_path(name):  # a path that holds nothing: say so, not "no suite named"
            what = f"holds no scenario files ({', '.join('*' + x for x in _SUFFIXES)})" if Path(name).is_dir() \
                else "does not exist"
            raise ScenarioError(f"{name} {what}",
                                hint="give scenario YAML files or folders of them; screenpilot eval --list shows the "
                                     "built-in ones")
        if not found:
            vocabulary = sorted({s.id for s in pool} | {x for s in pool for x in s.suites} | {"all"})
            close = difflib.get_close_matches(name, vocabulary, n=3, cutoff=0.5)
            raise ScenarioError(
                f"no scenario or suite named {name!r}" + (f" (did you mean {', '.join(close)}?)" if close else ""),
                hint="screenpilot eval --list shows every suite and scenario id",
            )
        for spec in found:
            if spec not in out:
                out.append(spec)
    return out
