"""``screenpilot resize``: what a Qwen-VL model sees of a screen."""

from __future__ import annotations

from typing import Annotated

import typer

from ..errors import ScreenPilotError
from ..perception import QWEN3_FACTOR, QWEN25_FACTOR, smart_resize
from ._app import app, out, parse_size


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
