"""The simulated apps, one module each, and the catalog a fresh phone installs."""

from __future__ import annotations

from ._base import App, Task

__all__ = ["App", "Task", "catalog"]


def catalog() -> dict[str, App]:
    """package -> app, for every app a fresh virtual phone has installed."""
    from .browser import BrowserApp
    from .clock import ClockApp
    from .contacts import ContactsApp, ContactsProvider
    from .keyboard import AdbKeyboardApp, ClipperApp, LatinImeApp
    from .launcher import Launcher
    from .notes import NotesApp
    from .settings import SettingsApp

    apps: list[App] = [Launcher(), SettingsApp(), ContactsProvider(), ContactsApp(), NotesApp(), ClockApp(), LatinImeApp(),
                       AdbKeyboardApp(), ClipperApp(), BrowserApp()]
    return {a.package: a for a in apps}
