"""The AT-SPI accessibility bus, spoken over D-Bus with jeepney (pure Python, no GObject).

Why jeepney and not pyatspi: pyatspi needs Debian's python3-gi, which does not import in a Python
that is not the distribution's (pyenv, venvs of other versions); jeepney installs from PyPI anywhere.

Finding the bus, in the order AT-SPI clients use: the ``AT_SPI_BUS`` property on the driven display's
root window (set by at-spi-bus-launcher for that display), else ``org.a11y.Bus.GetAddress`` on the
D-Bus session bus (which starts the launcher when at-spi2-core is installed). Every way this can fail
becomes :class:`AccessibilityUnavailable` saying what is missing and how to get it.

Reading a tree takes hundreds of small calls; :meth:`AtspiBus.calls` sends a whole batch in one write
and then collects the replies by serial (pipelining), so a batch costs one round trip, not hundreds.
"""

from __future__ import annotations

import contextlib
import os
import select
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .._errors import DeviceError

__all__ = ["AccessibilityUnavailable", "AtspiBus", "Call", "CallError", "find_bus_address"]

ACCESSIBLE = "org.a11y.atspi.Accessible"
REGISTRY = "org.a11y.atspi.Registry"
ROOT_PATH = "/org/a11y/atspi/accessible/root"
PROPERTIES = "org.freedesktop.DBus.Properties"
_HINT = ("start the X session under a D-Bus session with at-spi2-core installed (`apt-get install dbus at-spi2-core`, "
         "then `dbus-run-session -- <your session or command>`), or pass accessibility=False to work from pixels "
         "alone (sensitive-action confirmations then cannot see what a click hits)")


class AccessibilityUnavailable(DeviceError):
    """The AT-SPI accessibility bus cannot be reached, so there is no UI tree of the desktop."""


@dataclass(frozen=True)
class Call:
    """One method call: destination (bus name), object path, interface, member, signature, arguments."""

    dest: str
    path: str
    interface: str
    member: str
    signature: str | None = None
    args: tuple[Any, ...] = ()


@dataclass(frozen=True)
class CallError:
    """A call that came back as a D-Bus error (the object went away, the interface is missing) or never came back."""

    name: str
    message: str = ""


def _session_a11y_address(timeout_s: float) -> str:
    """org.a11y.Bus.GetAddress on the session bus; AccessibilityUnavailable naming what is missing."""
    from jeepney import DBusAddress, MessageType, new_method_call
    from jeepney.io.blocking import open_dbus_connection

    session = os.environ.get("DBUS_SESSION_BUS_ADDRESS", "")
    if not session:
        raise AccessibilityUnavailable(
            "the accessibility bus is not running: there is no D-Bus session (DBUS_SESSION_BUS_ADDRESS is unset)"
            " and the display carries no AT_SPI_BUS address", hint=_HINT)
    try:
        conn = open_dbus_connection(session, auth_timeout=timeout_s)
    except Exception as exc:  # noqa: BLE001 - OSError, or jeepney's plain Exceptions on authentication
        raise AccessibilityUnavailable(f"cannot connect to the D-Bus session bus {session!r}: {exc}",
                                       hint=_HINT) from exc
    try:
        bus = DBusAddress("/org/a11y/bus", bus_name="org.a11y.Bus", interface="org.a11y.Bus")
        try:
            reply = conn.send_and_get_reply(new_method_call(bus, "GetAddress"), timeout=timeout_s)
        except TimeoutError as exc:
            raise AccessibilityUnavailable(f"the D-Bus session bus did not answer org.a11y.Bus.GetAddress within "
                                           f"{timeout_s:g} s", hint=_HINT) from exc
        if reply.header.message_type != MessageType.method_return:
            why = reply.body[0] if reply.body else ""
            raise AccessibilityUnavailable(
                f"the accessibility bus is not running: the D-Bus session has no org.a11y.Bus ({why})",
                hint="install at-spi2-core (it provides org.a11y.Bus to the session), " + _HINT)
        return str(reply.body[0])
    finally:
        conn.close()


def find_bus_address(display_property: Callable[[], str | None], timeout_s: float = 3.0) -> tuple[str, str]:
    """(address, where it came from): the display's AT_SPI_BUS property, else the session bus's org.a11y.Bus."""
    on_display = display_property()
    if on_display:
        return on_display, "AT_SPI_BUS on the display's root window"
    return _session_a11y_address(timeout_s), "org.a11y.Bus on the D-Bus session bus"


class AtspiBus:
    """A connection to the accessibility bus that sends calls in batches and gathers replies by serial."""

    def __init__(self, address: str, *, timeout_s: float = 3.0) -> None:
        from jeepney.io.blocking import open_dbus_connection

        self.address = address
        try:
            self._conn: Any = open_dbus_connection(address, auth_timeout=timeout_s)
        except Exception as exc:  # noqa: BLE001 - OSError, jeepney's AuthenticationError, RuntimeError
            raise AccessibilityUnavailable(f"the accessibility bus at {address!r} cannot be reached: {exc}",
                                           hint="at-spi-bus-launcher may have exited; " + _HINT) from exc
        self.messages = 0  # sent so far, for the figures

    def calls(self, batch: Sequence[Call], *, deadline: float) -> list[Any]:
        """Send every call at once; each result is the reply's body (a tuple) or a CallError. Calls with no
        reply by ``deadline`` (time.monotonic) are CallError("timeout"); a lost connection raises."""
        from jeepney import MessageType, new_method_call
        from jeepney.low_level import HeaderFields

        if not batch:
            return []
        conn = self._conn
        chunks: list[bytes] = []
        waiting: dict[int, int] = {}
        for i, call in enumerate(batch):
            serial = next(conn.outgoing_serial)
            waiting[serial] = i
            msg = new_method_call(_Address(call.path, call.dest, call.interface), call.member, call.signature,
                                  call.args)
            chunks.append(msg.serialise(serial=serial))
        try:
            conn.sock.sendall(b"".join(chunks))
        except OSError as exc:
            raise self._lost(exc) from exc
        self.messages += len(batch)
        results: list[Any] = [CallError("timeout", "no reply in time")] * len(batch)
        while waiting:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                msg = conn.receive(timeout=remaining)
            except TimeoutError:
                break
            except (OSError, EOFError, ConnectionError) as exc:
                raise self._lost(exc) from exc
            index = waiting.pop(msg.header.fields.get(HeaderFields.reply_serial, -1), None)
            if index is None:
                continue  # a signal or a late reply to an earlier batch
            if msg.header.message_type == MessageType.method_return:
                results[index] = msg.body
            else:
                name = str(msg.header.fields.get(HeaderFields.error_name, "error"))
                results[index] = CallError(name, str(msg.body[0]) if msg.body else "")
        return results

    def call(self, call: Call, *, timeout_s: float = 3.0) -> Any:
        return self.calls([call], deadline=time.monotonic() + timeout_s)[0]

    def alive(self) -> bool:
        """False once the bus closed the connection (at-spi-bus-launcher exited)."""
        try:
            readable, _, _ = select.select([self._conn.sock], [], [], 0)
            if not readable:
                return True
            return bool(self._conn.sock.recv(1, 2))  # MSG_PEEK: b"" means the peer closed
        except OSError:
            return False

    def _lost(self, exc: BaseException) -> AccessibilityUnavailable:
        return AccessibilityUnavailable(f"the accessibility bus at {self.address!r} closed the connection: {exc!r}",
                                        hint="at-spi-bus-launcher may have exited; " + _HINT)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._conn.close()


class _Address:
    """The three things jeepney's new_method_call reads off an address (cheaper than DBusAddress per call)."""

    __slots__ = ("bus_name", "interface", "object_path")

    def __init__(self, path: str, bus_name: str, interface: str) -> None:
        self.object_path = path
        self.bus_name = bus_name
        self.interface = interface
