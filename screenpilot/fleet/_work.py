"""What a collection runs: one work item per task x repeat.

A task is a scenario (a suite, an id, a glob or a YAML file, as ``screenpilot eval`` takes them: with
its setup and programmatic checks) or a free-form task from a JSONL or YAML file of tasks: its text,
optionally the device kind it needs, its setup steps (the scenarios' setup vocabulary) and a step
budget. Items carry everything a device worker on another host needs (a scenario's whole file
content), so a worker never reads the driver's files.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from ..actions import DeviceKind
from ..devices import DEVICE_KINDS
from ..planner import parse_backend_spec, split_latency_spec
from ..scenarios import REFERENCE, ScenarioError, SetupStep, select_scenarios
from ._errors import FleetError

__all__ = ["FreeTask", "WorkItem", "build_work", "is_reference", "read_task_file"]

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_SETUP = TypeAdapter(list[SetupStep])


class FreeTask(BaseModel):
    """One line of a tasks file: ``{"task": "Turn on Wi-Fi", "id": ..., "device": "phone", "setup": [...]}``."""

    model_config = ConfigDict(extra="forbid")

    task: str = Field(min_length=1, description="what the model is told")
    id: str | None = Field(None, description="a stable name for the manifest (default: task-N, N its line)")
    device: str | None = Field(None, description="phone or desktop, or a device kind (sim, android, desktop) it must run on")
    setup: list[Any] = Field(default_factory=list, description="setup steps, as a scenario's setup: is written")
    max_steps: int | None = Field(None, ge=1, le=300)
    max_time_s: float | None = Field(None, gt=0)


class WorkItem(BaseModel):
    """One task x repeat: what a device worker needs to run it, and its key in the manifest."""

    model_config = ConfigDict(frozen=True)

    key: str
    task: str
    kind: Literal["scenario", "task"]
    device: DeviceKind
    requires: str | None = Field(None, description="the device kind (sim, android, desktop) it must run on")
    repeat: int
    seed: int | None
    instruction: str
    max_steps: int
    max_time_s: float
    scenario: dict[str, Any] | None = Field(None, description="the scenario file's content (params unsampled)")
    setup: list[Any] = Field(default_factory=list)


def is_reference(model: str) -> bool:
    """Whether a model spec plays the scenarios' reference solutions (``reference``, ``latency:S:reference``)."""
    return parse_backend_spec(split_latency_spec(model)[0])[0].name == REFERENCE


def _looks_like_task_file(name: str) -> bool:
    path = Path(name)
    if path.suffix == ".jsonl":
        return True
    if path.suffix not in (".yaml", ".yml") or not path.is_file():
        return False
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return False  # the scenario loader reports it
    return isinstance(data, list) or (isinstance(data, dict) and "tasks" in data and "instruction" not in data)


def read_task_file(path: Path | str) -> list[FreeTask]:
    """A JSONL file (one task a line: an object, or a bare string) or a YAML list (or ``tasks:`` list)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FleetError(f"cannot read the tasks file {path}: {exc.strerror or exc}") from None
    rows: list[tuple[str, Any]] = []
    if path.suffix == ".jsonl":
        for n, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    rows.append((f"{path}:{n}", json.loads(line)))
                except ValueError as exc:
                    raise FleetError(f"{path}:{n}: not JSON ({exc})", hint='one task a line: {"task": "..."}') from None
    else:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise FleetError(f"{path}: not valid YAML: {exc}") from None
        data = data["tasks"] if isinstance(data, dict) else data
        rows = [(f"{path}[{n}]", v) for n, v in enumerate(data or [])]
    tasks: list[FreeTask] = []
    for n, (where, value) in enumerate(rows):
        if isinstance(value, str):
            value = {"task": value}
        try:
            task = FreeTask.model_validate(value)
            _SETUP.validate_python(task.setup)
        except ValidationError as exc:
            first = exc.errors()[0]
            loc = ".".join(str(p) for p in first["loc"])
            raise FleetError(f"{where}: {loc + ': ' if loc else ''}{first['msg']}",
                             hint="a task is {task: TEXT, id?, device?, setup?, max_steps?}") from None
        if task.id is None:
            task = task.model_copy(update={"id": f"task-{n + 1}"})
        if not _ID.match(task.id or ""):
            raise FleetError(f"{where}: the id {task.id!r} must be letters, digits, '.', '_' or '-'")
        if task.device is not None and task.device not in ("phone", "desktop") and task.device not in DEVICE_KINDS:
            raise FleetError(f"{where}: device {task.device!r} is not phone, desktop or a device kind",
                             hint="phone | desktop | " + " | ".join(DEVICE_KINDS))
        tasks.append(task)
    if not tasks:
        raise FleetError(f"{path} holds no task")
    return tasks


def _free_items(task: FreeTask, repeat: int, seed: int | None, max_steps: int | None, kinds: set[str]) -> list[WorkItem]:
    requires = task.device if task.device in DEVICE_KINDS else None
    vocabulary: DeviceKind
    if requires is not None:
        vocabulary = DEVICE_KINDS[requires].kind
    elif task.device in ("phone", "desktop"):
        vocabulary = task.device  # type: ignore[assignment]
    else:
        vocabulary = "phone" if "phone" in kinds or not kinds else "desktop"
    return [WorkItem(key=f"{task.id}#{k}", task=str(task.id), kind="task", device=vocabulary, requires=requires, repeat=k,
                     seed=None if seed is None else seed + k, instruction=task.task,
                     max_steps=max_steps or task.max_steps or 30, max_time_s=task.max_time_s or 600.0, setup=task.setup)
            for k in range(repeat)]


def build_work(tasks: Sequence[str], *, repeat: int = 1, seed: int | None = 0, max_steps: int | None = None,
               model: str = REFERENCE, kinds: set[str] | None = None) -> tuple[list[WorkItem], list[str]]:
    """Every task x repeat in order, and notes about what was left out (scenarios for a device kind
    the pool lacks). ``kinds``: the vocabularies the pool offers (phone, desktop)."""
    if repeat < 1:
        raise FleetError("--repeat must be at least 1")
    kinds = kinds or set()
    reference = is_reference(model)
    names: list[str] = []
    items: list[WorkItem] = []
    for name in tasks:
        if _looks_like_task_file(name):
            if reference:
                raise FleetError(f"{name} holds free-form tasks, which have no reference solution",
                                 hint="use a model (--model openai:URL#MODEL, local:PATH, scripted:...) for them")
            for task in read_task_file(name):
                items.extend(_free_items(task, repeat, seed, max_steps, kinds))
        else:
            names.append(name)
    notes: list[str] = []
    if names or not items:
        try:
            specs = select_scenarios(names)
        except ScenarioError as exc:
            raise FleetError(exc.message, hint=exc.hint) from None
        runnable = [s for s in specs if not kinds or s.device in kinds]
        left = len(specs) - len(runnable)
        if left:
            notes.append(f"left out {left} scenarios for a device kind the pool lacks "
                         f"({', '.join(sorted({s.device for s in specs} - kinds))})")
        for spec in runnable:
            for k in range(repeat):
                s = None if seed is None else seed + k
                scenario = spec.instantiate(s)
                items.append(WorkItem(key=f"{spec.id}#{k}", task=spec.id, kind="scenario", device=spec.device, repeat=k,
                                      seed=s, instruction=scenario.instruction,
                                      max_steps=max_steps or scenario.max_steps, max_time_s=scenario.max_time_s,
                                      scenario=spec.raw))
    keys = [i.key for i in items]
    if len(set(keys)) != len(keys):
        dup = next(k for k in keys if keys.count(k) > 1)
        raise FleetError(f"the task {dup.split('#')[0]!r} is named twice", hint="give free-form tasks distinct ids")
    if not items:
        raise FleetError("nothing to run: " + ("; ".join(notes) or "no task selected"),
                         hint="add devices of the kind the tasks need, or choose other tasks")
    return items, notes
