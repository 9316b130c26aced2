"""A secret typed on the desktop through each typing route arrives exactly; nothing the driver reports,
nor a refusal it raises, holds it."""

from __future__ import annotations

import pytest

from screenpilot.actions import Type
from screenpilot.devices import DesktopDevice, KillSwitch
from screenpilot.errors import ModelFault
from screenpilot.perception import DeviceAction
from tests.devices.test_desktop_typing import click_entry

SECRETS = {"clipboard": "pässwörd 東京 'q' %s", "xdotool": "a<b> [x] ~C:\\ s3cr3t", "keys": "open 'sesame' %s 4417 now"}


@pytest.mark.parametrize("method", list(SECRETS))
def test_each_route_types_the_secret_and_reports_it_by_name(xvfb, stop_file, tk_probe, method: str) -> None:
    value = SECRETS[method]
    probe = tk_probe()
    with DesktopDevice(xvfb.display, typing=method, kill_switch=KillSwitch(stop_file=stop_file, hotkey=None)) as device:
        click_entry(device, probe)
        result = device.execute(DeviceAction(action=Type(text="{{secret:PW}}"), size=device.monitor.size,
                                             secrets={"PW": value}))
    probe.wait_text("main", value)
    assert f"by {method}" in result.detail
    dumped = result.model_dump_json()
    for form in (value, value.replace(" ", "%s"), *value.split()):
        if len(form) >= 4:
            assert form not in dumped


def test_a_refusal_quotes_no_secret(xvfb, stop_file, tk_probe) -> None:
    """pyautogui cannot type these exactly: the refusal (the model's fault) names no secret value."""
    probe = tk_probe()
    value = "Größe<>東京"
    with DesktopDevice(xvfb.display, typing="keys", kill_switch=KillSwitch(stop_file=stop_file, hotkey=None)) as device:
        click_entry(device, probe)
        with pytest.raises(ModelFault) as caught:
            device.execute(DeviceAction(action=Type(text="{{secret:PW}}"), size=device.monitor.size,
                                        secrets={"PW": value}))
    assert value not in str(caught.value)
