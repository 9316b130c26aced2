"""``screenpilot view``: the HTML report of episodes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._app import app, err, say


@app.command()
def view(
    paths: Annotated[list[str], typer.Argument(metavar="EPISODE|RUN_DIR", help="Episode folders, or folders of runs.")],
    out_file: Annotated[str | None, typer.Option("--out", metavar="FILE", help="Where to write the HTML [default: "
                                                 "EPISODE/report.html, or RUN_DIR/report.html: an index, with each "
                                                 "episode's page in RUN_DIR/report_files/].")] = None,
    open_it: Annotated[bool, typer.Option("--open", help="Open the report in the web browser.")] = False,
    max_image: Annotated[int, typer.Option(min=120, max=4096, metavar="PIXELS",
                                           help="Longest side of an embedded screenshot.")] = 720,
) -> None:
    """Write a self-contained HTML report of episodes: screenshots with the actions drawn, thoughts, timings."""
    import webbrowser

    from ..trajectories import write_report

    if out_file is not None and Path(out_file).is_dir():
        raise typer.BadParameter(f"{out_file} is a folder: give the file to write, e.g. {Path(out_file) / 'report.html'}",
                                 param_hint="--out")
    path = write_report(paths, out_file, max_image=max_image)
    say(f"report: {path}")
    if open_it and not webbrowser.open(path.resolve().as_uri()):
        say(f"screenpilot: warning: no web browser found to open the report (set $BROWSER); it is at {path}", err)
