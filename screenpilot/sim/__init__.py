"""The virtual phone: simulated apps, their renderer, a shell, and an adbd endpoint a real adb server connects to."""

from ._adbd import AdbdEndpoint
from ._config import AuthState, Faults, PhoneConfig
from ._phone import VirtualPhone
from ._serve import SimError, port_plan, serve, start_phones
from ._shell import CommandLine, ShellRecords, Substitution, SyntaxFailure, UnknownCommand

__all__ = [
    "AdbdEndpoint",
    "AuthState",
    "CommandLine",
    "Faults",
    "PhoneConfig",
    "ShellRecords",
    "SimError",
    "Substitution",
    "SyntaxFailure",
    "UnknownCommand",
    "VirtualPhone",
    "port_plan",
    "serve",
    "start_phones",
]
