"""The house rules: one-way imports, no import-time side effects, and pinned public names."""

from __future__ import annotations

import importlib
import os
import pkgutil
import shutil
import subprocess
import sys

import pytest

import screenpilot

ROOMS = ["actions", "perception", "devices", "planner", "agent", "trajectories", "scenarios"]


def test_rooms_import_one_way() -> None:
    exe = shutil.which("lint-imports")
    assert exe, "import-linter is part of the test extra"
    result = subprocess.run([exe], capture_output=True, text=True, cwd=os.path.dirname(os.path.dirname(__file__)))
    assert result.returncode == 0, result.stdout + result.stderr


def test_importing_everything_needs_no_display_and_loads_no_heavy_library() -> None:
    code = (
        "import importlib, pkgutil, sys, screenpilot\n"
        "for m in pkgutil.walk_packages(screenpilot.__path__, 'screenpilot.'):\n"
        "    importlib.import_module(m.name)\n"
        "heavy = [n for n in ('pyautogui', 'torch', 'transformers', 'Xlib', 'mss.linux') if n in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"DISPLAY", "WAYLAND_DISPLAY", "XAUTHORITY"}}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"imported at import time: {result.stdout}"


@pytest.mark.parametrize("room", ["screenpilot", *[f"screenpilot.{r}" for r in ROOMS]])
def test_public_names_exist(room: str) -> None:
    module = importlib.import_module(room)
    assert hasattr(module, "__all__")
    for name in module.__all__:
        assert hasattr(module, name), f"{room}.__all__ names {name!r}, which it lacks"


def test_every_module_imports() -> None:
    for info in pkgutil.walk_packages(screenpilot.__path__, "screenpilot."):
        importlib.import_module(info.name)
