"""A scenario: a task with its setup, its success checks on device state, and a reference solution.

``ScenarioSpec`` is a file as written (parameters still unsampled); ``spec.instantiate(seed)`` draws
the parameters, renders every string of the file as a jinja2 template with them, and validates the
result into a :class:`Scenario`, the concrete task one episode runs.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from jinja2 import TemplateError
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..actions import DeviceKind
from ._errors import ScenarioError
from ._params import sample_params
from ._steps import (
    DESKTOP_ONLY_CHECKS,
    DESKTOP_ONLY_SETUP,
    DESKTOP_ONLY_STEPS,
    PHONE_ONLY_CHECKS,
    PHONE_ONLY_SETUP,
    PHONE_ONLY_STEPS,
    Check,
    SetupStep,
    SolutionStep,
)
from ._text import render_tree

__all__ = ["Scenario", "ScenarioSpec", "spec_from_dict"]

_PLACEHOLDER_WORKDIR = "/tmp/screenpilot-scenario"


class Scenario(BaseModel):
    """One task instance: every template rendered, every parameter drawn."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$", description="unique; dots group it (settings.wifi_toggle)")
    title: str = Field(min_length=1)
    device: DeviceKind
    instruction: str = Field(min_length=1, description="what the model is told")
    tags: list[str] = Field(default_factory=list, description="extra suite names this scenario belongs to")
    apps: list[str] = Field(default_factory=list, description="packages the task touches: stopped first on a real phone")
    real_phone: bool = Field(False, description="setup and checks run on a real phone without root")
    real_phone_note: str = Field("", description="why not, or what differs on a real phone")
    max_steps: int = Field(ge=1, le=300, description="the step budget given to the model")
    max_time_s: float = Field(600.0, gt=0)
    params: dict[str, Any] = Field(default_factory=dict, description="the drawn values (the file holds their specs)")
    seed: int | None = None
    setup: list[SetupStep] = Field(default_factory=list)
    success: list[Check] = Field(min_length=1, description="ALL must pass")
    teardown: list[SetupStep] = Field(default_factory=list)
    solution: list[SolutionStep] = Field(min_length=1, description="the reference solution, written semantically")
    negative: list[SolutionStep] | None = Field(None, description="a wrong solution whose checks must fail "
                                                                  "(default: the reference minus its last action)")
    notes: str = ""
    source: str = Field("", description="the file it came from")

    @model_validator(mode="after")
    def _fits_device(self) -> Scenario:
        phone = self.device == "phone"
        problems = []
        for where, steps, phone_only, desktop_only in (
            ("setup", self.setup, PHONE_ONLY_SETUP, DESKTOP_ONLY_SETUP),
            ("teardown", self.teardown, PHONE_ONLY_SETUP, DESKTOP_ONLY_SETUP),
            ("success", self.success, PHONE_ONLY_CHECKS, DESKTOP_ONLY_CHECKS),
            ("solution", self.solution, PHONE_ONLY_STEPS, DESKTOP_ONLY_STEPS),
            ("negative", self.negative or [], PHONE_ONLY_STEPS, DESKTOP_ONLY_STEPS),
        ):
            wrong = desktop_only if phone else phone_only
            for k, step in enumerate(steps):
                if step.kind in wrong:
                    problems.append(f"{where}.{k}: {step.kind!r} is not available on a {self.device}")
        for where, steps in (("solution", self.solution), ("negative", self.negative)):
            if steps and steps[-1].kind not in ("terminate", "answer"):
                problems.append(f"{where}: must end with terminate: or answer: (how the model reports the outcome)")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def negative_solution(self) -> list[Any]:
        """The negative control: the file's ``negative:``, else the reference without its last action."""
        if self.negative is not None:
            return list(self.negative)
        *body, last = self.solution
        return [*body[:-1], last]


@dataclass(frozen=True)
class ScenarioSpec:
    """A scenario file as written: its id, device, tags and raw content (parameters unsampled)."""

    id: str
    device: DeviceKind
    title: str
    tags: tuple[str, ...]
    real_phone: bool
    path: Path | None
    raw: dict[str, Any] = field(repr=False, compare=False)

    @property
    def suites(self) -> tuple[str, ...]:
        """Every name that selects this scenario: its device, its id's groups, its tags."""
        groups = [self.id.rsplit(".", k)[0] for k in range(1, self.id.count(".") + 1)]
        return (self.device, *groups, *self.tags)

    def instantiate(self, seed: int | None = None, **context: Any) -> Scenario:
        """The task for one seed (None: the canonical instance); ``context`` adds template values
        every scenario can use (``workdir``: a folder for this episode's files on this machine)."""
        context.setdefault("workdir", _PLACEHOLDER_WORKDIR)
        raw = copy.deepcopy(self.raw)
        specs = raw.pop("params", None) or {}
        where = str(self.path) if self.path else self.id
        if not isinstance(specs, dict):
            raise ScenarioError(f"{where}: params must be a mapping of name -> value or spec")
        try:
            values = sample_params(specs, scenario_id=self.id, seed=seed, context=context)
            rendered = render_tree(raw, {**context, **values})
        except (TemplateError, ValueError, TypeError, KeyError, IndexError, AttributeError, ArithmeticError) as exc:
            raise ScenarioError(f"{where}: {type(exc).__name__}: {exc}",
                                hint="check the params and the {{ ... }} templates of this scenario") from None
        rendered.update(params=values, seed=seed, source=str(self.path) if self.path else "")
        try:
            return Scenario.model_validate(rendered)
        except ValidationError as exc:
            raise ScenarioError(f"{where}: " + _explain(exc), hint="fix the scenario file (docs/scenarios.md "
                                                                    "lists every step and check)") from None


def _explain(exc: ValidationError, limit: int = 4) -> str:
    lines = []
    for err in exc.errors()[:limit]:
        loc = ".".join(str(p) for p in err["loc"])
        lines.append(f"{loc}: {err['msg'].replace('Value error, ', '')}" if loc else err["msg"])
    more = len(exc.errors()) - limit
    return "; ".join(lines) + (f" (and {more} more)" if more > 0 else "")


def spec_from_dict(raw: Any, path: Path | None = None) -> ScenarioSpec:
    """Check a file's content (its canonical instance must validate) and wrap it as a spec."""
    where = str(path) if path else "<scenario>"
    if not isinstance(raw, dict):
        raise ScenarioError(f"{where}: a scenario file holds one mapping (id:, instruction:, ...), "
                            f"got {type(raw).__name__}")
    missing = [k for k in ("id", "device") if not isinstance(raw.get(k), str)]
    if missing:
        raise ScenarioError(f"{where}: {' and '.join(missing)} missing (or not text)")
    device: Literal["phone", "desktop"] = raw["device"]
    if device not in ("phone", "desktop"):
        raise ScenarioError(f"{where}: device must be phone or desktop, got {device!r}")
    tags = raw.get("tags") or []
    spec = ScenarioSpec(id=raw["id"], device=device, title=str(raw.get("title", raw["id"])),
                        tags=tuple(str(t) for t in tags) if isinstance(tags, list) else (),
                        real_phone=bool(raw.get("real_phone", False)), path=path, raw=raw)
    spec.instantiate(None)  # validates the structure with the canonical parameters
    return spec
