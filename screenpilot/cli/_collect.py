"""``screenpilot collect``: many episodes on many devices into one data set, on Ray (docs/collect.md)."""

from __future__ import annotations

from typing import Annotated

import typer

from ..planner import backend_help, dialect_help
from ._app import app, dialect_option, err, model_option, out


@app.command("collect")
def collect_cmd(
    tasks: Annotated[list[str] | None, typer.Argument(metavar="[SUITE|ID|GLOB|FILE]...", help="Scenario suites, ids, globs or "
                                                      "YAML files (as eval takes them), or a JSONL/YAML file of free-form "
                                                      "tasks [with --resume: the collection's own].")] = None,
    devices: Annotated[list[str] | None, typer.Option("--devices", help="sim:N | android:SERIAL[,SERIAL...] | desktop:N | "
                                                      "POOL.yaml (repeatable) [with --resume: the collection's own].")] = None,
    model: Annotated[str, typer.Option(callback=model_option("collect"), show_default=False,
                                       help=backend_help("collect") + " (default: reference)")] = "reference",
    out_dir: Annotated[str, typer.Option("--out", help="The collection folder: episodes/, manifest.jsonl, summary.json.")] = "",
    repeat: Annotated[int, typer.Option(min=1, help="Run each task K times (seeds S, S+1, ...).")] = 1,
    seed: Annotated[int, typer.Option(help="Seed of the first repeat's parameters.")] = 0,
    max_steps: Annotated[int | None, typer.Option(min=1, max=300, help="Step budget per episode [default: each task's own].")] = None,
    address: Annotated[str | None, typer.Option(help="An existing Ray cluster (auto or HOST:PORT) [default: a local one].")] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Continue the collection in --out: finished episodes are skipped.")] = False,
    max_inflight: Annotated[int | None, typer.Option(min=1, help="Model calls in flight at once, for local: and openai: "
                                                     "models [default: one per device].")] = None,
    max_attempts: Annotated[int, typer.Option(min=1, help="Attempts per task x repeat before it is settled as an error.")] = 3,
    quarantine_after: Annotated[int, typer.Option(min=1, help="Failures in a row after which a device is quarantined.")] = 2,
    episode_timeout: Annotated[float | None, typer.Option(min=1, help="Seconds after which an episode with no result is "
                                                          "a hang [default: its wall budget + 120].")] = None,
    sim_profile: Annotated[str, typer.Option(help="Virtual phones' timing: instant or phone (a real phone's costs).")] = "instant",
    dialect: Annotated[str | None, typer.Option(callback=dialect_option, help=dialect_help())] = None,
    num_cpus: Annotated[int | None, typer.Option(min=1, help="CPUs of the local Ray cluster [default: all].")] = None,
    no_input: Annotated[bool, typer.Option("--no-input", help="Refuse sensitive actions (default: approve them).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line (events, progress) instead of the live table.")] = False,
) -> None:
    """Collect trajectories on a pool of devices with Ray; resumable, faults isolated.

    Exit codes: 0 every task x repeat settled, 1 an error or devices ran out first (resume later), 2 bad usage.
    """
    from pathlib import Path

    from ..fleet import SIM_PROFILES, BadDeviceList, CollectOptions, collect
    from ..fleet._console import JsonProgress, LiveProgress

    if sim_profile not in SIM_PROFILES:
        raise typer.BadParameter(f"{sim_profile!r} is not a timing profile: use {' or '.join(SIM_PROFILES)}",
                                 param_hint="--sim-profile")
    if not out_dir:
        raise typer.BadParameter("give the collection folder", param_hint="--out")
    if not resume and not devices:
        raise typer.BadParameter("say which devices to use, e.g. --devices sim:4", param_hint="--devices")
    if not resume and not tasks:
        raise typer.BadParameter("name the tasks: scenario suites or ids, or a JSONL/YAML file of tasks", param_hint="TASKS")
    options = CollectOptions(out=Path(out_dir), model=model, dialect=dialect, repeat=repeat, seed=seed, max_steps=max_steps,
                             address=address, resume=resume, max_inflight=max_inflight, max_attempts=max_attempts,
                             quarantine_after=quarantine_after, episode_timeout_s=episode_timeout, num_cpus=num_cpus,
                             confirm="no" if no_input else "yes", sim_profile=sim_profile)
    view = JsonProgress() if as_json else LiveProgress(out)
    try:
        with view:
            result = collect(tasks or [], devices or [], options, on_event=view)
    except BadDeviceList as exc:
        raise typer.BadParameter(str(exc), param_hint="--devices") from None
    s = result.summary
    if not as_json:
        rate = "n/a" if s.get("success_rate") is None else f"{s['success_rate']:.0%}"
        out.print(f"{s.get('done', 0)}/{s.get('total', 0)} settled, success {rate}, {s.get('episodes_per_hour', 0):.0f} "
                  f"episodes/h, {s.get('failed_attempts', 0)} failed attempts -> {result.folder}", highlight=False)
    if not result.finished:
        err.print(f"screenpilot: error: {s.get('remaining', 0)} tasks unsettled: no device left "
                  f"(resume with screenpilot collect --resume --out {result.folder})", markup=False, highlight=False)
        raise typer.Exit(1)
