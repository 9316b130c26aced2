"""The desktop recorder under Xvfb, with xdotool playing the person on a real Tk window.

xdotool's input is XTEST input, which the X server hands to XRecord like a keyboard's and a mouse's: the
recorder must turn it into the clicks, double clicks, drags, scrolls, hotkeys and grouped typing a person
made, in the recorded monitor's pixels (a click on another monitor is not this monitor's).
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from screenpilot.actions import Click, Drag, Hotkey, Key, Point, Scroll, Type
from screenpilot.devices import DesktopDevice, KillSwitch
from screenpilot.record import Demonstration
from screenpilot.trajectories import read_episode

from .conftest import Recording


def xdotool(display: str, *args: str) -> None:
    subprocess.run(["xdotool", *args], check=True, env={"DISPLAY": display, "PATH": "/usr/bin:/bin"}, timeout=30)


def _start(device: Any, task: str, tmp_path: Path) -> Recording:
    rec = Recording(Demonstration(task, device, spec="desktop", out=tmp_path / "runs", typing_pause_s=0.6))
    rec.demo.on_ready, rec.demo.on_step = rec.on_ready, rec.on_step
    return rec.start()


def test_a_person_at_the_desktop_becomes_clicks_drags_scrolls_hotkeys_and_typing(
        xvfb: Any, desktop: Any, tk_probe: Any, tmp_path: Path) -> None:
    app = tk_probe()
    d = xvfb.display
    entry, pad, scroller = app.center("entry"), app.center("pad"), app.center("scroller")
    rec = _start(desktop, "Fill in the probe", tmp_path)
    try:
        rec.ready(0)
        xdotool(d, "mousemove", *map(str, entry), "click", "1")
        rec.ready(1)
        xdotool(d, "type", "--delay", "30", "Hi there")
        rec.ready(2)  # the pause ended the text
        xdotool(d, "key", "ctrl+a")
        rec.ready(3)
        xdotool(d, "key", "Return")
        rec.ready(4)
        xdotool(d, "mousemove", *map(str, pad), "click", "--repeat", "2", "--delay", "60", "1")
        rec.ready(5)
        x, y = pad
        xdotool(d, "mousemove", str(x - 60), str(y), "mousedown", "1", "mousemove", str(x), str(y + 20),
                "mousemove", str(x + 60), str(y + 40), "mouseup", "1")
        rec.ready(6)
        xdotool(d, "mousemove", *map(str, scroller), "click", "5", "click", "5", "click", "5")
        rec.ready(7)
        xdotool(d, "mousemove", *map(str, pad), "click", "3")
        rec.ready(8)
    finally:
        result = rec.stop()
    steps = read_episode(result.folder).steps
    actions = [s.device_action.action for s in steps]  # type: ignore[union-attr]
    assert actions == [
        Click(point=Point(*entry)),
        Type(text="Hi there"),
        Hotkey(keys=["ctrl", "a"]),
        Key(key="enter"),
        Click(point=Point(*pad), count=2),
        Drag(start=Point(x - 60, y), end=Point(x + 60, y + 40), duration_ms=actions[5].duration_ms),  # type: ignore[union-attr]
        Scroll(point=Point(*scroller), dy=3),
        Click(point=Point(*pad), button="right"),
    ], actions
    assert app.state()["entry"] == "Hi there"  # what the recorded keys did to the app
    assert {s.actor for s in steps} == {"person"} and all(s.frame_after is not None for s in steps)
    assert steps[0].model_action is not None and steps[0].frame.size == (1280, 1024)


def test_points_are_in_the_recorded_monitors_pixels(xvfb: Any, tmp_path: Path) -> None:
    device = DesktopDevice(xvfb.display, monitor="RIGHT", kill_switch=KillSwitch(stop_file=tmp_path / "stop"))
    try:
        rec = _start(device, "Click on the right monitor", tmp_path)
        try:
            rec.ready(0)
            xdotool(xvfb.display, "mousemove", "200", "200", "click", "1")  # the LEFT monitor: not recorded here
            xdotool(xvfb.display, "mousemove", "1380", "228", "click", "1")  # RIGHT is at +1280+128
            rec.ready(1)
        finally:
            result = rec.stop()
    finally:
        device.close()
    steps = read_episode(result.folder).steps
    assert [s.device_action.action for s in steps] == [Click(point=Point(100, 100))]  # type: ignore[union-attr]
    assert steps[0].frame.size == (1024, 768)
    assert any("outside the recorded monitor RIGHT" in n for n in steps[0].notes)


def test_keys_typed_into_the_recorders_own_terminal_are_left_out(xvfb: Any, desktop: Any, tk_probe: Any,
                                                                 tmp_path: Path) -> None:
    terminal, app = tk_probe("+40+40"), tk_probe("+700+40")  # the first stands in for the terminal running us
    rec = Recording(Demonstration("Type in the app", desktop, spec="desktop", out=tmp_path / "runs", typing_pause_s=0.6))
    rec.demo.channel.own_window = terminal.window  # type: ignore[attr-defined] - as $WINDOWID would say
    rec.demo.on_ready, rec.demo.on_step = rec.on_ready, rec.on_step
    rec.start()
    try:
        rec.ready(0)
        xdotool(xvfb.display, "windowfocus", "--sync", str(terminal.window), "type", "--delay", "20", "thd")
        xdotool(xvfb.display, "mousemove", *map(str, app.center("entry")), "click", "1")
        rec.ready(1)
        xdotool(xvfb.display, "windowfocus", "--sync", str(app.window), "type", "--delay", "20", "ok")  # no window
        rec.ready(2)  # manager here: the focus moves as one would move it
    finally:
        result = rec.stop()
    actions = [s.device_action.action for s in read_episode(result.folder).steps]  # type: ignore[union-attr]
    assert actions == [Click(point=Point(*app.center("entry"))), Type(text="ok")]
