"""screenpilot-sim: an Android phone simulated in Python, reached over the real adb wire protocol.

Simulated apps and their renderer, a POSIX shell with Android's commands, and an adbd endpoint that a
real adb server connects to. It depends on nothing of the ScreenPilot runtime. Importing the package
is cheap: each name is imported on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._adbd import AdbdEndpoint
    from ._adbserver import AdbServer, ServedPhone, find_adb, free_port, served_phone, wait_until
    from ._admin import AdminClient
    from ._clock import PhoneClock
    from ._config import AuthState, PhoneConfig
    from ._errors import SimError
    from ._faults import Faults
    from ._phone import VirtualPhone
    from ._serve import port_plan, serve, start_phones
    from ._shell import CommandLine, ShellRecords, Substitution, SyntaxFailure, UnknownCommand
    from ._snapshot import read_manifest
    from ._state import FieldState, PhoneState, TaskState
    from ._timing import TimingProfile, profile_named
    from ._web import WebPage

_WHERE = {
    "AdbdEndpoint": "_adbd",
    "AdbServer": "_adbserver", "ServedPhone": "_adbserver", "find_adb": "_adbserver", "free_port": "_adbserver",
    "served_phone": "_adbserver", "wait_until": "_adbserver",
    "AdminClient": "_admin",
    "PhoneClock": "_clock",
    "AuthState": "_config", "PhoneConfig": "_config",
    "SimError": "_errors",
    "Faults": "_faults",
    "VirtualPhone": "_phone",
    "port_plan": "_serve", "serve": "_serve", "start_phones": "_serve",
    "CommandLine": "_shell", "ShellRecords": "_shell", "Substitution": "_shell", "SyntaxFailure": "_shell",
    "UnknownCommand": "_shell",
    "read_manifest": "_snapshot",
    "FieldState": "_state", "PhoneState": "_state", "TaskState": "_state",
    "TimingProfile": "_timing", "profile_named": "_timing",
    "WebPage": "_web",
}

__all__ = [
    "AdbServer",
    "AdbdEndpoint",
    "AdminClient",
    "AuthState",
    "CommandLine",
    "Faults",
    "FieldState",
    "PhoneClock",
    "PhoneConfig",
    "PhoneState",
    "ServedPhone",
    "ShellRecords",
    "SimError",
    "Substitution",
    "SyntaxFailure",
    "TaskState",
    "TimingProfile",
    "UnknownCommand",
    "VirtualPhone",
    "WebPage",
    "find_adb",
    "free_port",
    "port_plan",
    "profile_named",
    "read_manifest",
    "serve",
    "served_phone",
    "start_phones",
    "wait_until",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'screenpilot_sim' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
