"""Running scenarios: fresh state, setup, the full agent loop, the success checks, teardown, results.

One scenario episode (``run_scenario``):

1. fresh state: the virtual phone is reset; a real phone goes home and the scenario's apps are
   force-stopped; a desktop starts from whatever it shows (its programs are started by setup);
2. setup steps, then a wait until the screen is still;
3. ``screenpilot.agent.run`` with the chosen backend (a model, or the reference solution grounded on
   the live UI tree) and the scenario's step budget, recorded as a normal trajectory;
4. the success checks, read from the device (and, for infeasible tasks, the model's own report);
5. the verdict written into the episode (``outcome`` decided by ``scenario``; the model's own claim
   kept under ``scenario``), then teardown steps and the undo of setup.

``evaluate`` runs a selection (``repeat`` times, seeds ``seed``, ``seed+1``, ...) into one folder:
the episodes and ``results.json`` side by side.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from ..actions import DeviceKind
from ..agent import Budgets
from ..agent import run as run_agent
from ..devices import Device, open_device, parse_device_spec
from ..errors import Interrupted, ScreenPilotError
from ..planner import (
    Backend,
    Completion,
    Dialect,
    LatencyBackend,
    ModelRequest,
    backend_from_spec,
    dialect_for,
    parse_backend_spec,
    resolve_dialect,
    split_latency_spec,
)
from ..trajectories import Recorder, atomic_write
from ._checks import CheckResult, Ending, evaluate_checks
from ._errors import ScenarioError, SetupFailed
from ._probe import PhoneProbe, Probe, probe_for
from ._reference import ReferenceBackend
from ._scenario import Scenario, ScenarioSpec
from ._setup import Undo, run_steps
from ._steps import ReportedCheck

__all__ = [
    "REFERENCE",
    "RESULTS_FILE",
    "EvalReport",
    "ScenarioResult",
    "Target",
    "choose_scenarios",
    "evaluate",
    "evaluate_on",
    "open_target",
    "run_scenario",
]

REFERENCE = "reference"
"""``--model reference`` plays each scenario's reference solution; ``reference:negative`` its negative control."""
RESULTS_FILE = "results.json"
Status = Literal["passed", "failed", "error", "skipped"]


@dataclass
class Target:
    """Where scenarios run: an open device, how to make it fresh, and whether it is a real phone."""

    device: Device
    spec: str
    reset: Callable[[], None] | None = None
    real_phone: bool = False
    sim: Any = None
    """The VirtualPhone behind ``--device sim`` (for benchmarks and tests that tune it), else None."""

    @property
    def kind(self) -> DeviceKind:
        return self.device.kind


def choose_scenarios(names: str | Sequence[str], device: str) -> tuple[list[ScenarioSpec], int]:
    """The scenarios a selection names that run on ``device``'s kind, and how many of another kind it left out
    (no names: every scenario for the device)."""
    from ._loader import select_scenarios

    kind = parse_device_spec(device)[0].kind
    names = [names] if isinstance(names, str) else list(names)
    everything = select_scenarios(names, device=None if names else kind)
    chosen = [s for s in everything if s.device == kind]
    if not chosen:
        other = sorted({s.device for s in everything})
        raise ScenarioError(f"the selection holds only {' and '.join(other)} scenarios and --device {device} is a {kind}",
                            hint="use --device desktop[:MONITOR] for desktop scenarios, sim or android[:SERIAL] for phone ones")
    return chosen, len(everything) - len(chosen)


def evaluate_on(names: str | Sequence[str] = (), *, device: str = "sim", model: str | Backend = REFERENCE,
                **options: Any) -> EvalReport:
    """Choose the scenarios, open ``device`` and evaluate (``evaluate``'s options: dialect, repeat, seed, out...)."""
    chosen, _ = choose_scenarios(names, device)
    with open_target(device) as target:
        return evaluate(chosen, target, model=model, **options)


@contextmanager
def open_target(spec: str) -> Iterator[Target]:
    """Open ``sim`` (one virtual phone for the whole evaluation, reset before each scenario),
    ``android[:SERIAL]`` or ``desktop[:MONITOR]``."""
    entry, _arg = parse_device_spec(spec)
    phones: list[Any] = []  # the in-process virtual phone, when the kind has one (sim)
    opened = open_device(spec, sim_setup=phones.append if entry.name == "sim" else None)
    try:
        reset = phones[0].reset if phones else None
        yield Target(opened.device, spec, reset=reset, real_phone=entry.kind == "phone" and not phones,
                     sim=phones[0] if phones else None)
    finally:
        opened.close()


class ScenarioResult(BaseModel):
    """One scenario episode: the verdict of its checks, and where the trajectory is."""

    scenario: str
    title: str = ""
    seed: int | None = None
    instruction: str = ""
    params: dict[str, Any] = Field(default_factory=dict)
    status: Status
    checks: list[CheckResult] = Field(default_factory=list)
    model: str = ""
    model_outcome: str | None = Field(None, description="how the run ended, before the checks")
    decided_by: str | None = Field(None, description="who ended the run: model, budget, loop, error, ...")
    answer: str | None = None
    steps: int = 0
    time_s: float = Field(0.0, description="the whole scenario: setup, episode, checks, teardown")
    reset_s: float = Field(0.0, description="making the device fresh (a snapshot restored, or Home and apps stopped)")
    setup_s: float = Field(0.0, description="the setup steps and the wait for a still screen")
    episode_s: float = 0.0
    episode: str | None = Field(None, description="the episode folder, relative to the results file")
    error: str | None = None
    problems: list[str] = Field(default_factory=list, description="reference steps that found nothing to act on")

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def first_failure(self) -> str:
        if self.error:
            return self.error
        failed = next((c for c in self.checks if not c.passed), None)
        return f"{failed.check}: {failed.detail}" if failed else ""


class EvalReport(BaseModel):
    """A whole evaluation: what ran where, and every scenario's result."""

    folder: str
    device: str
    model: str
    dialect: str
    seed: int | None
    repeat: int
    started_at: float
    ended_at: float | None = None
    results: list[ScenarioResult] = Field(default_factory=list)

    @property
    def counted(self) -> list[ScenarioResult]:
        return [r for r in self.results if r.status != "skipped"]

    @property
    def passed(self) -> int:
        return sum(r.passed for r in self.counted)

    @property
    def success_rate(self) -> float:
        return self.passed / len(self.counted) if self.counted else 0.0

    def to_json(self) -> dict[str, Any]:
        doc = self.model_dump(mode="json")
        doc.update(total=len(self.counted), passed=self.passed, success_rate=round(self.success_rate, 4),
                   skipped=len(self.results) - len(self.counted))
        return doc

    def save(self) -> Path:
        path = Path(self.folder) / RESULTS_FILE
        atomic_write(path, json.dumps(self.to_json(), ensure_ascii=False, indent=2).encode() + b"\n")
        return path


class _Shared:
    """A model used for many episodes: ``run`` closes its backend after each, this one stays open."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.name = backend.name

    def generate(self, request: ModelRequest) -> Completion:
        return self.backend.generate(request)

    def close(self) -> None:
        pass


def _fresh(target: Target, scenario: Scenario, probe: Probe) -> None:
    if target.reset is not None:
        target.reset()
        return
    if isinstance(probe, PhoneProbe):
        probe.run("input keyevent 3", "going home")
        for package in scenario.apps:
            probe.shell(f"am force-stop {package}")


def _annotate(folder: Path, scenario: Scenario, result: ScenarioResult, infeasible: bool) -> None:
    """The checks' verdict becomes the episode's outcome (decided by the scenario); the model's own stays."""
    recorder = Recorder.reopen(folder)
    try:
        meta = recorder.meta
        meta.scenario = {  # type: ignore[attr-defined]
            "id": scenario.id, "seed": scenario.seed, "params": scenario.params, "file": scenario.source,
            "checks": [c.model_dump() for c in result.checks], "passed": result.passed,
            "model_outcome": result.model_outcome, "model_decided_by": result.decided_by,
        }
        if result.passed:
            outcome = "infeasible" if infeasible else "success"
            detail = f"all {len(result.checks)} scenario checks passed"
        else:
            outcome, detail = "failure", f"scenario check failed: {result.first_failure()}"
        recorder.finish(outcome, "scenario", detail[:500], answer=result.answer)  # type: ignore[arg-type]
    finally:
        recorder.close()


def run_scenario(
    scenario: Scenario,
    target: Target,
    *,
    model: str | Backend = REFERENCE,
    dialect: str | None = None,
    out: Path | str = "runs",
    confirm: Literal["yes", "no"] = "yes",
    on_event: Callable[[Any], None] | None = None,
) -> ScenarioResult:
    """Set up, run the agent, check, tear down. A failed setup, or an episode stopped by a device or
    backend fault, is a result with ``status: error`` (the message says why), not an exception.
    ``on_event`` hears the agent's events (a fleet worker reports its step with them)."""
    started = time.monotonic()
    timings: dict[str, float] = {}
    base = {"scenario": scenario.id, "title": scenario.title, "seed": scenario.seed,
            "instruction": scenario.instruction, "params": scenario.params}
    if scenario.device != target.kind:
        return ScenarioResult(**base, status="skipped", error=f"a {scenario.device} scenario; the device is a {target.kind}")
    if target.real_phone and not scenario.real_phone:
        return ScenarioResult(**base, status="skipped",
                              error="needs the virtual phone: " + (scenario.real_phone_note or "its apps or state"))
    out = Path(out)
    probe = probe_for(target.device)
    undo: list[Undo] = []
    result: ScenarioResult | None = None
    try:
        _fresh(target, scenario, probe)
        timings["reset_s"] = time.monotonic() - started
        try:
            run_steps(scenario.setup, probe, undo=undo)
            probe.settle()
        except SetupFailed as exc:
            result = ScenarioResult(**base, status="error", error=f"setup: {exc}")
            return result
        finally:
            timings["setup_s"] = time.monotonic() - started - timings["reset_s"]
        the_dialect: Dialect = dialect_for(dialect, target.kind)
        problems: list[str] = []
        spec, delay = split_latency_spec(model) if isinstance(model, str) else (model, 0.0)
        kind, arg = parse_backend_spec(spec) if isinstance(spec, str) else (None, "")
        if kind is not None and kind.name == REFERENCE:
            negative = arg.lower() == "negative"
            steps = scenario.negative_solution() if negative else scenario.solution
            backend: Any = ReferenceBackend(steps, probe, the_dialect,
                                            name=f"{str(spec).strip().lower()}:{scenario.id}")
            problems = backend.problems
            if delay:  # latency:SECONDS:reference, the benchmarks' stand-in for a model server
                backend = LatencyBackend(backend, delay)
            source = "scripted"
        else:
            backend = model if not isinstance(model, str) else backend_from_spec(model)
            source = "agent"
        ran = time.monotonic()
        try:
            run = run_agent(scenario.instruction, device=target.device, model=backend, dialect=the_dialect, out=out,
                            budgets=Budgets(max_steps=scenario.max_steps, max_wall_s=scenario.max_time_s),
                            confirm=confirm, source=source, on_event=on_event)
        except ScreenPilotError as exc:  # the device or the backend failed: this scenario is an error, not a verdict
            result = ScenarioResult(**base, status="error", error=f"the episode stopped: {exc}",
                                    model=getattr(backend, "name", ""), problems=list(problems))
            return result
        episode_s = time.monotonic() - ran
        ending = Ending(outcome=run.outcome, decided_by=run.decided_by, answer=run.answer)
        checks = evaluate_checks(list(scenario.success), probe, ending)
        passed = all(c.passed for c in checks)
        try:
            episode = str(run.folder.relative_to(out))
        except ValueError:
            episode = str(run.folder)
        result = ScenarioResult(**base, status="passed" if passed else "failed", checks=checks,
                                model=backend.name, model_outcome=run.outcome, decided_by=run.decided_by,
                                answer=run.answer, steps=run.steps, episode_s=round(episode_s, 3), episode=episode,
                                problems=list(problems))
        infeasible = any(isinstance(c, ReportedCheck) and c.outcome == "failure" for c in scenario.success)
        _annotate(run.folder, scenario, result, infeasible)
        return result
    finally:
        problems_at_end = _teardown(scenario, probe, undo)
        if result is not None:
            if problems_at_end:
                result.error = (result.error + "; " if result.error else "") + "teardown: " + problems_at_end
            result.time_s = round(time.monotonic() - started, 3)
            result.reset_s = round(timings.get("reset_s", 0.0), 3)
            result.setup_s = round(timings.get("setup_s", 0.0), 3)


def _teardown(scenario: Scenario, probe: Probe, undo: list[Undo]) -> str:
    problems = []
    try:
        run_steps(scenario.teardown, probe)
    except ScreenPilotError as exc:
        problems.append(str(exc))
    for restore in reversed(undo):
        try:
            restore()
        except ScreenPilotError as exc:
            problems.append(str(exc))
    probe.close()
    return "; ".join(problems)


def evaluate(
    selection: Sequence[ScenarioSpec],
    target: Target,
    *,
    model: str | Backend = REFERENCE,
    dialect: str | None = None,
    repeat: int = 1,
    seed: int | None = 0,
    out: Path | str = "runs",
    confirm: Literal["yes", "no"] = "yes",
    on_result: Callable[[ScenarioResult], None] | None = None,
    on_start: Callable[[Scenario], None] | None = None,
) -> EvalReport:
    """Every scenario of ``selection``, ``repeat`` times each (seed, seed+1, ...; None: the canonical
    instance every time), on ``target``; results.json is rewritten after each scenario."""
    if repeat < 1:
        raise ScenarioError("repeat must be at least 1")
    reference = isinstance(model, str) and parse_backend_spec(split_latency_spec(model)[0])[0].name == REFERENCE
    resolve_dialect(dialect)
    folder = Path(out) / f"eval-{datetime.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}"
    folder.mkdir(parents=True, exist_ok=False)
    name = model if isinstance(model, str) else model.name
    report = EvalReport(folder=str(folder), device=target.spec, model=name, dialect=resolve_dialect(dialect).name,
                        seed=seed, repeat=repeat, started_at=time.time())
    shared: Backend | None = None
    if isinstance(model, str) and not reference:
        shared = backend_from_spec(model)  # loaded once (a local model takes a while), closed at the end
        model = _Shared(shared)
    elif not isinstance(model, str):
        model = _Shared(model)  # the caller's backend: run() must not close it after the first episode
    try:
        for spec in selection:
            for k in range(repeat):
                s = None if seed is None else seed + k
                workdir = folder / "files" / f"{spec.id}-seed{s}"
                scenario = spec.instantiate(s, workdir=str(workdir))
                if spec.device == "desktop":
                    workdir.mkdir(parents=True, exist_ok=True)
                if on_start is not None:
                    on_start(scenario)
                result = run_scenario(scenario, target, model=model, dialect=dialect, out=folder, confirm=confirm)
                report.results.append(result)
                report.save()
                if on_result is not None:
                    on_result(result)
    except KeyboardInterrupt as exc:  # results.json (below) keeps the scenarios that finished
        raise Interrupted(folder, "evaluation") from exc
    finally:
        if shared is not None:
            shared.close()
        report.ended_at = time.time()
        report.save()
    return report
