"""Scenario test fixtures: ONE virtual phone (the session's, behind the session's real adb server) and
ONE Xvfb desktop shared by every scenario, made fresh before each scenario as ``screenpilot eval`` does."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from screenpilot.scenarios import Target


@pytest.fixture(scope="session")
def phone_target(virtual_phone: Any, adb_server: Any) -> Iterator[Target]:
    """The session phone through the real adb server and the Android driver; reset = a fresh phone,
    animations off (the suite's speed; settle detection is tested elsewhere)."""
    from screenpilot.devices import AndroidDevice

    phone = virtual_phone.phone
    serial = virtual_phone.serial
    if adb_server.devices().get(serial) != "device":
        adb_server.run("disconnect", serial)
        adb_server.connect(serial)

    def reset() -> None:
        phone.config.animation_ms = 0.0
        phone.faults.reset()
        phone.reset()

    reset()
    device = AndroidDevice(serial, host="127.0.0.1", port=adb_server.port)
    try:
        yield Target(device, "sim", reset=reset)
    finally:
        device.close()
        reset()


@pytest.fixture(scope="session")
def desktop_target(xvfb: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    """A DesktopDevice on the session Xvfb's primary monitor (1280x1024 at +0+0), private stop file and
    no hotkey grab (a session-long grab would take the kill-switch hotkey from other tests' devices)."""
    from screenpilot.devices import DesktopDevice, KillSwitch

    stop = tmp_path_factory.mktemp("scenario-desktop") / "screenpilot.stop"
    device = DesktopDevice(xvfb.display, kill_switch=KillSwitch(stop_file=stop, hotkey=None))
    try:
        yield Target(device, "desktop")
    finally:
        device.close()


@pytest.fixture
def workdir(tmp_path: Path) -> Callable[[str], Path]:
    def make(name: str) -> Path:
        path = tmp_path / "files" / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    return make
