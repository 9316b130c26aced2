"""Scenarios: tasks with setup, programmatic success checks on device state, and reference solutions.

A scenario is a YAML file (``screenpilot/scenarios/data/``, or your own) loaded into pydantic models:
an instruction with parameters drawn from a seed, setup steps, success checks read from the device
(settings, UI tree, files, the app in front, content providers, a desktop program's state), teardown,
a step budget, and a reference solution written semantically that :class:`ReferenceBackend` grounds
on the live UI tree each step. ``evaluate`` runs a selection through the full agent loop
(``screenpilot eval``).
"""

from ._checks import CHECK_ON_REAL_PHONE, CheckResult, Ending, evaluate_check, evaluate_checks
from ._content import parse_rows
from ._errors import GroundingError, ScenarioError, SetupFailed
from ._eval import (
    REFERENCE,
    RESULTS_FILE,
    EvalReport,
    ScenarioResult,
    Target,
    choose_scenarios,
    evaluate,
    evaluate_on,
    open_target,
    run_scenario,
)
from ._loader import builtin_scenarios, load_scenario_file, load_scenarios, select_scenarios
from ._params import PARAM_FORMS, sample_params
from ._probe import DesktopProbe, Focus, PhoneProbe, Probe, ShellOutput, probe_for
from ._program import Program
from ._reference import Move, ReferenceBackend, SolutionPlayer, describe_step
from ._scenario import Scenario, ScenarioSpec, spec_from_dict
from ._selectors import Selector, UiNode
from ._setup import run_steps
from ._steps import Check, Expect, SetupStep, SolutionStep

__all__ = [
    "CHECK_ON_REAL_PHONE",
    "PARAM_FORMS",
    "REFERENCE",
    "RESULTS_FILE",
    "Check",
    "CheckResult",
    "DesktopProbe",
    "Ending",
    "EvalReport",
    "Expect",
    "Focus",
    "GroundingError",
    "Move",
    "PhoneProbe",
    "Probe",
    "Program",
    "ReferenceBackend",
    "Scenario",
    "ScenarioError",
    "ScenarioResult",
    "ScenarioSpec",
    "Selector",
    "SetupFailed",
    "SetupStep",
    "ShellOutput",
    "SolutionPlayer",
    "SolutionStep",
    "Target",
    "UiNode",
    "builtin_scenarios",
    "choose_scenarios",
    "describe_step",
    "evaluate",
    "evaluate_check",
    "evaluate_checks",
    "evaluate_on",
    "load_scenario_file",
    "load_scenarios",
    "open_target",
    "parse_rows",
    "probe_for",
    "run_scenario",
    "run_steps",
    "sample_params",
    "select_scenarios",
    "spec_from_dict",
]
