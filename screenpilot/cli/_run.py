"""``screenpilot run``: one episode on a device, with a live view and a summary."""

from __future__ import annotations

import contextlib
import shlex
import sys
from typing import Annotated, Literal

import typer

from ..actions import Policy
from ..devices import device_help
from ..errors import Interrupted
from ..planner import backend_help, dialect_help
from ._app import CommandInterrupted, app, device_option, dialect_option, err, model_option, out


def resume_command(folder: object, *, yes: bool, no_input: bool, secrets: str | None) -> str:
    """The exact command that continues a run: what its episode.json does not keep (how to answer
    confirmations, where the secrets are) is said again."""
    words = ["screenpilot", "run", "--resume", str(folder)]
    words += ["--yes"] if yes else ["--no-input"] if no_input else []
    words += ["--secrets", secrets] if secrets else []
    return shlex.join(words)


@app.command()
def run(
    task: Annotated[str | None, typer.Argument(metavar="TASK", help="What the agent should do, in words (omit with --resume).")] = None,
    device: Annotated[str | None, typer.Option(metavar="SPEC", callback=device_option, help=device_help("sim"))] = None,
    model: Annotated[str, typer.Option(metavar="SPEC", callback=model_option("run"), show_default=False,
                                       help=backend_help("run") + " (default: scripted:demo, the built-in demo)")] = "scripted:demo",
    dialect: Annotated[str | None, typer.Option(metavar="NAME", callback=dialect_option, help=dialect_help())] = None,
    max_steps: Annotated[int, typer.Option(min=1, help="Model turns before the run stops (invalid ones count).")] = 30,
    max_time: Annotated[float, typer.Option(min=1, metavar="SECONDS", help="Active seconds before the run stops.")] = 1800.0,
    max_invalid: Annotated[int, typer.Option(min=1, help="Outputs in a row that could not be executed before it stops.")] = 3,
    out_dir: Annotated[str, typer.Option("--out", metavar="DIR", help="Folder in which the run's folder is made.")] = "runs",
    resume: Annotated[str | None, typer.Option(metavar="RUN_DIR", help="Continue the run in this folder (after a crash or Ctrl-C).")] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Approve every sensitive action without asking.")] = False,
    no_input: Annotated[bool, typer.Option("--no-input", help="Never ask: refuse every sensitive action.")] = False,
    secrets: Annotated[str | None, typer.Option(metavar="FILE", help="File of NAME=value lines for {{secret:NAME}} in "
                                                "the task (else $SCREENPILOT_SECRET_NAME).")] = None,
    confirm_action: Annotated[list[str] | None, typer.Option("--confirm", metavar="ACTION", help="Also ask before every "
                                                             "action of this kind (repeatable), e.g. --confirm tap.")] = None,
    capture: Annotated[Literal["auto", "stream", "screencap", "png", "raw"] | None, typer.Option(
        help="Phones: stream (scrcpy server), screencap, png, raw, or auto (the stream when its server starts, "
             "else screencap).")] = None,
    takeover: Annotated[bool | None, typer.Option("--takeover/--no-takeover", show_default=False, help="Let a person "
                        "take the device mid-run: t (then h hands back, d says the task is done), the model asking for "
                        "help, or t at a confirmation. Default: on when the input is a terminal.")] = None,
) -> None:
    """Run an agent on a device until the task ends; the exit code says how it ended.

    Exit codes: 0 success, 3 failure, 4 infeasible, 5 aborted (1: an error, 2: bad usage, 130: Ctrl-C).
    """
    from ..actions import DESKTOP_ACTIONS, PHONE_ACTIONS
    from ..agent import Budgets
    from ..agent import run as run_agent
    from ..agent._console import LiveView, PromptConfirmer, summary
    from ._person import TAKEOVER_KEYS, takeover_for

    if yes and no_input:
        raise typer.BadParameter("--yes and --no-input contradict each other: pick one", param_hint="--yes")
    if (task is None) == (resume is None):
        raise typer.BadParameter("give a TASK, or --resume RUN_DIR to continue a run (not both)", param_hint="TASK")
    if task is not None and not task.strip():
        raise typer.BadParameter('the task is empty: say what to do, e.g. "Turn on Wi-Fi"', param_hint="TASK")
    known = sorted({*PHONE_ACTIONS, *DESKTOP_ACTIONS})
    for name in confirm_action or []:
        if name not in known:
            raise typer.BadParameter(f"{name!r} is not an action: use one of {', '.join(known)}", param_hint="--confirm")
    policy = Policy(confirm_actions=frozenset(confirm_action)) if confirm_action else None
    if capture is not None and (device or "sim").split(":", 1)[0].strip().lower() == "desktop":
        raise typer.BadParameter("--capture is for phones (android, sim)", param_hint="--capture")
    shown_task = task
    if resume is not None:
        from ..trajectories import load_meta

        meta = load_meta(resume)
        shown_task = meta.instruction
        device = device or meta.config.get("device")
        model = model if model != "scripted:demo" else meta.config.get("model", model)
    person = (takeover if takeover is not None else sys.stdin.isatty()) and not no_input
    person_takeover, keys = takeover_for(out) if person else (None, contextlib.nullcontext())
    view = LiveView(out, task=shown_task or "", device=device or "sim", model=model, keys=TAKEOVER_KEYS if person else "")
    confirm = "yes" if yes else "no" if no_input else PromptConfirmer(err, view, takeover=person,
                                                                       ask=getattr(keys, "ask", None))
    try:
        with view, keys:
            result = run_agent(
                task, device=device or "sim", model=model, dialect=dialect, out=out_dir, resume=resume,
                budgets=None if resume else Budgets(max_steps=max_steps, max_wall_s=max_time, max_invalid=max_invalid),
                confirm=confirm, secrets_file=secrets, on_event=view, policy=policy,  # type: ignore[arg-type]
                device_options={"capture": capture} if capture else None, takeover=person_takeover,
            )
    except Interrupted as exc:
        again = resume_command(exc.folder, yes=yes, no_input=no_input, secrets=secrets)
        raise CommandInterrupted(f"the run stopped; resume it with: {again}") from None
    except KeyboardInterrupt:
        raise CommandInterrupted("the run stopped while starting, before its first step") from None
    summary(out, result)
    raise typer.Exit({"success": 0, "failure": 3, "infeasible": 4}.get(result.outcome, 5))
