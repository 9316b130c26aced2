"""screenpilot.perception.parse_uiautomator: uiautomator XML -> Elements (and its refusals)."""

from __future__ import annotations

import re

import pytest

from screenpilot.actions import Bounds
from screenpilot.perception import parse_uiautomator

DUMP = (
    "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation=\"0\">"
    '<node index="0" text="" resource-id="" class="android.widget.FrameLayout" package="com.android.settings" '
    'content-desc="" checkable="false" checked="false" clickable="false" enabled="true" focusable="false" '
    'focused="false" scrollable="false" long-clickable="false" password="false" selected="false" '
    'bounds="[0,0][1080,2400]">'
    '<node index="0" text="Wi&#8209;Fi &amp; more" resource-id="com.android.settings:id/title" '
    'class="android.widget.TextView" package="com.android.settings" content-desc="Wireless" checkable="true" '
    'checked="true" clickable="true" enabled="false" focusable="true" focused="true" scrollable="true" '
    'long-clickable="false" password="true" selected="true" bounds="[10,20][300,400]" />'
    '<node index="1" text="line1&#10;line2" resource-id="" class="android.widget.EditText" package="p" '
    'content-desc="" checkable="false" checked="false" clickable="true" enabled="true" focusable="true" '
    'focused="false" scrollable="false" long-clickable="true" password="false" selected="false" '
    'bounds="[-5,0][1085,96]" />'
    "</node></hierarchy>"
)


def test_every_attribute_maps_to_the_element_fields() -> None:
    root, title, edit = parse_uiautomator(DUMP)
    assert root.bounds == Bounds(0, 0, 1080, 2400) and root.depth == 0 and root.checked is None
    assert title.text == "Wi\u2011Fi & more"
    assert title.description == "Wireless"
    assert title.resource_id == "com.android.settings:id/title"
    assert title.class_name == "android.widget.TextView" and title.package == "com.android.settings"
    assert (title.clickable, title.focusable, title.focused, title.enabled) == (True, True, True, False)
    assert (title.checkable, title.checked, title.scrollable, title.selected, title.password) == (
        True, True, True, True, True)
    assert (title.index, title.depth) == (0, 1)
    assert title.bounds == Bounds(10, 20, 300, 400)
    assert edit.text == "line1\nline2" and edit.index == 1 and edit.bounds.left == -5


def test_bytes_and_the_dump_command_s_trailing_status_line_are_accepted() -> None:
    noisy = "UI hierchary dumped to: /sdcard/window_dump.xml\n" + DUMP + "UI hierchary dumped to: /dev/tty\n"
    assert parse_uiautomator(noisy.encode()) == parse_uiautomator(DUMP)


@pytest.mark.parametrize(("xml", "message"), [
    ("", "no XML found"),
    ("<hierarchy><node bounds='[0,0][1,1]'></hierarchy>", "malformed uiautomator XML"),
    ("<root/>", "must have <hierarchy>"),
    ("<hierarchy><node bounds='0,0,1,1'/></hierarchy>", "expected \"[left,top][right,bottom]\""),
    ("<hierarchy><node index='x' bounds='[0,0][1,1]'/></hierarchy>", "expected an integer"),
    ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><hierarchy/>', "refusing"),
    (b"\xff\xfe<hierarchy/>", "UTF-8"),
])
def test_malformed_dumps_raise_value_error_saying_what_is_wrong(xml: str | bytes, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_uiautomator(xml)


def test_the_virtual_phone_s_dump_parses_and_matches_its_views() -> None:
    from screenpilot_sim import PhoneConfig, VirtualPhone

    phone = VirtualPhone(PhoneConfig())
    phone.launch("com.android.settings")
    elements = parse_uiautomator(phone.ui_xml())
    labels = [e.text for e in elements]
    assert "Network & internet" in labels and "Settings" in labels
    assert all(e.package == "com.android.settings" for e in elements)
    assert all(0 <= e.bounds.top and e.bounds.bottom <= 2400 for e in elements)
