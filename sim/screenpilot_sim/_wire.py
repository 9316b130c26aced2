"""The adb transport's packets: a 24-byte little-endian header (``<6I``) and a payload.

The header is (command, arg0, arg1, payload length, payload byte-sum, command ^ 0xffffffff). Since
protocol version 0x01000001 the byte-sum is not checked by either side; we still send it when the
peer's version is older, because it would check.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

__all__ = [
    "AUTH_RSAPUBLICKEY",
    "AUTH_SIGNATURE",
    "AUTH_TOKEN",
    "A_AUTH",
    "A_CLSE",
    "A_CNXN",
    "A_OKAY",
    "A_OPEN",
    "A_STLS",
    "A_SYNC",
    "A_VERSION",
    "A_VERSION_SKIP_CHECKSUM",
    "A_WRTE",
    "HEADER",
    "MAX_PAYLOAD",
    "Message",
    "ProtocolError",
    "command_name",
]

HEADER = struct.Struct("<6I")


def _cmd(name: bytes) -> int:
    return int.from_bytes(name, "little")


A_SYNC = _cmd(b"SYNC")
A_CNXN = _cmd(b"CNXN")
A_AUTH = _cmd(b"AUTH")
A_OPEN = _cmd(b"OPEN")
A_OKAY = _cmd(b"OKAY")
A_CLSE = _cmd(b"CLSE")
A_WRTE = _cmd(b"WRTE")
A_STLS = _cmd(b"STLS")

A_VERSION = 0x01000001
A_VERSION_SKIP_CHECKSUM = 0x01000001
MAX_PAYLOAD = 1024 * 1024

AUTH_TOKEN = 1
AUTH_SIGNATURE = 2
AUTH_RSAPUBLICKEY = 3

_NAMES = {v: k for k, v in {"SYNC": A_SYNC, "CNXN": A_CNXN, "AUTH": A_AUTH, "OPEN": A_OPEN, "OKAY": A_OKAY,
                              "CLSE": A_CLSE, "WRTE": A_WRTE, "STLS": A_STLS}.items()}


def command_name(command: int) -> str:
    """``CNXN`` for a known command, the hex number otherwise (for error messages)."""
    return _NAMES.get(command, f"0x{command:08x}")


class ProtocolError(Exception):
    """The peer sent something that is not an adb packet; the connection cannot go on."""


@dataclass(frozen=True, slots=True)
class Message:
    command: int
    arg0: int
    arg1: int
    data: bytes = b""

    def pack(self, *, checksum: bool = False) -> bytes:
        """Header plus payload, ready for the socket."""
        check = sum(self.data) & 0xFFFFFFFF if checksum else 0
        header = HEADER.pack(self.command, self.arg0 & 0xFFFFFFFF, self.arg1 & 0xFFFFFFFF, len(self.data), check,
                             self.command ^ 0xFFFFFFFF)
        return header + self.data

    @staticmethod
    def parse_header(raw: bytes, *, max_payload: int) -> tuple[int, int, int, int, int]:
        """(command, arg0, arg1, length, checksum) of a header; ProtocolError when it cannot be one."""
        if len(raw) != HEADER.size:
            raise ProtocolError(f"short header: {len(raw)} of {HEADER.size} bytes")
        command, arg0, arg1, length, check, magic = HEADER.unpack(raw)
        if magic != command ^ 0xFFFFFFFF:
            raise ProtocolError(f"bad magic for command {command_name(command)}")
        if command not in _NAMES:
            raise ProtocolError(f"unknown command {command_name(command)}")
        if length > max_payload:
            raise ProtocolError(f"payload of {length} bytes exceeds the maximum {max_payload}")
        return command, arg0, arg1, length, check

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Message({command_name(self.command)}, {self.arg0}, {self.arg1}, {self.data[:40]!r})"
