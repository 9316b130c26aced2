"""The keys each kind of device understands, and the aliases models use for them.

Phone keys are Android key-code names without the ``KEYCODE_`` prefix, lower-cased; the driver turns
them back into key codes with :data:`ANDROID_KEYCODES`. Desktop keys follow xdotool/pyautogui names.
"""

from __future__ import annotations

import string

__all__ = [
    "ANDROID_KEYCODES",
    "DESKTOP_KEYS",
    "normalize_desktop_key",
    "normalize_phone_key",
]

ANDROID_KEYCODES: dict[str, int] = {
    "home": 3, "back": 4, "call": 5, "endcall": 6,
    **{str(d): 7 + d for d in range(10)},
    "star": 17, "pound": 18,
    "dpad_up": 19, "dpad_down": 20, "dpad_left": 21, "dpad_right": 22, "dpad_center": 23,
    "volume_up": 24, "volume_down": 25, "power": 26, "camera": 27, "clear": 28,
    **{c: 29 + i for i, c in enumerate(string.ascii_lowercase)},
    "comma": 55, "period": 56, "tab": 61, "space": 62, "explorer": 64, "envelope": 65,
    "enter": 66, "del": 67, "grave": 68, "minus": 69, "equals": 70, "left_bracket": 71,
    "right_bracket": 72, "backslash": 73, "semicolon": 74, "apostrophe": 75, "slash": 76, "at": 77,
    "menu": 82, "notification": 83, "search": 84, "media_play_pause": 85, "media_stop": 86,
    "media_next": 87, "media_previous": 88, "mute": 91, "page_up": 92, "page_down": 93,
    "escape": 111, "forward_del": 112, "ctrl_left": 113, "ctrl_right": 114, "move_home": 122,
    "move_end": 123, "insert": 124, "volume_mute": 164, "app_switch": 187, "brightness_down": 220,
    "brightness_up": 221, "sleep": 223, "wakeup": 224, "paste": 279, "copy": 278, "cut": 277,
    "all_apps": 284,
}

_PHONE_ALIASES = {
    "backspace": "del", "delete": "forward_del", "esc": "escape", "return": "enter",
    "recents": "app_switch", "recent_apps": "app_switch", "up": "dpad_up", "down": "dpad_down",
    "left": "dpad_left", "right": "dpad_right", "pageup": "page_up", "pagedown": "page_down",
}

DESKTOP_KEYS: frozenset[str] = frozenset(
    list(string.ascii_lowercase)
    + list(string.digits)
    + list("`-=[]\\;',./~!@#$%^&*()_+{}|:\"<>?")
    + [f"f{i}" for i in range(1, 25)]
    + [
        "enter", "esc", "tab", "space", "backspace", "delete", "insert", "home", "end", "pageup",
        "pagedown", "up", "down", "left", "right", "ctrl", "shift", "alt", "super", "capslock",
        "numlock", "scrolllock", "printscreen", "pause", "menu", "altgr",
        "volumeup", "volumedown", "volumemute", "playpause",
    ]
)

_DESKTOP_ALIASES = {
    "control": "ctrl", "ctl": "ctrl", "return": "enter", "escape": "esc", "del": "delete",
    "win": "super", "windows": "super", "meta": "super", "cmd": "super", "command": "super",
    "option": "alt", "pgup": "pageup", "page_up": "pageup", "pgdn": "pagedown", "page_down": "pagedown",
    "arrowup": "up", "arrowdown": "down", "arrowleft": "left", "arrowright": "right",
    "spacebar": "space", "bksp": "backspace", "ins": "insert", "prtsc": "printscreen",
    "print": "printscreen", "caps_lock": "capslock", "ctrlleft": "ctrl", "ctrlright": "ctrl",
    "shiftleft": "shift", "shiftright": "shift", "altleft": "alt", "altright": "alt",
}


def normalize_phone_key(name: str) -> str:
    """``"KEYCODE_ENTER"``, ``"Enter"`` and ``"return"`` all become ``"enter"``."""
    key = name.strip().lower()
    key = key.removeprefix("keycode_")
    return _PHONE_ALIASES.get(key, key)


def normalize_desktop_key(name: str) -> str:
    """``"Control"`` becomes ``"ctrl"``, ``"Return"`` becomes ``"enter"``; single characters stay."""
    if len(name) == 1:
        return name.lower() if name.isalpha() else name
    key = name.strip().lower()
    return _DESKTOP_ALIASES.get(key, key)
