"""ScreenPilot: a vision-language model operates a phone or a desktop, one grounded action at a time.

The names a user needs are here: ``run`` an agent, ``read_episode``, ``replay`` it on a device,
``write_report`` (HTML), ``export`` training data, ``evaluate`` scenarios; and the error tree's root and
the four faults that say whose fault a failure is. Importing this package has no side effects: no DISPLAY
is read, no adb is started, no model loads; each name imports its room on first use.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

from .errors import InfraFault, ModelFault, OutcomeUnknown, ScreenPilotError, Stopped

if TYPE_CHECKING:  # for type checkers only: at run time each is imported on first use (below)
    from ._api import evaluate, export, replay
    from .agent import run
    from .trajectories import read_episode, write_report

try:
    __version__ = version("screenpilot")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = [
    "InfraFault",
    "ModelFault",
    "OutcomeUnknown",
    "ScreenPilotError",
    "Stopped",
    "__version__",
    "evaluate",
    "export",
    "read_episode",
    "replay",
    "run",
    "write_report",
]

_LAZY = {"run": ".agent", "read_episode": ".trajectories", "write_report": ".trajectories", "replay": "._api",
         "export": "._api", "evaluate": "._api"}


def __getattr__(name: str) -> Any:
    """Each of the user's verbs imports its room (LangGraph, the drivers...) on first use, not with the package."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'screenpilot' has no attribute {name!r}")
    return getattr(importlib.import_module(module, __name__), name)
