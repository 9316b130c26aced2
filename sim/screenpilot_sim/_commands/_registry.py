"""The table of the phone's commands (name -> function), filled by the command modules."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from .._shell import CommandContext, CommandFn
from .._shio import BufferOutput

__all__ = ["COMMANDS", "command", "java_exception", "locked_output"]

COMMANDS: dict[str, CommandFn] = {}


def command(*names: str) -> Callable[[CommandFn], CommandFn]:
    def register(fn: CommandFn) -> CommandFn:
        for n in names:
            COMMANDS[n] = fn
        return fn

    return register


def java_exception(ctx: CommandContext, cmd: str, exception: str, frames: list[str]) -> int:
    """How a failing Binder shell command reports: the exception and its stack on stderr, exit 255."""
    ctx.err(f"\nException occurred while executing '{cmd}':\n{exception}\n")
    for f in frames + ["com.android.modules.utils.BasicShellCommandHandler.exec(BasicShellCommandHandler.java:97)",
                       "android.os.ShellCommand.exec(ShellCommand.java:38)",
                       "android.os.Binder.shellCommand(Binder.java:1092)",
                       "android.os.Binder.onTransact(Binder.java:912)"]:
        ctx.err(f"\tat {f}\n")
    return 255


@contextlib.contextmanager
def locked_output(ctx: CommandContext) -> Iterator[CommandContext]:
    """Hold the phone's lock while a command reads its state, but write the output only after the
    lock is released: a client that stops reading must not stall the phone for everyone else."""
    out, err = BufferOutput(), BufferOutput()
    inner = ctx.derived(ctx.argv, stdout=out, stderr=err)
    try:
        with ctx.phone.lock:
            yield inner
    finally:
        ctx.out(out.getvalue())
        ctx.err(err.getvalue())
