"""Tool schemas and action spaces are generated from the vocabulary: what the prompt offers is what
the parser accepts, with the vocabulary's own constraints."""

from __future__ import annotations

import json

import jsonschema
import pytest

from screenpilot.actions import MAX_TEXT, LongPress, Point, Size
from screenpilot.planner import dialect_for
from tests.planner.test_parsers import ROUND_TRIP

QWEN = [(name, kind) for name in ("qwen2.5-vl", "qwen3-vl") for kind in ("phone", "desktop")]


@pytest.mark.parametrize(("name", "kind"), QWEN)
def test_every_call_the_dialect_writes_validates_against_its_schema(name: str, kind: str) -> None:
    dialect = dialect_for(name, kind)
    params = dialect.tools(dialect.space(Size(1080, 2400)))["function"]["parameters"]
    jsonschema.Draft202012Validator.check_schema(params)
    written = 0
    for action in ROUND_TRIP:
        try:
            call = json.loads(dialect.call_json(action))
        except ValueError:
            continue
        jsonschema.validate(call["arguments"], params)
        written += 1
    assert written >= 8


@pytest.mark.parametrize(("name", "kind"), QWEN)
def test_every_offered_verb_is_described_and_parses(name: str, kind: str) -> None:
    dialect = dialect_for(name, kind)
    action = dialect.tools()["function"]["parameters"]["properties"]["action"]
    for verb in action["enum"]:
        assert f"* `{verb}`:" in action["description"]
        assert dialect.verbs.find(verb) is not None


def test_constraints_come_from_the_action_models() -> None:
    props = dialect_for("qwen2.5-vl", "phone").tools()["function"]["parameters"]["properties"]
    assert props["text"]["maxLength"] == MAX_TEXT
    assert props["coordinate"]["minItems"] == props["coordinate"]["maxItems"] == 2
    assert props["status"]["enum"] == ["success", "failure"]
    default_s = LongPress.model_fields["duration_ms"].default / 1000
    assert f"How long to hold, in seconds (default {default_s})" in props["time"]["description"]
    desktop = dialect_for("qwen3-vl", "desktop").tools()["function"]["parameters"]["properties"]
    assert {"left_click", "right_click", "double_click", "triple_click", "hscroll", "answer"} <= set(
        desktop["action"]["enum"])
    assert "triple_click" not in dialect_for("qwen2.5-vl", "desktop").tools()["function"]["parameters"][
        "properties"]["action"]["enum"]


@pytest.mark.parametrize("kind", ["phone", "desktop"])
def test_uitars_action_space_lists_exactly_the_verbs_it_parses(kind: str) -> None:
    dialect = dialect_for("ui-tars-1.5", kind)
    lines = dialect.tools().splitlines()
    names = [line.split("(", 1)[0] for line in lines]
    assert names == list(dialect.verbs.names)
    for line in lines:  # each example line, with its placeholders filled, is something the parser reads
        call = line.split(" # ", 1)[0].replace("x1 y1", "10 20").replace("x2 y2", "30 40")
        call = call.replace("'down or up or right or left'", "'down'").replace("app_name=''", "app_name='Maps'")
        assert dialect.parse(f"Action: {call}", dialect.space(Size(1080, 2400))).action is not None


def test_the_tool_description_is_the_size_the_coordinates_are_in() -> None:
    dialect = dialect_for("qwen2.5-vl", "phone", max_pixels=1280 * 28 * 28)
    space = dialect.space(Size(1080, 2400))
    assert space.model == Size(672, 1484)
    assert "resolution is 672x1484" in dialect.tools(space)["function"]["description"]
    plan = dialect.parse('<tool_call>{"name": "mobile_use", "arguments": {"action": "click", '
                         '"coordinate": [336, 742]}}</tool_call>', space)
    device = space.to_device(plan.model_action)
    assert device.action.point == Point(540, 1200)  # the centre of the image is the centre of the screen
