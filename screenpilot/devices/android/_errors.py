"""Android-specific leaves of the device error tree, and the translation of adbutils' failures into it.

adbutils raises ``AdbError`` with the adb server's own words ("device offline", "device unauthorized.
This adb server's $ADB_VENDOR_KEYS is not set..."), ``AdbTimeout``, ``AdbConnectionError``, and lets
``OSError`` / ``EOFError`` through from its sockets. Above this module only our types exist, each with
a hint that says what to do.
"""

from __future__ import annotations

import shlex
import shutil
import socket

from ...errors import ModelFault
from .._errors import (
    CaptureFailed,
    DeviceError,
    DeviceNotFound,
    DeviceOffline,
    DeviceTimeout,
    DeviceUnauthorized,
    ServerUnavailable,
)

__all__ = ["BlankScreen", "CommandFailed", "ScreenChanged", "translate"]


class CommandFailed(DeviceError):
    """A device command ran and reported failure (non-zero exit, or Android's error text)."""

    def __init__(self, command: str, exit_code: int, output: str, *, hint: str | None = None) -> None:
        tail = output.strip()
        tail = ("..." + tail[-600:]) if len(tail) > 600 else tail
        super().__init__(
            f"`{_short(command)}` failed on the device (exit {exit_code})" + (f": {tail}" if tail else ""),
            hint=hint,
        )
        self.command = command
        self.exit_code = exit_code
        self.output = output


class BlankScreen(CaptureFailed):
    """The capture worked but shows nothing: all one colour (black: screen off or a secure window)."""

    def __init__(self, message: str, frame: object, *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.frame = frame


class ScreenChanged(ModelFault):
    """The action was planned for a screen of another shape (the phone rotated since the screenshot):
    the model plans again on a fresh screenshot."""

    reobserve = True


def _short(command: str, limit: int = 160) -> str:
    return command if len(command) <= limit else command[: limit - 3] + "..."


_HINT_UNAUTHORIZED = (
    "unlock the phone and allow USB debugging for this computer (tick 'Always allow'); if no prompt shows, "
    "unplug and replug it, or revoke USB debugging authorizations in Developer options and reconnect"
)


def translate(exc: BaseException, *, serial: str | None, server: str) -> DeviceError:
    """Our error for an adbutils / socket failure, worded for the person at the keyboard."""
    from adbutils.errors import AdbConnectionError, AdbError, AdbTimeout  # lazy: adbutils pulls requests

    if isinstance(exc, DeviceError):
        return exc
    who = f"device {serial!r}" if serial else "the device"
    text = str(exc).strip()
    low = text.lower()
    if isinstance(exc, AdbConnectionError | ConnectionRefusedError) or "connection refused" in low:
        return ServerUnavailable(
            f"no adb server: nothing answers at {server}",
            hint=f"start one with `{_adb_command()} -P {server.rpartition(':')[2]} start-server`, or point "
            "ANDROID_ADB_SERVER_HOST/PORT at a running one",
        )
    if isinstance(exc, AdbTimeout | socket.timeout | TimeoutError):
        return DeviceTimeout(
            f"{who} did not answer in time ({text or 'timeout'})",
            hint="check the cable or Wi-Fi, wake the phone, or raise the command timeout",
        )
    if "unauthorized" in low:
        return DeviceUnauthorized(f"{who} unauthorized: accept the prompt on the phone", hint=_HINT_UNAUTHORIZED)
    if "authorizing" in low or "connecting" in low:
        return DeviceOffline(f"{who} is still connecting ({text})", hint="wait a moment and retry")
    if "offline" in low:
        return DeviceOffline(
            f"{who} is offline",
            hint="reconnect the cable or Wi-Fi (for a network device: `adb connect HOST:PORT`); "
            "`adb reconnect offline` may help",
        )
    if "not found" in low or "no devices" in low or "no emulators" in low:
        return DeviceNotFound(
            f"{who} is not attached to the adb server at {server}",
            hint="check `adb devices -l`; for a network device run `adb connect HOST:PORT`",
        )
    dropped = ("connection closed", "unknown data: b''", "connection is closed", "broken pipe", "reset by peer")
    if isinstance(exc, EOFError | ConnectionError | OSError) or low == "closed" or any(d in low for d in dropped):
        return DeviceOffline(
            f"the connection to {who} dropped ({text or type(exc).__name__})",
            hint="the phone or the adb server went away; check the connection and retry",
        )
    if isinstance(exc, AdbError):
        return DeviceError(f"adb: {text}", hint="see `adb devices -l` and the adb server's log")
    return DeviceError(f"{type(exc).__name__}: {text}")


def _adb_command() -> str:
    """``adb`` when it is on PATH, else the full path of the one the adbutils wheel ships (no Debian adb)."""
    if shutil.which("adb"):
        return "adb"
    try:
        from adbutils import adb_path

        return shlex.quote(adb_path())
    except Exception:  # noqa: BLE001 - a hint must never fail: fall back to the plain name
        return "adb"
