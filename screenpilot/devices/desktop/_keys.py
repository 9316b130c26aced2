"""Desktop key names (``actions.DESKTOP_KEYS``) -> pyautogui key names and X keysyms.

pyautogui presses what it knows through XTEST; two kinds of key it gets wrong go through xdotool,
which looks keysyms up in the live keymap (and maps a spare key code when one is missing):

- ``<`` and ``>``: pyautogui presses shift + the "less" key code it finds first, the ISO key whose
  shifted symbol is ``>``, so ``<`` comes out as ``>``;
- keys it has no key code for (media keys, AltGr).
"""

from __future__ import annotations

import string
from collections.abc import Sequence

from ...actions import DESKTOP_KEYS, normalize_desktop_key
from .._errors import UnsupportedAction

__all__ = ["KEYSYMS", "PYAUTOGUI_SAFE_TEXT", "keysym", "normalize_keys", "pyautogui_name"]

KEYSYMS: dict[str, str] = {
    "enter": "Return", "esc": "Escape", "tab": "Tab", "space": "space", "backspace": "BackSpace",
    "delete": "Delete", "insert": "Insert", "home": "Home", "end": "End", "pageup": "Prior",
    "pagedown": "Next", "up": "Up", "down": "Down", "left": "Left", "right": "Right",
    "ctrl": "Control_L", "shift": "Shift_L", "alt": "Alt_L", "super": "Super_L", "altgr": "ISO_Level3_Shift",
    "capslock": "Caps_Lock", "numlock": "Num_Lock", "scrolllock": "Scroll_Lock", "printscreen": "Print",
    "pause": "Pause", "menu": "Menu", "volumeup": "XF86AudioRaiseVolume", "volumedown": "XF86AudioLowerVolume",
    "volumemute": "XF86AudioMute", "playpause": "XF86AudioPlay",
    **{f"f{i}": f"F{i}" for i in range(1, 25)},
    "`": "grave", "-": "minus", "=": "equal", "[": "bracketleft", "]": "bracketright", "\\": "backslash",
    ";": "semicolon", "'": "apostrophe", ",": "comma", ".": "period", "/": "slash", "~": "asciitilde",
    "!": "exclam", "@": "at", "#": "numbersign", "$": "dollar", "%": "percent", "^": "asciicircum",
    "&": "ampersand", "*": "asterisk", "(": "parenleft", ")": "parenright", "_": "underscore", "+": "plus",
    "{": "braceleft", "}": "braceright", "|": "bar", ":": "colon", '"': "quotedbl", "<": "less",
    ">": "greater", "?": "question",
}

_PYAUTOGUI_RENAMES = {"super": "win", "menu": "apps"}
_XDOTOOL_ONLY = {"<", ">", "altgr", "volumeup", "volumedown", "volumemute", "playpause"}

PYAUTOGUI_SAFE_TEXT = frozenset(string.ascii_letters + string.digits + string.punctuation + " ") - {"<", ">"}
"""Characters pyautogui types exactly on a US keymap; anything else is pasted or typed by xdotool."""


def normalize_keys(keys: Sequence[str]) -> list[str]:
    """Our key names for a key or combination; an unknown name is an UnsupportedAction naming it."""
    names = [normalize_desktop_key(k) for k in keys]
    unknown = [k for k, n in zip(keys, names, strict=True) if n not in DESKTOP_KEYS]
    if unknown:
        raise UnsupportedAction(
            f"unknown desktop key(s) {unknown}",
            hint="use names such as enter, esc, tab, ctrl, shift, alt, super, f5, pageup, a, 1, /",
        )
    return names


def keysym(name: str) -> str:
    """The X keysym name for one of our key names (letters and digits are their own keysyms)."""
    return KEYSYMS.get(name, name)


def pyautogui_name(name: str, mapping: dict[object, object]) -> str | None:
    """pyautogui's name for a key if pyautogui can press it exactly here, else None (use xdotool)."""
    if name in _XDOTOOL_ONLY:
        return None
    candidate = _PYAUTOGUI_RENAMES.get(name, name)
    return candidate if mapping.get(candidate) else None
