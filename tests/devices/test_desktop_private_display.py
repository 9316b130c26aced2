"""``PrivateDisplay``: the Xvfb and session bus a ``desktop:N`` worker runs on (the test fixture starts its
display the same way), both stopped by PID."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from screenpilot.devices.desktop import PrivateDisplay
from tests.fixtures.processes import alive

pytestmark = pytest.mark.skipif(shutil.which("Xvfb") is None, reason="needs Xvfb (.ci/run installs it)")


def test_a_private_display_serves_x_and_a_bus_then_stops_both() -> None:
    display = PrivateDisplay("800x600x24")
    try:
        assert display.display.startswith(":")
        env = {**os.environ, "DISPLAY": display.display}
        size = subprocess.run(["xdpyinfo"], env=env, capture_output=True, text=True, check=True).stdout
        assert "800x600 pixels" in size  # an X server of the asked size answers on that display
        assert display.bus is not None and display.bus_address and display.bus_address.startswith("unix:path=")
        pids = [display.process.pid, display.bus.pid]
        assert all(alive(pid) for pid in pids)
    finally:
        display.close()
    assert not any(alive(pid) for pid in pids)
    assert not os.path.exists(f"/tmp/.X11-unix/X{display.display[1:]}")  # the server removed its socket


def test_two_private_displays_get_different_numbers() -> None:
    first, second = PrivateDisplay("320x240x24"), PrivateDisplay("320x240x24")
    try:
        assert first.display != second.display
    finally:
        first.close()
        second.close()
