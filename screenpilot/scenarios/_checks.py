"""Success checks: each reads device state (or the episode's end) and says pass or fail, and why.

Checks never trust the model's word, except the two that are ABOUT its word: ``reported`` (how it
ended the episode: an infeasible task must end in failure) and ``answer`` (what it answered,
compared with what the device holds).
"""

from __future__ import annotations

import shlex
from typing import Any

from pydantic import BaseModel

from ..errors import ScreenPilotError
from ._content import parse_rows, query_command
from ._probe import Probe
from ._steps import (
    AnswerCheck,
    ContentCheck,
    Expect,
    FileCheck,
    ForegroundCheck,
    ProgramCheck,
    ReportedCheck,
    SettingCheck,
    ShellCheck,
    UiCheck,
)
from ._text import fold

__all__ = ["CHECK_ON_REAL_PHONE", "CheckResult", "Ending", "evaluate_check", "evaluate_checks"]

CHECK_ON_REAL_PHONE: dict[str, str] = {
    "setting": "yes: settings get (shell user)",
    "ui": "yes: uiautomator dump",
    "foreground": "yes: dumpsys window",
    "file": "yes for shared storage (/sdcard); app-private files need root",
    "content": "yes for providers the shell may read (contacts, settings); app-private providers no",
    "shell": "yes, for commands the shell user may run",
    "reported": "yes: no device involved",
    "answer": "yes: no device involved",
    "program": "desktop only",
}


class CheckResult(BaseModel):
    """One check's verdict: what was asked, whether it held, and what was actually there."""

    check: str
    passed: bool
    detail: str = ""


class Ending(BaseModel):
    """How the episode ended, for the checks about the model's own report."""

    outcome: str | None = None
    decided_by: str | None = None
    answer: str | None = None

    @property
    def reported(self) -> str | None:
        """What the model itself said: success / failure (answer counts as success), or None."""
        if self.decided_by != "model":
            return None
        return "success" if self.outcome == "success" else "failure"


def _describe(check: Any) -> str:
    args = check.model_dump(exclude={"kind"}, exclude_none=True, exclude_defaults=True)
    inner = ", ".join(f"{k}={v!r}" for k, v in args.items())
    return f"{check.kind}({inner})"


def _expect(expect: Expect, actual: str | None, where: str) -> tuple[bool, str]:
    ok, why = expect.test(actual)
    return ok, (f"{where}: {why}" if not ok else f"{where} = {actual!r}"[:200])


def _dig(state: Any, key: str) -> Any:
    for part in key.split("."):
        if part == "#" and isinstance(state, (list, dict, str)):
            state = len(state)
        elif isinstance(state, dict) and part in state:
            state = state[part]
        elif isinstance(state, list) and part.lstrip("-").isdigit() and -len(state) <= int(part) < len(state):
            state = state[int(part)]
        else:
            return _MISSING
    return state


_MISSING = object()


def _as_text(value: Any) -> str | None:
    if value is _MISSING or value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        import json

        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _row_matches(row: dict[str, str], wanted: dict[str, Any]) -> bool:
    def norm(v: Any) -> str:
        if isinstance(v, bool):
            return "1" if v else "0"
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v)

    return all(row.get(k) == norm(v) for k, v in wanted.items())


def evaluate_check(check: Any, probe: Probe, ending: Ending) -> CheckResult:
    """One check against the device as it is now; a fault reading the device is a failed check."""
    name = _describe(check)
    try:
        ok, detail = _evaluate(check, probe, ending)
    except ScreenPilotError as exc:
        ok, detail = False, f"could not read the state: {exc}"
    return CheckResult(check=name, passed=ok, detail=detail)


def _evaluate(check: Any, probe: Probe, ending: Ending) -> tuple[bool, str]:
    match check:
        case SettingCheck(namespace=ns, key=key):
            out = probe.shell(f"settings get {ns} {shlex.quote(key)}").stdout.strip()
            return _expect(check, None if out == "null" else out, f"settings {ns} {key}")
        case ShellCheck(command=command):
            out = probe.shell(command)
            if out.exit_code != 0:
                return False, f"`{command}` exited {out.exit_code}: {out.output.strip()[:200]}"
            return _expect(check, out.stdout.strip(), f"`{command}`")
        case FileCheck(path=path):
            return _expect(check, probe.read_file(path), path)
        case UiCheck(contains=contains, lacks=lacks):
            nodes = probe.nodes()
            selector = contains or lacks
            assert selector is not None
            found = selector.find(nodes)
            if contains is not None:
                return (True, f"found {found[0].label!r}") if found else (False, f"{selector.describe()} is not on screen")
            return (False, f"{selector.describe()} is on screen") if found else (True, "not on screen")
        case ForegroundCheck(package=package, activity=activity, window=window):
            focus = probe.foreground()
            shown = focus.window if probe.kind == "desktop" else f"{focus.package}/{focus.activity}"
            if package is not None and focus.package != package:
                return False, f"in front: {shown or 'nothing'}"
            if activity is not None and activity not in (focus.activity, focus.activity.rpartition(".")[2],
                                                         "." + focus.activity.rpartition(".")[2]):
                return False, f"in front: {shown}"
            if window is not None and fold(window) not in fold(focus.window):
                return False, f"focused window: {focus.window!r}"
            return True, f"in front: {shown}"
        case ContentCheck(uri=uri, where=where, count=count, min_count=min_count, row=row, no_row=no_row):
            columns = sorted({*(row or {}), *(no_row or {})})
            out = probe.shell(query_command(uri, where=where, projection=columns))
            if out.exit_code != 0 or "Exception" in out.output or out.output.startswith("Error"):
                return False, f"content query failed (exit {out.exit_code}): {out.output.strip()[:200]}"
            rows = parse_rows(out.stdout, columns)
            if count is not None and len(rows) != count:
                return False, f"{len(rows)} rows, expected {count}" + (f" (where {where})" if where else "")
            if min_count is not None and len(rows) < min_count:
                return False, f"{len(rows)} rows, expected at least {min_count}"
            if row is not None and not any(_row_matches(r, row) for r in rows):
                return False, f"no row with {row}; rows: {rows[:5]}"
            if no_row is not None and any(_row_matches(r, no_row) for r in rows):
                return False, f"a row with {no_row} exists"
            return True, f"{len(rows)} rows"
        case ProgramCheck(key=key, program=program):
            state = probe.program_state(program)
            return _expect(check, _as_text(_dig(state, key)), f"{program}.{key}")
        case ReportedCheck(outcome=outcome):
            said = ending.reported
            if said is None:
                return False, f"the model did not end the episode (ended by {ending.decided_by}: {ending.outcome})"
            return (said == outcome), f"the model reported {said}" + ("" if said == outcome else f", not {outcome}")
        case AnswerCheck(equals_output_of=command):
            if ending.answer is None:
                return False, "the model gave no answer"
            if command is not None:
                out = probe.shell(command)
                if out.exit_code != 0 or not out.stdout.strip():
                    return False, f"`{command}` gave no expected answer (exit {out.exit_code})"
                check = check.model_copy(update={"equals": out.stdout.strip()})
            return _expect(check, ending.answer, "the answer")
    raise AssertionError(f"unknown check {check!r}")  # pragma: no cover


def evaluate_checks(checks: list[Any], probe: Probe, ending: Ending) -> list[CheckResult]:
    return [evaluate_check(c, probe, ending) for c in checks]
