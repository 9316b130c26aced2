"""Offering a text on an X selection for exactly one paste, as a well-behaved copying application does.

Why not ``xclip -loops 1``: xclip answers EVERY target with its bytes. GTK's text views first ask for
their own rich-text target (GTK_TEXT_BUFFER_CONTENTS), receive plain bytes labelled as that format,
fail to read them and paste nothing, and xclip has already spent its one request. Here TARGETS lists
the text targets, only text targets are answered (others are refused and do not count), and the
offer ends once a requestor has read the first text it received (it deletes the property, as ICCCM
asks).
"""

from __future__ import annotations

import contextlib
import select
import threading
import time
from typing import Any

from .._errors import DeviceTimeout
from ._x11 import unavailable

__all__ = ["SelectionOffer"]

TEXT_TARGETS = ("UTF8_STRING", "text/plain;charset=utf-8", "STRING", "TEXT", "text/plain", "COMPOUND_TEXT")
MAX_BYTES = 200_000  # one property; larger transfers would need the INCR protocol
READ_TIMEOUT_S = 0.5
"""A requestor that never deletes the property it got the text in (Tk) counts as having read it after this."""


class SelectionOffer:
    """Own ``selection`` with ``text`` on a private window (own connection, own thread) until one text
    request was answered, the selection was taken by someone else, or ``close()``."""

    def __init__(self, display: str, text: str, selection: str = "CLIPBOARD") -> None:
        from Xlib import X, Xatom
        from Xlib import display as xdisplay
        from Xlib import error as xerror

        self._X, self._Xatom = X, Xatom
        self.data = text.encode("utf-8")
        if len(self.data) > MAX_BYTES:
            raise ValueError(f"{len(self.data)} bytes is too much for one paste")
        try:
            self._d: Any = xdisplay.Display(display)
        except (xerror.DisplayError, OSError) as exc:
            raise unavailable(display, exc) from exc
        self.display = display
        atom = self._d.intern_atom
        self._selection = atom(selection)
        self._targets = atom("TARGETS")
        self._timestamp = atom("TIMESTAMP")
        self._text_atoms = {atom(name): name for name in TEXT_TARGETS}
        self._utf8 = atom("UTF8_STRING")
        root = self._d.screen().root
        self._window = root.create_window(-10, -10, 1, 1, 0, X.CopyFromParent, event_mask=X.PropertyChangeMask)
        self.served = threading.Event()
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._time = self._server_time()
        self._window.set_selection_owner(self._selection, self._time)
        self._d.sync()
        owner = self._d.get_selection_owner(self._selection)
        if getattr(owner, "id", owner) != self._window.id:
            self._d.close()
            raise DeviceTimeout(f"could not take the {selection} selection on display {display}")
        self._thread = threading.Thread(target=self._serve, name="screenpilot-selection", daemon=True)
        self._thread.start()

    def _server_time(self) -> int:
        """A server timestamp for the ownership request (a zero-length property change reports one)."""
        self._window.change_property(self._timestamp, self._Xatom.INTEGER, 32, [], self._X.PropModeAppend)
        while True:
            event = self._d.next_event()
            if event.type == self._X.PropertyNotify:
                return int(event.time)

    def _serve(self) -> None:
        """Answer requests until a requestor has READ the text (ICCCM: it deletes the property it got it
        in). Giving the selection up as soon as the answer is sent lost pastes: a GTK entry under load
        saw the owner vanish before it read the answer, and pasted nothing."""
        X = self._X
        delivered: tuple[int, int] | None = None  # (requestor window, property) of a text answer
        deadline = float("inf")
        while not self._stop.is_set() and time.monotonic() < deadline:
            try:
                if not self._d.pending_events():
                    select.select([self._d.fileno()], [], [], 0.02)
                    continue
                event = self._d.next_event()
                if event.type == X.SelectionClear:
                    self.lost.set()
                    return
                if event.type == X.SelectionRequest and self._answer(event) and delivered is None:
                    delivered = (event.requestor.id, event.property or event.target)
                    deadline = time.monotonic() + READ_TIMEOUT_S
                elif (event.type == X.PropertyNotify and delivered is not None and event.state == X.PropertyDelete
                      and (event.window.id, event.atom) == delivered):
                    break
            except Exception:  # noqa: BLE001 - the display went away: nobody will paste any more
                self.lost.set()
                return
        if delivered is not None:
            self.served.set()

    def _answer(self, request: Any) -> bool:
        """Answer one request; True when it delivered the text."""
        from Xlib.protocol import event as xevent

        X, Xatom = self._X, self._Xatom
        prop = request.property or request.target  # obsolete clients name no property
        delivered = False
        requestor = request.requestor
        if request.target == self._targets:
            requestor.change_property(prop, Xatom.ATOM, 32, [self._targets, self._timestamp, *self._text_atoms])
        elif request.target == self._timestamp:
            requestor.change_property(prop, Xatom.INTEGER, 32, [self._time])
        elif request.target in self._text_atoms:
            requestor.change_attributes(event_mask=X.PropertyChangeMask)  # to see it read (deleted)
            name = self._text_atoms[request.target]
            kind = request.target if name != "TEXT" else self._utf8
            data = self.data.decode("utf-8").encode("latin-1", "replace") if name == "STRING" else self.data
            requestor.change_property(prop, kind, 8, data)
            delivered = True
        else:
            prop = X.NONE  # a target we cannot give (rich text, images): refused, not counted
        notify = xevent.SelectionNotify(time=request.time, requestor=requestor, selection=request.selection,
                                        target=request.target, property=prop)
        requestor.send_event(notify)
        self._d.flush()
        return delivered

    def wait(self, timeout_s: float) -> bool:
        """True once a text was delivered and read; False when nobody asked within ``timeout_s`` or the
        selection was taken away."""
        self._thread.join(timeout_s + READ_TIMEOUT_S)
        return self.served.is_set()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(1.0)
        with contextlib.suppress(Exception):
            self._window.destroy()
            self._d.close()
