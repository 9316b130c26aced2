"""Lenient reading of what models really emit: find the calls, tags and JSON in free text.

Models drop newlines, fence JSON in Markdown, use single quotes and trailing commas, add prose around
the call, or emit several calls. Everything here is forgiving and returns what it found plus notes
about what it had to forgive; strict validation happens afterwards, against the action vocabulary.
Nothing here raises on any input string (the parsers' fuzz tests hold it to that).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

__all__ = ["Loaded", "balanced_objects", "find_tool_calls", "load_object", "strip_fences", "tagged"]

MAX_CHARS = 200_000
"""Longer replies are cut: no real action needs more, and the lenient scans stay linear and quick."""

_TOOL_CALL = re.compile(r"<\s*tool_call\s*>(.*?)(?:<\s*/\s*tool_call\s*>|(?=<\s*tool_call\s*>)|\Z)", re.S | re.I)
_FENCE = re.compile(r"```[ \t]*([A-Za-z_0-9]*)[ \t]*\n?(.*?)(?:```|\Z)", re.S)


def tagged(text: str, *tags: str) -> str | None:
    """The text inside the first ``<tag>…</tag>`` of any of ``tags`` (an unclosed tag runs to the end)."""
    for tag in tags:
        m = re.search(rf"<\s*{tag}\s*>(.*?)(?:<\s*/\s*{tag}\s*>|\Z)", text, re.S | re.I)
        if m and m.group(1).strip():
            return m.group(1).strip()
    return None


def strip_fences(text: str) -> str:
    """The body of a Markdown code fence if the text is one, else the text."""
    m = _FENCE.search(text)
    if m and not text[: m.start()].strip():
        return m.group(2)
    return text


def balanced_objects(text: str, limit: int = 8) -> list[str]:
    """Top-level ``{…}`` spans in order, quotes respected; an unclosed last one runs to the end."""
    out: list[str] = []
    depth = 0
    start = -1
    quote = ""
    escaped = False
    for i, ch in enumerate(text):
        if quote:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == quote:
                quote = ""
            continue
        if ch in "\"'" and depth > 0:
            quote = ch
        elif ch == "{":
            if depth == 0:
                start = i
            depth += 1
        elif ch == "}" and depth > 0:
            depth -= 1
            if depth == 0:
                out.append(text[start : i + 1])
                if len(out) >= limit:
                    return out
    if depth > 0 and start >= 0:
        out.append(text[start:])
    return out


def find_tool_calls(text: str) -> tuple[list[str], list[str]]:
    """Candidate call texts in reply order, and notes on how they were found.

    ``<tool_call>`` blocks win; without them, fenced blocks; without those, bare JSON objects.
    """
    notes: list[str] = []
    blocks = [m.group(1) for m in _TOOL_CALL.finditer(text)]
    if not blocks and re.search(r"<\s*/\s*tool_call\s*>", text, re.I):
        blocks = [re.split(r"<\s*/\s*tool_call\s*>", text, maxsplit=1, flags=re.I)[0]]
        notes.append("the opening <tool_call> tag was missing")
    if blocks:
        calls = []
        for block in blocks:
            body = strip_fences(block.strip())
            found = balanced_objects(body)
            calls.extend(found or ([body.strip()] if body.strip() else []))
        return calls, notes
    fences = [m.group(2) for m in _FENCE.finditer(text)]
    calls = [obj for body in fences for obj in balanced_objects(body)]
    if calls:
        notes.append("the call was in a ``` fence instead of <tool_call> tags")
        return calls, notes
    calls = balanced_objects(text)
    if calls:
        notes.append("the call had no <tool_call> tags")
    return calls, notes


@dataclass(frozen=True)
class Loaded:
    value: Any
    note: str | None = None
    error: str | None = None


def _close_brackets(text: str) -> str:
    """Append the closers an unfinished object is missing (a reply cut off by max tokens)."""
    stack: list[str] = []
    quote = ""
    escaped = False
    for ch in text:
        if quote:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch in "{[":
            stack.append("}" if ch == "{" else "]")
        elif ch in "}]" and stack and stack[-1] == ch:
            stack.pop()
    return text + quote + "".join(reversed(stack))


def load_object(text: str) -> Loaded:
    """Decode JSON leniently: strict JSON first, then JSON5 (single quotes, trailing commas, comments)."""
    text = text.strip()
    try:
        return Loaded(json.loads(text))
    except (ValueError, RecursionError):
        pass
    import json5

    first_error = ""
    for candidate, note in ((text, "the JSON was not strict (quotes, commas or comments)"),
                            (_close_brackets(text), "the JSON was cut off; missing closing brackets were added")):
        try:
            return Loaded(json5.loads(candidate), note=note)
        except (ValueError, RecursionError, OverflowError, TypeError, IndexError, KeyError) as exc:
            first_error = first_error or _first_line(exc)
    return Loaded(None, error=first_error or "not JSON")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:160]
