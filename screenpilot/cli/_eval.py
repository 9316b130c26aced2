"""``screenpilot eval``: scenarios with checks on device state."""

from __future__ import annotations

from typing import Annotated

import typer

from ..devices import device_help
from ..planner import backend_help, dialect_help
from ._app import app, out


@app.command("eval")
def eval_cmd(
    selection: Annotated[list[str] | None, typer.Argument(metavar="[SUITE|ID|GLOB|FILE]...", help="What to run: all, phone, "
                                                          "desktop, a group or tag (settings, dialog), an id, a glob "
                                                          "(clock.*), or YAML files/folders [default: every scenario "
                                                          "for the device].")] = None,
    device: Annotated[str, typer.Option(help=device_help("sim"))] = "sim",
    model: Annotated[str, typer.Option(help=backend_help("eval") + " (default: reference)")] = "reference",
    dialect: Annotated[str | None, typer.Option(help=dialect_help())] = None,
    repeat: Annotated[int, typer.Option(min=1, help="Run each scenario N times (seeds S, S+1, ...).")] = 1,
    seed: Annotated[int, typer.Option(help="Seed of the first run's parameters.")] = 0,
    out_dir: Annotated[str, typer.Option("--out", help="Folder in which the evaluation's folder is made.")] = "runs",
    no_input: Annotated[bool, typer.Option("--no-input", help="Refuse sensitive actions (default: approve them: "
                                                              "scenarios run on a device set up for them).")] = False,
    list_only: Annotated[bool, typer.Option("--list", help="List the scenarios and exit.")] = False,
) -> None:
    """Run scenarios on fresh device state and check the outcome on the device; prints a table and the success rate.

    Exit codes: 0 every scenario passed, 3 some did not (1: an error, 2: bad usage).
    """
    from ..scenarios._console import eval_command, list_command

    if list_only:
        list_command(out, selection or [], device if device != "sim" or selection else None)
        return
    code = eval_command(out, selection or [], device=device, model=model, dialect=dialect, repeat=repeat, seed=seed,
                        out=out_dir, confirm="no" if no_input else "yes")
    raise typer.Exit(code)
