"""One python-xlib connection for what X itself answers fast: monitors, scale, focus, windows.

python-xlib is imported here lazily (never at module import), so ``import screenpilot`` needs no
DISPLAY. Every failure of the connection becomes :class:`DisplayUnavailable` naming DISPLAY.
"""

from __future__ import annotations

import contextlib
import os
import re
from dataclasses import dataclass
from typing import Any

from ...actions import Point, Size
from .._errors import DisplayUnavailable
from ._monitors import Monitor

__all__ = ["X11", "Toplevel", "resolve_display", "unavailable"]

_DPI = re.compile(r"^Xft\.dpi:\s*([0-9.]+)\s*$", re.MULTILINE)


def resolve_display(display: str | None) -> str:
    """The X display to drive: the argument, else $DISPLAY; a clear error when there is neither."""
    name = display or os.environ.get("DISPLAY", "")
    if not name:
        raise DisplayUnavailable(
            "DISPLAY is not set, so there is no X display to drive",
            hint="run inside an X session, or start one (`Xvfb :99 -screen 0 1920x1080x24 -nolisten tcp &`)"
            " and export DISPLAY=:99; Wayland sessions are not supported",
        )
    return name


def unavailable(display: str, cause: object) -> DisplayUnavailable:
    """The error for a display that cannot be opened or went away."""
    return DisplayUnavailable(
        f"the X display {display!r} (DISPLAY={os.environ.get('DISPLAY', '')!r}) cannot be reached: {cause}",
        hint=f"check that the X server for DISPLAY={display} is running (`xdpyinfo -display {display}`),"
        " or point DISPLAY at one that is",
    )


@dataclass(frozen=True)
class Toplevel:
    """A mapped top-level window: where it is on the root (physical pixels), whose it is, how high it sits."""

    window: int
    x: int
    y: int
    width: int
    height: int
    pid: int | None
    z: int  # stacking position, 0 = bottom
    override_redirect: bool = False

    def contains(self, x: float, y: float) -> bool:
        return self.x <= x < self.x + self.width and self.y <= y < self.y + self.height


class X11:
    """A python-xlib display connection with the few queries the driver needs."""

    def __init__(self, display: str) -> None:
        from Xlib import display as xdisplay
        from Xlib import error as xerror

        self.name = display
        self._xerror = xerror
        self._errors: tuple[type[BaseException], ...] = (xerror.DisplayError, xerror.ConnectionClosedError, OSError)
        try:
            self._d: Any = xdisplay.Display(display)
        except (*self._errors, ValueError) as exc:
            raise unavailable(display, exc) from exc
        self._root = self._d.screen().root

    def _call(self, fn: Any, *args: Any, **kw: Any) -> Any:
        try:
            return fn(*args, **kw)
        except self._errors as exc:
            raise unavailable(self.name, exc) from exc

    def ping(self) -> None:
        """One round trip: raises DisplayUnavailable if the server is gone."""
        self._call(self._d.get_input_focus)

    def desktop_size(self) -> Size:
        geometry = self._call(self._root.get_geometry)
        return Size(geometry.width, geometry.height)

    def xft_scale(self) -> float | None:
        """``Xft.dpi / 96`` from the resource database (what GTK/Qt/Tk scale by), if set."""
        from Xlib import Xatom

        atom = self._call(self._d.intern_atom, "RESOURCE_MANAGER", True)
        if not atom:
            return None
        prop = self._call(self._root.get_full_property, atom, Xatom.STRING)
        if prop is None:
            return None
        value = prop.value.decode("latin-1") if isinstance(prop.value, bytes) else str(prop.value)
        match = _DPI.search(value)
        if not match or float(match.group(1)) <= 0:
            return None
        return float(match.group(1)) / 96.0

    def monitors(self, scale_of: Any) -> list[Monitor]:
        """RandR 1.5 monitors in ``xrandr --listmonitors`` order; the whole root if RandR has none."""
        found: list[Monitor] = []
        if self._d.has_extension("RANDR"):
            reply = self._call(self._root.xrandr_get_monitors, is_active=True)
            for i, m in enumerate(reply.monitors):
                name = self._call(self._d.get_atom_name, m.name) or f"monitor-{i}"
                found.append(
                    Monitor(
                        name, Point(m.x, m.y), Size(m.width_in_pixels, m.height_in_pixels),
                        scale_of(name), primary=bool(m.primary), index=i,
                    )
                )
        if not found:
            found.append(Monitor("screen", Point(0, 0), self.desktop_size(), scale_of("screen"), primary=True))
        return found

    def focused_window(self) -> int | None:
        """The window holding keyboard focus; None for PointerRoot/None (keys follow the pointer)."""
        focus = self._call(self._d.get_input_focus).focus
        return focus.id if hasattr(focus, "id") and focus.id > 1 else None

    def toplevel_at_pointer(self) -> int | None:
        """The top-level window under the pointer (a child of the root), if any."""
        child = self._call(self._root.query_pointer).child
        return child.id if child else None

    def is_tooltip(self, wid: int) -> bool:
        """Whether a window is a tooltip (EWMH ``_NET_WM_WINDOW_TYPE_TOOLTIP``, as GTK and Qt mark theirs)."""
        from Xlib import X

        window = self._d.create_resource_object("window", wid)
        kind = self._call(self._d.intern_atom, "_NET_WM_WINDOW_TYPE")
        tooltip = self._call(self._d.intern_atom, "_NET_WM_WINDOW_TYPE_TOOLTIP")
        try:
            prop = window.get_full_property(kind, X.AnyPropertyType)
        except self._errors as exc:
            raise unavailable(self.name, exc) from exc
        except self._xerror.XError:  # it went away: not in the way any more
            return False
        return prop is not None and tooltip in list(prop.value)

    def takes_focus(self, wid: int) -> bool:
        """Whether a window can be given keyboard focus now: still there, mapped, not override-redirect."""
        from Xlib import X

        window = self._d.create_resource_object("window", wid)
        try:
            attributes = window.get_attributes()
        except self._errors as exc:
            raise unavailable(self.name, exc) from exc
        except self._xerror.XError:
            return False
        return attributes.map_state == X.IsViewable and not attributes.override_redirect

    def selection_owner(self, selection: str = "CLIPBOARD") -> int:
        """The window owning a selection (0: nobody), as the server sees it now."""
        atom = self._call(self._d.intern_atom, selection)
        owner = self._call(self._d.get_selection_owner, atom)
        return owner.id if hasattr(owner, "id") else int(owner or 0)

    def pointer(self) -> tuple[int, int]:
        reply = self._call(self._root.query_pointer)
        return reply.root_x, reply.root_y

    def window_name(self, wid: int | None) -> str:
        """A window's title (WM_NAME, falling back up the tree to its top-level)."""
        if not wid:
            return ""
        window = self._d.create_resource_object("window", wid)
        for _ in range(8):
            try:
                name = window.get_wm_name()
                if name:
                    return name if isinstance(name, str) else name.decode("utf-8", "replace")
                parent = window.query_tree().parent
            except self._errors as exc:
                raise unavailable(self.name, exc) from exc
            except self._xerror.XError:  # the window went away between the query and now: no name
                return ""
            if not parent or parent.id == self._root.id:
                return ""
            window = parent
        return ""

    def _root_property(self, name: str) -> Any:
        """A property of the root window (its value), or None when it is not set."""
        from Xlib import X

        atom = self._call(self._d.intern_atom, name, True)
        if not atom:
            return None
        prop = self._call(self._root.get_full_property, atom, X.AnyPropertyType)
        return prop.value if prop is not None and len(prop.value) else None

    def atspi_bus_address(self) -> str | None:
        """The accessibility bus address at-spi-bus-launcher published on this display (AT_SPI_BUS), if any."""
        value = self._root_property("AT_SPI_BUS")
        if value is None:
            return None
        return (value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)).strip("\0") or None

    def toplevels(self) -> list[Toplevel]:
        """Mapped top-level windows bottom to top (the root's children are in stacking order), each with
        its client's root rectangle and _NET_WM_PID; a window manager's frame is looked into for its client."""
        from Xlib import X

        pid_atom = self._call(self._d.intern_atom, "_NET_WM_PID")
        state_atom = self._call(self._d.intern_atom, "WM_STATE")
        found: list[Toplevel] = []
        for child in self._call(self._root.query_tree).children:
            try:
                attributes = child.get_attributes()
                if attributes.map_state != X.IsViewable:
                    continue
                client, pid = self._client(child, pid_atom, state_atom, depth=2)
                geometry = client.get_geometry()
                origin = self._root.translate_coords(client, 0, 0)
            except self._errors as exc:
                raise unavailable(self.name, exc) from exc
            except self._xerror.XError:  # the window went away while we looked: it is not on screen
                continue
            found.append(Toplevel(client.id, origin.x, origin.y, geometry.width, geometry.height, pid, len(found),
                                  bool(attributes.override_redirect)))
        return found

    def _client(self, window: Any, pid_atom: int, state_atom: int, depth: int) -> tuple[Any, int | None]:
        """The client window of a top-level (itself, or inside a window manager's frame) and its pid."""
        from Xlib import X

        prop = window.get_full_property(pid_atom, X.AnyPropertyType)
        if prop is not None and len(prop.value):
            return window, int(prop.value[0])
        if depth > 0 and window.get_full_property(state_atom, X.AnyPropertyType) is None:
            for child in window.query_tree().children:
                client, pid = self._client(child, pid_atom, state_atom, depth - 1)
                if pid is not None:
                    return client, pid
        return window, None

    def window_manager(self) -> str | None:
        """The running window manager's name (EWMH), or None when there is none (Xvfb alone)."""
        from Xlib import X

        check = self._root_property("_NET_SUPPORTING_WM_CHECK")
        if check is None:
            return None
        wm = self._d.create_resource_object("window", int(check[0]))
        try:
            name_prop = wm.get_full_property(self._d.intern_atom("_NET_WM_NAME"), X.AnyPropertyType)
        except self._xerror.XError:  # a stale check window: some manager ran, name unknown
            return "unknown"
        if name_prop is None:
            return "unknown"
        value = name_prop.value
        return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)

    def close(self) -> None:
        with contextlib.suppress(*self._errors):  # a dead server's connection has nothing left to free
            self._d.close()
