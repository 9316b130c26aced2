"""What a run changes on a phone, written down ON the phone first, so it can always be put back.

Typing non-ASCII switches the keyboard to ADBKeyBoard; a run keeps the screen on. Each change is noted
in a small file on the phone (``/data/local/tmp/screenpilot-restore``) BEFORE it is made and removed
once it is undone, so a run killed in between leaves the note behind, and the next driver that opens the
phone (a resumed run), the driver's ``close()``, or ``screenpilot doctor --restore`` undoes it.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["RESTORE_FILE", "Restorer"]

RESTORE_FILE = "/data/local/tmp/screenpilot-restore"

Shell = Callable[[str], str]
"""Runs a command on the phone and returns its output (raising the driver's errors)."""


@dataclass
class Restorer:
    """Notes and undoes a run's changes to the phone: ``KEY=VALUE`` lines, one per change."""

    shell: Shell

    def notes(self) -> dict[str, str]:
        text = self.shell(f"cat {RESTORE_FILE} 2>/dev/null")
        return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)

    def note(self, key: str, value: str) -> None:
        """Write down a change about to be made (kept if one is already there: that is the original)."""
        notes = self.notes()
        if key in notes:
            return
        notes[key] = value
        self._write(notes)

    def done(self, *keys: str) -> None:
        """The changes under ``keys`` were undone."""
        notes = self.notes()
        left = {k: v for k, v in notes.items() if k not in keys}
        if left == notes:
            return
        if left:
            self._write(left)
        else:
            self.shell(f"rm -f {RESTORE_FILE}")

    def _write(self, notes: dict[str, str]) -> None:
        body = "".join(f"{k}={v}\n" for k, v in notes.items())
        self.shell(f"printf %s {shlex.quote(body)} > {RESTORE_FILE}")
