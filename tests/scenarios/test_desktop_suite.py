"""Every desktop scenario through the full loop on a real X server (Xvfb) with a D-Bus session and the
accessibility bus: GTK scene windows and real Debian apps (galculator, l3afpad, yad), grounded and
checked through the AT-SPI tree and files. The reference solution passes every check, the negative
control fails one."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from screenpilot.scenarios import Target, builtin_scenarios
from screenpilot.trajectories import read_episode

from ._suite import fails_negative_control, solved_by_reference

DESKTOP = [s for s in builtin_scenarios() if s.device == "desktop"]


def test_the_desktop_suite_is_twenty_scenarios_or_more_on_gtk_and_real_apps() -> None:
    assert len(DESKTOP) >= 20
    setups = [step for spec in DESKTOP for step in spec.raw.get("setup", [])]
    real = {step["app"]["command"][0] for step in setups if isinstance(step, dict) and "app" in step}
    assert {"galculator", "l3afpad", "yad"} <= real
    tags = {t for spec in DESKTOP for t in spec.tags}
    assert {"multi-window", "multi-app", "real-app", "infeasible", "calibration"} <= tags


@pytest.mark.parametrize("spec", DESKTOP, ids=[s.id for s in DESKTOP])
def test_reference_passes_and_negative_control_fails(spec, desktop_target: Target, tmp_path: Path,
                                                     workdir: Callable[[str], Path]) -> None:
    solved_by_reference(spec, desktop_target, tmp_path, workdir=str(workdir("reference")))
    fails_negative_control(spec, desktop_target, tmp_path, workdir=str(workdir("negative")))


def test_every_step_records_the_accessibility_tree_and_the_element_it_hit(desktop_target: Target, tmp_path: Path,
                                                                          workdir: Callable[[str], Path]) -> None:
    spec = next(s for s in DESKTOP if s.id == "desktop.checkout.pay")
    result = solved_by_reference(spec, desktop_target, tmp_path, workdir=str(workdir("w")))
    episode = read_episode(tmp_path / str(result.episode))
    for step in episode.steps:
        assert step.ui_tree, f"step {step.index} recorded no UI tree"
        tree = (episode.folder / step.ui_tree).read_text(encoding="utf-8")
        assert '"class_name":"push button"' in tree and '"states":[' in tree
    pay = next(s for s in episode.steps if s.element is not None and s.element.label == "Pay now")
    assert pay.element.class_name == "push button" and "focusable" in pay.element.states
    assert pay.confirmation is not None and pay.confirmation.approved  # a sensitive button asked first
    assert any("Pay now" in reason for reason in pay.confirmation.reasons)


def test_programs_and_apps_are_gone_after_each_scenario(desktop_target: Target, tmp_path: Path,
                                                        workdir: Callable[[str], Path]) -> None:
    env = {"DISPLAY": desktop_target.device.display}  # type: ignore[attr-defined]
    for sid, title in (("desktop.todo.delete_confirm", "^ScreenPilot todo"), ("desktop.galculator.multiply", "^galculator$")):
        spec = next(s for s in DESKTOP if s.id == sid)
        solved_by_reference(spec, desktop_target, tmp_path, workdir=str(workdir(sid)))
        listing = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", title], capture_output=True, text=True,
                                 check=False, env=env)
        assert listing.stdout.strip() == "", f"teardown left {title} on the desktop"


def test_desktop_checks_read_the_tree_files_the_program_and_the_focus(desktop_target: Target, tmp_path: Path) -> None:
    from pydantic import TypeAdapter

    from screenpilot.actions import Click, Size
    from screenpilot.perception import DeviceAction
    from screenpilot.scenarios import Check, DesktopProbe, Ending, evaluate_check

    checks = TypeAdapter(Check)
    probe = DesktopProbe(desktop_target.device)
    try:
        probe.start_program("main", "form", {"path": str(tmp_path / "signup.json")})

        def passes(check: dict[str, object]) -> bool:
            return evaluate_check(checks.validate_python(check), probe, Ending()).passed

        submit = next(n for n in probe.nodes() if n.label == "Submit")
        size: Size = desktop_target.device.info().physical_size
        desktop_target.device.execute(DeviceAction(action=Click(point=submit.element.bounds.center), size=size))
        desktop_target.device.settle()
        assert passes({"foreground": {"window": "ScreenPilot form"}})
        assert passes({"ui": {"contains": {"text_contains": "valid email", "class": "label"}}})  # the form refused
        assert passes({"ui": {"lacks": {"text_contains": "Thank you"}}})
        assert passes({"ui": {"contains": {"label": "Subscribe to the newsletter", "checked": False}}})
        assert not passes({"ui": {"contains": {"label": "Subscribe to the newsletter", "checked": True}}})
        assert passes({"program": {"key": "submitted", "absent": True}})
        assert passes({"file": {"path": str(tmp_path / "signup.json"), "absent": True}})
        assert not passes({"program": {"key": "status", "program": "other"}})
    finally:
        probe.close()
    assert probe.programs == {} and probe.apps == {}


def test_without_the_accessibility_bus_a_desktop_scenario_is_an_error_that_says_why(xvfb, tmp_path: Path,
                                                                                    monkeypatch) -> None:
    from screenpilot.devices import DesktopDevice, KillSwitch
    from screenpilot.scenarios import run_scenario

    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS")
    device = DesktopDevice(xvfb.display, kill_switch=KillSwitch(stop_file=tmp_path / "stop", hotkey=None),
                           accessibility=False)
    try:
        spec = next(s for s in DESKTOP if s.id == "desktop.calc.add")
        result = run_scenario(spec.instantiate(0, workdir=str(tmp_path)), Target(device, "desktop"), out=tmp_path)
    finally:
        device.close()
    assert result.status == "error" and "accessibility tree" in (result.error or "")
    assert os.environ.get("DBUS_SESSION_BUS_ADDRESS") is None
