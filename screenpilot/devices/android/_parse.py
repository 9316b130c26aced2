"""Readers for what Android's shell tools print, across the versions and OEM builds we meet (9-15).

Each reader takes the text a command printed and returns plain values, or None where the text does not
say; none of them talks to a device, so every format variant is unit-tested with real samples.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Generic, TypeVar

from ...actions import Size

__all__ = [
    "Focus",
    "WmValue",
    "parse_focus",
    "parse_getprop",
    "parse_ime_list",
    "parse_packages",
    "parse_rotation",
    "parse_wm_density",
    "parse_wm_size",
]


T = TypeVar("T")


@dataclass(frozen=True)
class WmValue(Generic[T]):
    """``wm size`` / ``wm density``: the panel's own value and the override in effect, if any."""

    physical: T
    override: T | None = None

    @property
    def effective(self) -> T:
        return self.override if self.override is not None else self.physical


_SIZE = r"(\d+)\s*x\s*(\d+)"


def parse_wm_size(text: str) -> WmValue[Size] | None:
    """``Physical size: 1080x2400`` plus an optional ``Override size: 720x1600`` line.

    Some OEM builds print only ``Override size`` after a reset glitch; the override then stands for both.
    Sizes are in the display's natural orientation (portrait for phones), whatever the rotation.
    """
    physical = re.search(rf"Physical size:\s*{_SIZE}", text)
    override = re.search(rf"Override size:\s*{_SIZE}", text)
    if not physical and not override:
        return None
    ov = Size(int(override[1]), int(override[2])) if override else None
    ph = Size(int(physical[1]), int(physical[2])) if physical else ov
    assert ph is not None
    return WmValue(ph, ov if ov != ph else None)


def parse_wm_density(text: str) -> WmValue[int] | None:
    """``Physical density: 420`` plus an optional ``Override density: 360``."""
    physical = re.search(r"Physical density:\s*(\d+)", text)
    override = re.search(r"Override density:\s*(\d+)", text)
    if not physical and not override:
        return None
    ov = int(override[1]) if override else None
    ph = int(physical[1]) if physical else ov
    assert ph is not None
    return WmValue(ph, ov if ov != ph else None)


# The logical display's rotation, most trustworthy first. mOverrideDisplayInfo / the first DisplayInfo of
# display 0 is what apps see (Android 9-15 print "rotation N" inside it); viewports print "orientation=N"
# (mDefaultViewport on 9, mViewports=[DisplayViewport{...}] on 10+); `dumpsys input` prints
# "SurfaceOrientation: N" (older) or "orientation=N" per viewport; `dumpsys window` prints "mRotation=N"
# or "mCurrentRotation=ROTATION_90".
_ROTATION_PATTERNS = (
    re.compile(r"mOverrideDisplayInfo=DisplayInfo\{[^\n]*?\brotation (\d)\b"),
    re.compile(r"DisplayInfo\{\"[^\"]*\", (?:displayId 0|uniqueId \"local:0\")[^\n]*?\brotation (\d)\b"),
    re.compile(r"DisplayViewport\{[^}\n]*?(?:type=INTERNAL|displayId=0)[^}\n]*?\borientation=(\d)\b"),
    re.compile(r"\borientation=(\d)\b"),
    re.compile(r"SurfaceOrientation:\s*(\d)\b"),
    re.compile(r"\bmRotation=(\d)\b"),
    re.compile(r"\bmCurrentRotation=(?:ROTATION_)?(\d+)\b"),
)


def parse_rotation(text: str) -> int | None:
    """Quarter turns (0-3) of the default display, from ``dumpsys display`` (or input/window)."""
    for pattern in _ROTATION_PATTERNS:
        m = pattern.search(text)
        if m:
            value = int(m[1])
            return value // 90 if value >= 90 else value % 4
    return None


@dataclass(frozen=True)
class Focus:
    """The window that has input focus, and the activity behind it."""

    package: str = ""
    activity: str = ""
    window: str = ""

    def __str__(self) -> str:
        return f"{self.package}/{self.activity}" if self.activity else (self.package or self.window)


_WINDOW = re.compile(r"mCurrentFocus=Window\{\S+ (?:u\d+ )?([^}]*?)\}")
_FOCUSED_APP = re.compile(r"mFocusedApp=.*?ActivityRecord\{\S+ (?:u\d+ )?(\S+?/\S+?)[ }]")
_RESUMED = re.compile(r"(?:mResumedActivity|topResumedActivity|ResumedActivity):? ActivityRecord\{\S+ (?:u\d+ )?(\S+?/\S+?)[ }]")


def _component(name: str) -> tuple[str, str]:
    package, _, activity = name.partition("/")
    if activity.startswith("."):
        activity = package + activity
    return package, activity


def parse_focus(text: str) -> Focus:
    """``dumpsys window`` (or ``dumpsys activity activities``): the focused window and resumed activity.

    mCurrentFocus names a window ("com.pkg/com.pkg.Main", or a system window such as "StatusBar" or
    "PopupWindow:1a2b"); mFocusedApp names the activity even while a dialog or the shade has focus.
    Both may be ``null`` (screen off, between activities); several displays print several lines, the
    first non-null one is the default display's.
    """
    window = ""
    for m in _WINDOW.finditer(text):
        window = m[1].strip()
        if window:
            break
    app = _FOCUSED_APP.search(text) or _RESUMED.search(text)
    if "/" in window:
        package, activity = _component(window)
    elif app:
        package, activity = _component(app[1])
    else:
        package, activity = "", ""
    return Focus(package, activity, window)


_PROP_LINE = re.compile(r"^\[([^\]]+)\]: \[(.*)\]$", re.MULTILINE)


def parse_getprop(text: str, names: list[str] | None = None) -> dict[str, str]:
    """Either the full ``getprop`` listing (``[key]: [value]`` lines) or, with ``names``, the output of
    ``getprop A; getprop B; ...``, one value per line in the order asked (empty lines are empty values)."""
    if names is None:
        return {m[1]: m[2] for m in _PROP_LINE.finditer(text)}
    lines = text.split("\n")
    return {name: (lines[i].strip() if i < len(lines) else "") for i, name in enumerate(names)}


def parse_packages(text: str) -> list[str]:
    """``pm list packages`` (``package:com.foo`` per line; ``-f`` adds ``path=`` before the name)."""
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("package:"):
            name = line[len("package:"):]
            if "=" in name and (name.startswith("/") or ".apk=" in name):
                name = name.rpartition("=")[2]
            out.append(name.split()[0] if name else name)
    return [p for p in out if p]


def parse_ime_list(text: str) -> list[str]:
    """``ime list -s [-a]``: one IME id (``pkg/.Service``) per line; the long form's ``mId=`` lines too."""
    ids = re.findall(r"mId=(\S+)", text)
    if ids:
        return ids
    return [line.strip() for line in text.splitlines() if "/" in line and " " not in line.strip()]
