"""A secret typed through every Android route reaches the field exactly, and no form of it comes back.

The driver gets the text with ``{{secret:NAME}}`` placeholders and the values beside it
(``DeviceAction.secrets``); what it reports (commands, detail, read-back) and the errors it raises must
hold neither the value nor anything derived from it: the ``%s`` spelling of its spaces, its shell
quoting, the base64 sent to ADBKeyBoard, the command lines themselves. Checked over generated secrets
of every awkward shape (spaces, quotes, ``%``, ``%s``, non-ASCII, newlines) through ``input text``,
ADBKeyBoard and a failure half-way.
"""

from __future__ import annotations

import base64
import shlex

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screenpilot.actions import Size, Tap, Type
from screenpilot.devices import AndroidDevice
from screenpilot.devices.android import Backoff
from screenpilot.devices.android._text import ime_commands, input_text_commands, join_commands, typable_by_input_text
from screenpilot.errors import InfraFault, OutcomeUnknown
from screenpilot.perception import DeviceAction

PORTRAIT = Size(1080, 2400)
NOTES = "org.screenpilot.notes"

ASCII_SHAPES = st.text(alphabet=st.sampled_from(list("abcXYZ019 '\"%s$`;|&\\-")), min_size=8, max_size=24)
ANY_SHAPES = st.text(alphabet=st.sampled_from(list("abcXYZ09 '\"%s$`\\éüß中文Ωж\n")), min_size=8, max_size=24)


def _command_parts(value: str) -> tuple[set[str], set[str]]:
    lines: set[str] = set()
    routes = [ime_commands] + ([input_text_commands] if typable_by_input_text(value) else [])
    for route in routes:
        lines.update(join_commands(route(value)))
    return lines, {part for line in lines for part in shlex.split(line, posix=True)}


_, CONSTANT_PARTS = _command_parts("placeholder")  # the words every such command has (input, am, -a...)


def derived_forms(value: str) -> set[str]:
    """Every spelling of ``value`` a driver could send or echo, long enough to be unmistakable."""
    lines, parts = _command_parts(value)
    forms = {value, value.replace(" ", "%s"), shlex.quote(value), base64.b64encode(value.encode()).decode(), *lines,
             *(parts - CONSTANT_PARTS)}
    return {f for f in forms if len(f) >= 6 and f.strip()}


def assert_no_form(value: str, *texts: str) -> None:
    for form in derived_forms(value):
        for text in texts:
            assert form not in text, f"{form!r} (a form of the secret) leaked: {text[:300]!r}"


@pytest.fixture
def notes_body(adb_device):
    device = AndroidDevice(adb_device.serial, port=adb_device.server.port, backoff=Backoff(total=1.0))
    device.shell(f"am start -n {NOTES}/.EditorActivity")
    body = next(e for e in device.ui_tree() or [] if e.resource_id.endswith("note_body_edit"))
    device.execute(DeviceAction(action=Tap(point=body.bounds.center), size=PORTRAIT))
    return device, adb_device.phone


def _type_secret(device: AndroidDevice, value: str) -> object:
    action = DeviceAction(action=Type(text="pin: {{secret:PIN}}"), size=PORTRAIT, secrets={"PIN": value})
    return device.execute(action)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=ASCII_SHAPES)
def test_input_text_route_types_the_secret_and_reports_only_its_name(notes_body, value: str) -> None:
    device, phone = notes_body
    before = phone.state().draft["body"]
    result = _type_secret(device, value)
    assert phone.state().draft["body"] == before + "pin: " + value  # the value reached the field exactly
    assert "input text" in result.detail
    assert_no_form(value, result.model_dump_json())
    assert result.text_after is not None and result.text_after.endswith("pin: {{secret:PIN}}")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=ANY_SHAPES.filter(lambda v: any(ord(c) > 127 for c in v)))
def test_adbkeyboard_route_types_the_secret_and_reports_only_its_name(notes_body, value: str) -> None:
    device, phone = notes_body
    before = phone.state().draft["body"]
    result = _type_secret(device, value)
    assert phone.state().draft["body"] == before + "pin: " + value
    assert "ADBKeyBoard" in result.detail
    assert_no_form(value, result.model_dump_json())
    assert any("ADB_INPUT_B64" in c for c in result.commands)  # the broadcast is recorded, with the name's base64


@pytest.mark.parametrize("value", ["open sesame 4417 now", "it's 100%sure", "пароль 中文 ok"])
def test_a_failure_half_way_names_no_form_of_the_secret(notes_body, adb_device, value: str) -> None:
    """The link drops while the text is being typed: the error (an unknown outcome) names the command by
    its placeholder twin, never by the value or its encodings."""
    device, phone = notes_body
    phone.faults.drop_probability = 1.0
    try:
        with pytest.raises((InfraFault, OutcomeUnknown)) as caught:
            _type_secret(device, value)
    finally:
        phone.faults.reset()
    assert_no_form(value, str(caught.value), repr(caught.value.args))
