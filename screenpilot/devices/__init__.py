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
from ._kinds import (
    DEVICE_KINDS,
    DEVICE_SPECS,
    BadDeviceSpec,
    DeviceKindEntry,
    DeviceState,
    OpenedDevice,
    device_help,
    open_device,
    parse_device_spec,
)
from ._protocol import ActionResult, Device, DeviceInfo
from .android import AndroidDevice
from .desktop import AccessibilityUnavailable, AgentStopped, DesktopDevice, KillSwitch, Monitor

__all__ = [
    "DEVICE_KINDS",
    "DEVICE_SPECS",
    "AccessibilityUnavailable",
    "ActionOutcomeUnknown",
    "ActionResult",
    "AgentStopped",
    "AndroidDevice",
    "BadDeviceSpec",
    "CaptureFailed",
    "DesktopDevice",
    "Device",
    "DeviceError",
    "DeviceInfo",
    "DeviceKindEntry",
    "DeviceState",
    "DeviceNotFound",
    "DeviceOffline",
    "DeviceTimeout",
    "DeviceUnauthorized",
    "DisplayUnavailable",
    "KillSwitch",
    "Monitor",
    "OpenedDevice",
    "ServerUnavailable",
    "UnsupportedAction",
    "device_help",
    "open_device",
    "parse_device_spec",
]
