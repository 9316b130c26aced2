"""The ``screenpilot`` command line (typer + rich): one module per verb, all on one app.

Every failure a user can cause (a bad argument, a device that is not there) ends in ONE line on
stderr and a non-zero exit code; a traceback means a bug in ScreenPilot.
"""

from __future__ import annotations

import importlib
import sys

import typer
from screenpilot_sim import SimError

from ..actions import ActionError
from ..errors import ScreenPilotError
from ._app import CommandInterrupted, app, command, err

VERBS = ("_run", "_record", "_replay", "_view", "_annotate", "_export", "_eval", "_collect", "_resize", "_actions",
         "_sim", "_doctor")
"""The verb modules, each registering its command on import, in the order ``screenpilot --help`` lists them."""
for _verb in VERBS:
    importlib.import_module(f".{_verb}", __name__)

__all__ = ["app", "main"]


def _fail(message: str, code: int, what: str = "error") -> None:
    err.print(f"screenpilot: {what}: {' '.join(message.split())}", markup=False, highlight=False, soft_wrap=True)
    sys.exit(code)


def main(argv: list[str] | None = None) -> None:
    """Entry point: runs the app and turns every expected failure into one line on stderr."""
    try:
        code = command().main(args=argv, prog_name="screenpilot", standalone_mode=False)
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
    except SimError as exc:
        _fail(str(exc), 1)
    except ScreenPilotError as exc:
        _fail(str(exc), 1)
    except CommandInterrupted as exc:  # Ctrl-C inside a verb, worded by it
        _fail(str(exc), 130, "interrupted")
    except (typer.Abort, KeyboardInterrupt):  # Ctrl-C before a verb began
        _fail("stopped with Ctrl-C", 130, "interrupted")
    sys.exit(code if isinstance(code, int) else 0)
