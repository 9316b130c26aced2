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


def test_desktop_checks_read_the_program_the_screen_and_files(desktop_target: Target, tmp_path: Path) -> None:
    from pydantic import TypeAdapter

    from screenpilot.actions import Click, Size
    from screenpilot.perception import DeviceAction
    from screenpilot.scenarios import Check, DesktopProbe, Ending, evaluate_check

    checks = TypeAdapter(Check)
    probe = DesktopProbe(desktop_target.device)
    try:
        probe.start_program("main", "form", {})

        def passes(check: dict[str, object]) -> bool:
            return evaluate_check(checks.validate_python(check), probe, Ending()).passed

        submit = next(n for n in probe.nodes() if n.label == "Submit")
        size: Size = desktop_target.device.info().logical_size
        desktop_target.device.execute(DeviceAction(action=Click(point=submit.element.bounds.center), size=size))
        assert passes({"foreground": {"window": "ScreenPilot form"}})
        assert passes({"program": {"key": "status", "contains": "valid email"}})  # the form refused it
        assert passes({"program": {"key": "submitted", "absent": True}})
        assert passes({"ui": {"contains": {"text_contains": "valid email"}}})
        assert passes({"ui": {"lacks": {"text_contains": "Thank you"}}})
        (tmp_path / "f.txt").write_text("abc")
        assert passes({"file": {"path": str(tmp_path / "f.txt"), "equals": "abc"}})
        assert not passes({"program": {"key": "status", "contains": "valid email", "program": "other"}})
    finally:
        probe.close()
    assert probe.programs == {}
