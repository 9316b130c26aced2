"""The few calls a user needs, with the rooms' defaults: run, read an episode, replay, report, export, evaluate.

Each takes ``str | Path`` wherever it takes a folder, and a device or model as the same spec string the
command line takes (or an object of the rooms' own types). Everything is imported on first use.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .devices import Device
    from .scenarios import EvalReport
    from .trajectories import EpisodeSources, ExportReport, ReplayReport

__all__ = ["evaluate", "export", "replay"]


def replay(episode: str | Path, device: str | Device | None = None, out: str | Path = "runs",
           **options: Any) -> ReplayReport:
    """Replay a recorded episode's actions on a device (a spec, or an open Device left open).

    No device: the episode's own if it ran on the virtual phone. ``options`` are ReplayOptions fields
    (threshold, on_divergence, speed, retarget, settle).
    """
    from .devices import open_device
    from .errors import ScreenPilotError
    from .trajectories import ReplayOptions, load_meta
    from .trajectories import replay as replay_on

    if device is None:
        if load_meta(episode).config.get("device") != "sim":
            raise ScreenPilotError(f"say where to replay {episode}", hint="pass device='android:SERIAL' or 'desktop'")
        device = "sim"
    settings = ReplayOptions(**options)
    if not isinstance(device, str):
        return replay_on(episode, device, out, options=settings)
    opened = open_device(device)
    try:
        return replay_on(episode, opened.device, out, options=settings, device_spec=device)
    finally:
        opened.close()


def export(episodes: EpisodeSources, format: str, out: str | Path, **options: Any) -> ExportReport:  # noqa: A002
    """Write episodes (a folder, a folder of runs, or a list of them) as a training data set in ``out``.

    ``options`` are ExportOptions fields (history_images, max_pixels, max_tokens, only_success, ...).
    """
    from .trajectories import ExportOptions
    from .trajectories import export as export_to

    return export_to(episodes, ExportOptions(format=format, out=Path(out), **options))


def evaluate(scenarios: str | list[str] = (), *, device: str = "sim", model: str = "reference",  # type: ignore[assignment]
             **options: Any) -> EvalReport:
    """Run scenarios (a suite, ids, globs or YAML paths; none: every one for the device) with checks on
    device state. ``options``: dialect, repeat, seed, out, confirm."""
    from .scenarios import evaluate_on

    return evaluate_on(scenarios, device=device, model=model, **options)
