"""Typing by pasting: offer the text on the CLIPBOARD, press the paste keys, put the old text back.

The paste is exact for any text (accented capitals, CJK, ``<>``), unlike synthetic key presses. The
hard part is timing: the application fetches the clipboard asynchronously after ctrl+v, so restoring
the previous content too early would paste the OLD text. The text is offered by
:class:`~._selection.SelectionOffer` (our own selection owner) until ONE text request was answered:
that answer is the proof the paste was fetched, and only then is the previous content restored.
Ownership is confirmed with the server before the paste keys are pressed. (xclip, which served the
paste before, answers every target with its bytes: GTK text views ask for their rich-text format
first and pasted nothing.) Saving and restoring the previous text still use xclip: its daemon keeps
serving the restored text after we are gone, as the application that copied it would have.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from .._errors import DeviceTimeout
from ._selection import SelectionOffer
from ._tools import Tools

__all__ = ["Clipboard", "SavedClipboard"]

TEXT_TARGETS = ("UTF8_STRING", "text/plain;charset=utf-8", "STRING", "TEXT", "text/plain")


@dataclass(frozen=True)
class SavedClipboard:
    """What the clipboard held before we borrowed it."""

    owned: bool
    text: str | None
    targets: tuple[str, ...] = ()

    @property
    def restorable(self) -> bool:
        """Empty, or holding text we read: anything else (an image) we could not put back."""
        return not self.owned or self.text is not None


class Clipboard:
    """The X CLIPBOARD selection, through xclip."""

    def __init__(self, tools: Tools, owner_of: Callable[[str], int], selection: str = "clipboard") -> None:
        self.tools = tools
        self.selection = selection
        self._owner_of = owner_of

    def _owner(self) -> int:
        return self._owner_of(self.selection.upper())

    def _await_owner(self, previous: int, what: str) -> None:
        """Poll the server until someone other than ``previous`` owns the selection."""
        deadline = time.monotonic() + 3.0
        while self._owner() in (0, previous):
            if time.monotonic() > deadline:
                raise DeviceTimeout(f"{what} did not take the clipboard within 3 s on display {self.tools.display}")
            time.sleep(0.001)

    @property
    def available(self) -> bool:
        return self.tools.available("xclip")

    def save(self) -> SavedClipboard:
        """Read the current content; a clipboard with no owner reads as empty."""
        probe = self.tools.run(["xclip", "-selection", self.selection, "-o", "-t", "TARGETS"], timeout=2, check=False)
        if probe.returncode != 0:
            return SavedClipboard(owned=False, text=None)
        targets = tuple(t for t in probe.stdout.decode("utf-8", "replace").split() if t)
        target = next((t for t in TEXT_TARGETS if t in targets), None)
        if target is None:
            return SavedClipboard(owned=True, text=None, targets=targets)
        data = self.tools.run(["xclip", "-selection", self.selection, "-o", "-t", target], timeout=2, check=False)
        if data.returncode != 0:
            return SavedClipboard(owned=True, text=None, targets=targets)
        encoding = "latin-1" if target == "STRING" else "utf-8"
        return SavedClipboard(owned=True, text=data.stdout.decode(encoding, "replace"), targets=targets)

    def restore(self, saved: SavedClipboard) -> None:
        """Put saved text back (xclip forks a daemon that keeps serving it, as a copying app would)."""
        if saved.owned and saved.text is not None:
            previous = self._owner()
            self.tools.detach(["xclip", "-selection", self.selection, "-i"], saved.text.encode("utf-8"))
            self._await_owner(previous, "xclip restoring the previous text")

    def read(self) -> str | None:
        """The clipboard's text now, or None if it holds none."""
        return self.save().text

    def paste(self, text: str, press: Callable[[], None], *, timeout_s: float = 3.0) -> bool:
        """Offer ``text`` for one paste, call ``press`` (the paste keys), wait until it was fetched.

        Returns False if nobody asked for the clipboard's text within ``timeout_s`` (the focused window
        does not paste with those keys): then nothing was pasted.
        """
        offer = SelectionOffer(self.tools.display, text, self.selection.upper())
        try:
            press()
            return offer.wait(timeout_s)
        finally:
            offer.close()
