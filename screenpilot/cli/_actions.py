"""``screenpilot actions``: the action vocabulary's schemas, and checking one action."""

from __future__ import annotations

import json
from typing import Annotated, Literal

import typer

from ..actions import DeviceKind, Policy, Screen, action_schema, parse_action, tool_schema, validate
from ..perception import CoordinateSpace
from ._app import app, out, parse_size

actions_app = typer.Typer(help="The action vocabulary: schemas and checks.", no_args_is_help=True)
app.add_typer(actions_app, name="actions")

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
