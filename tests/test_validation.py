"""Validation against a screen and a policy: bounds, keys, apps, and what needs a person's yes."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from screenpilot.actions import (
    Bounds,
    Element,
    Hotkey,
    Key,
    OpenApp,
    Point,
    Policy,
    Screen,
    Size,
    Swipe,
    Tap,
    Type,
    validate,
)

PHONE = Screen(kind="phone", size=Size(1080, 2400))


@given(st.floats(-5000, 5000, allow_nan=False), st.floats(-5000, 5000, allow_nan=False))
def test_a_point_is_valid_exactly_when_it_is_on_the_screen(x: float, y: float) -> None:
    verdict = validate(Tap(point=Point(x, y)), PHONE)
    inside = 0 <= x < 1080 and 0 <= y < 2400
    assert verdict.ok is inside
    if not inside:
        assert "tap.point" in verdict.errors[0] and "1080x2400" in verdict.errors[0]


def test_every_point_of_a_swipe_is_checked() -> None:
    verdict = validate(Swipe(start=Point(10, 10), end=Point(10, 2400)), PHONE)
    assert not verdict.ok and "swipe.end" in verdict.errors[0]


def test_actions_of_the_other_device_kind_are_refused() -> None:
    desktop = Screen(kind="desktop", size=Size(1920, 1080))
    assert "not a desktop action" in validate(Tap(point=Point(1, 1)), desktop).errors[0]


def test_keys_come_from_the_device_kinds_set() -> None:
    assert validate(Key(key="KEYCODE_ENTER"), PHONE).ok
    assert validate(Key(key="volume_up"), PHONE).ok
    assert "not an Android key" in validate(Key(key="f13x"), PHONE).errors[0]
    desktop = Screen(kind="desktop", size=Size(1920, 1080))
    assert validate(Hotkey(keys=["Control", "shift", "T"]), desktop).ok
    assert "unknown key" in validate(Hotkey(keys=["ctrl", "hyper"]), desktop).errors[0]


def test_policy_allows_and_forbids_actions_and_apps() -> None:
    screen = PHONE.model_copy(update={"apps": {"Play Store": "com.android.vending", "Settings": "com.android.settings"}})
    policy = Policy(forbidden_apps=frozenset({"com.android.vending"}), forbidden_actions=frozenset({"long_press"}))
    assert "forbidden" in validate(OpenApp(app="Play Store"), screen, policy).errors[0]
    assert validate(OpenApp(app="Settings"), screen, policy).ok
    only = Policy(allowed_apps=frozenset({"Settings"}))
    assert validate(OpenApp(app="com.android.settings"), screen, only).ok
    assert "not allowed" in validate(OpenApp(app="Chrome"), screen, only).errors[0]
    tap_only = Policy(allowed_actions=frozenset({"tap"}))
    assert "not allowed" in validate(Type(text="x"), screen, tap_only).errors[0]


def _button(text: str, bounds: Bounds = Bounds(100, 100, 500, 300), **kw: object) -> Element:
    return Element(bounds=bounds, text=text, clickable=True, **kw)


def test_tapping_a_sensitive_label_needs_confirmation() -> None:
    screen = PHONE.model_copy(update={"elements": (_button("Pay now"),)})
    verdict = validate(Tap(point=Point(200, 200)), screen)
    assert verdict.ok and verdict.confirm and "Pay now" in verdict.confirm[0]
    assert verdict.element is not None and verdict.element.text == "Pay now"
    assert not validate(Tap(point=Point(700, 700)), screen).confirm


def test_sensitive_words_match_whole_words_only_and_are_configurable() -> None:
    screen = PHONE.model_copy(update={"elements": (_button("Payment settings"),)})
    assert not validate(Tap(point=Point(200, 200)), screen).confirm
    custom = Policy(sensitive_labels=("payment",))
    assert validate(Tap(point=Point(200, 200)), screen, custom).confirm


def test_label_in_a_child_of_the_tapped_button_counts() -> None:
    parent = Element(bounds=Bounds(0, 0, 600, 400), clickable=True, resource_id="btn")
    child = Element(bounds=Bounds(10, 10, 300, 100), text="Delete", depth=1)
    verdict = validate(Tap(point=Point(50, 50)), PHONE.model_copy(update={"elements": (parent, child)}))
    assert verdict.confirm and "delete" in verdict.confirm[0].lower()


def test_typing_into_a_password_field_needs_confirmation() -> None:
    field = Element(bounds=Bounds(0, 0, 100, 100), text="", resource_id="app:id/password", focused=True, password=True)
    screen = PHONE.model_copy(update={"elements": (field,)})
    assert validate(Type(text="hunter2"), screen).confirm
    assert not validate(Type(text="hunter2"), screen, Policy(confirm_password_typing=False)).confirm


def test_policy_text_limit() -> None:
    assert "limit is 10" in validate(Type(text="x" * 11), PHONE, Policy(max_text_length=10)).errors[0]
