"""``screenpilot eval``: scenarios with checks on device state."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from ..devices import device_help
from ..errors import Interrupted
from ..planner import backend_help, dialect_help
from ._app import CommandInterrupted, app, device_option, dialect_option, model_option, out


@app.command("eval")
def eval_cmd(
    selection: Annotated[list[str] | None, typer.Argument(metavar="[SUITE|ID|GLOB|FILE]...", help="What to run: all, phone, "
                                                          "desktop, a group or tag (settings, dialog), an id, a glob "
                                                          "(clock.*), or YAML files/folders [default: every scenario "
                                                          "for the device].")] = None,
    device: Annotated[str, typer.Option(metavar="SPEC", callback=device_option, show_default=False,
                                        help=device_help("sim"))] = "sim",
    model: Annotated[str, typer.Option(metavar="SPEC", callback=model_option("eval"), show_default=False,
                                       help=backend_help("eval") + " (default: reference)")] = "reference",
    dialect: Annotated[str | None, typer.Option(metavar="NAME", callback=dialect_option, help=dialect_help())] = None,
    repeat: Annotated[int, typer.Option(min=1, help="Run each scenario N times (seeds S, S+1, ...).")] = 1,
    seed: Annotated[int, typer.Option(help="Seed of the first run's parameters.")] = 0,
    out_dir: Annotated[str, typer.Option("--out", metavar="DIR", help="Folder in which the evaluation's folder is made.")] = "runs",
    no_input: Annotated[bool, typer.Option("--no-input", help="Refuse sensitive actions (default: approve them: "
                                                              "scenarios run on a device set up for them).")] = False,
    list_only: Annotated[bool, typer.Option("--list", help="List the scenarios and exit.")] = False,
) -> None:
    """Run scenarios on fresh device state and check the outcome on the device; prints a table and the success rate.

    Exit codes: 0 every scenario passed, 3 some did not (1: an error, 2: bad usage, 130: Ctrl-C).
    """
    from ..scenarios import RESULTS_FILE
    from ..scenarios._console import eval_command, list_command

    if list_only:
        list_command(out, selection or [], device if device != "sim" or selection else None)
        return
    try:
        code = eval_command(out, selection or [], device=device, model=model, dialect=dialect, repeat=repeat, seed=seed,
                            out=out_dir, confirm="no" if no_input else "yes")
    except Interrupted as exc:
        results = exc.folder / RESULTS_FILE
        try:
            finished = len(json.loads(results.read_text(encoding="utf-8")).get("results", []))
        except (OSError, ValueError):
            finished = 0
        raise CommandInterrupted(f"the evaluation stopped after {finished} finished scenario"
                                 f"{'s' if finished != 1 else ''}; partial results: {results}") from None
    except KeyboardInterrupt:
        raise CommandInterrupted("the evaluation stopped while starting, before its first scenario") from None
    raise typer.Exit(code)
