"""Typing text exactly, by the cheapest method that gets every character right.

- ``keys``: pyautogui key presses. Exact only for printable ASCII without ``<``/``>`` (pyautogui drops
  non-ASCII silently and types ``<`` as ``>``).
- ``clipboard``: paste through the CLIPBOARD (see ``_clipboard``), restoring what it held. Exact for
  any text; costs an xclip run or two (saving and restoring the old text) and needs the focused window
  to paste with ``paste_keys``.
- ``xdotool``: ``xdotool type``. Exact for characters of the current keymap (``<>`` included). Others
  it types by remapping a spare key code for an instant: it lower-cases accented capitals
  (``É`` -> ``é``), and an application that reads the key after the mapping is reverted sees
  nothing. A last resort.
- ``auto`` (default): keys when they are exact, else the clipboard when it can be put back (empty
  or holding text), else xdotool. A paste nobody fetched falls back to xdotool.

In every method ``\\n`` (and ``\\r\\n``) presses Enter and ``\\t`` presses Tab, as a person would;
other control characters are refused.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from .._errors import UnsupportedAction
from ._clipboard import Clipboard, SavedClipboard
from ._input import Input
from ._keys import PYAUTOGUI_SAFE_TEXT
from ._killswitch import KillSwitch
from ._tools import Tools

__all__ = ["TypingMethod", "Typist", "split_text"]

TypingMethod = Literal["auto", "keys", "clipboard", "xdotool"]
CHUNK = 24
"""Characters typed between two looks at the kill switch."""

_CONTROL_KEYS = {"\n": "enter", "\t": "tab"}


def split_text(text: str) -> list[str]:
    """Runs of text, with each newline and tab as a run of its own."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    bad = sorted({repr(c) for c in text if c not in _CONTROL_KEYS and unicodedata.category(c) in {"Cc", "Cs"}})
    if bad:
        raise UnsupportedAction(
            f"the text holds control characters {', '.join(bad)} that cannot be typed",
            hint="send keys such as backspace or esc with the key action",
        )
    return [run for run in re.split(r"([\n\t])", text) if run]


@dataclass
class TypeReport:
    method: str
    commands: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class Typist:
    """Types text into whatever window has keyboard focus."""

    def __init__(
        self, keyboard: Input, tools: Tools, clipboard: Clipboard, kill: KillSwitch, paste_keys: Sequence[str]
    ) -> None:
        self.keyboard = keyboard
        self.tools = tools
        self.clipboard = clipboard
        self.kill = kill
        self.paste_keys = list(paste_keys)
        self.paste_timeout_s = 3.0
        """How long a paste may take to be fetched before the text is typed with xdotool instead."""

    def type(self, text: str, method: TypingMethod = "auto", *, commands: list[str] | None = None) -> TypeReport:
        """Type ``text``; what was sent is appended to ``commands`` as it goes (so a caller knows, when a
        later part fails, that an earlier part already reached the display)."""
        runs = split_text(text)
        keyable = all(run in _CONTROL_KEYS or set(run) <= PYAUTOGUI_SAFE_TEXT for run in runs)
        saved: SavedClipboard | None = None
        if method == "auto":
            if keyable:
                method = "keys"
            elif self.clipboard.available and (saved := self.clipboard.save()).restorable:
                method = "clipboard"
            else:
                method = "xdotool"
        if method == "keys" and not keyable:
            odd = sorted({c for run in runs if run not in _CONTROL_KEYS for c in run if c not in PYAUTOGUI_SAFE_TEXT})
            raise UnsupportedAction(
                f"pyautogui cannot type {''.join(odd)!r} exactly",
                hint="type with the 'clipboard' or 'auto' method",
            )
        report = TypeReport(method, commands if commands is not None else [])
        if method == "clipboard":
            self._paste(runs, saved or self.clipboard.save(), report)
        else:
            for run in runs:
                self._type_run(run, method, report)
        return report

    def _press_control(self, run: str, report: TypeReport) -> None:
        self.kill.check()
        report.commands.append(self.keyboard.keys([_CONTROL_KEYS[run]]))

    def _type_run(self, run: str, method: str, report: TypeReport) -> None:
        if run in _CONTROL_KEYS:
            self._press_control(run, report)
            return
        for start in range(0, len(run), CHUNK):
            self.kill.check()
            chunk = run[start : start + CHUNK]
            if method == "keys":
                self.keyboard.write(chunk)
            else:
                self.tools.run(["xdotool", "type", "--delay", "2", "--", chunk], timeout=5 + len(chunk) * 0.05)
        report.commands.append(f"{'pyautogui write' if method == 'keys' else 'xdotool type'} {len(run)} chars")

    def _paste(self, runs: list[str], saved: SavedClipboard, report: TypeReport) -> None:
        if not saved.restorable:
            report.notes.append(f"the clipboard held {', '.join(saved.targets) or 'non-text'} data that was not restored")
        try:
            for run in runs:
                if run in _CONTROL_KEYS:
                    self._press_control(run, report)
                    continue
                self.kill.check()
                fetched = self.clipboard.paste(
                    run, lambda: self.keyboard.keys(self.paste_keys), timeout_s=self.paste_timeout_s
                )
                report.commands.append(f"clipboard + {'+'.join(self.paste_keys)}: {len(run)} chars")
                if not fetched:
                    report.notes.append(
                        f"no window fetched the clipboard after {'+'.join(self.paste_keys)}; typed with xdotool instead"
                    )
                    self._type_run(run, "xdotool", report)
        finally:
            self.clipboard.restore(saved)
            if saved.owned and saved.text is not None:
                report.commands.append("xclip: previous clipboard text restored")
