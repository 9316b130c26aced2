"""The device error tree. Drivers translate their libraries' exceptions into these at the boundary,
each with a message that says what to do, so nothing above the drivers knows adbutils or X11.

Each error also says whose fault it is (``screenpilot.errors``): ``DeviceError`` and its children are
infrastructure faults, ``UnsupportedAction`` is the model's, ``ActionOutcomeUnknown`` is an outcome
unknown after the device accepted a command.
"""

from __future__ import annotations

from ..errors import InfraFault, ModelFault, OutcomeUnknown

__all__ = [
    "ActionOutcomeUnknown",
    "CaptureFailed",
    "DeviceError",
    "DeviceNotFound",
    "DeviceOffline",
    "DeviceTimeout",
    "DeviceUnauthorized",
    "DisplayUnavailable",
    "ServerUnavailable",
    "UnsupportedAction",
]


class DeviceError(InfraFault):
    """Something between us and the device failed (an infrastructure fault, not the model's)."""


class DeviceNotFound(DeviceError):
    """No device matches, or several do and none was chosen."""


class DeviceUnauthorized(DeviceError):
    """The phone has not accepted this computer's key."""


class DeviceOffline(DeviceError):
    """The device or its connection went away; a retry after reconnecting may succeed."""

    transient = True


class DeviceTimeout(DeviceError):
    """A device command did not finish in time."""

    transient = True


class ServerUnavailable(DeviceError):
    """The adb server (or another broker) cannot be reached."""


class DisplayUnavailable(DeviceError):
    """No X display to talk to (DISPLAY unset or dead)."""


class CaptureFailed(DeviceError):
    """A screenshot came back empty, black or undecodable."""

    transient = True


class UnsupportedAction(ModelFault):
    """The driver has no way to carry out this action on this device (the model asked for it)."""


class ActionOutcomeUnknown(OutcomeUnknown):
    """The command was sent but the connection dropped before its result: it may or may not have run.

    Never retried blindly (a second tap may buy twice); the caller looks at the screen again.
    """
