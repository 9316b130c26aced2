"""Text planning for the android driver: every plan, run through a POSIX shell and AOSP's `input text`
rules, must type exactly the text asked for. Pure logic: no phone needed."""

from __future__ import annotations

import base64
import shlex

import bashlex
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screenpilot.devices.android._text import (
    INPUT_TEXT_CHUNK,
    ime_commands,
    input_text_commands,
    join_commands,
    typable_by_input_text,
)

KEYCODE_CHARS = {66: "\n", 61: "\t"}


def aosp_input_text(arg: str) -> str:
    """What AOSP's InputShellCommand.sendText types for ONE argument: each '%' followed by 's' is a space."""
    out: list[str] = []
    escape = False
    for c in arg:
        if escape:
            escape = False
            if c == "s":
                out[-1] = " "  # the '%' already written becomes the space, the 's' is dropped
                continue
        out.append(c)
        if c == "%":
            escape = True
    return "".join(out)


def split_line(line: str) -> list[list[str]]:
    """A command line as the phone's sh sees it: simple commands joined by &&, and nothing else
    (no substitutions, expansions, redirections or other operators). bashlex gives the structure;
    each word's source is unquoted with POSIX rules."""
    (tree,) = bashlex.parse(line)
    nodes = tree.parts if tree.kind == "list" else [tree]
    commands = []
    for node in nodes:
        if node.kind == "operator":
            assert node.op == "&&", f"stray operator {node.op!r} in {line!r}"
            continue
        assert node.kind == "command", node.dump()
        argv = []
        for word in node.parts:
            assert word.kind == "word" and not getattr(word, "parts", None), f"expansion in {line!r}: {word.dump()}"
            (value,) = shlex.split(line[word.pos[0] : word.pos[1]])
            argv.append(value)
        commands.append(argv)
    return commands


def run_plan(lines: list[str]) -> str:
    typed = []
    for line in lines:
        for argv in split_line(line):
            assert argv[0] == "input", argv
            if argv[1] == "text":
                assert len(argv) == 3, f"input text must get exactly one argument: {argv}"
                assert " " not in argv[2], "spaces travel as %s"
                typed.append(aosp_input_text(argv[2]))
            else:
                assert argv[1] == "keyevent"
                typed.extend(KEYCODE_CHARS[int(code)] for code in argv[2:])
    return "".join(typed)


def test_the_model_of_aosp_matches_its_documented_cases() -> None:
    assert aosp_input_text("a%sb") == "a b"
    assert aosp_input_text("%%s") == "% "
    assert aosp_input_text("100%") == "100%"
    assert aosp_input_text("%ss") == " s"


@pytest.mark.parametrize(
    "text",
    [
        "hello world",
        "%s",
        "%%s",
        "50%s off",
        "%",
        "s%",
        "%s%s%s",
        "a%\ns",
        "-n",
        "--help",
        "$(reboot)",
        "`id`",
        "'; rm -rf / #",
        'say "hi" && echo $HOME',
        "tab\there",
        "line1\nline2\n",
        "\n\n\t",
        "x" * 2000,
        "a b" * 300,
    ],
)
def test_plans_type_exactly_the_text(text: str) -> None:
    lines = join_commands(input_text_commands(text))
    assert run_plan(lines) == text


def test_a_literal_percent_s_is_split_across_two_commands() -> None:
    commands = input_text_commands("50%sale")
    assert commands == ["input text 50%", "input text sale"]


def test_spaces_travel_as_percent_s_and_specials_are_quoted() -> None:
    assert input_text_commands("a b") == ["input text a%sb"]
    assert input_text_commands("it's") == ["input text 'it'\"'\"'s'"]
    assert input_text_commands("a\nb\tc") == ["input text a", "input keyevent 66", "input text b", "input keyevent 61", "input text c"]


def test_long_text_goes_in_chunks_and_lines_stay_short() -> None:
    text = "".join(chr(32 + i % 95) for i in range(2000))
    commands = input_text_commands(text)
    for cmd in commands:
        (argv,) = split_line(cmd)
        if argv[1] == "text":
            assert len(aosp_input_text(argv[2])) <= INPUT_TEXT_CHUNK
    for line in join_commands(commands):
        assert len(line.encode()) <= 3500
    assert run_plan(join_commands(commands)) == text


def test_non_ascii_is_refused_by_the_input_text_route() -> None:
    assert not typable_by_input_text("café")
    assert not typable_by_input_text("a\rb")
    assert typable_by_input_text("plain ASCII\twith\nkeys")
    with pytest.raises(ValueError, match="U\\+00E9"):
        input_text_commands("café")


@settings(max_examples=400)
@given(
    st.lists(
        st.characters(min_codepoint=32, max_codepoint=126) | st.sampled_from(["\n", "\t", "%s", "%", "%%s", " s"]),
        max_size=300,
    ).map("".join)
)
def test_any_ascii_text_round_trips_through_shell_and_aosp(text: str) -> None:
    assert run_plan(join_commands(input_text_commands(text))) == text


@settings(max_examples=200)
@given(st.text(min_size=1, max_size=2500))
def test_ime_broadcasts_carry_any_text_exactly(text: str) -> None:
    pieces = []
    for line in join_commands(ime_commands(text)):
        for argv in split_line(line):
            assert argv[:6] == ["am", "broadcast", "-a", "ADB_INPUT_B64", "--es", "msg"] and len(argv) == 7
            pieces.append(base64.b64decode(argv[6]).decode("utf-8"))
    assert "".join(pieces) == text
