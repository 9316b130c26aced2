"""Every desktop scenario through the full loop on a real X server (Xvfb) with the scenario program's
real Tk windows: the reference solution passes every check, the negative control fails one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from screenpilot.scenarios import Target, builtin_scenarios

from ._suite import fails_negative_control, solved_by_reference

DESKTOP = [s for s in builtin_scenarios() if s.device == "desktop"]


@pytest.mark.parametrize("spec", DESKTOP, ids=[s.id for s in DESKTOP])
def test_reference_passes_and_negative_control_fails(spec, desktop_target: Target, tmp_path: Path,
                                                     workdir: Callable[[str], Path]) -> None:
    solved_by_reference(spec, desktop_target, tmp_path, workdir=str(workdir("reference")))
    fails_negative_control(spec, desktop_target, tmp_path, workdir=str(workdir("negative")))


def test_scenario_programs_are_gone_after_each_scenario(desktop_target: Target, tmp_path: Path,
                                                        workdir: Callable[[str], Path]) -> None:
    import subprocess

    spec = next(s for s in DESKTOP if s.id == "desktop.todo.delete_confirm")
    solved_by_reference(spec, desktop_target, tmp_path, workdir=str(workdir("w")))
    listing = subprocess.run(["xdotool", "search", "--name", "^ScreenPilot todo"], capture_output=True, text=True, check=False,
                             env={"DISPLAY": desktop_target.device.display})  # type: ignore[attr-defined]
    assert listing.stdout.strip() == "", "teardown left the program's window on the desktop"
