"""Finding the app a model means: a package name, or the label a person sees under its icon.

Android's shell has no command that prints launcher labels (they live in each APK's resources), so a
label is resolved, in order, through: the caller's own ``apps`` map; a table of the labels of widely
installed apps (AOSP, Google, a few OEMs), checked against what is installed; and, by the device
driver, the launcher's own UI tree (the icon whose text is the label), which works for any app shown
on the home screen. Nothing matching is an error naming the closest labels and packages.
"""

from __future__ import annotations

import difflib
import re

__all__ = ["KNOWN_LABELS", "close_matches", "looks_like_package", "normalize_label", "resolve_label"]

KNOWN_LABELS: dict[str, tuple[str, ...]] = {
    "settings": ("com.android.settings",),
    "chrome": ("com.android.chrome",),
    "contacts": ("com.google.android.contacts", "com.android.contacts", "com.samsung.android.app.contacts"),
    "phone": ("com.google.android.dialer", "com.android.dialer", "com.samsung.android.dialer"),
    "messages": ("com.google.android.apps.messaging", "com.android.messaging", "com.samsung.android.messaging"),
    "camera": ("com.google.android.GoogleCamera", "com.android.camera2", "com.android.camera", "com.sec.android.app.camera"),
    "clock": ("com.google.android.deskclock", "com.android.deskclock", "com.sec.android.app.clockpackage"),
    "calendar": ("com.google.android.calendar", "com.android.calendar", "com.samsung.android.calendar"),
    "calculator": ("com.google.android.calculator", "com.android.calculator2", "com.sec.android.app.popupcalculator"),
    "gmail": ("com.google.android.gm",),
    "maps": ("com.google.android.apps.maps",),
    "photos": ("com.google.android.apps.photos",),
    "gallery": ("com.android.gallery3d", "com.sec.android.gallery3d", "com.miui.gallery"),
    "play store": ("com.android.vending",),
    "youtube": ("com.google.android.youtube",),
    "files": ("com.google.android.apps.nbu.files", "com.android.documentsui"),
    "google": ("com.google.android.googlequicksearchbox",),
    "drive": ("com.google.android.apps.docs",),
    "keep notes": ("com.google.android.keep",),
    "notes": ("com.google.android.keep", "com.samsung.android.app.notes", "com.miui.notes"),
    "recorder": ("com.google.android.apps.recorder",),
    "files by google": ("com.google.android.apps.nbu.files",),
    "my files": ("com.sec.android.app.myfiles",),
    "browser": ("com.android.browser", "com.sec.android.app.sbrowser"),
    "samsung internet": ("com.sec.android.app.sbrowser",),
    "firefox": ("org.mozilla.firefox",),
    "whatsapp": ("com.whatsapp",),
    "telegram": ("org.telegram.messenger",),
}


def normalize_label(label: str) -> str:
    """Case, spacing and punctuation do not matter when a model names an app."""
    return re.sub(r"[\s_\-]+", " ", label.strip().lower())


def looks_like_package(name: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z][\w]*(\.[A-Za-z_][\w]*)+", name.strip()))


def resolve_label(label: str, installed: set[str], apps: dict[str, str] | None = None) -> str | None:
    """The installed package a label names, through the caller's map then the known table."""
    want = normalize_label(label)
    for name, package in (apps or {}).items():
        if normalize_label(name) == want and package in installed:
            return package
    for package in KNOWN_LABELS.get(want, ()):
        if package in installed:
            return package
    return None


def close_matches(name: str, labels: list[str], packages: list[str], n: int = 5) -> list[str]:
    """The labels and packages nearest to what was asked, for the error message."""
    want = normalize_label(name)
    by_norm = {normalize_label(lab): lab for lab in labels}
    found = [by_norm[m] for m in difflib.get_close_matches(want, list(by_norm), n=n, cutoff=0.5)]
    tails = {p.rsplit(".", 1)[-1].lower(): p for p in packages}
    found += [tails[m] for m in difflib.get_close_matches(want.replace(" ", ""), list(tails), n=n, cutoff=0.6)]
    found += [p for p in packages if want.replace(" ", "") in p.lower() and p not in found]
    found += difflib.get_close_matches(name.strip(), packages, n=n, cutoff=0.7)
    out: list[str] = []
    for f in found:
        if f not in out:
            out.append(f)
    return out[:n]
