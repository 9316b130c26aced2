"""No import-time side effects, and a clear DisplayUnavailable naming DISPLAY when there is no display,
a display nobody serves, or a display that dies while the driver uses it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from screenpilot.devices import CaptureFailed, DesktopDevice, DisplayUnavailable, KillSwitch

HEAVY = ("pyautogui", "Xlib", "mss.linux", "pymsgbox", "pyscreeze")


def run_without_display(code: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DISPLAY", "WAYLAND_DISPLAY", "XAUTHORITY"}}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120, check=False)


def test_importing_the_driver_needs_no_display_and_loads_no_x_library() -> None:
    result = run_without_display(
        "import sys, screenpilot, screenpilot.devices, screenpilot.devices.desktop\n"
        "from screenpilot.devices import DesktopDevice, KillSwitch, Monitor\n"
        f"print(','.join(n for n in {HEAVY!r} if n in sys.modules))\n"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_no_display_is_a_clear_error_naming_display() -> None:
    result = run_without_display(
        "from screenpilot.devices import DesktopDevice, DisplayUnavailable\n"
        "try:\n"
        "    DesktopDevice()\n"
        "except DisplayUnavailable as e:\n"
        "    print(e)\n"
    )
    assert result.returncode == 0, result.stderr
    assert "DISPLAY is not set" in result.stdout
    assert "Xvfb" in result.stdout  # the hint says how to get one


def test_a_display_nobody_serves_is_a_clear_error_naming_display(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("DISPLAY", ":4999")
    with pytest.raises(DisplayUnavailable, match=r"X display ':4999' \(DISPLAY=':4999'\) cannot be reached"):
        DesktopDevice(kill_switch=KillSwitch(stop_file=tmp_path / "stop"))


def test_a_display_that_dies_is_display_unavailable_not_a_crash(scratch_xvfb, tmp_path) -> None:
    proc, display = scratch_xvfb((640, 480))
    device = DesktopDevice(display, kill_switch=KillSwitch(stop_file=tmp_path / "stop"))
    try:
        assert device.screenshot().size == (640, 480)
        assert device.kill_switch.describe()["hotkey_active"]
        proc.terminate()
        proc.wait(timeout=10)
        with pytest.raises(DisplayUnavailable, match=rf"X display '{display}'.*cannot be reached") as caught:
            device.screenshot()
        assert not isinstance(caught.value, CaptureFailed)
        assert "DISPLAY" in str(caught.value)
        with pytest.raises(DisplayUnavailable):
            device.info()
    finally:
        device.close()  # closing after the server died is quiet


CHILD = """
import sys
from screenpilot.actions import Click, Key, Point
from screenpilot.devices import DesktopDevice, DisplayUnavailable, KillSwitch
from screenpilot.perception import DeviceAction
device = DesktopDevice(sys.argv[1], kill_switch=KillSwitch(stop_file=sys.argv[2], hotkey=None))
click = DeviceAction(action=Click(point=Point(10, 10)), size=device.monitor.size)
device.execute(click)
print("ready", flush=True)
sys.stdin.readline()
for action in (click, DeviceAction(action=Key(key="<"), size=device.monitor.size)):
    try:
        device.execute(action)
        print("no error")
    except DisplayUnavailable as exc:
        print("DisplayUnavailable:", exc)
"""


def test_input_on_a_display_that_died_is_display_unavailable(scratch_xvfb, tmp_path) -> None:
    """pyautogui drives one display per process, so this runs in a child: it clicks, the server
    dies, and both a pyautogui action and an xdotool one then fail with DisplayUnavailable."""
    proc, display = scratch_xvfb((640, 480))
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, display, str(tmp_path / "stop")], stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "DISPLAY": display},
    )
    try:
        assert child.stdout.readline().strip() == "ready", child.stderr.read()
        proc.terminate()
        proc.wait(timeout=10)
        out, err = child.communicate("go\n", timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
    lines = out.strip().splitlines()
    assert len(lines) == 2, (out, err)
    assert all(line.startswith(f"DisplayUnavailable: the X display '{display}'") for line in lines), (out, err)
