"""The root of ScreenPilot's error tree, and the four faults that say whose fault a failure is.

Every room raises subclasses of :class:`ScreenPilotError`, so a caller (the CLI above all) can tell
our own, explained failures from bugs. Inside the loop (the agent, replay, collection) what happens
next is decided by WHOSE fault it was, so every error the loop can meet derives from exactly one of:

    ModelFault      the model asked for something unparseable, off-screen, unsupported, or planned on a
                    screen that has since changed      -> back to the model as feedback (bounded retries)
    InfraFault      a device, a server or a capture failed before anything took effect
                                                        -> retried by policy, else the run stops and says why
    OutcomeUnknown  a command was accepted by the device and then something failed: it may have run
                                                        -> recorded as executed with an unknown outcome,
                                                           shown to the model, never sent again blindly
    Stopped         a person stopped the run (kill switch, Ctrl-C) or took over
                                                        -> the person decides the outcome

The four are siblings on purpose: ``except InfraFault`` (which may retry) can never catch an
``OutcomeUnknown`` (which must not be re-sent). Loops catch by these bases, never by leaf types.
Errors outside the four (a bad argument, a damaged episode folder, a missing secret) are the user's
to fix and surface as one line. This module is the one leaf every room may import.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["InfraFault", "Interrupted", "ModelFault", "OutcomeUnknown", "ScreenPilotError", "Stopped"]


class ScreenPilotError(Exception):
    """A failure we understand; ``hint`` tells the user what to do about it."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class ModelFault(ScreenPilotError):
    """The model's mistake: its text goes back into the next prompt.

    ``reobserve``: the action no longer fits the screen (it changed since the screenshot), so the model
    must see a fresh screenshot before it plans again.
    """

    reobserve: bool = False


class InfraFault(ScreenPilotError):
    """Something between us and the device or the model failed, and nothing took effect.

    ``transient``: a retry of the same operation may succeed (a dropped link, a failed capture), as
    opposed to a fault that needs a person (no device attached, unauthorized, no display).
    """

    transient: bool = False


class OutcomeUnknown(ScreenPilotError):
    """The device accepted a command, then something failed: the action may or may not have taken effect."""


class Stopped(ScreenPilotError):
    """A person stopped the run (or took over); what the outcome is, is theirs to say."""


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during a run, an evaluation or a replay, carrying the folder its partial record is in.

    Still a KeyboardInterrupt, so nothing that catches ScreenPilotError or Exception (an evaluation that
    records a failed episode and goes on) can swallow it; the command line words its one line from it.
    """

    def __init__(self, folder: Path | str, what: str = "run") -> None:
        super().__init__(f"the {what} in {folder} was interrupted")
        self.folder = Path(folder)
        self.what = what
