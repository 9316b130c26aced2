"""What real models emit, per dialect: the sloppy-but-meant replies parse, the rest is a ParseError
whose words tell the model what to fix."""

from __future__ import annotations

import pytest

from screenpilot.actions import (
    Answer,
    BaseAction,
    Click,
    Drag,
    Hotkey,
    Key,
    LongPress,
    Move,
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
from screenpilot.planner import DIALECTS, ParseError, dialect_for

QP = dialect_for("qwen2.5-vl", "phone")
QD = dialect_for("qwen2.5-vl", "desktop")
Q3P = dialect_for("qwen3-vl", "phone")
Q3D = dialect_for("qwen3-vl", "desktop")
U15P = dialect_for("ui-tars-1.5", "phone")
U15D = dialect_for("ui-tars-1.5", "desktop")
U10P = dialect_for("ui-tars-1.0", "phone")

CALL = '{"name": "mobile_use", "arguments": {"action": "click", "coordinate": [935, 406]}}'

QWEN25_PHONE: list[tuple[str, BaseAction]] = [
    (f"<tool_call>\n{CALL}\n</tool_call>", Tap(point=Point(935, 406))),
    (f"<tool_call>{CALL}</tool_call>", Tap(point=Point(935, 406))),  # no newlines
    (f"```json\n{CALL}\n```", Tap(point=Point(935, 406))),  # fenced, no tags
    (f"<tool_call>\n```json\n{CALL}\n```\n</tool_call>", Tap(point=Point(935, 406))),  # fence inside tags
    ("<tool_call>{'name': 'mobile_use', 'arguments': {'action': 'click', 'coordinate': [1, 2]}}</tool_call>",
     Tap(point=Point(1, 2))),  # single quotes
    ('<tool_call>{"name": "mobile_use", "arguments": {"action": "click", "coordinate": [1, 2],},}</tool_call>',
     Tap(point=Point(1, 2))),  # trailing commas
    (f"I will tap the search box now.\n<tool_call>\n{CALL}\n</tool_call>\nThat should open it.",
     Tap(point=Point(935, 406))),  # prose around
    ('<tool_call>{"name": "mobile_use", "arguments": {"action": "tap", "coordinate": [5, 6]}}</tool_call>',
     Tap(point=Point(5, 6))),  # our name for Qwen's verb
    ('<tool_call>\n{"name": "mobile_use", "arguments": {"action": "click", "coordinate": [5, 6]}}',
     Tap(point=Point(5, 6))),  # closing tag cut off
    ('<tool_call>\n{"name": "mobile_use", "arguments": {"action": "click", "coordinate": [5, 6]',
     Tap(point=Point(5, 6))),  # cut off mid-object by max tokens
    ('{"action": "click", "coordinate": [5, 6]}', Tap(point=Point(5, 6))),  # flat, bare
    ('<tool_call>{"name": "mobile_use", "arguments": "{\\"action\\": \\"click\\", \\"coordinate\\": [7, 8]}"}'
     "</tool_call>", Tap(point=Point(7, 8))),  # arguments as a JSON string (OpenAI style)
    ('<tool_call>{"name": "click", "arguments": {"coordinate": [7, 8]}}</tool_call>', Tap(point=Point(7, 8))),
    ('<tool_call>{"name": "mobile_use", "arguments": {"action": "click", "coordinate": "(7, 8)"}}</tool_call>',
     Tap(point=Point(7, 8))),
    ('<tool_call>{"name": "mobile_use", "arguments": {"action": "long_press", "coordinate": [1, 2], "time": 2}}'
     "</tool_call>", LongPress(point=Point(1, 2), duration_ms=2000)),
    ('<tool_call>{"name": "mobile_use", "arguments": {"action": "swipe", "coordinate": [500, 1800], '
     '"coordinate2": [500, 600]}}</tool_call>', Swipe(start=Point(500, 1800), end=Point(500, 600))),
    ('<tool_call>{"name": "mobile_use", "arguments": {"action": "type", "text": "héllo \\"x\\""}}</tool_call>',
     Type(text='héllo "x"')),
    ('<tool_call>{"name": "mobile_use", "arguments": {"action": "key", "text": "volume_up"}}</tool_call>',
     Key(key="volume_up")),
    ('<tool_call>{"name": "mobile_use", "arguments": {"action": "system_button", "button": "Back"}}</tool_call>',
     SystemButton(button="back")),
    ('<tool_call>{"name": "mobile_use", "arguments": {"action": "open", "text": "Settings"}}</tool_call>',
     OpenApp(app="Settings")),
    ('<tool_call>{"name": "mobile_use", "arguments": {"action": "wait", "time": 2}}</tool_call>', Wait(seconds=2)),
    ('<tool_call>{"name": "mobile_use", "arguments": {"action": "terminate", "status": "success"}}</tool_call>',
     Terminate(status="success")),
    ('<tool_call>{"name": "mobile_use", "arguments": {"action": "answer", "text": "42"}}</tool_call>',
     Answer(text="42")),
    ('<tool_call>{"name": "mobile_use", "arguments": {"action": "click", "coordinate": [1, 2], "time": null}}'
     "</tool_call>", Tap(point=Point(1, 2))),  # null arguments mean absent
]

QWEN25_DESKTOP: list[tuple[str, BaseAction]] = [
    ('<tool_call>{"name": "computer_use", "arguments": {"action": "left_click", "coordinate": [10, 20]}}</tool_call>',
     Click(point=Point(10, 20))),
    ('<tool_call>{"name": "computer_use", "arguments": {"action": "click", "coordinate": [10, 20]}}</tool_call>',
     Click(point=Point(10, 20))),
    ('<tool_call>{"name": "computer_use", "arguments": {"action": "right_click", "coordinate": [1, 2]}}</tool_call>',
     Click(point=Point(1, 2), button="right")),
    ('<tool_call>{"name": "computer_use", "arguments": {"action": "double_click", "coordinate": [1, 2]}}</tool_call>',
     Click(point=Point(1, 2), count=2)),
    ('<tool_call>{"name": "computer_use", "arguments": {"action": "middle_click", "coordinate": [1, 2]}}</tool_call>',
     Click(point=Point(1, 2), button="middle")),
    ('<tool_call>{"name": "computer_use", "arguments": {"action": "mouse_move", "coordinate": [3, 4]}}</tool_call>',
     Move(point=Point(3, 4))),
    ('<tool_call>{"name": "computer_use", "arguments": {"action": "key", "keys": ["ctrl", "c"]}}</tool_call>',
     Hotkey(keys=["ctrl", "c"])),
    ('<tool_call>{"name": "computer_use", "arguments": {"action": "key", "keys": ["enter"]}}</tool_call>',
     Key(key="enter")),
    ('<tool_call>{"name": "computer_use", "arguments": {"action": "key", "keys": "ctrl+shift+t"}}</tool_call>',
     Hotkey(keys=["ctrl", "shift", "t"])),
    ('<tool_call>{"name": "computer_use", "arguments": {"action": "scroll", "pixels": 3}}</tool_call>',
     Scroll(dy=-3)),
    ('<tool_call>{"name": "computer_use", "arguments": {"action": "scroll", "coordinate": [5, 5], "pixels": -2}}'
     "</tool_call>", Scroll(point=Point(5, 5), dy=2)),
    ('<tool_call>{"name": "computer_use", "arguments": {"action": "left_click_drag", "start_coordinate": [1, 2], '
     '"coordinate": [30, 40]}}</tool_call>', Drag(start=Point(1, 2), end=Point(30, 40))),
    ('<tool_call>{"name": "computer_use", "arguments": {"action": "type", "text": "ls -la\\n"}}</tool_call>',
     Type(text="ls -la\n")),
]

QWEN3: list[tuple[object, str, BaseAction]] = [
    (Q3P, 'Thought: The search box is at the top.\nAction: "Tap the search box"\n<tool_call>\n'
          '{"name": "mobile_use", "arguments": {"action": "click", "coordinate": [500, 120]}}\n</tool_call>',
     Tap(point=Point(500, 120))),
    (Q3P, 'Thought: done\nAction: "Finish"<tool_call>{"name": "mobile_use", "arguments": '
          '{"action": "terminate", "status": "success"}}</tool_call>', Terminate(status="success")),
    (Q3D, '<tool_call>{"name": "computer_use", "arguments": {"action": "triple_click", "coordinate": [1, 2]}}'
          "</tool_call>", Click(point=Point(1, 2), count=3)),
    (Q3D, '<tool_call>{"name": "computer_use", "arguments": {"action": "hscroll", "pixels": 4}}</tool_call>',
     Scroll(dx=4)),
]

UITARS: list[tuple[object, str, BaseAction]] = [
    (U15D, "Thought: Click the File menu.\nAction: click(start_box='(100,200)')", Click(point=Point(100, 200))),
    (U15D, "Thought: x\nAction: click(start_box='<|box_start|>(100,200)<|box_end|>')", Click(point=Point(100, 200))),
    (U15D, "Thought: x\nAction: click(point='<point>100 200</point>')", Click(point=Point(100, 200))),
    (U15D, "Thought: x\nAction: click(start_box='(100,200,120,240)')", Click(point=Point(110, 220))),
    (U15D, "Thought: x\nAction: click(start_box='[100, 200]')", Click(point=Point(100, 200))),
    (U15D, "Action: left_double(start_box='(5,6)')", Click(point=Point(5, 6), count=2)),
    (U15D, "Action: right_single(start_box='(5,6)')", Click(point=Point(5, 6), button="right")),
    (U15D, "Action: drag(start_box='(1,2)', end_box='(30,40)')", Drag(start=Point(1, 2), end=Point(30, 40))),
    (U15D, "Action: hotkey(key='ctrl c')", Hotkey(keys=["ctrl", "c"])),
    (U15D, "Action: hotkey(key='enter')", Key(key="enter")),
    (U15D, "Action: type(content='hello \\'world\\'\\n')", Type(text="hello 'world'\n")),
    (U15D, "Action: type(content='It's unescaped')", Type(text="It's unescaped")),
    (U15D, "Action: scroll(start_box='(10,20)', direction='down')", Scroll(point=Point(10, 20), dy=5)),
    (U15D, "Action: scroll(start_box='(10,20)', direction='left')", Scroll(point=Point(10, 20), dx=-5)),
    (U15D, "Action: wait()", Wait(seconds=5)),
    (U15D, "Thought: The answer is on screen.\nAction: finished(content='42 km')", Answer(text="42 km")),
    (U15D, "Action: finished()", Terminate(status="success")),
    (U15D, "Action: call_user()", Terminate(status="failure")),
    (U15P, "Thought: x\nAction: click(start_box='(3,4)')", Tap(point=Point(3, 4))),
    (U15P, "Action: long_press(start_box='(3,4)')", LongPress(point=Point(3, 4))),
    (U15P, "Action: press_home()", SystemButton(button="home")),
    (U15P, "Action: press_back()", SystemButton(button="back")),
    (U15P, "Action: open_app(app_name='Settings')", OpenApp(app="Settings")),
    (U15P, "Action: drag(start_box='(1,2)', end_box='(3,4)')", Swipe(start=Point(1, 2), end=Point(3, 4))),
    (U15P, "click(start_box='(3,4)')", Tap(point=Point(3, 4))),  # no "Action:" line
    (U15P, "Thought: x\nAction: click(start_box='(3,4)'", Tap(point=Point(3, 4))),  # not closed
    (U15P, "Thought: x\nAction: tap(start_box='(3,4)')", Tap(point=Point(3, 4))),
    (U15P, "Thought: x\nAction: click('(3,4)')", Tap(point=Point(3, 4))),  # positional
    (U10P, "Thought: x\nAction: click(start_box='<|box_start|>(500,500)<|box_end|>')", Tap(point=Point(500, 500))),
]


@pytest.mark.parametrize(("raw", "expected"), QWEN25_PHONE, ids=range(len(QWEN25_PHONE)))
def test_qwen25_mobile_use_replies(raw: str, expected: BaseAction) -> None:
    assert QP.parse(raw).action == expected


@pytest.mark.parametrize(("raw", "expected"), QWEN25_DESKTOP, ids=range(len(QWEN25_DESKTOP)))
def test_qwen25_computer_use_replies(raw: str, expected: BaseAction) -> None:
    assert QD.parse(raw).action == expected


@pytest.mark.parametrize(("dialect", "raw", "expected"), QWEN3, ids=range(len(QWEN3)))
def test_qwen3_replies(dialect, raw: str, expected: BaseAction) -> None:
    assert dialect.parse(raw).action == expected


@pytest.mark.parametrize(("dialect", "raw", "expected"), UITARS, ids=range(len(UITARS)))
def test_uitars_replies(dialect, raw: str, expected: BaseAction) -> None:
    assert dialect.parse(raw).action == expected


def test_several_calls_take_the_first_and_report_the_rest() -> None:
    second = '{"name": "mobile_use", "arguments": {"action": "type", "text": "x"}}'
    plan = QP.parse(f"<tool_call>\n{CALL}\n</tool_call>\n<tool_call>\n{second}\n</tool_call>")
    assert plan.action == Tap(point=Point(935, 406))
    assert plan.ignored == (second,)
    plan = U15D.parse("Thought: x\nAction: click(start_box='(1,2)')\n\nhotkey(key='ctrl c')")
    assert plan.ignored == ("hotkey(key='ctrl c')",)


def test_leniencies_are_reported_as_notes() -> None:
    plan = QP.parse("```json\n{'name': 'mobile_use', 'arguments': {'action': 'tap', 'coordinate': [1, 2],}}\n```")
    notes = " | ".join(plan.notes)
    assert "fence" in notes and "not strict" in notes and "'tap' was read as 'click'" in notes


def test_reasoning_is_captured_as_thought_and_summary() -> None:
    plan = QP.parse(f"<thinking>\nThe search icon is top right.\n</thinking>\n<tool_call>\n{CALL}\n</tool_call>\n"
                    "<conclusion>\nTapped the search icon.\n</conclusion>")
    assert (plan.thought, plan.summary) == ("The search icon is top right.", "Tapped the search icon.")
    assert plan.step().line == "Tapped the search icon."
    plan = Q3P.parse(QWEN3[0][1])
    assert (plan.thought, plan.summary) == ("The search box is at the top.", "Tap the search box")
    plan = U15D.parse("Reflection: the menu did not open.\nThought: Try again.\nAction_Summary: Reopen the menu.\n"
                      "Action: click(start_box='(1,2)')")
    assert plan.thought == "the menu did not open.\nTry again."
    assert plan.summary == "Reopen the menu."
    assert plan.step().line == "Reopen the menu."


def test_without_a_summary_the_history_line_is_the_call() -> None:
    plan = QP.parse(f"<tool_call>{CALL}</tool_call>")
    assert plan.step().line == CALL
    assert U15P.parse("Action: press_back()").step().line == "press_back()"


def test_uitars_phone_scroll_is_a_swipe_the_other_way_in_model_space() -> None:
    space = U10P.space(Size(1080, 2400))
    plan = U10P.parse("Action: scroll(start_box='(500,600)', direction='down')", space)
    assert plan.action == Swipe(start=Point(500, 600), end=Point(500, 267))
    assert plan.model_action.space == space
    space15 = U15P.space(Size(1080, 2400))
    plan = U15P.parse("Action: scroll(start_box='(500,100)', direction='up')", space15)
    assert plan.action.end.y == 100 + round(space15.model.height / 3)


BAD: list[tuple[object, object, str]] = [
    (QP, "", "empty"),
    (QP, "   \n\t ", "empty"),
    (QP, None, "not text"),
    (QP, b"<tool_call>", "bytes"),
    (QP, 42, "not text"),
    (QP, "I think the task is done.", "no tool call"),
    (QP, "<tool_call>click at 3,4</tool_call>", "not valid JSON"),
    (QP, '<tool_call>{"name": "mobile_use", "arguments": {"action": "fly"}}</tool_call>', "unknown action 'fly'"),
    (QP, '<tool_call>{"name": "mobile_use", "arguments": {"coordinate": [1, 2]}}</tool_call>', 'no "action"'),
    (QP, '<tool_call>{"name": "mobile_use", "arguments": {"action": "click"}}</tool_call>',
     "click: argument 'coordinate' is required"),
    (QP, '<tool_call>{"name": "mobile_use", "arguments": {"action": "click", "coordinate": [1]}}</tool_call>',
     "click.coordinate: expected [x, y]"),
    (QP, '<tool_call>{"name": "mobile_use", "arguments": {"action": "click", "coordinate": [1, 2], "speed": 3}}'
         "</tool_call>", "unknown argument 'speed'"),
    (QP, '<tool_call>{"name": "mobile_use", "arguments": {"action": "long_press", "coordinate": [1, 2], '
         '"time": 60}}</tool_call>', "long_press.time: must be between 0.3 and 10 seconds"),
    (QP, '<tool_call>{"name": "mobile_use", "arguments": {"action": "system_button", "button": "Power"}}'
         "</tool_call>", "system_button.button"),
    (QP, '<tool_call>{"name": "mobile_use", "arguments": {"action": "left_click", "coordinate": [1, 2]}}'
         "</tool_call>", "unknown action 'left_click'"),
    (QD, '<tool_call>{"name": "computer_use", "arguments": {"action": "scroll", "pixels": 0}}</tool_call>',
     "scroll: dx and dy are both 0"),
    (QD, '<tool_call>{"name": "computer_use", "arguments": {"action": "scroll", "pixels": 500}}</tool_call>',
     "scroll.pixels: must be between -50 and 50 wheel clicks"),
    (QD, '<tool_call>{"name": "computer_use", "arguments": {"action": "key", "keys": ["ctrl", 3]}}</tool_call>',
     "key.keys: expected a list of key names"),
    (U15D, "Thought: hmm", "no action call"),
    (U15D, "Action: jump(start_box='(1,2)')", "unknown action 'jump'"),
    (U15D, "Action: click(start_box='somewhere')", "click.point: expected a point"),
    (U15D, "Action: scroll(start_box='(1,2)', direction='sideways')", "scroll.direction: must be 'up', 'down'"),
    (U15D, "Action: click(start_box='(1,2)', bogus='x')", "unknown argument 'bogus'"),
]


@pytest.mark.parametrize(("dialect", "raw", "words"), BAD, ids=range(len(BAD)))
def test_bad_replies_are_parse_errors_that_say_what_to_fix(dialect, raw: object, words: str) -> None:
    with pytest.raises(ParseError) as info:
        dialect.parse(raw)
    message = str(info.value)
    assert words in message
    assert info.value.raw is raw


def test_a_parse_error_shows_the_expected_form() -> None:
    with pytest.raises(ParseError) as info:
        QP.parse("no idea")
    assert '<tool_call>\n{"name": "mobile_use", "arguments": {"action": <one of click, long_press' in str(info.value)
    with pytest.raises(ParseError) as info:
        U15P.parse("")
    assert "Action: click(point='<point>x1 y1</point>')" in str(info.value)


ROUND_TRIP = [
    Tap(point=Point(1, 2)), LongPress(point=Point(3, 4), duration_ms=1500), Swipe(start=Point(1, 2), end=Point(3, 4)),
    Type(text="a 'quoted'\nline"), Key(key="enter"), SystemButton(button="home"), OpenApp(app="Maps"),
    Wait(seconds=5), Terminate(status="success"), Terminate(status="failure"), Answer(text="it's 42"),
    Click(point=Point(1, 2)), Click(point=Point(1, 2), button="right"), Click(point=Point(1, 2), count=2),
    Move(point=Point(5, 6)), Drag(start=Point(1, 2), end=Point(3, 4)), Scroll(point=Point(1, 1), dy=5),
    Scroll(point=Point(1, 1), dx=-5), Hotkey(keys=["ctrl", "s"]),
]


@pytest.mark.parametrize("name", DIALECTS)
@pytest.mark.parametrize("kind", ["phone", "desktop"])
def test_what_a_dialect_writes_it_reads_back(name: str, kind: str) -> None:
    dialect = dialect_for(name, kind)
    said = 0
    for action in ROUND_TRIP:
        try:
            text = dialect.format(action, thought="because", summary="did it")
        except ValueError:
            continue  # the dialect has no way to say this action (e.g. UI-TARS has no hover)
        plan = dialect.parse(text)
        assert plan.action == action, text
        assert (plan.thought, plan.summary) == ("because", "did it")
        said += 1
    assert said >= 7
