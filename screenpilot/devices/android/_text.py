"""Turning text into shell commands that type it exactly, and nothing else.

Two routes exist on a phone without our own app on it:

``input text ARG`` (AOSP InputShellCommand) takes ONE argument, maps each character through the virtual
keyboard's key map (printable ASCII only: anything else is a NullPointerException, exit 255) and turns
every ``%s`` into a space; there is no escape for it. So: spaces are sent as ``%s``; a literal ``%``
followed by ``s`` is split across two commands (the first ends with ``%``, the next starts with ``s``);
``\\n`` and ``\\t`` are key events 66 and 61; long text goes in chunks (each ``input`` call is one binder
transaction and one process start on a phone); every argument is POSIX-quoted because adbd hands the
whole command line to ``sh -c``.

ADBKeyBoard (``com.android.adbkeyboard/.AdbIME``) commits whatever a broadcast carries, base64-encoded
UTF-8 so no shell or intent parser sees the characters: the route for everything ``input text`` cannot
type. It must be the selected IME while it types; the driver selects it and restores the user's IME.
"""

from __future__ import annotations

import base64
import shlex
from collections.abc import Iterator

__all__ = [
    "ADB_KEYBOARD",
    "INPUT_TEXT_CHUNK",
    "KEY_ENTER",
    "KEY_TAB",
    "ime_commands",
    "input_text_commands",
    "join_commands",
    "typable_by_input_text",
]

ADB_KEYBOARD = "com.android.adbkeyboard/.AdbIME"
INPUT_TEXT_CHUNK = 200
IME_CHUNK = 1000
"""Characters per broadcast: far under binder's 1 MB transaction limit even for 4-byte characters."""
MAX_COMMAND_LINE = 3500
"""Bytes per shell command line: under the 4 KiB OPEN payload of adb's protocol v1 devices."""
KEY_ENTER = 66
KEY_TAB = 61

_KEYS = {"\n": KEY_ENTER, "\t": KEY_TAB}


def typable_by_input_text(text: str) -> bool:
    """Whether ``input text`` (plus Enter/Tab key events) can type all of it: printable ASCII, \\n, \\t."""
    return all(" " <= c <= "~" or c in _KEYS for c in text)


def _runs(text: str) -> Iterator[str | int]:
    """Printable runs and key codes, in order."""
    run: list[str] = []
    for c in text:
        if c in _KEYS:
            if run:
                yield "".join(run)
                run = []
            yield _KEYS[c]
        else:
            run.append(c)
    if run:
        yield "".join(run)


def _pieces(run: str, chunk: int) -> Iterator[str]:
    """Split where a literal ``%`` meets ``s`` (AOSP would read them as a space), then by length."""
    start = 0
    for i in range(len(run) - 1):
        if run[i] == "%" and run[i + 1] == "s":
            yield from _by_length(run[start : i + 1], chunk)
            start = i + 1
    yield from _by_length(run[start:], chunk)


def _by_length(piece: str, chunk: int) -> Iterator[str]:
    for i in range(0, len(piece), chunk):
        yield piece[i : i + chunk]


def input_text_commands(text: str, *, chunk: int = INPUT_TEXT_CHUNK) -> list[str]:
    """One shell command per ``input text`` chunk or run of Enter/Tab key events.

    Raises ValueError for a character ``input text`` cannot type (check ``typable_by_input_text`` first).
    """
    if not typable_by_input_text(text):
        bad = next(c for c in text if not (" " <= c <= "~" or c in _KEYS))
        raise ValueError(f"input text cannot type {bad!r} (U+{ord(bad):04X}): only printable ASCII, \\n and \\t")
    commands: list[str] = []
    keys: list[int] = []
    for part in _runs(text):
        if isinstance(part, int):
            keys.append(part)
            continue
        if keys:
            commands.append("input keyevent " + " ".join(map(str, keys)))
            keys = []
        for piece in _pieces(part, chunk):
            commands.append("input text " + shlex.quote(piece.replace(" ", "%s")))
    if keys:
        commands.append("input keyevent " + " ".join(map(str, keys)))
    return commands


def ime_commands(text: str, *, chunk: int = IME_CHUNK) -> list[str]:
    """ADBKeyBoard broadcasts carrying the text as base64 UTF-8 (nothing for a shell to interpret)."""
    return [
        "am broadcast -a ADB_INPUT_B64 --es msg "
        + shlex.quote(base64.b64encode(text[i : i + chunk].encode("utf-8")).decode("ascii"))
        for i in range(0, len(text), chunk)
    ]


def join_commands(commands: list[str], *, limit: int = MAX_COMMAND_LINE) -> list[str]:
    """Pack commands into as few ``a && b && c`` lines as fit ``limit`` bytes: one round trip each,
    and the first failure stops the rest (its exit status is the line's)."""
    lines: list[str] = []
    current = ""
    for cmd in commands:
        candidate = f"{current} && {cmd}" if current else cmd
        if current and len(candidate.encode()) > limit:
            lines.append(current)
            candidate = cmd
        current = candidate
    if current:
        lines.append(current)
    return lines
