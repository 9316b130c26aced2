"""Where the on-screen keyboard and the navigation bar are: what a tap on them means differs from a tap on the app.

Android tells it through the window manager's insets (``dumpsys window``): Android 12 and later print
``InsetsSource: {3 mType=ime mFrame=[0,1491][1080,2400] mVisible=true ...}`` and
``mType=navigationBars``; Android 11 printed ``InsetsSource type=ITYPE_IME frame=[...] visible=true``.
The keyboard's frame reaches the bottom of the screen, the navigation bar included, so the keys are
the keyboard frame above the bar. When a phone prints no insets, ``dumpsys input_method``'s
``mInputShown=true`` says the keyboard is up and its keys are taken to be the lower 40 % of the screen
above a 48 dp bar (the size of common keyboards; noted on each step that relied on it).

A tap on a three-button navigation bar (taller than 32 dp) is the system button under it: Back, Home
and Overview sit in its left, middle and right thirds in AOSP's layout.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..actions import Bounds, Key, Point, Size, SystemButton

__all__ = ["KEYBOARD_GUESS", "PhoneScreen", "nav_button", "parse_insets"]

KEYBOARD_GUESS = 0.4
"""The share of the screen height taken for the keyboard's keys when the phone does not say."""

_FRAME = re.compile(r"(?:mFrame|frame)=\[(-?\d+),(-?\d+)\]\[(-?\d+),(-?\d+)\]")
_TYPE = re.compile(r"(?:mType|type)=(\w+)")
_VISIBLE = re.compile(r"(?:mVisible|visible)=(true|false)")
_KINDS = {"ime": "ime", "ITYPE_IME": "ime", "navigationBars": "nav", "ITYPE_NAVIGATION_BAR": "nav"}


def parse_insets(text: str) -> dict[str, Bounds | None]:
    """``{"ime": Bounds | None, "nav": Bounds | None}`` from ``dumpsys window``: the visible frames (None:
    listed but hidden); a kind missing from the result was not listed at all."""
    found: dict[str, Bounds | None] = {}
    for chunk in text.split("InsetsSource")[1:]:
        chunk = chunk.split("}", 1)[0]
        kind = _TYPE.search(chunk)
        frame = _FRAME.search(chunk)
        if kind is None or frame is None or _KINDS.get(kind[1]) is None:
            continue
        visible = _VISIBLE.search(chunk)
        l, t, r, b = (int(v) for v in frame.groups())
        shown = (visible is None or visible[1] == "true") and r > l and b > t
        found[_KINDS[kind[1]]] = Bounds(l, t, r, b) if shown else None
    return found


@dataclass(frozen=True)
class PhoneScreen:
    """The keyboard's keys and the navigation bar on the screen a person is about to touch."""

    size: Size
    keyboard: Bounds | None = None
    nav: Bounds | None = None
    density: int = 160
    guessed: bool = False  # the keyboard's place was guessed (the phone printed no insets)

    @classmethod
    def read(cls, size: Size, density: int | None, window_dump: str, ime_shown: bool | None) -> PhoneScreen:
        """From ``dumpsys window`` (and, when it lists no keyboard, whether ``dumpsys input_method`` says
        one is shown)."""
        insets = parse_insets(window_dump)
        dens = density or 160
        nav = insets.get("nav")
        if "ime" in insets:
            ime = insets["ime"]
            keyboard = None
            if ime is not None:
                bottom = nav.top if nav is not None and nav.top > ime.top else ime.bottom
                keyboard = Bounds(ime.left, ime.top, ime.right, bottom)
            return cls(size, keyboard, nav, dens)
        if not ime_shown:
            return cls(size, None, nav, dens)
        bar = nav.top if nav is not None else size.height - round(48 * dens / 160)
        top = round(bar - KEYBOARD_GUESS * size.height)
        return cls(size, Bounds(0, top, size.width, bar), nav, dens, guessed=True)

    def on_keyboard(self, point: Point) -> bool:
        return self.keyboard is not None and self.keyboard.contains(point)

    def on_enter_key(self, point: Point) -> bool:
        """The keyboard's bottom-right key, where Android keyboards put Enter (Done, Go, Search)."""
        k = self.keyboard
        if k is None or not k.contains(point):
            return False
        return point.x >= k.left + 0.85 * (k.right - k.left) and point.y >= k.top + 0.7 * (k.bottom - k.top)


def nav_button(screen: PhoneScreen, point: Point) -> SystemButton | Key | None:
    """The three-button navigation bar's button under ``point``, if it is there."""
    nav = screen.nav
    if nav is None or not nav.contains(point) or nav.bottom - nav.top < 32 * screen.density / 160:
        return None
    third = (point.x - nav.left) / max(1, nav.right - nav.left)
    if third < 1 / 3:
        return SystemButton(button="back")
    if third < 2 / 3:
        return SystemButton(button="home")
    return Key(key="app_switch")
