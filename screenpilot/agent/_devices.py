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
    if kind == "desktop" and arg and not arg.isdigit():
        raise ScreenPilotError(f"desktop monitor must be a number, got {arg!r}", hint="e.g. desktop:1 (mss numbering)")
    return kind, arg


def open_device(spec: str, **options: Any) -> OpenedDevice:
    """Open the device a spec names; ``sim`` starts a virtual phone (and its own adb server) first."""
    kind, arg = parse_device_spec(spec)
    if kind == "android":
        from ..devices.android import AndroidDevice

        return OpenedDevice(AndroidDevice(arg or None, **options), spec)
    if kind == "desktop":
        try:
            from ..devices.desktop import DesktopDevice  # type: ignore[attr-defined]
        except ImportError as exc:
            raise ScreenPilotError("the desktop driver is not available in this install",
                                   hint=f"install the desktop extra: pip install 'screenpilot[desktop]' ({exc})") from None
        return OpenedDevice(DesktopDevice(monitor=int(arg)) if arg else DesktopDevice(), spec)
    return _open_sim(**options)


def _open_sim(**options: Any) -> OpenedDevice:
    stack = ExitStack()
    try:
        from ..sim import start_virtual_phone  # type: ignore[attr-defined]
    except ImportError:
        raise ScreenPilotError("the virtual phone is not available in this build",
                               hint="use --device android[:SERIAL] with a phone or emulator") from None
    phone: Any = stack.enter_context(start_virtual_phone())
    from ..devices.android import AndroidDevice

    try:
        device = AndroidDevice(phone.serial, host="127.0.0.1", port=phone.adb_port, **options)
    except BaseException:
        stack.close()
        raise
    closer: Callable[[], None] = stack.close
    opened = OpenedDevice(device, "sim", note=f"virtual phone {phone.serial} (adb server on 127.0.0.1:{phone.adb_port})")
    opened._stack.callback(closer)
    return opened
