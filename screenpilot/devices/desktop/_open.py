"""The ``desktop[:MONITOR]`` device kind's opener (the device-kind table names it)."""

from __future__ import annotations

from typing import Any

from .._kinds import OpenedDevice
from ._driver import DesktopDevice

__all__ = ["open_desktop"]


def open_desktop(monitor: str = "", **options: Any) -> OpenedDevice:
    """MONITOR: an index as ``xrandr --listmonitors`` counts, a RandR name, or ``all``; none: the primary."""
    choice: int | str | None = int(monitor) if monitor.isdigit() else (monitor or None)
    return OpenedDevice(DesktopDevice(monitor=choice, **options), "desktop")
