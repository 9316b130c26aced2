"""``screenpilot view``: the HTML report of episodes."""

from __future__ import annotations

from typing import Annotated

import typer

from ._app import app, out


@app.command()
def view(
    paths: Annotated[list[str], typer.Argument(metavar="EPISODE|RUN_DIR...", help="Episode folders, or folders of runs.")],
    out_file: Annotated[str | None, typer.Option("--out", help="Where to write the HTML "
                                                 "[default: EPISODE/report.html, or RUN_DIR/report.html].")] = None,
    open_it: Annotated[bool, typer.Option("--open", help="Open the report in the web browser.")] = False,
    max_image: Annotated[int, typer.Option(min=120, max=4096, help="Longest side of an embedded screenshot, in pixels.")] = 720,
) -> None:
    """Write a self-contained HTML report of episodes: screenshots with the actions drawn, thoughts, timings."""
    from ..trajectories import write_report

    path = write_report(paths, out_file, max_image=max_image, open_browser=open_it)
    out.print(f"report: {path}", highlight=False)
