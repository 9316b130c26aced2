"""What ``screenpilot eval`` prints: a line per scenario as it finishes, then the table and the rate."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from rich.markup import escape

from ..devices import parse_device_spec
from ._eval import REFERENCE, EvalReport, ScenarioResult, choose_scenarios, evaluate, open_target
from ._loader import builtin_scenarios, select_scenarios

__all__ = ["eval_command", "list_command", "results_table"]

_MARK = {"passed": "[green]pass[/]", "failed": "[red]FAIL[/]", "error": "[magenta]error[/]",
         "skipped": "[dim]skipped[/]"}


def _kind(device: str) -> Literal["phone", "desktop"]:
    return parse_device_spec(device)[0].kind


def results_table(report: EvalReport) -> Any:
    from rich.table import Table

    table = Table(title=escape(f"{report.model} on {report.device} ({report.dialect})"), title_justify="left")
    for name, justify in (("scenario", "left"), ("seed", "right"), ("check", "left"), ("model said", "left"),
                          ("steps", "right"), ("time", "right"), ("why", "left")):
        table.add_column(name, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for r in report.results:
        said = r.model_outcome or "-"
        if r.decided_by and r.decided_by != "model":
            said = f"{said} ({r.decided_by})"
        table.add_row(escape(r.scenario), "-" if r.seed is None else str(r.seed), _MARK[r.status], escape(said),
                      str(r.steps), f"{r.time_s:.1f} s", "" if r.passed else escape(r.first_failure()[:160]))
    return table


def list_command(console: Any, names: Sequence[str], device: str | None) -> None:
    from rich.table import Table

    specs = select_scenarios(names, device=_kind(device) if device else None) if names or device \
        else list(builtin_scenarios())
    table = Table(title=f"{len(specs)} scenarios", title_justify="left")
    for name in ("id", "device", "real phone", "suites", "title"):
        table.add_column(name, overflow="fold")
    for s in specs:
        table.add_row(s.id, s.device, "yes" if s.real_phone else "-", ", ".join(s.suites[1:]), escape(s.title))
    console.print(table)


def eval_command(console: Any, names: Sequence[str], *, device: str, model: str, dialect: str | None, repeat: int,
                 seed: int | None, out: str, confirm: Literal["yes", "no"]) -> int:
    """Run the selection and print as it goes; the exit code: 0 all passed, 3 some did not."""
    chosen, left_out = choose_scenarios(names, device)
    if left_out:
        console.print(f"[dim]{left_out} scenarios for another kind of device left out[/]")
    what = "reference solutions" if model.lower() == REFERENCE else model
    console.print(f"Evaluating {len(chosen)} scenarios x {repeat} on {device} with {what}", highlight=False,
                  markup=False, soft_wrap=True)

    def done(result: ScenarioResult) -> None:
        extra = "" if result.passed else f"  {escape(result.first_failure()[:120])}"
        console.print(f"  {_MARK[result.status]} {escape(result.scenario)} (seed {result.seed}, {result.steps} steps, "
                      f"{result.time_s:.1f} s){extra}", highlight=False, soft_wrap=True)

    with open_target(device) as target:
        report = evaluate(chosen, target, model=model, dialect=dialect, repeat=repeat, seed=seed, out=out,
                          confirm=confirm, on_result=done)
    console.print(results_table(report))
    counted = len(report.counted)
    skipped = len(report.results) - counted
    console.print(f"success rate: {report.passed}/{counted} ({report.success_rate:.1%})"
                  + (f", {skipped} skipped" if skipped else ""), highlight=False)
    console.print(f"results: {report.folder}/results.json", highlight=False, soft_wrap=True, markup=False)
    return 0 if report.passed == counted else 3
