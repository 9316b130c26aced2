"""The ``android[:SERIAL]`` device kind's opener (the device-kind table names it)."""

from __future__ import annotations

from typing import Any

from .._kinds import OpenedDevice
from ._device import AndroidDevice

__all__ = ["open_android"]


def open_android(serial: str = "", **options: Any) -> OpenedDevice:
    """The phone with this serial (none: ``$ANDROID_SERIAL``, else the only one attached)."""
    return OpenedDevice(AndroidDevice(serial or None, **options), "android")
