"""Coordinates on scaled and multi-monitor screens: the calibration scenario (nine targets at the corners,
edges and centre of a window filling the monitor) on both monitors of the two-monitor Xvfb (LEFT
1280x1024+0+0, RIGHT 1024x768+1280+128) at scale 1, 1.5 (Xft.dpi 144) and 2 (Xft.dpi 192 and
GDK_SCALE=2), through the full loop. 0 misses: the app saw every click on its target; every recorded
step's device point lies inside its target in the tree it recorded, the pixel under it in the recorded
screenshot is the target's colour, and the same points sent in logical pixels hit the same targets."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from screenpilot_sim.testing import wait_for

from screenpilot.actions import Click, Point
from screenpilot.devices import DesktopDevice, KillSwitch
from screenpilot.perception import DeviceAction
from screenpilot.scenarios import DesktopProbe, Target, builtin_scenarios, run_scenario
from screenpilot.scenarios._gtkscenes import target_color
from screenpilot.trajectories import read_episode
from tests.fixtures.desktop import set_xft_dpi

SCALES = {1.0: (None, {}), 1.5: (144, {}), 2.0: (192, {"GDK_SCALE": "2", "GDK_DPI_SCALE": "0.5"})}
SPEC = next(s for s in builtin_scenarios() if s.id == "desktop.calibration.targets")


@pytest.fixture
def scaled(xvfb: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Any]:
    """A device on ``monitor`` with the desktop at ``scale``; the resource database is put back after."""
    made: list[DesktopDevice] = []

    def open_at(monitor: str, scale: float) -> DesktopDevice:
        dpi, env = SCALES[scale]
        set_xft_dpi(xvfb.display, dpi)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        device = DesktopDevice(xvfb.display, monitor=monitor, accessibility=True,
                               kill_switch=KillSwitch(stop_file=tmp_path / "stop", hotkey=None))
        made.append(device)
        return device

    try:
        yield open_at
    finally:
        for device in made:
            device.close()
        set_xft_dpi(xvfb.display, None)


@pytest.mark.parametrize("scale", sorted(SCALES))
@pytest.mark.parametrize("monitor", ["LEFT", "RIGHT"])
def test_calibration_clicks_every_target_on_every_monitor_and_scale(scaled, monitor: str, scale: float,
                                                                    tmp_path: Path) -> None:
    device = scaled(monitor, scale)
    info = device.info()
    assert info.scale == scale and info.extra["monitor"]["name"] == monitor
    result = run_scenario(SPEC.instantiate(None, workdir=str(tmp_path)), Target(device, "desktop"), out=tmp_path)
    assert result.status == "passed", result.first_failure()  # the app: nine hits in order, no miss
    episode = read_episode(tmp_path / str(result.episode))
    clicks = [s for s in episode.steps if s.device_action is not None and s.device_action.action.action == "click"]
    assert len(clicks) == 9
    for k, step in enumerate(clicks, start=1):
        assert step.model_action is not None and step.device_action.size == info.physical_size
        point = step.device_action.action.point  # type: ignore[union-attr]
        target = step.element
        assert target is not None and target.label == f"T{k}", (k, target)
        b = target.bounds
        assert b.left <= point.x < b.right and b.top <= point.y < b.bottom
        frame = episode.folder / step.frame.path
        from PIL import Image

        with Image.open(frame) as image:
            assert image.size == tuple(info.physical_size)
            assert image.convert("RGB").getpixel((int(point.x), int(point.y))) == target_color(k)


def _after_clicks(state: dict[str, Any], clicks: int) -> dict[str, Any] | None:
    return state if len(state["hits"]) + len(state["misses"]) >= clicks else None


@pytest.mark.parametrize("scale", [1.5, 2.0])
def test_logical_points_hit_the_same_targets(scaled, scale: float, tmp_path: Path) -> None:
    device = scaled("RIGHT", scale)
    probe = DesktopProbe(device)
    try:
        probe.start_program("main", "targets", {})
        logical = device.info().logical_size
        targets = sorted((n.element for n in probe.nodes() if n.element.label.startswith("T")), key=lambda e: e.label)
        assert len(targets) == 9
        for e in targets:
            centre = e.bounds.center
            point = Point(round(centre.x / scale), round(centre.y / scale))
            device.execute(DeviceAction(action=Click(point=point), size=logical))
        # the clicks were sent; the app handles them in its own time (no settle here, as the loop would do)
        state = wait_for(lambda: _after_clicks(probe.program_state(), 9), timeout=10, what="the app to see nine clicks")
    finally:
        probe.close()
    assert state["hits"] == [f"T{k}" for k in range(1, 10)] and state["misses"] == []


@pytest.mark.parametrize("dialect", ["qwen3-vl", "ui-tars-1.5"])
def test_calibration_in_other_model_spaces(scaled, dialect: str, tmp_path: Path) -> None:
    """Qwen3-VL answers on a 0..1000 grid, UI-TARS 1.5 in pixels of its own resized image: same targets hit."""
    device = scaled("RIGHT", 1.5)
    result = run_scenario(SPEC.instantiate(None, workdir=str(tmp_path)), Target(device, "desktop"), out=tmp_path,
                          dialect=dialect)
    assert result.status == "passed", result.first_failure()
    episode = read_episode(tmp_path / str(result.episode))
    spaces = {s.model_action.space for s in episode.steps if s.model_action is not None}
    assert spaces and all(space.model != space.device for space in spaces)  # the model's numbers are not pixels
