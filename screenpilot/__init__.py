"""ScreenPilot: a vision-language model operates a phone or a desktop, one grounded action at a time.

Importing this package has no side effects: no DISPLAY is read, no adb is started, no model loads.
"""

from importlib.metadata import PackageNotFoundError, version

from .errors import ScreenPilotError

try:
    __version__ = version("screenpilot")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["ScreenPilotError", "__version__"]
