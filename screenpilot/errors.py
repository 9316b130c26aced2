"""The root of ScreenPilot's error tree.

Every room raises subclasses of :class:`ScreenPilotError`, so a caller (the CLI above all) can tell
our own, explained failures from bugs. This module is the one leaf every room may import.
"""

from __future__ import annotations

__all__ = ["ScreenPilotError"]


class ScreenPilotError(Exception):
    """A failure we understand; ``hint`` tells the user what to do about it."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message
