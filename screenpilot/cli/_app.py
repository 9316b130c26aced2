"""The typer app every verb registers on, the two consoles, and the parsers the verbs share."""

from __future__ import annotations

import re
from typing import Annotated

import typer
from rich.console import Console

from .. import __version__
from ..actions import Size

__all__ = ["app", "err", "out", "parse_size"]

app = typer.Typer(
    name="screenpilot",
    help="A vision-language model operates a phone or a desktop, one grounded action at a time.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

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
