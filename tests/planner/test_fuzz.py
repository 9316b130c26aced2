"""Fuzzing every dialect's parser: whatever the string, a Plan or a ParseError, nothing else.

The strings are built from the pieces real replies are made of (tags, braces, quotes, verbs, numbers,
'Thought:'/'Action:') and from correct replies with characters inserted and deleted, so the fuzz
reaches deep into the lenient readers instead of bouncing off at "no tool call found".
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screenpilot.actions import (
    Answer,
    Click,
    Drag,
    Hotkey,
    Key,
    LongPress,
    OpenApp,
    Point,
    Scroll,
    Swipe,
    SystemButton,
    Tap,
    Terminate,
    Type,
    Wait,
)
from screenpilot.actions import Size
from screenpilot.planner import DIALECTS, ParseError, Plan, dialect_for

FRAGMENTS = [
    "<tool_call>", "</tool_call>", "<tool_call>\n", "\n</tool_call>", "{", "}", "[", "]", '"', "'", ":", ",", " ",
    "\n", '"name"', '"mobile_use"', '"computer_use"', '"arguments"', '"action"', '"click"', '"tap"', '"coordinate"',
    '"coordinate2"', '"time"', '"text"', '"keys"', '"pixels"', '"status"', '"success"', '"button"', '"Back"',
    "```json\n", "```", "null", "true", "NaN", "Infinity", "-Infinity", "1e309", "-1", "0", "935", "406.5",
    "99999999999999999999999", "//", "/*", "*/", "\\", "\\u0000", "\\ud800", "<thinking>", "</thinking>",
    "<conclusion>", "</conclusion>", "Thought:", "Action:", "Reflection:", "Action_Summary:", "click(", "type(",
    "hotkey(", "scroll(", "drag(", "finished(", "wait()", "press_back()", ")", "start_box=", "end_box=", "point=",
    "content=", "direction=", "key=", "'down'", "'(100,200)'", "'<point>1 2</point>'", "<|box_start|>",
    "<|box_end|>", "(1,2,3,4)", "\x00", "é", "你好", "🙂",
]

_points = st.builds(Point, st.integers(0, 3000), st.integers(0, 3000))
PHONE = st.one_of(
    st.builds(Tap, point=_points), st.builds(LongPress, point=_points), st.builds(Swipe, start=_points, end=_points),
    st.builds(Type, text=st.text(min_size=1, max_size=20)), st.just(Key(key="enter")),
    st.just(SystemButton(button="back")), st.just(OpenApp(app="Settings")), st.just(Wait(seconds=5)),
    st.just(Terminate(status="success")), st.just(Answer(text="42")),
)
DESKTOP = st.one_of(
    st.builds(Click, point=_points), st.builds(Drag, start=_points, end=_points),
    st.builds(Scroll, point=_points, dy=st.integers(1, 5)), st.just(Hotkey(keys=["ctrl", "c"])),
    st.builds(Type, text=st.text(min_size=1, max_size=20)), st.just(Key(key="enter")), st.just(Wait(seconds=5)),
    st.just(Terminate(status="failure")),
)


DIALECT_CASES = [dialect_for(name, kind) for name in DIALECTS for kind in ("phone", "desktop")]


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """A correct reply of some dialect with a few random edits."""
    dialect = draw(st.sampled_from(DIALECT_CASES))
    action = draw(PHONE if dialect.kind == "phone" else DESKTOP)
    try:
        text = dialect.format(action, thought=draw(st.none() | st.text(max_size=10)))
    except ValueError:  # not every action can be said in every dialect
        text = "Action: wait()"
    for _ in range(draw(st.integers(0, 4))):
        if not text:
            break
        i = draw(st.integers(0, len(text) - 1))
        if draw(st.booleans()):
            text = text[:i] + text[i + 1 :]
        else:
            text = text[:i] + draw(st.sampled_from(FRAGMENTS) | st.characters()) + text[i:]
    return text


REPLIES = st.one_of(
    st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=6), max_size=24).map("".join),
    mutated(),
    st.text(max_size=200),
    st.none() | st.integers() | st.binary(max_size=8),
)


def test_every_parser_lets_only_parse_errors_escape() -> None:
    """Each generated string goes to every dialect's parser: 10,000 strings for each of them."""
    spaces = [d.space(Size(1080, 2400)) for d in DIALECT_CASES]
    plans = {d: 0 for d in range(len(DIALECT_CASES))}
    counted = {"strings": 0}

    @settings(max_examples=10_000, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(REPLIES)
    def check(raw: object) -> None:
        counted["strings"] += 1
        for n, (dialect, space) in enumerate(zip(DIALECT_CASES, spaces)):
            try:
                plan = dialect.parse(raw, space)
            except ParseError as exc:
                assert str(exc)  # the model always gets words back
                continue
            assert isinstance(plan, Plan)
            plans[n] += 1

    check()
    assert counted["strings"] >= 10_000
    for n, dialect in enumerate(DIALECT_CASES):  # the fuzz reached each strict validator, not only "no call"
        assert plans[n] > 100, (dialect, plans[n])


PATHOLOGICAL = {
    "blank lines after Thought": "Thought:" + "\n" * 50_000 + " " * 50_000,
    "newline-space runs": "Thought:" + "\n " * 50_000,
    "long identifier": "Action: " + "a" * 100_000,
    "many call starts": "Action: " + "click(" * 30_000,
    "nested braces": "<tool_call>" + "{" * 100_000,
    "open quotes": "{'" * 50_000,
    "escaped quotes": "Action: type(content='" + "\\'" * 50_000,
    "fences": "```" * 50_000,
    "tags": "<tool_call>" * 20_000,
    "too long": "x" * 1_000_000,
}


@pytest.mark.timeout(20)  # quadratic regexes on junk like this would take minutes: a hang is the failure
@pytest.mark.parametrize("name", DIALECTS)
def test_pathological_replies_end_quickly_in_a_parse_error(name: str) -> None:
    dialect = dialect_for(name, "desktop")
    for label, raw in PATHOLOGICAL.items():
        with pytest.raises(ParseError):
            dialect.parse(raw)
