"""The Linux X11 desktop driver (a real session or Xvfb).

Importing this package opens nothing and imports neither pyautogui, python-xlib nor mss's X11
backend: they load when a :class:`DesktopDevice` is made, so ``import screenpilot`` needs no DISPLAY.
"""

from ._driver import DesktopDevice
from ._killswitch import DEFAULT_HOTKEY, AgentStopped, KillSwitch, default_stop_file
from ._monitors import ALL_MONITORS, Monitor
from ._typing import TypingMethod

__all__ = [
    "ALL_MONITORS",
    "DEFAULT_HOTKEY",
    "AgentStopped",
    "DesktopDevice",
    "KillSwitch",
    "Monitor",
    "TypingMethod",
    "default_stop_file",
]
