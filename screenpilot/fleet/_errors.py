"""The fleet's own errors: a collection that cannot start or go on, and a bad ``--devices`` (usage)."""

from __future__ import annotations

from ..errors import ScreenPilotError

__all__ = ["BadDeviceList", "FleetError"]


class FleetError(ScreenPilotError):
    """A collection cannot start or go on: a tasks file that says nothing runnable, a folder that holds
    another collection, no device left, no Ray."""


class BadDeviceList(FleetError):
    """A ``--devices`` (or a pool file) that names no device we know how to open: a usage error."""
