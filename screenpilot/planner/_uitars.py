"""The UI-TARS dialects: "Thought: …\\nAction: click(start_box='(x,y)')" replies.

UI-TARS writes Python-like calls, not JSON. Points come as ``'(x,y)'``, with or without the box
tokens ``<|box_start|>…<|box_end|>``, as a box ``(x1,y1,x2,y2)`` (its centre is meant), or in the
newer ``<point>x y</point>`` form. Version 1.5 (Qwen2.5-VL based) counts absolute pixels of the
smart-resized image; 1.0 a relative 0..1000 grid. The action space in the prompt is generated from
the verb table below, as the Qwen tool schema is.
"""

from __future__ import annotations

import re
from typing import Any

from ..actions import BaseAction, DeviceKind, Point
from ..perception import QWEN25_FACTOR, CoordinateSpace
from ._dialect import Dialect, Plan, Prompt, one_line
from ._errors import ParseError
from ._request import Message
from ._templates import render
from ._verbs import Arg, Verb, Verbs

__all__ = ["UITars10", "UITars15", "uitars_verbs"]

_NUMBERS = re.compile(r"-?\d+(?:\.\d+)?")
_TOKENS = re.compile(r"<\|?/?(?:box_start|box_end|point|bbox)\|?>|</?(?:point|bbox)>")
SCROLL_CLICKS = 5
"""Wheel clicks of one desktop ``scroll(direction=…)``: UI-TARS names a direction, not an amount."""
WAIT_SECONDS = 5.0
"""``wait()`` carries no duration; UI-TARS' prompts describe it as a five-second pause."""


def _box_in(value: Any) -> Point:
    """A point from any of UI-TARS' spellings; a box (four numbers) means its centre."""
    if isinstance(value, list | tuple):
        value = ",".join(str(v) for v in value)
    if not isinstance(value, str):
        raise ValueError(f"expected '(x,y)', got {value!r}"[:120])
    found = [float(n) for n in _NUMBERS.findall(_TOKENS.sub(" ", value))]
    if len(found) == 2:
        return Point(found[0], found[1])
    if len(found) == 4:
        return Point((found[0] + found[2]) / 2, (found[1] + found[3]) / 2)
    raise ValueError(f"expected a point like '(x,y)' or '<point>x y</point>', got {value[:40]!r}")


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def _point_tag(point: Point) -> str:
    return f"<point>{_num(point.x)} {_num(point.y)}</point>"


def _box_tag(point: Point) -> str:
    return f"<|box_start|>({_num(point.x)},{_num(point.y)})<|box_end|>"


def _direction(value: Any) -> str:
    if not isinstance(value, str) or value.strip().lower() not in {"up", "down", "left", "right"}:
        raise ValueError(f"must be 'up', 'down', 'left' or 'right', got {value!r}"[:120])
    return value.strip().lower()


def _desktop_scroll(ours: dict[str, Any], _space: CoordinateSpace | None) -> dict[str, Any]:
    direction = ours.pop("dy", "down")
    sign = 1 if direction in ("down", "right") else -1
    axis = "dy" if direction in ("up", "down") else "dx"
    return {**ours, "dx": 0, "dy": 0, axis: sign * SCROLL_CLICKS}


def _phone_scroll(ours: dict[str, Any], space: CoordinateSpace | None) -> dict[str, Any]:
    """A scroll is a swipe the other way: to see what is below, the finger moves up a third of the screen."""
    start, direction = ours.get("start"), ours.pop("end", "down")
    if not isinstance(start, Point):
        return ours
    w, h = space.model if space is not None else (1000, 1000)
    dx, dy = {"down": (0, -h / 3), "up": (0, h / 3), "right": (-w / 3, 0), "left": (w / 3, 0)}[direction]
    hi_x, hi_y = (w, h) if space is None or space.convention == "relative" else (w - 1, h - 1)
    end = Point(round(min(max(start.x + dx, 0), hi_x)), round(min(max(start.y + dy, 0), hi_y)))
    return {**ours, "end": end}


def _finished(ours: dict[str, Any], _space: CoordinateSpace | None) -> dict[str, Any]:
    text = ours.pop("text", None)
    if isinstance(text, str) and text.strip():
        return {"action": "answer", "text": text}
    return ours


def _one_key(ours: dict[str, Any], _space: CoordinateSpace | None) -> dict[str, Any]:
    keys = ours.get("keys")
    if isinstance(keys, list) and len(keys) == 1:
        return {"action": "key", "key": keys[0]}
    return ours


def _keys_in(value: Any) -> list[str]:
    if not isinstance(value, str):
        raise ValueError(f"expected keys separated by spaces, like 'ctrl c', got {value!r}"[:120])
    return [k for k in re.split(r"[\s+]+", value.strip()) if k]


def uitars_verbs(kind: DeviceKind, *, points: bool) -> Verbs:
    """UI-TARS' actions as ours. ``points``: the 1.5 ``point='<point>x y</point>'`` spelling, else start_box."""
    tag = _point_tag if points else _box_tag
    shown = "'<point>x1 y1</point>'" if points else "'<|box_start|>(x1,y1)<|box_end|>'"
    shown2 = "'<point>x2 y2</point>'" if points else "'<|box_start|>(x2,y2)<|box_end|>'"
    start = Arg("point" if points else "start_box", "point", _box_in, tag, example=shown,
                aliases=("start_box", "start_point", "box", "point", "coordinate"))
    drag_from = Arg("start_point" if points else "start_box", "start", _box_in, tag, example=shown,
                    aliases=("start_box", "start_point", "point"))
    drag_to = Arg("end_point" if points else "end_box", "end", _box_in, tag, example=shown2,
                  aliases=("end_box", "end_point"))
    content = Arg("content", "text", example="'xxx'", aliases=("text",))
    finished = Verb("finished", "terminate", (content,), fixed={"status": "success"}, reshape=_finished,
                    doc="The task is done; put the answer in content if the task asked for one.",
                    aliases=("finish", "done"))
    tail = [
        Verb("wait", "wait", fixed={"seconds": WAIT_SECONDS}, doc="Pause for a few seconds, then look at the screen again."),
        finished,
        Verb("finished", "answer", (content,), parse=False),
        Verb("call_user", "terminate", fixed={"status": "failure"},
             doc="The task cannot go on without a person (or cannot be done): stop and ask for help."),
    ]
    type_ = Verb("type", "type", (content,),
                 doc="Type text; escape ', \" and newlines as \\', \\\" and \\n, and end with \\n to submit.")
    if kind == "phone":
        verbs = [
            Verb("click", "tap", (start,), aliases=("tap",), doc="Tap once at a point."),
            Verb("long_press", "long_press", (start,), aliases=("long_click",)),
            type_,
            Verb("drag", "swipe", (drag_from, drag_to), aliases=("swipe",),
                 doc="Slide a finger from one point to another."),
            Verb("scroll", "swipe", (
                Arg("point" if points else "start_box", "start", _box_in, tag, example=shown,
                    aliases=("start_box", "start_point", "point")),
                Arg("direction", "end", _direction, example="'down or up or right or left'"),
            ), reshape=_phone_scroll, doc="Scroll the content at a point in a direction (down shows what is below)."),
            Verb("open_app", "open_app", (Arg("app_name", "app", example="''", aliases=("app", "name")),)),
            Verb("press_home", "system_button", fixed={"button": "home"}, doc="Go to the home screen."),
            Verb("press_back", "system_button", fixed={"button": "back"}, doc="Go back."),
            *tail,
        ]
        return Verbs(kind, verbs)
    verbs = [
        Verb("click", "click", (start,), fixed={"button": "left", "count": 1}, aliases=("left_single", "tap"),
             doc="Click the left mouse button at a point."),
        Verb("left_double", "click", (start,), fixed={"button": "left", "count": 2}, aliases=("double_click",),
             doc="Double-click the left mouse button at a point."),
        Verb("right_single", "click", (start,), fixed={"button": "right", "count": 1}, aliases=("right_click",),
             doc="Click the right mouse button at a point."),
        Verb("drag", "drag", (drag_from, drag_to), aliases=("select",),
             doc="Press the left button at one point, move to another, release."),
        Verb("hotkey", "hotkey", (Arg("key", "keys", _keys_in, " ".join, example="'ctrl c'", aliases=("keys",)),),
             reshape=_one_key, doc="Press keys together, lower case, separated by spaces (at most 3)."),
        Verb("hotkey", "key", (Arg("key", "key"),), parse=False),
        type_,
        Verb("scroll", "scroll", (start, Arg("direction", "dy", _direction, lambda dy: "down" if dy > 0 else "up",
                                             example="'down or up or right or left'")),
             fixed={"dx": 0}, reshape=_desktop_scroll,
             doc="Scroll at a point in a direction (down shows what is below)."),
        Verb("scroll", "scroll", (start, Arg("direction", "dx", _direction, lambda dx: "right" if dx > 0 else "left")),
             fixed={"dy": 0}, parse=False),
        *tail,
    ]
    return Verbs(kind, verbs)


def action_space(verbs: Verbs) -> str:
    """The prompt's action list: one signature per verb with a comment, generated from the table."""
    lines = []
    for verb in verbs.verbs:
        if not verb.parse:
            continue
        args = ", ".join(f"{a.name}={a.example or repr('')}" for a in verb.args)
        lines.append(f"{verb.name}({args}) # {verb.describe()}")
    return "\n".join(lines)


# [ \t]* rather than \s* after a newline: \s* would rescan every run of blank lines (quadratic on junk).
_THOUGHT = re.compile(r"Thought[ \t]*:[ \t]*(.*?)(?=\n[ \t]*(?:Action|Action_Summary|Reflection)[ \t]*:|\Z)", re.S | re.I)
_REFLECTION = re.compile(r"Reflection[ \t]*:[ \t]*(.*?)(?=\n[ \t]*(?:Action|Action_Summary|Thought)[ \t]*:|\Z)",
                         re.S | re.I)
_SUMMARY = re.compile(r"Action_Summary[ \t]*:[ \t]*(.*?)(?=\n[ \t]*(?:Action|Thought|Reflection)[ \t]*:|\Z)",
                      re.S | re.I)
_ACTION = re.compile(r"(?<![\w])Action[ \t]*:", re.I)
_CALL_START = re.compile(r"(?:^|\n|;)[ \t]*`*([A-Za-z_]\w*)[ \t]*\(")
_KEY = re.compile(r"\s*([A-Za-z_]\w*)\s*=\s*")
_ESCAPES = {"n": "\n", "t": "\t", "'": "'", '"': '"', "\\": "\\"}


def _split_calls(text: str) -> list[tuple[str, str, bool]]:
    """(name, argument text, closed) for each call in an Action section, in order."""
    starts = list(_CALL_START.finditer(text))
    out = []
    for n, m in enumerate(starts):
        end = starts[n + 1].start() if n + 1 < len(starts) else len(text)
        body = text[m.end() : end].rstrip().rstrip("`").rstrip()
        closed = body.endswith(")")
        out.append((m.group(1), body[:-1] if closed else body, closed))
    return out


def _scan_args(inner: str) -> list[tuple[str | None, str]] | None:
    """key='value' pairs (quotes and escapes respected); None when the text does not scan cleanly."""
    out: list[tuple[str | None, str]] = []
    i, n = 0, len(inner)
    while True:
        while i < n and inner[i] in " \t\n,":
            i += 1
        if i >= n:
            return out
        key = None
        if m := _KEY.match(inner, i):
            key, i = m.group(1), m.end()
        if i < n and inner[i] in "'\"":
            quote, i, buf = inner[i], i + 1, []
            while i < n and inner[i] != quote:
                if inner[i] == "\\" and i + 1 < n:
                    buf.append(_ESCAPES.get(inner[i + 1], "\\" + inner[i + 1]))
                    i += 2
                    continue
                buf.append(inner[i])
                i += 1
            if i >= n:
                return None
            i += 1
            value = "".join(buf)
        else:
            depth, j = 0, i
            while j < n and not (inner[j] == "," and depth == 0):
                depth += inner[j] in "([{"
                depth -= inner[j] in ")]}"
                j += 1
            value, i = inner[i:j].strip(), j
        out.append((key, value))
        while i < n and inner[i] in " \t\n":
            i += 1
        if i < n and inner[i] != ",":
            return None


def _single_arg(inner: str) -> list[tuple[str | None, str]] | None:
    """One key='…' whose value has unescaped quotes inside: take the outermost pair."""
    m = re.fullmatch(r"\s*([A-Za-z_]\w*)\s*=\s*(['\"])(.*)\2\s*", inner, re.S)
    if not m:
        return None
    return [(m.group(1), re.sub(r"\\(.)", lambda e: _ESCAPES.get(e.group(1), e.group(0)), m.group(3)))]


class UITars15(Dialect):
    """UI-TARS 1.5: absolute pixels of the smart-resized image (min 100·28² pixels), point='<point>x y</point>'."""

    name = "ui-tars-1.5"
    factor = QWEN25_FACTOR
    min_pixels = 100 * 28 * 28
    max_pixels = 16384 * 28 * 28
    points = True
    language = "English"

    def __init__(self, kind: DeviceKind = "phone", *, language: str = "English", **kw: Any) -> None:
        super().__init__(kind, **kw)
        self.language = language
        self._verbs = uitars_verbs(kind, points=self.points)

    @property
    def verbs(self) -> Verbs:
        return self._verbs

    def tools(self, space: CoordinateSpace | None = None) -> str:
        return action_space(self._verbs)

    # -- request -----------------------------------------------------------------------------

    def _messages(self, prompt: Prompt) -> list[Message]:
        intro = render("uitars/prompt.j2", device="phone" if self.kind == "phone" else "computer",
                       action_space=self.tools(prompt.space), language=self.language,
                       instruction=prompt.task, omitted=prompt.omitted)
        msgs = [Message.text("system", render("uitars/system.j2")), Message.text("user", intro)]
        for _, step in prompt.lines:
            msgs.append(Message.text("assistant", step.reply or step.line))
        for _, step, image in prompt.turns:
            if image is not None:
                msgs.append(Message("user", (image,)))
            msgs.append(Message.text("assistant", step.reply or step.line))
        msgs.append(Message("user", (prompt.current,)))
        return msgs

    # -- reply -------------------------------------------------------------------------------

    def example(self) -> str:
        verb = self._verbs.verbs[0]
        args = ", ".join(f"{a.name}={a.example}" for a in verb.args)
        return (f"Reply as two lines:\nThought: <your reasoning>\nAction: {verb.name}({args})\n"
                f"with one of the actions {', '.join(dict.fromkeys(self._verbs.names))}")

    def call_text(self, action: BaseAction) -> str:
        verb, args = self._verbs.to_call(action)
        inner = ", ".join(f"{k}='{_escape(str(v))}'" for k, v in args.items())
        return f"{verb}({inner})"

    def format(self, action: BaseAction, *, thought: str | None = None, summary: str | None = None) -> str:
        head = f"Thought: {thought}\n" if thought else ""
        head += f"Action_Summary: {summary}\n" if summary else ""
        return f"{head}Action: {self.call_text(action)}"

    def parse(self, raw: object, space: CoordinateSpace | None = None) -> Plan:
        text = self._text(raw)
        notes: list[str] = []
        thought = _group(_THOUGHT, text)
        if reflection := _group(_REFLECTION, text):
            thought = f"{reflection}\n{thought}" if thought else reflection
        summary = _group(_SUMMARY, text)
        marks = list(_ACTION.finditer(text))
        if marks:
            section = text[marks[0].end():]
        else:
            section = text
            notes.append("the reply had no 'Action:' line")
        calls = _split_calls(section)
        if not calls:
            raise ParseError(self._fix("no action call found after 'Action:'"), raw=raw)
        name, inner, closed = calls[0]
        if not closed:
            notes.append(f"the call {name}( was not closed with ')'")
        verb = self._verbs.find(name)
        if verb is None:
            raise ParseError(self._fix(f"unknown action {name[:40]!r}"), raw=raw)
        if verb.name != name:
            notes.append(f"action {name!r} was read as {verb.name!r}")
        pairs = _scan_args(inner)
        if pairs is None:
            pairs = _single_arg(inner)
            if pairs is None:
                raise ParseError(self._fix(f"the arguments of {verb.name}(…) could not be read: write key='value' "
                                           "pairs and escape quotes inside values as \\'"), raw=raw)
            notes.append("unescaped quotes inside a value were accepted")
        args: dict[str, Any] = {}
        for n, (key, value) in enumerate(pairs):
            if key is None:
                if n >= len(verb.args):
                    raise ParseError(self._fix(f"{verb.name} takes {len(verb.args)} argument(s), got {len(pairs)}"),
                                     raw=raw)
                key = verb.args[n].name
                notes.append(f"a positional argument was read as {key}=")
            args[key] = value
        try:
            action = self._verbs.to_action(verb, args, space)
        except ValueError as exc:
            raise ParseError(f"{exc}. Fix the action and reply again.", raw=raw, problems=str(exc).split("; ")) from None
        ignored = tuple(f"{n}({i}{')' if c else ''}" for n, i, c in calls[1:])
        return Plan(action=action, raw=text, call=self.call_text(action), thought=thought,
                    summary=one_line(summary), ignored=ignored, notes=tuple(notes), space=space)


class UITars10(UITars15):
    """UI-TARS 1.0: a relative 0..1000 grid, start_box='<|box_start|>(x1,y1)<|box_end|>'."""

    name = "ui-tars-1.0"
    grid = 1000
    points = False


def _group(pattern: re.Pattern[str], text: str) -> str | None:
    m = pattern.search(text)
    return (m.group(1).strip() or None) if m else None


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n")

