"""Agent test fixtures: the virtual phone (screenpilot_sim.testing) prepared for the Wi-Fi task."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def phone(adb_device: Any) -> Any:
    """The fixture phone, fresh, with Wi-Fi switched off (so turning it on is work to do)."""
    adb_device.phone.put_setting("global", "wifi_on", "0")
    return adb_device

