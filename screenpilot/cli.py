"""The ``screenpilot`` command line (typer + rich).

Every failure a user can cause (a bad argument, a device that is not there) ends in ONE line on
stderr and a non-zero exit code; a traceback means a bug in ScreenPilot.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Annotated, Literal

import typer
from rich.console import Console
from screenpilot_sim import cli as sim_cli

from . import __version__
from .actions import ActionError, DeviceKind, Policy, Screen, Size, action_schema, parse_action, tool_schema, validate
from .errors import ScreenPilotError
from .perception import QWEN3_FACTOR, QWEN25_FACTOR, CoordinateSpace, smart_resize

__all__ = ["app", "main"]

app = typer.Typer(
    name="screenpilot",
    help="A vision-language model operates a phone or a desktop, one grounded action at a time.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
actions_app = typer.Typer(help="The action vocabulary: schemas and checks.", no_args_is_help=True)
app.add_typer(actions_app, name="actions")
# The virtual phone is its own distribution (screenpilot-sim); its command line is mounted here as is.
app.add_typer(sim_cli.app, name="sim")

out = Console()
err = Console(stderr=True)

_SIZE = re.compile(r"^\s*(\d+)\s*[xX×]\s*(\d+)\s*$")


def parse_size(text: str) -> Size:
    """``1080x2400`` -> Size(1080, 2400); anything else is a one-line BadParameter."""
    m = _SIZE.match(text)
    if not m or int(m[1]) == 0 or int(m[2]) == 0:
        raise typer.BadParameter(f"{text!r} is not a size: write WIDTHxHEIGHT, e.g. 1080x2400")
    return Size(int(m[1]), int(m[2]))


def _version(value: bool) -> None:
    if value:
        out.print(f"screenpilot {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")] = False,
) -> None:
    """ScreenPilot: a vision-language model operates a phone or a desktop, one grounded action at a time."""


@app.command()
def run(
    task: Annotated[str | None, typer.Argument(help="What the agent should do, in words (omit with --resume).")] = None,
    device: Annotated[str | None, typer.Option(help="sim | android[:SERIAL] | desktop[:MONITOR]  [default: sim]")] = None,
    model: Annotated[str, typer.Option(help="Backend spec: local:PATH, openai:URL#MODEL, scripted:FILE|MODULE:FUNC, "
                                            "replay:EPISODE, or scripted:demo (the built-in demo).")] = "scripted:demo",
    dialect: Annotated[str | None, typer.Option(help="qwen2.5-vl | qwen3-vl | ui-tars-1.5 | ui-tars-1.0  [default: qwen2.5-vl]")] = None,
    max_steps: Annotated[int, typer.Option(min=1, help="Model turns before the run stops (invalid ones count).")] = 30,
    max_time: Annotated[float, typer.Option(min=1, help="Active seconds before the run stops.")] = 1800.0,
    max_invalid: Annotated[int, typer.Option(min=1, help="Outputs in a row that could not be executed before it stops.")] = 3,
    out_dir: Annotated[str, typer.Option("--out", help="Folder in which the run's folder is made.")] = "runs",
    resume: Annotated[str | None, typer.Option(help="Continue the run in this folder (after a crash or Ctrl-C).")] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Approve every sensitive action without asking.")] = False,
    no_input: Annotated[bool, typer.Option("--no-input", help="Never ask: refuse every sensitive action.")] = False,
    secrets: Annotated[str | None, typer.Option(help="File of NAME=value lines for {{secret:NAME}} in the task "
                                                     "(else $SCREENPILOT_SECRET_NAME).")] = None,
    confirm_action: Annotated[list[str] | None, typer.Option("--confirm", help="Also ask before every action of this "
                                                             "kind (repeatable), e.g. --confirm tap.")] = None,
) -> None:
    """Run an agent on a device until the task ends; the exit code says how it ended.

    Exit codes: 0 success, 3 failure, 4 infeasible, 5 aborted (1: an error, 2: bad usage, 130: Ctrl-C).
    """
    from .actions import DESKTOP_ACTIONS, PHONE_ACTIONS
    from .agent import Budgets, parse_device_spec
    from .agent import run as run_agent
    from .agent._console import LiveView, PromptConfirmer, summary

    if yes and no_input:
        raise typer.BadParameter("--yes and --no-input contradict each other: pick one", param_hint="--yes")
    if (task is None) == (resume is None):
        raise typer.BadParameter("give a TASK, or --resume RUN_DIR to continue a run (not both)", param_hint="TASK")
    if device is not None:
        parse_device_spec(device)
    known = sorted({*PHONE_ACTIONS, *DESKTOP_ACTIONS})
    for name in confirm_action or []:
        if name not in known:
            raise typer.BadParameter(f"{name!r} is not an action: use one of {', '.join(known)}", param_hint="--confirm")
    policy = Policy(confirm_actions=frozenset(confirm_action)) if confirm_action else None
    shown_task = task
    if resume is not None:
        from .trajectories import load_meta

        meta = load_meta(resume)
        shown_task = meta.instruction
        device = device or meta.config.get("device")
        model = model if model != "scripted:demo" else meta.config.get("model", model)
    view = LiveView(out, task=shown_task or "", device=device or "sim", model=model)
    confirm = "yes" if yes else "no" if no_input else PromptConfirmer(err, view)
    with view:
        result = run_agent(
            task, device=device or "sim", model=model, dialect=dialect, out=out_dir, resume=resume,
            budgets=None if resume else Budgets(max_steps=max_steps, max_wall_s=max_time, max_invalid=max_invalid),
            confirm=confirm, secrets_file=secrets, on_event=view, policy=policy,  # type: ignore[arg-type]
        )
    summary(out, result)
    raise typer.Exit({"success": 0, "failure": 3, "infeasible": 4}.get(result.outcome, 5))


@app.command()
def resize(
    size: Annotated[str, typer.Argument(help="Screen size WIDTHxHEIGHT, e.g. 1080x2400.")],
    factor: Annotated[int, typer.Option(min=1, help=f"{QWEN25_FACTOR} for Qwen2.5-VL / UI-TARS, {QWEN3_FACTOR} for Qwen3-VL.")] = QWEN25_FACTOR,
    min_pixels: Annotated[int | None, typer.Option(min=1)] = None,
    max_pixels: Annotated[int | None, typer.Option(min=1)] = None,
) -> None:
    """Show the image size and token count a Qwen-VL model sees for a screen."""
    screen = parse_size(size)
    try:
        h, w = smart_resize(screen.height, screen.width, factor, min_pixels, max_pixels)
    except ValueError as exc:
        raise ScreenPilotError(str(exc)) from None
    out.print(f"{screen} -> {w}x{h} ({(h // factor) * (w // factor)} image tokens, factor {factor})")


@actions_app.command("schema")
def schema_cmd(
    kind: Annotated[Literal["phone", "desktop", "all"], typer.Option(help="Which device's actions.")] = "all",
    tool: Annotated[bool, typer.Option("--tool", help="The flat function-tool schema a prompt declares.")] = False,
) -> None:
    """Print the action vocabulary's JSON schema."""
    if tool:
        kinds: list[DeviceKind] = ["phone", "desktop"] if kind == "all" else [kind]  # type: ignore[list-item]
        doc: object = [tool_schema(k) for k in kinds] if len(kinds) > 1 else tool_schema(kinds[0])
    else:
        doc = action_schema(None if kind == "all" else kind)  # type: ignore[arg-type]
    print(json.dumps(doc, indent=2, ensure_ascii=False))


@actions_app.command("check")
def check_cmd(
    action_json: Annotated[str, typer.Argument(metavar="JSON", help='An action, e.g. \'{"action": "tap", "point": [540, 1200]}\'.')],
    kind: Annotated[Literal["phone", "desktop"], typer.Option(help="The device kind.")] = "phone",
    screen: Annotated[str, typer.Option(help="Device size WIDTHxHEIGHT.")] = "1080x2400",
    space: Annotated[
        Literal["device", "qwen2.5", "qwen3"],
        typer.Option(help="Where the numbers live: device pixels, Qwen2.5-VL's resized image, or Qwen3-VL's 0-1000 grid."),
    ] = "device",
) -> None:
    """Parse, map to device pixels and validate one action, as the agent would."""
    size = parse_size(screen)
    try:
        value = json.loads(action_json)
    except json.JSONDecodeError as exc:
        raise typer.BadParameter(f"not JSON: {exc}", param_hint="JSON") from None
    coords = {
        "device": CoordinateSpace(convention="absolute", device=size, model=size),
        "qwen2.5": CoordinateSpace.resized(size),
        "qwen3": CoordinateSpace.relative(size),
    }[space]
    action = parse_action(value, kind)
    device_action = coords.to_device(action)
    verdict = validate(device_action.action, Screen(kind=kind, size=size), Policy())
    verdict.raise_for_errors()
    out.print(f"[green]valid[/green] {space} {action.model_dump_json()}")
    out.print(f"device {size}: {device_action.action.model_dump_json()}")
    for reason in verdict.confirm:
        out.print(f"[yellow]needs confirmation:[/yellow] {reason}")


@app.command("replay")
def replay_cmd(
    episode: Annotated[str, typer.Argument(metavar="EPISODE", help="The episode folder to replay.")],
    device: Annotated[str | None, typer.Option(help="sim | android[:SERIAL] | desktop[:MONITOR]  [default: the "
                                                    "episode's device if it was sim, else required]")] = None,
    out_dir: Annotated[str, typer.Option("--out", help="Folder in which the replay's episode folder is made.")] = "runs",
    threshold: Annotated[float, typer.Option(min=0.0, max=1.0, help="Fraction of the screen that may differ from the "
                                             "recorded one before a step counts as diverged.")] = 0.10,
    on_divergence: Annotated[Literal["stop", "continue"], typer.Option(help="Stop at the first divergence, or go on "
                                                                       "and report each one.")] = "stop",
    speed: Annotated[float | None, typer.Option(min=0.01, help="Wait the recorded pauses divided by this instead of "
                                                "waiting for the screen to settle (2 = twice as fast).")] = None,
    retarget: Annotated[bool, typer.Option(help="Aim at the recorded element on the live UI tree when it is there.")] = True,
    settle_timeout: Annotated[float, typer.Option(min=0.1, help="Longest wait for the screen to settle, in seconds.")] = 5.0,
) -> None:
    """Re-execute a recorded episode's device actions on a device, checking the screen before each; the replay is
    recorded as a new episode linked to its source. Exit codes as for run (5: stopped on divergence)."""
    from .agent import open_device, parse_device_spec
    from .agent._demo import DEMO_SPEC, prepare_demo_phone
    from .trajectories import ReplayOptions, load_meta, replay

    meta = load_meta(episode)
    spec = device or ("sim" if meta.config.get("device") == "sim" else None)
    if spec is None:
        raise typer.BadParameter(f"the episode ran on {meta.config.get('device') or meta.device.serial!r}: say where to "
                                 "replay it, e.g. --device android:SERIAL", param_hint="--device")
    parse_device_spec(spec)
    options = ReplayOptions(threshold=threshold, on_divergence=on_divergence, speed=speed, retarget=retarget,
                            settle_timeout_s=settle_timeout)
    demo = meta.model == DEMO_SPEC and spec == "sim"  # the demo's phone starts with Wi-Fi off: so does its replay's
    opened = open_device(spec, sim_setup=prepare_demo_phone if demo else None)
    try:
        def show(step: object) -> None:
            s = step  # a ReplayStep
            mark = "[red]diverged[/red]" if s.diverged else "ok"  # type: ignore[attr-defined]
            out.print(f"step {s.step + 1} (recorded {s.source_step + 1}): {s.action}  screen {mark} "  # type: ignore[attr-defined]
                      f"{(s.divergence or 0):.1%} {s.measure}  aimed: {s.target}"  # type: ignore[attr-defined]
                      + (f" ({s.element})" if s.element else ""), highlight=False)  # type: ignore[attr-defined]

        report = replay(episode, opened.device, out_dir, options=options, device_spec=spec, on_step=show)
    finally:
        opened.close()
    out.print(f"replay: {report.outcome} — {report.detail}", highlight=False)
    out.print(f"trajectory: {report.folder}", highlight=False)
    raise typer.Exit({"success": 0, "failure": 3, "infeasible": 4}.get(report.outcome, 5))


@app.command()
def view(
    paths: Annotated[list[str], typer.Argument(metavar="EPISODE|RUN_DIR...", help="Episode folders, or folders of runs.")],
    out_file: Annotated[str | None, typer.Option("--out", help="Where to write the HTML "
                                                 "[default: EPISODE/report.html, or RUN_DIR/report.html].")] = None,
    open_it: Annotated[bool, typer.Option("--open", help="Open the report in the web browser.")] = False,
    max_image: Annotated[int, typer.Option(min=120, max=4096, help="Longest side of an embedded screenshot, in pixels.")] = 720,
) -> None:
    """Write a self-contained HTML report of episodes: screenshots with the actions drawn, thoughts, timings."""
    from .trajectories import write_report

    path = write_report(paths, out_file, max_image=max_image, open_browser=open_it)
    out.print(f"report: {path}", highlight=False)


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

    from .trajectories import ExportOptions, export

    report = export(runs, ExportOptions(format=fmt, out=Path(out_dir), history_images=history_images, max_pixels=max_pixels,
                                        max_tokens=max_tokens, only_success=only_success,
                                        include_unfinished=include_unfinished))
    out.print(f"{report.format}: {report.samples} samples from {report.episodes} episodes, {report.images} images -> {report.out}",
              highlight=False)
    left = len(report.skipped_episodes) + len(report.skipped_steps)
    if left:
        out.print(f"left out: {len(report.skipped_episodes)} episodes, {len(report.skipped_steps)} steps "
                  f"(reasons in {report.out / 'export.json'})", highlight=False)


@app.command("eval")
def eval_cmd(
    selection: Annotated[list[str] | None, typer.Argument(metavar="[SUITE|ID|GLOB|FILE]...", help="What to run: all, phone, "
                                                          "desktop, a group or tag (settings, dialog), an id, a glob "
                                                          "(clock.*), or YAML files/folders [default: every scenario "
                                                          "for the device].")] = None,
    device: Annotated[str, typer.Option(help="sim | android[:SERIAL] | desktop[:MONITOR]")] = "sim",
    model: Annotated[str, typer.Option(help="reference (the scenarios' reference solutions), reference:negative (their "
                                            "negative controls), or a backend spec: local:PATH, openai:URL#MODEL, ...")] = "reference",
    dialect: Annotated[str | None, typer.Option(help="qwen2.5-vl | qwen3-vl | ui-tars-1.5 | ui-tars-1.0  [default: qwen2.5-vl]")] = None,
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
    from .scenarios._console import eval_command, list_command

    if list_only:
        list_command(out, selection or [], device if device != "sim" or selection else None)
        return
    code = eval_command(out, selection or [], device=device, model=model, dialect=dialect, repeat=repeat, seed=seed,
                        out=out_dir, confirm="no" if no_input else "yes")
    raise typer.Exit(code)


def _fail(message: str, code: int) -> None:
    err.print(f"screenpilot: error: {' '.join(message.split())}", markup=False, highlight=False, soft_wrap=True)
    sys.exit(code)


def main(argv: list[str] | None = None) -> None:
    """Entry point: runs the app and turns every expected failure into one line on stderr."""
    try:
        code = app(args=argv, prog_name="screenpilot", standalone_mode=False)
    except typer.TyperException as exc:  # typer's click errors: bad parameters, unknown commands, ...
        if type(exc).__name__ == "NoArgsIsHelpError":  # a bare group: its help is the answer
            exc.show()  # type: ignore[attr-defined]
            sys.exit(exc.exit_code)  # type: ignore[attr-defined]
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        message = message.replace("Value error, ", "")
        ctx = getattr(exc, "ctx", None)
        hint = f" (try '{ctx.command_path} --help')" if ctx is not None else ""
        _fail(message + hint, getattr(exc, "exit_code", 2))
    except ActionError as exc:
        _fail(f"invalid action: {exc}", 1)
    except sim_cli.SimError as exc:
        _fail(str(exc), 1)
    except ScreenPilotError as exc:
        _fail(str(exc), 1)
    except (typer.Abort, KeyboardInterrupt):
        _fail("interrupted", 130)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
