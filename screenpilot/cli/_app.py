"""The typer app every verb registers on, the two consoles, and what the verbs share: the parsers of
``--device``/``--model``/``--dialect`` (a bad one is bad usage, exit 2, in every verb), lines that are never
wrapped, and Ctrl-C worded for a person."""

from __future__ import annotations

import functools
import inspect
import os
import re
from collections.abc import Callable
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from .. import __version__
from ..actions import Size
from ..errors import ScreenPilotError

__all__ = ["PIPE_WIDTH", "CommandInterrupted", "app", "command", "device_option", "dialect_option", "err",
           "model_option", "out", "parse_size", "say"]

app = typer.Typer(
    name="screenpilot",
    help="A vision-language model operates a phone or a desktop, one grounded action at a time.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

PIPE_WIDTH = 400
"""Columns of output that goes to a file or a pipe: a script reads whole lines (an id, a path) there, so
tables take their natural width and nothing is wrapped at 80 (``$COLUMNS`` still decides when set)."""


def _console(*, stderr: bool = False) -> Console:
    console = Console(stderr=stderr)
    if not console.is_terminal and not os.environ.get("COLUMNS"):
        console.width = PIPE_WIDTH
    return console


out = _console()
err = _console(stderr=True)

_SIZE = re.compile(r"^\s*(\d+)\s*[xX×]\s*(\d+)\s*$")


def parse_size(text: str) -> Size:
    """``1080x2400`` -> Size(1080, 2400); anything else is a one-line BadParameter."""
    m = _SIZE.match(text)
    if not m or int(m[1]) == 0 or int(m[2]) == 0:
        raise typer.BadParameter(f"{text!r} is not a size: write WIDTHxHEIGHT, e.g. 1080x2400")
    return Size(int(m[1]), int(m[2]))


def say(text: str, console: Console | None = None) -> None:
    """One line as it is: never wrapped at the terminal's width (a script reads the path on it), no markup."""
    (console or out).print(text, soft_wrap=True, markup=False, highlight=False)


# ---- the options every verb parses alike: their errors are bad usage (exit 2) --------------------


def _usage(check: Callable[[str], object]) -> Callable[[str | None], str | None]:
    """A typer callback: a value ``check`` refuses with a ScreenPilotError is a BadParameter (bad usage, exit 2)."""

    def callback(value: str | None) -> str | None:
        if value is not None:
            try:
                check(value)
            except ScreenPilotError as exc:
                raise typer.BadParameter(str(exc)) from None
        return value

    return callback


def _device(spec: str) -> None:
    from ..devices import parse_device_spec

    parse_device_spec(spec)


def _dialect(name: str) -> None:
    from ..planner import resolve_dialect

    resolve_dialect(name)


device_option = _usage(_device)
"""``--device``'s callback: a spec the device table does not know is bad usage."""
dialect_option = _usage(_dialect)
"""``--dialect``'s callback: a name the dialect table does not know is bad usage."""


def model_option(verb: str) -> Callable[[str | None], str | None]:
    """``--model``'s callback for ``verb``: a spec the backend table does not know, or one this verb does not
    take (``reference`` is for eval), is bad usage."""

    def check(spec: str) -> None:
        from ..planner import parse_backend_spec

        kind, _ = parse_backend_spec(spec)
        if verb not in kind.commands:
            raise ScreenPilotError(f"{kind.form} is for screenpilot {' and '.join(kind.commands)}, not {verb}")

    return _usage(check)


# ---- Ctrl-C ---------------------------------------------------------------------------------------


class CommandInterrupted(Exception):
    """Ctrl-C, worded for the person (what stopped, where its partial record is, how to go on):
    ``main()`` prints it as one line and exits 130. An Exception, not a KeyboardInterrupt, so that
    typer hands it on instead of turning it into a silent exit code."""


def _interruptible(callback: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(callback)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return callback(*args, **kwargs)
        except KeyboardInterrupt:  # a verb that words its own raises CommandInterrupted itself
            raise CommandInterrupted("stopped with Ctrl-C") from None

    return call


# ---- help as a person reads it --------------------------------------------------------------------

_TYPE_WORDS = {"bool": "", "int": "INTEGER", "int range": "INTEGER", "float": "NUMBER", "float range": "NUMBER",
               "str": "TEXT", "list[str]": "TEXT", "path": "PATH"}


def _type_word(shown: str | None) -> str | None:
    """typer's ``<int range>`` / ``<str>`` / ``<bool>`` / ``<a|b>`` as click's words (none for a flag)."""
    if not shown or not (shown.startswith("<") and ">" in shown):
        return shown
    inner, _, rest = shown[1:].partition(">")
    return _TYPE_WORDS.get(inner, inner) + rest


def _prose(text: str | None) -> str | None:
    """Help text as written in the code, shown as prose: paragraphs kept, the source's line breaks and
    indents folded, and brackets shown (rich would take ``[default: ...]`` for markup and drop it)."""
    if not text:
        return text
    paragraphs = inspect.cleandoc(text).split("\n\n")
    return "\n\n".join(escape(" ".join(p.split())) for p in paragraphs)


def _tidy(cmd: Any) -> None:
    cmd.help = _prose(cmd.help)
    cmd.short_help = _prose(cmd.short_help)
    if cmd.callback is not None:
        cmd.callback = _interruptible(cmd.callback)
    for param in cmd.params:
        param.help = _prose(getattr(param, "help", None))
        if param.param_type_name == "argument":
            param.display_type_rich = lambda ctx: None  # the name column already says what it is
        elif param.metavar is None:
            param.display_type_rich = lambda ctx, shown=param.display_type_rich: _type_word(shown(ctx))
    cmd.get_help_option = functools.partial(_quiet_help_option, cmd.get_help_option)
    for sub in getattr(cmd, "commands", {}).values():
        _tidy(sub)


def _quiet_help_option(made: Callable[[Any], Any], ctx: Any) -> Any:
    """``--help``, made by click on demand, without a type shown."""
    option = made(ctx)
    if option is not None:
        option.display_type_rich = lambda ctx: None
    return option


def command() -> Any:
    """The app as a click command, its help tidied and every verb's Ctrl-C turned into CommandInterrupted."""
    cmd = typer.main.get_command(app)
    _tidy(cmd)
    return cmd


def _version(value: bool) -> None:
    if value:
        out.print(f"screenpilot {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")] = False,
) -> None:
    """ScreenPilot: a vision-language model operates a phone or a desktop, one grounded action at a time."""
