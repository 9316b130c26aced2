"""``screenpilot export``: episodes as training data. Its formats, their help and which options each takes
come from the one table of export formats (``screenpilot.trajectories.EXPORT_FORMATS``)."""

from __future__ import annotations

import enum
from typing import Annotated

import typer

from ..trajectories._export import EXPORT_FORMATS, ExportOptionError
from ._app import app, err, say

FormatName = enum.Enum("FormatName", {name: name for name in EXPORT_FORMATS}, type=str)  # type: ignore[misc]
_FORMATS_HELP = "What to write. " + "; ".join(f"{name}: {spec.description}" for name, spec in EXPORT_FORMATS.items()) + "."


def _only(*names: str) -> str:
    users = [n for n, spec in EXPORT_FORMATS.items() if set(names) & spec.options]
    return f" ({', '.join(users)})" if users else ""


@app.command("export", help="Export episodes as training data: " + ", ".join(EXPORT_FORMATS) + ".")
def export_cmd(
    runs: Annotated[list[str], typer.Argument(metavar="RUNS...", help="Episode folders, or folders of runs.")],
    fmt: Annotated[FormatName, typer.Option("--format", help=_FORMATS_HELP)],
    out_dir: Annotated[str, typer.Option("--out", help="Folder to write the data set in (created).")],
    history_images: Annotated[int | None, typer.Option(min=1, help="Screenshots per sample, the current one included: "
                                                       "re-renders every prompt with that window" + _only("history_images") + ".")] = None,
    max_pixels: Annotated[int | None, typer.Option(min=784, help="Pixel budget the trainer feeds; images and coordinates are "
                                                   "made for it" + _only("max_pixels") + "; default: 589824 for llamafactory, the dialect's own for "
                                                   "swift.")] = None,
    max_tokens: Annotated[int | None, typer.Option(min=1, help="Token budget per sample, reply included: older history of long "
                                                   "episodes is windowed out so every sample fits" + _only("max_tokens") + ".")] = None,
    keep_invalid_turns: Annotated[bool, typer.Option("--keep-invalid-turns", help="Keep unparseable and refused replies as "
                                                     "assistant turns of later samples (train with mask_history / loss "
                                                     "masking)" + _only("keep_invalid_turns") + ".")] = False,
    tfrecord: Annotated[bool, typer.Option("--tfrecord", help="Also write the data set's own GZIP TFRecord form"
                                           + _only("tfrecord") + ".")] = False,
    only_success: Annotated[bool, typer.Option("--only-success", help="Only episodes whose outcome is success.")] = False,
    include_unfinished: Annotated[bool, typer.Option("--include-unfinished", help="Also episodes that never ended.")] = False,
    include_replays: Annotated[bool, typer.Option("--include-replays", help="Also replays of other episodes (they repeat "
                                                  "their source's samples).")] = False,
) -> None:
    from pathlib import Path

    from ..trajectories import ExportOptions, export

    try:
        options = ExportOptions(format=fmt.value, out=Path(out_dir), history_images=history_images, max_pixels=max_pixels,
                                max_tokens=max_tokens, only_success=only_success, include_unfinished=include_unfinished,
                                include_replays=include_replays, keep_invalid_turns=keep_invalid_turns, tfrecord=tfrecord)
        report = export(runs, options)
    except ExportOptionError as exc:  # a usage error: one line and exit 2, like any bad argument
        raise typer.BadParameter(str(exc), param_hint=exc.option) from None
    taken = ", ".join(f"{n} {source}" for source, n in sorted(report.taken.items()))
    say(f"{report.format}: {report.samples} samples from {report.episodes} episodes ({taken}), "
        f"{report.images} images -> {report.out}")
    if report.tokens.get("longest"):
        say(f"longest sample: {report.tokens['longest']} tokens")
    left = len(report.skipped_episodes) + len(report.skipped_steps)
    if left:
        replays = sum("a replay" in s for s in report.skipped_episodes)
        also = f" ({replays} replays: --include-replays takes them)" if replays else ""
        say(f"left out: {len(report.skipped_episodes)} episodes{also}, {len(report.skipped_steps)} steps "
            f"(reasons in {report.out / 'export.json'})")
    if report.untranslated:
        kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(report.untranslated.items()))
        say(f"no {report.format} action for: {kinds}")
    for warning in report.warnings:
        say(f"screenpilot: warning: {warning}", err)
