"""Android's command-line tools as the virtual phone has them (toybox, input, am, pm, settings...)."""

from __future__ import annotations

from . import _am, _app_process, _files, _hardware, _input, _pm, _screenrecord, _settings, _system  # noqa: F401 - each module registers its commands
from ._registry import COMMANDS

__all__ = ["COMMANDS"]
