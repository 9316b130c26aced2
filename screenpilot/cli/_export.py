"""``screenpilot export``: episodes as training data."""

from __future__ import annotations

from typing import Annotated, Literal

import typer

from ._app import app, out


@app.command("export")
def export_cmd(
    runs: Annotated[list[str], typer.Argument(metavar="RUNS...", help="Episode folders, or folders of runs.")],
    fmt: Annotated[Literal["llamafactory", "swift", "hf", "aitw", "odyssey"], typer.Option("--format", help="What to write.")],
    out_dir: Annotated[str, typer.Option("--out", help="Folder to write the data set in (created).")],
    history_images: Annotated[int | None, typer.Option(min=1, help="Screenshots per sample, the current one included: "
                                                       "re-renders every prompt with that window (chat formats).")] = None,
    max_pixels: Annotated[int | None, typer.Option(min=784, help="Pixel budget the trainer feeds; images and coordinates are "
                                                   "made for it [default: 589824 for llamafactory, the dialect's for swift].")] = None,
    max_tokens: Annotated[int | None, typer.Option(min=1, help="Token budget per sample: older history lines of long "
                                                   "episodes are dropped (chat formats).")] = None,
    only_success: Annotated[bool, typer.Option("--only-success", help="Only episodes whose outcome is success.")] = False,
    include_unfinished: Annotated[bool, typer.Option("--include-unfinished", help="Also episodes that never ended.")] = False,
) -> None:
    """Export episodes as training data: LLaMA-Factory, ms-swift, a Hugging Face parquet data set, AITW or GUI-Odyssey."""
    from pathlib import Path

    from ..trajectories import ExportOptions, export

    report = export(runs, ExportOptions(format=fmt, out=Path(out_dir), history_images=history_images, max_pixels=max_pixels,
                                        max_tokens=max_tokens, only_success=only_success,
                                        include_unfinished=include_unfinished))
    out.print(f"{report.format}: {report.samples} samples from {report.episodes} episodes, {report.images} images -> {report.out}",
              highlight=False)
    left = len(report.skipped_episodes) + len(report.skipped_steps)
    if left:
        out.print(f"left out: {len(report.skipped_episodes)} episodes, {len(report.skipped_steps)} steps "
                  f"(reasons in {report.out / 'export.json'})", highlight=False)
