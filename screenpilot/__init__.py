"""ScreenPilot: a vision-language model operates a phone or a desktop, one grounded action at a time.

Importing this package has no side effects: no DISPLAY is read, no adb is started, no model loads.
"""

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

from .errors import ScreenPilotError

if TYPE_CHECKING:  # for type checkers only: at run time ``run`` is imported on first use (below)
    from .agent import run

try:
    __version__ = version("screenpilot")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["ScreenPilotError", "__version__", "run"]


def __getattr__(name: str) -> object:
    """``screenpilot.run`` imports the agent (LangGraph and all) on first use, not with the package."""
    if name == "run":
        from .agent import run

        return run
    raise AttributeError(f"module 'screenpilot' has no attribute {name!r}")
