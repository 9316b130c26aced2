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
from .desktop import AccessibilityUnavailable, AgentStopped, DesktopDevice, KillSwitch, Monitor

__all__ = [
    "AccessibilityUnavailable",
    "ActionOutcomeUnknown",
    "ActionResult",
    "AgentStopped",
    "AndroidDevice",
    "CaptureFailed",
    "DesktopDevice",
    "Device",
    "DeviceError",
    "DeviceInfo",
    "DeviceNotFound",
    "DeviceOffline",
    "DeviceTimeout",
    "DeviceUnauthorized",
    "DisplayUnavailable",
    "KillSwitch",
    "Monitor",
    "ServerUnavailable",
    "UnsupportedAction",
]
