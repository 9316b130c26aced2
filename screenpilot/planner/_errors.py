"""The planner's errors: the model's mistakes (ParseError) apart from the program's faults (BackendError).

A ParseError is an observation for the model: its message is written to it, in its own dialect's
words, and goes back into the next prompt. A BackendError is ours or the server's: it is raised to the
caller (retried by policy or shown to the user), never fed to the model.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import InfraFault, ModelFault, ScreenPilotError

__all__ = ["BackendError", "BudgetExceeded", "ModelNotFound", "ParseError", "ScriptExhausted"]


class ParseError(ModelFault):
    """The model's reply holds no usable action; ``str(error)`` tells the model what to fix."""

    def __init__(self, message: str, *, raw: object = None, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.raw = raw
        self.problems = list(problems) or [message]


class BackendError(InfraFault):
    """A model backend could not produce a reply (server down, bad answer, missing model)."""


class ModelNotFound(BackendError):
    """The model named by a spec is neither a local folder nor reachable on the hub."""


class ScriptExhausted(BackendError):
    """A scripted or replayed backend was asked for more replies than it holds."""


class BudgetExceeded(ScreenPilotError):
    """Even the smallest request (task + current screenshot) is over the token budget."""
