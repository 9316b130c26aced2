"""The devices of a collection: ``--devices sim:N | android:SERIAL[,SERIAL...] | desktop:N | POOL_FILE``.

Each device becomes one slot, run by its own Ray actor that holds one unit of the device's custom
resource. Ray places an actor only on a node that offers its resource, so episodes run where the
devices are: a host with phones plugged in starts its node with ``--resources
'{"screenpilot_android:R58M12": 1}'``, a host that can run virtual phones with
``'{"screenpilot_sim": 8}'``. A local ``ray.init`` offers exactly what the pool asks for.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..actions import DeviceKind
from ..devices import DEVICE_KINDS
from ._errors import BadDeviceList

__all__ = ["POOL_FORMS", "SIM_PROFILES", "DeviceSlot", "parse_pool", "pool_resources", "resource_for"]

POOL_FORMS = "sim:N | android:SERIAL[,SERIAL...] | desktop:N | POOL.yaml"
SIM_PROFILES = ("instant", "phone")
"""The virtual phone's timing profiles (docs/sim.md): ``instant`` costs nothing, ``phone`` what a real phone costs."""
_MAX_LOCAL = 256


@dataclass(frozen=True)
class DeviceSlot:
    """One device of the pool: its name in the manifest, the device kind (a row of the device table),
    the argument its opener takes, and the Ray resource its actor holds."""

    name: str
    kind: str
    arg: str = ""
    options: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def vocabulary(self) -> DeviceKind:
        """What it speaks: ``phone`` or ``desktop`` actions (which tasks it can take)."""
        return DEVICE_KINDS[self.kind].kind

    @property
    def resource(self) -> str:
        return resource_for(self.kind, self.arg)


def resource_for(kind: str, arg: str = "") -> str:
    """The custom resource a device of this kind holds: ``screenpilot_sim``, ``screenpilot_desktop``,
    ``screenpilot_android:SERIAL`` (a phone is on the one host it is plugged into)."""
    return f"screenpilot_{kind}:{arg}" if kind == "android" else f"screenpilot_{kind}"


def pool_resources(slots: Sequence[DeviceSlot]) -> dict[str, float]:
    """What a local Ray node must offer for these slots."""
    return {name: float(n) for name, n in Counter(s.resource for s in slots).items()}


def _count(text: str, spec: str) -> int:
    if not text:
        return 1
    if not text.isdigit() or not 1 <= int(text) <= _MAX_LOCAL:
        raise BadDeviceList(f"--devices {spec!r}: the count must be a whole number from 1 to {_MAX_LOCAL}",
                            hint=f"use {POOL_FORMS}")
    return int(text)


def _from_text(spec: str, profile: str) -> list[tuple[str, str, dict[str, Any]]]:
    name, _, arg = spec.strip().partition(":")
    kind = name.strip().lower()
    if kind == "sim":
        return [("sim", "", {"profile": profile})] * _count(arg.strip(), spec)
    if kind == "desktop":
        return [("desktop", "", {})] * _count(arg.strip(), spec)
    if kind == "android":
        serials = [s.strip() for s in arg.split(",") if s.strip()]
        if not serials:
            raise BadDeviceList(f"--devices {spec!r}: name the phones (android:SERIAL[,SERIAL...], as adb devices lists them)",
                                hint="each phone is a resource of the host it is plugged into, so it needs its serial")
        return [("android", s, {}) for s in serials]
    raise BadDeviceList(f"not a device list: {spec!r}", hint=f"use {POOL_FORMS}")


def _from_entry(entry: Any, where: str, profile: str) -> list[tuple[str, str, dict[str, Any]]]:
    if isinstance(entry, str):
        return _from_text(entry, profile)
    if isinstance(entry, dict) and len([k for k in entry if k in ("sim", "android", "desktop")]) == 1:
        kind = next(k for k in entry if k in ("sim", "android", "desktop"))
        value = entry[kind]
        extra = set(entry) - {kind, "profile"}
        if extra or ("profile" in entry and kind != "sim"):
            raise BadDeviceList(f"{where}: unknown keys {sorted(extra or {'profile'})} in {entry!r}",
                                hint="an entry is sim: N (profile: phone), android: [SERIAL, ...] or desktop: N")
        if kind == "android":
            serials = value if isinstance(value, list) else [value]
            return _from_text("android:" + ",".join(str(s) for s in serials), profile)
        rows = _from_text(f"{kind}:{value}", str(entry.get("profile", profile)))
        return rows
    raise BadDeviceList(f"{where}: not a device entry: {entry!r}",
                        hint="a list of sim: N, android: [SERIAL, ...], desktop: N (or the same as strings)")


def _read_pool_file(path: Path) -> list[Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.suffix != ".json" else json.loads(path.read_text())
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise BadDeviceList(f"cannot read the pool file {path}: {exc}") from None
    if isinstance(data, dict) and isinstance(data.get("devices"), list):
        data = data["devices"]
    if not isinstance(data, list) or not data:
        raise BadDeviceList(f"{path}: a pool file is a list of devices (or devices: [...])",
                            hint="e.g. - sim: 4\n- android: [R58M12, emulator-5554]")
    return data


def parse_pool(specs: Sequence[str], *, sim_profile: str = "instant") -> list[DeviceSlot]:
    """The slots ``--devices`` names (repeatable; a path is a pool file), each with a unique name."""
    if sim_profile not in SIM_PROFILES:
        raise BadDeviceList(f"unknown timing profile {sim_profile!r}", hint=f"use {' or '.join(SIM_PROFILES)}")
    rows: list[tuple[str, str, dict[str, Any]]] = []
    for spec in specs:
        path = Path(spec).expanduser()
        if path.suffix in (".yaml", ".yml", ".json") or path.is_file():
            if not path.is_file():
                raise BadDeviceList(f"no pool file at {path}", hint=f"use {POOL_FORMS}")
            for n, entry in enumerate(_read_pool_file(path)):
                rows.extend(_from_entry(entry, f"{path}[{n}]", sim_profile))
        else:
            rows.extend(_from_text(spec, sim_profile))
    if not rows:
        raise BadDeviceList("no devices given", hint=f"use --devices {POOL_FORMS}")
    for _kind, _arg, options in rows:
        if options.get("profile", "instant") not in SIM_PROFILES:
            raise BadDeviceList(f"unknown timing profile {options['profile']!r}", hint=f"use {' or '.join(SIM_PROFILES)}")
    slots: list[DeviceSlot] = []
    seen: Counter[str] = Counter()
    for kind, arg, options in rows:
        if kind == "android":
            name = f"android:{arg}"
            if name in seen:
                raise BadDeviceList(f"the phone {arg} is listed twice", hint="each phone can run one episode at a time")
        else:
            name = f"{kind}-{seen[kind] + 1}"
        seen[kind] += 1
        seen[name] += 1
        slots.append(DeviceSlot(name, kind, arg, dict(options)))
    return slots
