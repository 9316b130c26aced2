"""The desktop's accessibility tree for one driver: connect when first asked, read, place, say how it went.

``accessibility=None`` (the driver's default) uses the tree when the accessibility bus is there and
otherwise works from pixels, saying why once (a log warning, ``info().extra["accessibility"]``);
``True`` requires it (:class:`AccessibilityUnavailable` at once, naming what is missing); ``False``
never reads it. A bus that goes away mid-run is looked for again at most every ``RETRY_S``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from typing import Any

from ._atspi_bus import AccessibilityUnavailable, AtspiBus, find_bus_address
from ._atspi_layout import AccessibleNode, place
from ._atspi_tree import read_tree
from ._monitors import Monitor
from ._x11 import X11

__all__ = ["Accessibility"]

RETRY_S = 10.0
_log = logging.getLogger("screenpilot.devices.desktop")


class Accessibility:
    """Reads the AT-SPI tree of the display a driver drives."""

    def __init__(self, x11: X11, *, mode: bool | None = None, timeout_s: float = 5.0) -> None:
        self._x = x11
        self.mode = mode
        self.timeout_s = timeout_s
        self._bus: AtspiBus | None = None
        self._where = ""
        self._problem: str | None = None
        self._next_try = 0.0
        self._warned = False
        self._lock = threading.Lock()
        self.last: dict[str, Any] = {}
        if mode is True:
            self._connect()

    @property
    def enabled(self) -> bool:
        return self.mode is not False

    def _connect(self) -> AtspiBus:
        if self._bus is None:
            address, where = find_bus_address(self._x.atspi_bus_address, self.timeout_s)
            self._bus = AtspiBus(address, timeout_s=self.timeout_s)
            self._where = where
            self._problem = None
        return self._bus

    def _drop(self) -> None:
        if self._bus is not None:
            self._bus.close()
            self._bus = None

    def nodes(self, monitors: Sequence[Monitor]) -> list[AccessibleNode] | None:
        """Every visible accessible on the display, in root pixels; None when there is no tree to read
        (turned off, or the bus is unavailable and not required: then ``status()`` says why)."""
        if self.mode is False:
            return None
        with self._lock:
            if self._bus is None and self.mode is None and time.monotonic() < self._next_try:
                return None
            try:
                return self._read(monitors)
            except AccessibilityUnavailable as exc:
                self._drop()
                try:  # the launcher may have been restarted at a new address: one fresh look
                    return self._read(monitors)
                except AccessibilityUnavailable as again:
                    self._drop()
                    self._problem = again.message
                    self._next_try = time.monotonic() + RETRY_S
                    if self.mode is True:
                        raise again from exc
                    if not self._warned:
                        self._warned = True
                        _log.warning("no accessibility tree, working from pixels alone: %s (%s)", again.message,
                                     again.hint)
                    return None

    def _read(self, monitors: Sequence[Monitor]) -> list[AccessibleNode]:
        bus = self._connect()
        started = time.perf_counter()
        sent = bus.messages
        tree = read_tree(bus, timeout_s=self.timeout_s)
        if not tree.nodes and not tree.apps and not bus.alive():
            raise AccessibilityUnavailable(f"the accessibility bus at {bus.address!r} went away")
        toplevels = self._x.toplevels()
        placed = place(tree, toplevels, monitors)
        self.last = {"nodes": len(placed), "read": len(tree.nodes), "applications": len(tree.apps),
                     "calls": bus.messages - sent, "seconds": round(time.perf_counter() - started, 4),
                     "problems": list(dict.fromkeys(tree.problems))}
        return placed

    def status(self) -> dict[str, Any]:
        """For ``info().extra``: whether the tree is read, from where, the last read's size and time, and
        why not when it is not."""
        return {"mode": {None: "auto", True: "required", False: "off"}[self.mode],
                "connected": self._bus is not None, "bus": self._bus.address if self._bus else None,
                "found_by": self._where or None, "problem": self._problem, "last_read": dict(self.last)}

    def close(self) -> None:
        with self._lock:
            self._drop()
