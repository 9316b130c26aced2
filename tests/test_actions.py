"""The action vocabulary: what parses, what is refused, and the words a model gets back."""

from __future__ import annotations

import math

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from screenpilot.actions import (
    DESKTOP_ACTIONS,
    PHONE_ACTIONS,
    ActionError,
    BaseAction,
    Click,
    Point,
    Scroll,
    Tap,
    action_schema,
    parse_action,
    tool_schema,
)

EXAMPLES: list[dict] = [
    {"action": "tap", "point": [540, 1200]},
    {"action": "long_press", "point": [10, 20], "duration_ms": 1500},
    {"action": "swipe", "start": [540, 1800], "end": [540, 600], "duration_ms": 400},
    {"action": "type", "text": "héllo wörld 你好 $(x) `y`"},
    {"action": "key", "key": "enter"},
    {"action": "system_button", "button": "Back"},
    {"action": "open_app", "app": "Settings"},
    {"action": "wait", "seconds": 2},
    {"action": "terminate", "status": "success"},
    {"action": "answer", "text": "42"},
    {"action": "click", "point": [100, 200], "button": "right", "count": 2},
    {"action": "move", "point": [1, 1]},
    {"action": "drag", "start": [0, 0], "end": [50, 60], "duration_ms": 200},
    {"action": "scroll", "point": [500, 500], "dy": -3},
    {"action": "hotkey", "keys": ["ctrl", "shift", "t"]},
]


@pytest.mark.parametrize("value", EXAMPLES, ids=lambda v: v["action"])
def test_every_action_parses_and_round_trips_through_json(value: dict) -> None:
    action = parse_action(value)
    assert action.action == value["action"]
    again = parse_action(action.model_dump(mode="json"))
    assert again == action


def test_vocabularies_cover_what_the_issue_names() -> None:
    assert set(PHONE_ACTIONS) == {"tap", "long_press", "swipe", "type", "key", "system_button", "open_app",
                                  "wait", "terminate", "answer"}
    assert set(DESKTOP_ACTIONS) == {"click", "move", "drag", "scroll", "type", "hotkey", "key", "wait",
                                    "terminate", "answer"}


def test_actions_are_immutable_and_points_typed() -> None:
    tap = parse_action({"action": "tap", "point": [3, 4]})
    assert isinstance(tap, Tap) and isinstance(tap.point, Point) and tap.point.x == 3.0
    with pytest.raises(Exception):
        tap.point = Point(1, 1)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("value", "kind", "words"),
    [
        ({"action": "tap"}, None, ["tap", "'point'", "required"]),
        ({"action": "tap", "point": [1, 2], "force": 3}, None, ["tap", "unknown field", "'force'"]),
        ({"action": "tap", "point": ["a", 2]}, None, ["tap.point", "[x, y]"]),
        ({"action": "tap", "point": [1, 2, 3]}, None, ["tap.point", "[x, y]"]),
        ({"action": "tap", "point": [True, 2]}, None, ["tap.point"]),
        ({"action": "long_press", "point": [1, 2], "duration_ms": 99_999}, None, ["long_press.duration_ms", "<= 10000"]),
        ({"action": "swipe", "start": [1, 2], "end": [3, 4], "duration_ms": 10}, None, ["swipe.duration_ms", ">= 50"]),
        ({"action": "type", "text": ""}, None, ["type.text", "empty"]),
        ({"action": "type", "text": "x" * 5000}, None, ["type.text", "too long"]),
        ({"action": "click", "point": [1, 2], "count": 4}, None, ["click.count", "<= 3"]),
        ({"action": "click", "point": [1, 2], "button": "side"}, None, ["click.button", "left", "right", "middle"]),
        ({"action": "scroll", "dx": 0, "dy": 0}, None, ["scroll", "both 0"]),
        ({"action": "scroll", "dy": 500}, None, ["scroll.dy", "<= 50"]),
        ({"action": "key", "key": "ctrl+c"}, None, ["key.key", "hotkey"]),
        ({"action": "terminate", "status": "done"}, None, ["terminate.status", "success", "failure"]),
        ({"action": "fly", "to": "moon"}, None, ["unknown action", "'fly'", "tap"]),
        ({"point": [1, 2]}, None, ["missing", '"action"']),
        ({"action": "click", "point": [1, 2]}, "phone", ["not a phone action", "tap"]),
        ({"action": "swipe", "start": [1, 2], "end": [3, 4]}, "desktop", ["not a desktop action", "drag"]),
        ([1, 2], None, ["JSON object"]),
        ("tap(1,2)", None, ["JSON object"]),
        (None, None, ["JSON object"]),
    ],
)
def test_refusals_name_the_field_and_the_rule(value: object, kind: str | None, words: list[str]) -> None:
    with pytest.raises(ActionError) as info:
        parse_action(value, kind)  # type: ignore[arg-type]
    message = str(info.value)
    for word in words:
        assert word in message, (word, message)


def test_non_finite_numbers_are_refused() -> None:
    for bad in (math.nan, math.inf, -math.inf):
        with pytest.raises(ActionError, match="tap.point"):
            parse_action({"action": "tap", "point": [bad, 1]})
        with pytest.raises(ActionError, match="wait.seconds"):
            parse_action({"action": "wait", "seconds": bad})


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
names = st.sampled_from([*PHONE_ACTIONS, *DESKTOP_ACTIONS, "tapp", "", "CLICK"])
fields = st.sampled_from(["point", "start", "end", "duration_ms", "text", "key", "keys", "button", "count",
                          "dx", "dy", "seconds", "status", "app", "extra"])
near_actions = st.builds(
    lambda name, extra: {"action": name, **extra},
    names,
    st.dictionaries(fields, json_values | st.lists(st.integers(-5000, 5000), max_size=3), max_size=4),
)


@given(st.one_of(json_values, near_actions), st.sampled_from([None, "phone", "desktop"]))
def test_any_json_value_validates_or_raises_action_error_only(value: object, kind: str | None) -> None:
    try:
        action = parse_action(value, kind)  # type: ignore[arg-type]
    except ActionError as exc:
        assert exc.problems and all(isinstance(p, str) and p for p in exc.problems)
    else:
        assert isinstance(action, BaseAction)
        assert parse_action(action.model_dump(mode="json"), kind) == action  # type: ignore[arg-type]


# ---- schemas ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", EXAMPLES, ids=lambda v: v["action"])
def test_union_schema_accepts_every_valid_action(value: dict) -> None:
    action = parse_action(value)
    jsonschema.validate(action.model_dump(mode="json"), action_schema())


def test_union_schema_rejects_what_the_parser_rejects() -> None:
    schema = action_schema()
    for bad in ({"action": "tap"}, {"action": "fly"}, {"action": "tap", "point": [1, 2], "x": 1}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)


@pytest.mark.parametrize("kind", ["phone", "desktop"])
def test_tool_schema_is_generated_from_the_vocabulary(kind: str) -> None:
    tool = tool_schema(kind)  # type: ignore[arg-type]
    params = tool["function"]["parameters"]
    jsonschema.Draft202012Validator.check_schema(params)
    names = PHONE_ACTIONS if kind == "phone" else DESKTOP_ACTIONS
    assert params["properties"]["action"]["enum"] == list(names)
    assert params["required"] == ["action"]
    from screenpilot.actions import action_class

    for name in names:
        assert f"`{name}`" in params["properties"]["action"]["description"]
        for field in action_class(name).model_fields:
            if field != "action":
                assert field in params["properties"], (name, field)
                assert name in params["properties"][field]["description"]
    point = params["properties"]["point"]
    assert point["type"] == "array" and point["minItems"] == point["maxItems"] == 2
    for value in EXAMPLES:
        if value["action"] in names:
            jsonschema.validate(parse_action(value).model_dump(mode="json", exclude_none=True), params)


def test_scroll_direction_and_click_defaults() -> None:
    assert Scroll(dy=3).dx == 0
    click = Click(point=Point(1, 2))
    assert (click.button, click.count) == ("left", 1)
