"""The Android driver: the Device protocol over an adb server (adbutils), for phones and the virtual phone.

adbutils is imported on first use, not here, so importing this package starts nothing and stays light.
"""

from ._adb import Backoff, ShellResult
from ._device import AndroidDevice, CaptureMode
from ._errors import BlankScreen, CommandFailed, ScreenChanged

__all__ = [
    "AndroidDevice",
    "Backoff",
    "BlankScreen",
    "CaptureMode",
    "CommandFailed",
    "ScreenChanged",
    "ShellResult",
]
