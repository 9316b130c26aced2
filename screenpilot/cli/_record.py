"""``screenpilot record``: a person does a task on a device; each action becomes a step of an episode."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.text import Text

from ..devices import device_help
from ..planner import dialect_help
from ._app import app, device_option, dialect_option, err, out, say


@app.command("record")
def record_cmd(
    task: Annotated[str, typer.Argument(metavar="TASK", help="What the person is about to do, in words.")],
    device: Annotated[str, typer.Option(metavar="SPEC", callback=device_option, show_default=False,
                                        help=device_help("sim"))] = "sim",
    out_dir: Annotated[str, typer.Option("--out", metavar="DIR", help="Folder in which the episode's folder is made.")] = "runs",
    dialect: Annotated[str | None, typer.Option(metavar="NAME", callback=dialect_option,
                                                help="The model space the steps are also written in: " + dialect_help())] = None,
    typing_pause: Annotated[float, typer.Option(min=0.1, max=30.0, metavar="SECONDS", help="A pause this long ends a "
                                                "typed text (one `type` step per text).")] = 1.5,
    settle_timeout: Annotated[float, typer.Option(min=0.1, metavar="SECONDS", help="Longest wait for the screen to "
                                                  "settle after each action.")] = 10.0,
    web_port: Annotated[int, typer.Option(min=0, max=65535, help="Port of the virtual phone's web page "
                                          "(--device sim; 0: any free port).")] = 0,
) -> None:
    """Record a person doing TASK on a device, as an episode that replays and exports like any other.

    Phones are read from their own touchscreen (adb shell getevent); a desktop from its X server. With
    --device sim the virtual phone is operated through a web page whose address is printed. Stop with q (or
    Enter) here, or Ctrl-C: the episode is closed either way. Exit 0 when steps were recorded, 5 when none.
    """
    from ..devices import open_device
    from ..record import Demonstration
    from ..trajectories import StepRecord
    from ._person import TerminalKeys, web_page_for

    if not task.strip():
        raise typer.BadParameter('the task is empty: say what the person will do, e.g. "Turn on Wi-Fi"',
                                 param_hint="TASK")
    opened = open_device(device)
    try:
        web_page_for(opened, out, port=web_port)

        def shown(rec: StepRecord) -> None:
            action = rec.device_action.action if rec.device_action is not None else None
            what = rec.call or (action.action if action is not None else "?")
            target = rec.element.label if rec.element is not None and rec.element.label else ""
            line = Text(f"step {rec.index + 1}: {what}" + (f"  on {target!r}" if target else ""))
            out.print(line, soft_wrap=True, highlight=False)

        def ready(step: int) -> None:  # the device's input is being read and its screen was taken: go
            if step == 0:
                say(f"recording {task!r} on {device}: do the task on the device; press q (or Enter) here to stop, "
                    "or Ctrl-C", err)

        demo = Demonstration(task, opened.device, spec=device, out=out_dir, dialect=dialect, on_ready=ready,
                             settle=opened.device.default_settle.model_copy(update={"timeout_s": settle_timeout}), typing_pause_s=typing_pause, on_step=shown)
        with TerminalKeys({"q": demo.stop, "\n": demo.stop, "\x1b": demo.stop}):
            result = demo.run()
    finally:
        opened.close()
    say(f"record: {result.outcome} — {result.detail}")
    say(f"trajectory: {result.folder}")
    raise typer.Exit(0 if result.steps else 5)
