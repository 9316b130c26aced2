"""Soft keyboards: AOSP's LatinIME (QWERTY, shift, symbols) and ADBKeyBoard (a strip that takes
text from ``am broadcast`` intents, the usual way to type non-ASCII text over adb)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from .._ui import Paint, Ui, View
from ._base import App, Task

if TYPE_CHECKING:
    from .._phone import VirtualPhone

__all__ = ["ADB_IME", "LATIN_IME", "AdbKeyboardApp", "ClipperApp", "LatinImeApp", "keyboard_height",
           "keyboard_window"]

LATIN_IME = "com.android.inputmethod.latin/.LatinIME"
ADB_IME = "com.android.adbkeyboard/.AdbIME"

_LETTERS = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]
_SYMBOLS = ["1234567890", "@#$_&-+()/", "*\"':;!?"]


class LatinImeApp(App):
    package = "com.android.inputmethod.latin"
    label = "Android Keyboard (AOSP)"
    launchable = False
    icon = "apps"
    activities: ClassVar[dict[str, str]] = {".setup.SetupActivity": "setup"}


class AdbKeyboardApp(App):
    package = "com.android.adbkeyboard"
    label = "ADB Keyboard"
    launchable = False
    system = False
    version_name = "2.0"
    version_code = 2
    activities: ClassVar[dict[str, str]] = {".MainActivity": "main"}


def keyboard_height(phone: VirtualPhone, scale: float) -> int:
    return round((40 if phone.current_ime == ADB_IME else 236) * scale)


def keyboard_window(ui: Ui, phone: VirtualPhone, height: int) -> View:
    ime = phone.current_ime
    pkg = ime.split("/")[0]
    t = ui.theme
    top = ui.bottom - height
    root = View(cls="android.widget.FrameLayout", box=(0, top, ui.width, ui.bottom), package=pkg,
                rid=f"{pkg}:id/keyboard_view", paint=Paint(kind="box", fill=t.surface_high))
    if ime == ADB_IME:
        root.add(View(cls="android.widget.TextView", box=(0, top, ui.width, ui.bottom), text="ADB Keyboard {ON}",
                      package=pkg, paint=Paint(kind="text", color=t.on_surface_variant, size=ui.sp(14), align="center")))
        return root
    mode, shift = phone.keyboard["mode"], phone.keyboard["shift"]
    rows = _SYMBOLS if mode == "symbols" else _LETTERS
    pad = ui.dp(4)
    row_h = ui.dp(54)
    y = top + ui.dp(6)
    key_w = (ui.width - pad) // 10

    def key(box: tuple[int, int, int, int], label: str, desc: str, action: object, *, glyph: str = "",
            accent: bool = False) -> View:
        l, tt, r, b = box
        v = View(cls="android.widget.Button" if not glyph else "android.widget.ImageButton",
                 box=(l + pad // 2, tt + pad // 2, r - pad // 2, b - pad // 2), desc=desc, package=pkg,
                 clickable=True, on_tap=action,  # type: ignore[arg-type]
                 paint=Paint(kind="box", fill=t.primary_container if accent else t.background, radius=ui.dp(6)))
        if glyph:
            v.add(View(box=v.box, important=False, paint=Paint(kind="glyph", glyph=glyph, color=t.on_surface)))
        else:
            v.add(View(box=v.box, text=label, important=False,
                       paint=Paint(kind="text", color=t.on_surface, size=ui.sp(20), align="center")))
        return v

    def typer(ch: str) -> object:
        def press() -> None:
            with phone.transaction():
                phone.type_text(ch.upper() if shift and ch.isalpha() else ch)
                phone.keyboard["shift"] = False
        return press

    def toggle_shift() -> None:
        with phone.transaction():
            phone.keyboard["shift"] = not phone.keyboard["shift"]

    def toggle_mode() -> None:
        with phone.transaction():
            phone.keyboard["mode"] = "letters" if mode == "symbols" else "symbols"
            phone.keyboard["shift"] = False

    for k, row in enumerate(rows):
        x = pad // 2 + (ui.width - pad - key_w * len(row)) // 2 if k < 2 else pad // 2 + int(key_w * 1.5)
        if k == 2:
            if mode == "letters":
                root.add(key((pad // 2, y, pad // 2 + int(key_w * 1.5), y + row_h), "", "Shift", toggle_shift,
                              glyph="shift", accent=shift))
            x = pad // 2 + int(key_w * 1.5)
        for ch in row:
            label = ch.upper() if shift and ch.isalpha() else ch
            root.add(key((x, y, x + key_w, y + row_h), label, label, typer(ch)))
            x += key_w
        if k == 2:
            root.add(key((ui.width - pad // 2 - int(key_w * 1.5), y, ui.width - pad // 2, y + row_h), "", "Delete",
                         lambda: phone.key(67), glyph="backspace"))
        y += row_h
    bottom = [("?123" if mode == "letters" else "ABC", "Symbols" if mode == "letters" else "Letters", toggle_mode, 1.5),
              (",", ",", typer(","), 1.0), (" ", "Space", typer(" "), 5.0), (".", ".", typer("."), 1.0),
              ("", "Enter", lambda: phone.key(66), 1.5)]
    x = pad // 2
    for label, desc, action, width in bottom:
        w = int(key_w * width)
        root.add(key((x, y, x + w, y + row_h), label, desc, action, glyph="enter" if desc == "Enter" else "",
                     accent=desc == "Enter"))
        x += w
    return root


class ClipperApp(App):
    """Clipper (ca.zgrs.clipper): a broadcast receiver that sets and reads the clipboard over adb
    (``am broadcast -a clipper.set -e text T`` / ``-a clipper.get``). Not installed on a fresh phone:
    ``pm install-existing ca.zgrs.clipper`` installs it, as a test harness would."""

    package = "ca.zgrs.clipper"
    label = "Clipper"
    launchable = False
    system = False
    version_name = "1.2.1"
    version_code = 3
    activities: ClassVar[dict[str, str]] = {".Main": "main"}

    def build(self, ui: Ui, phone: VirtualPhone, task: Task) -> View:
        bar = ui.app_bar("Clipper")
        note = ui.text((ui.dp(16), bar.box[3] + ui.dp(16), ui.width - ui.dp(16), bar.box[3] + ui.dp(72)),
                       "Clipboard service is running", size=16, rid="status")
        return self.window(ui, bar, note)
