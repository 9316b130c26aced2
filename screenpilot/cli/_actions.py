"""``screenpilot actions``: the action vocabulary's schemas, checking one action, and parsing a model's reply."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Literal

import typer

from ..actions import (
    ActionError,
    DeviceKind,
    Policy,
    Screen,
    Size,
    action_schema,
    parse_action,
    tool_schema,
    validate,
)
from ..perception import CoordinateSpace, ModelAction
from ..planner import dialect_help
from ._app import app, dialect_option, out, parse_size, say

actions_app = typer.Typer(help="The action vocabulary: schemas, checks, and a model's reply parsed.", no_args_is_help=True)
app.add_typer(actions_app, name="actions")

_SPACE_DIALECT = {"qwen2.5": "qwen2.5-vl", "qwen3": "qwen3-vl"}
"""The dialect whose wording ``check --space`` also reads (Qwen's own ``{"action": "click", "coordinate": ...}``)."""


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
    action_json: Annotated[str, typer.Argument(metavar="JSON", help='An action, e.g. \'{"action": "tap", "point": [540, 1200]}\'; '
                                               "with --space qwen2.5 or qwen3 also Qwen's own wording, e.g. "
                                               '\'{"action": "click", "coordinate": [935, 406]}\'.')],
    kind: Annotated[Literal["phone", "desktop"], typer.Option(help="The device kind.")] = "phone",
    screen: Annotated[str, typer.Option(metavar="WIDTHxHEIGHT", help="Device size.")] = "1080x2400",
    space: Annotated[
        Literal["device", "qwen2.5", "qwen3"],
        typer.Option(help="Where the numbers live: device pixels, Qwen2.5-VL's resized image, or Qwen3-VL's 0-1000 grid."),
    ] = "device",
) -> None:
    """Parse, map to device pixels and validate one action, as the agent would (a whole model reply: actions parse)."""
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
    try:
        action = parse_action(value, kind)
    except ActionError as exc:
        if space in _SPACE_DIALECT:
            action = _in_dialect_wording(action_json, _SPACE_DIALECT[space], kind, coords, exc)
        elif isinstance(value, dict) and "coordinate" in value:  # a model's wording given as device pixels
            hint = "a model's own wording is read with --space qwen2.5 or qwen3; a whole reply with: " \
                   "screenpilot actions parse --dialect NAME REPLY"
            raise ActionError([*exc.problems, hint]) from None
        else:
            raise
    _show(ModelAction(action=action, space=coords), kind, size, space)


def _in_dialect_wording(text: str, dialect_name: str, kind: DeviceKind, coords: CoordinateSpace, first: ActionError) -> object:
    """The action read in the dialect's own wording; if that fails too, the vocabulary's error, with where to go."""
    from ..errors import ScreenPilotError
    from ..planner import dialect_for

    try:
        return dialect_for(dialect_name, kind).parse(text, coords).action
    except ScreenPilotError:
        hint = f"nor is it {dialect_name}'s own wording (a whole model reply is read by: " \
               f"screenpilot actions parse --dialect {dialect_name} REPLY)"
        raise ActionError([*first.problems, hint]) from None


@actions_app.command("parse")
def parse_cmd(
    reply: Annotated[str, typer.Argument(metavar="REPLY", help="A model's raw reply, as it wrote it ('-': read it "
                                         "from standard input).")],
    dialect: Annotated[str, typer.Option(metavar="NAME", callback=dialect_option, help=dialect_help())] = "qwen2.5-vl",
    kind: Annotated[Literal["phone", "desktop"], typer.Option(help="The device kind.")] = "phone",
    screen: Annotated[str, typer.Option(metavar="WIDTHxHEIGHT", help="Device size the reply was made for.")] = "1080x2400",
) -> None:
    """Parse a model's raw reply through its dialect, as the agent would: the action in the model's space and in
    device pixels, what the parser forgave, and the verdict."""
    from ..planner import dialect_for

    size = parse_size(screen)
    text = sys.stdin.read() if reply == "-" else reply
    the_dialect = dialect_for(dialect, kind)
    coords = the_dialect.space(size)
    plan = the_dialect.parse(text, coords)  # a ParseError (what the model would be told) is one line, exit 1
    say(f"dialect {the_dialect.name}: {_space_words(coords)}")
    for label, value in (("thought", plan.thought), ("summary", plan.summary)):
        if value:
            say(f"{label}: {' '.join(value.split())}")
    for note in plan.notes:
        say(f"forgiven: {note}")
    for extra in plan.ignored:
        say(f"ignored (only the first call runs): {' '.join(extra.split())}")
    _show(plan.model_action, kind, size, "model")


def _space_words(space: CoordinateSpace) -> str:
    if space.convention == "relative":
        return f"a 0..{space.model.width} grid over the {space.device} screen"
    return f"absolute pixels of the {space.model} image sent for the {space.device} screen"


def _show(model_action: ModelAction, kind: DeviceKind, size: Size, label: str) -> None:
    """The action in both spaces and the validator's verdict (an error raises: one line, exit 1)."""
    device_action = model_action.space.to_device(model_action)
    verdict = validate(device_action.action, Screen(kind=kind, size=size), Policy())
    verdict.raise_for_errors()
    out.print(f"[green]valid[/green] {label} {model_action.action.model_dump_json()}", markup=True, highlight=False,
              soft_wrap=True)
    say(f"device {size}: {device_action.action.model_dump_json()}")
    for reason in verdict.confirm:
        say(f"needs confirmation: {reason}")
