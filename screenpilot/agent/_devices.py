"""Opening a device from the ``--device`` spec: ``sim``, ``android[:SERIAL]`` or ``desktop[:MONITOR]``."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

from ..devices import Device
from ..errors import ScreenPilotError

__all__ = ["DEVICE_SPECS", "OpenedDevice", "open_device", "parse_device_spec"]

DEVICE_SPECS = "sim | android[:SERIAL] | desktop[:MONITOR]"


@dataclass
class OpenedDevice:
    """A device and what must be stopped with it (the virtual phone and its adb server, for ``sim``)."""

    device: Device
    spec: str
    note: str = ""
    _stack: ExitStack = field(default_factory=ExitStack)

    def close(self) -> None:
        try:
            self.device.close()
        finally:
            self._stack.close()


def parse_device_spec(spec: str) -> tuple[str, str]:
    kind, _, arg = spec.strip().partition(":")
    kind = kind.lower()
    if kind not in ("sim", "android", "desktop") or (kind == "sim" and arg):
        raise ScreenPilotError(f"not a device: {spec!r}", hint=f"use {DEVICE_SPECS}")
    return kind, arg


def open_device(spec: str, *, sim_setup: Callable[[Any], None] | None = None, **options: Any) -> OpenedDevice:
    """Open the device a spec names; ``sim`` starts a virtual phone (and its own adb server) first,
    then calls ``sim_setup(phone)`` (the demo switches Wi-Fi off)."""
    kind, arg = parse_device_spec(spec)
    if kind == "android":
        from ..devices.android import AndroidDevice

        return OpenedDevice(AndroidDevice(arg or None, **options), spec)
    if kind == "desktop":
        from ..devices.desktop import DesktopDevice

        # MONITOR: an index as xrandr --listmonitors counts, a RandR name, or "all"; none: the primary
        monitor: int | str | None = int(arg) if arg.isdigit() else (arg or None)
        return OpenedDevice(DesktopDevice(monitor=monitor, **options), spec)
    return _open_sim(sim_setup, **options)


def _open_sim(sim_setup: Callable[[Any], None] | None, **options: Any) -> OpenedDevice:
    from ..devices._sim import start_sim_phone
    from ..devices.android import AndroidDevice

    stack = ExitStack()
    try:
        sim = stack.enter_context(start_sim_phone())
        if sim_setup is not None:
            sim_setup(sim.phone)
        device = AndroidDevice(sim.serial, host="127.0.0.1", port=sim.adb_port, **options)
    except BaseException:
        stack.close()
        raise
    opened = OpenedDevice(device, "sim", note=f"virtual phone {sim.serial} (private adb server on 127.0.0.1:{sim.adb_port})")
    opened._stack.push(stack)
    return opened
