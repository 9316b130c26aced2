"""The ``screenpilot-sim`` command (typer). ScreenPilot's own CLI mounts this app as ``screenpilot sim``.

A failure a user can cause (a port in use, a bad size) is one line on stderr, exit 1; bad usage is
exit 2; never a traceback.
"""

from __future__ import annotations

import re
import sys
from typing import Annotated

import typer

from ._errors import SimError

__all__ = ["app", "main", "parse_size"]

app = typer.Typer(
    name="screenpilot-sim",
    help="The virtual phone: an Android device simulated in Python, reached over adb.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

_SIZE = re.compile(r"^\s*(\d+)\s*[xX×]\s*(\d+)\s*$")


def parse_size(text: str) -> tuple[int, int]:
    """``1080x2400`` -> (1080, 2400); anything else is a one-line BadParameter."""
    m = _SIZE.match(text)
    if not m or int(m[1]) == 0 or int(m[2]) == 0:
        raise typer.BadParameter(f"{text!r} is not a size: write WIDTHxHEIGHT, e.g. 1080x2400")
    return int(m[1]), int(m[2])


@app.callback()
def _root() -> None:
    """The virtual phone: an Android device simulated in Python, reached over adb."""


@app.command("serve")
def serve_cmd(
    port: Annotated[int, typer.Option(min=1, max=65535, help="First port; 5555-5585 is found by adb by itself.")] = 5555,
    size: Annotated[str, typer.Option(help="Screen size WIDTHxHEIGHT.")] = "1080x2400",
    devices: Annotated[int, typer.Option(min=1, max=16, help="How many phones, each on its own port.")] = 1,
    density: Annotated[int, typer.Option(min=72, max=960, help="Screen density in dpi.")] = 420,
    animation_ms: Annotated[float, typer.Option(min=0, help="Length of a screen transition.")] = 300.0,
    clock: Annotated[str | None, typer.Option(help="Fix the status-bar time, HH:MM.")] = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    auth: Annotated[bool, typer.Option("--auth", help="Start unauthorized, as a phone asking to allow USB debugging.")] = False,
) -> None:
    """Run virtual phones in the foreground until Ctrl+C; connect with `adb connect HOST:PORT`."""
    from ._serve import serve

    width, height = parse_size(size)
    serve(host=host, port=port, devices=devices, width=width, height=height, density=density,
          animation_ms=animation_ms, clock=clock, require_auth=auth, print_line=lambda line: print(line, flush=True))


def main(argv: list[str] | None = None) -> None:
    """Entry point: one line on stderr for every expected failure."""
    try:
        code = app(args=argv, prog_name="screenpilot-sim", standalone_mode=False)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        print("screenpilot-sim: interrupted", file=sys.stderr)
        sys.exit(130)
    except SimError as exc:
        print(f"screenpilot-sim: error: {exc}", file=sys.stderr)
        sys.exit(1)
    except Exception as exc:  # click's usage errors
        if hasattr(exc, "format_message") and hasattr(exc, "exit_code"):
            print(f"screenpilot-sim: error: {' '.join(exc.format_message().split())}", file=sys.stderr)
            sys.exit(exc.exit_code)
        raise
    sys.exit(code if isinstance(code, int) else 0)
