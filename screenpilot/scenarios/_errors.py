"""The scenario room's errors: a bad scenario file, a setup that failed, a step that could not be grounded."""

from __future__ import annotations

from ..errors import ScreenPilotError

__all__ = ["GroundingError", "ScenarioError", "SetupFailed"]


class ScenarioError(ScreenPilotError):
    """A scenario file or selection that cannot be used as written (the message names the file and field)."""


class SetupFailed(ScenarioError):
    """Setting up (or tearing down) a scenario's device state failed: the episode cannot start fairly."""


class GroundingError(ScenarioError):
    """A reference-solution step found nothing on the live screen to act on."""
