"""The virtual phone's own error root: it depends on nothing of the runtime, so it has its own."""

from __future__ import annotations

__all__ = ["SimError"]


class SimError(Exception):
    """The virtual phone could not do what was asked (a port in use, a bad size...); ``hint`` says what to do."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message
