"""Errors of the trajectory room."""

from __future__ import annotations

from ..errors import ScreenPilotError

__all__ = ["RecordingError", "TrajectoryError"]


class TrajectoryError(ScreenPilotError):
    """An episode folder is missing, malformed, or from a newer schema than this reader knows."""


class RecordingError(ScreenPilotError):
    """Writing the trajectory failed (disk full, folder removed): the run stops rather than lose data."""
