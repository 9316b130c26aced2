"""The Linux X11 desktop driver (a real session or Xvfb).

Importing this package opens nothing and imports neither pyautogui, python-xlib, mss's X11 backend
nor jeepney: they load when a :class:`DesktopDevice` is made (jeepney when the accessibility tree is
first read), so ``import screenpilot`` needs no DISPLAY and no D-Bus.
"""

from ._atspi_bus import AccessibilityUnavailable
from ._atspi_layout import AccessibleNode
from ._driver import DesktopDevice
from ._killswitch import DEFAULT_HOTKEY, AgentStopped, KillSwitch, default_stop_file
from ._monitors import ALL_MONITORS, Monitor
from ._typing import TypingMethod
from ._xvfb import PrivateDisplay

__all__ = [
    "ALL_MONITORS",
    "DEFAULT_HOTKEY",
    "AccessibilityUnavailable",
    "AccessibleNode",
    "AgentStopped",
    "DesktopDevice",
    "KillSwitch",
    "Monitor",
    "PrivateDisplay",
    "TypingMethod",
    "default_stop_file",
]
