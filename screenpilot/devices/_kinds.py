"""Device kinds by name: ONE table, from which ``--device`` parsing, its help and opening a device come.

A spec is ``NAME`` or ``NAME:ARG`` (``sim``, ``android:SERIAL``, ``desktop:MONITOR``). Each row names its
opener as ``module:function`` (imported on first use, so no driver library loads before it is needed).
Adding a driver is its package and one row here (docs/extending.md).
"""

from __future__ import annotations

import importlib
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from ..actions import DeviceKind
from ..errors import ScreenPilotError
from ._protocol import Device

__all__ = [
    "DEVICE_KINDS",
    "DEVICE_SPECS",
    "BadDeviceSpec",
    "DeviceKindEntry",
    "DeviceState",
    "OpenedDevice",
    "device_help",
    "open_device",
    "parse_device_spec",
]


class BadDeviceSpec(ScreenPilotError):
    """A ``--device`` that names no device kind (a usage error: the CLI exits 2)."""


class DeviceState(Protocol):
    """A device whose whole state can be saved and put back (the virtual phone): what lets a resumed run
    continue on the screen it left, and a collector reset a device between episodes."""

    def save(self) -> bytes: ...

    def load(self, data: bytes) -> None: ...


@dataclass
class OpenedDevice:
    """A device and what must be stopped with it (the virtual phone and its adb server, for ``sim``);
    ``state`` when its whole state can be saved and restored, else None."""

    device: Device
    spec: str
    note: str = ""
    resources: ExitStack = field(default_factory=ExitStack)
    state: DeviceState | None = None

    def close(self) -> None:
        try:
            self.device.close()
        finally:
            self.resources.close()


@dataclass(frozen=True)
class DeviceKindEntry:
    """One device kind: its spec name, the form of its argument, the vocabulary it speaks (phone or
    desktop actions), and the ``module:function`` that opens it: ``opener(arg, **options) -> OpenedDevice``."""

    name: str
    form: str
    kind: DeviceKind
    summary: str
    opener: str
    argument: Literal["none", "optional"] = "optional"

    def open(self, arg: str, **options: Any) -> OpenedDevice:
        module, _, attr = self.opener.partition(":")
        return getattr(importlib.import_module(module, __package__), attr)(arg, **options)  # type: ignore[no-any-return]


DEVICE_KINDS: dict[str, DeviceKindEntry] = {
    e.name: e
    for e in (
        DeviceKindEntry("sim", "sim", "phone", "the built-in virtual phone, behind a private adb server",
                        "._sim:open_sim", argument="none"),
        DeviceKindEntry("android", "android[:SERIAL]", "phone", "an Android phone or emulator through adb",
                        ".android._open:open_android"),
        DeviceKindEntry("desktop", "desktop[:MONITOR]", "desktop", "the X11 desktop (a monitor: index, name or all)",
                        ".desktop._open:open_desktop"),
    )
}

DEVICE_SPECS = " | ".join(e.form for e in DEVICE_KINDS.values())


def parse_device_spec(spec: str) -> tuple[DeviceKindEntry, str]:
    """The table's row for a spec, and its argument; BadDeviceSpec for anything else."""
    name, _, arg = spec.strip().partition(":")
    entry = DEVICE_KINDS.get(name.strip().lower())
    if entry is None or (entry.argument == "none" and arg):
        raise BadDeviceSpec(f"not a device: {spec!r}", hint=f"use {DEVICE_SPECS}")
    return entry, arg.strip()


def open_device(spec: str, **options: Any) -> OpenedDevice:
    """Open the device a spec names. Options go to its opener (capture mode, ``sim_setup``, ...); those
    left at None are dropped, so a caller may pass a kind's option whatever kind the spec names."""
    entry, arg = parse_device_spec(spec)
    opened = entry.open(arg, **{k: v for k, v in options.items() if v is not None})
    opened.spec = spec
    return opened


def device_help(default: str | None = None) -> str:
    """``--device``'s help, written from the table."""
    return DEVICE_SPECS + (f"  (default: {default})" if default else "")

