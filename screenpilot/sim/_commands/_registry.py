"""The table of the phone's commands (name -> function), filled by the command modules."""

from __future__ import annotations

from collections.abc import Callable

from .._shell import CommandContext, CommandFn

__all__ = ["COMMANDS", "command", "java_exception", "usage_error"]

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


def usage_error(ctx: CommandContext, name: str, message: str, code: int = 1) -> int:
    ctx.err(f"{name}: {message}\n")
    return code
