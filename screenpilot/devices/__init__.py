"""Devices: the Device protocol, its error tree, and the drivers (android over adb, X11 desktop).

Drivers import their libraries lazily, so importing this package needs neither adb nor a DISPLAY.
"""

from ._errors import (
    ActionOutcomeUnknown,
    CaptureFailed,
    DeviceError,
    DeviceNotFound,
    DeviceOffline,
    DeviceTimeout,
    DeviceUnauthorized,
    DisplayUnavailable,
    ServerUnavailable,
    UnsupportedAction,
)
from ._protocol import ActionResult, Device, DeviceInfo
from .android import AndroidDevice

__all__ = [
    "ActionOutcomeUnknown",
    "ActionResult",
    "AndroidDevice",
    "CaptureFailed",
    "Device",
    "DeviceError",
    "DeviceInfo",
    "DeviceNotFound",
    "DeviceOffline",
    "DeviceTimeout",
    "DeviceUnauthorized",
    "DisplayUnavailable",
    "ServerUnavailable",
    "UnsupportedAction",
]
