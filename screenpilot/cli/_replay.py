"""``screenpilot replay``: a recorded episode's actions again, on a device."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import typer
from rich.text import Text

from ..devices import device_help
from ..errors import Interrupted
from ._app import CommandInterrupted, app, device_option, out, say


@app.command("replay")
def replay_cmd(
    episode: Annotated[str, typer.Argument(metavar="EPISODE", help="The episode folder to replay.")],
    device: Annotated[str | None, typer.Option(metavar="SPEC", callback=device_option,
                                               help=device_help("the episode's device if it was sim, else required"))] = None,
    out_dir: Annotated[str, typer.Option("--out", metavar="DIR", help="Folder in which the replay's episode folder is made.")] = "runs",
    threshold: Annotated[float, typer.Option(min=0.0, max=1.0, help="Fraction of the screen that may differ from the "
                                             "recorded one before a step counts as diverged.")] = 0.10,
    on_divergence: Annotated[Literal["stop", "continue"], typer.Option(help="Stop at the first divergence, or go on "
                                                                       "and report each one.")] = "stop",
    speed: Annotated[float | None, typer.Option(min=0.01, metavar="FACTOR", help="Wait the recorded pauses divided by this instead of "
                                                "waiting for the screen to settle (2 = twice as fast).")] = None,
    retarget: Annotated[bool, typer.Option(help="Aim at the recorded element on the live UI tree when it is there.")] = True,
    settle_timeout: Annotated[float, typer.Option(min=0.1, metavar="SECONDS", help="Longest wait for the screen to settle, in seconds.")] = 5.0,
) -> None:
    """Re-execute a recorded episode's device actions on a device, checking the screen before each; the replay is
    recorded as a new episode linked to its source.

    Exit codes as for run: 0 success, 3 failure, 4 infeasible, 5 stopped on divergence or aborted (1: an error,
    2: bad usage, 130: Ctrl-C).
    """
    from ..agent._demo import DEMO_SPEC, prepare_demo_phone
    from ..devices import open_device
    from ..trajectories import ReplayOptions, load_meta, replay

    meta = load_meta(episode)
    spec = device or ("sim" if meta.config.get("device") == "sim" else None)
    if spec is None:
        raise typer.BadParameter(f"the episode ran on {meta.config.get('device') or meta.device.serial!r}: say where to "
                                 "replay it, e.g. --device android:SERIAL", param_hint="--device")
    demo = meta.model == DEMO_SPEC and spec == "sim"  # the demo's phone starts with Wi-Fi off: so does its replay's
    opened = open_device(spec, sim_setup=prepare_demo_phone if demo else None)
    try:
        # "settled" as this device defines it, waiting at most --settle-timeout
        settle = opened.device.default_settle.model_copy(update={"timeout_s": settle_timeout})
        options = ReplayOptions(threshold=threshold, on_divergence=on_divergence, speed=speed, retarget=retarget,
                                settle=settle)
        def show(step: object) -> None:
            s: Any = step  # a ReplayStep
            line = Text(f"step {s.step + 1} (recorded {s.source_step + 1}): {s.action}  screen ")
            line.append("diverged" if s.diverged else "ok", style="red" if s.diverged else "")
            line.append(f" {(s.divergence or 0):.1%} {s.measure}  aimed: {s.target}" + (f" ({s.element})" if s.element else ""))
            out.print(line, highlight=False, soft_wrap=True)

        report = replay(episode, opened.device, out_dir, options=options, device_spec=spec, on_step=show)
    except Interrupted as exc:
        raise CommandInterrupted(f"the replay stopped; what it replayed is in {exc.folder}") from None
    except KeyboardInterrupt:
        raise CommandInterrupted("the replay stopped while starting, before its first step") from None
    finally:
        opened.close()
    say(f"replay: {report.outcome} — {report.detail}")
    say(f"trajectory: {report.folder}")
    raise typer.Exit({"success": 0, "failure": 3, "infeasible": 4}.get(report.outcome, 5))
