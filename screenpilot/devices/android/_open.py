"""The ``android[:SERIAL]`` device kind's opener (the device-kind table names it)."""

from __future__ import annotations

from typing import Any

from .._kinds import OpenedDevice
from ._device import AndroidDevice

__all__ = ["held_awake", "open_android"]


def open_android(serial: str = "", *, keep_awake: bool = True, **options: Any) -> OpenedDevice:
    """The phone with this serial (none: ``$ANDROID_SERIAL``, else the only one attached), kept awake and
    unlocked while it is open (its previous setting put back on close)."""
    return held_awake(OpenedDevice(AndroidDevice(serial or None, **options), "android"), keep_awake)


def held_awake(opened: OpenedDevice, keep_awake: bool) -> OpenedDevice:
    """Keep the phone's screen on until ``opened`` closes (a run on a sleeping screen sees nothing)."""
    device = opened.device
    if keep_awake and isinstance(device, AndroidDevice):
        device.keep_awake()
        opened.resources.callback(device.release_awake)
    return opened
