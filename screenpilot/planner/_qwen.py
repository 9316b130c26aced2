"""The Qwen dialects: Qwen2.5-VL (absolute pixels of the resized image) and Qwen3-VL (0..1000 grid).

Both declare one function tool in the system message, hermes style (``mobile_use`` on a phone,
``computer_use`` on a desktop), and answer with ``<tool_call>{"name": …, "arguments": {…}}</tool_call>``,
optionally with reasoning around it: ``<thinking>``/``<conclusion>`` (Mobile-Agent-v3) or
``Thought:``/``Action:`` lines (Qwen3-VL cookbooks). Their verbs are our actions renamed: the table
below is the only place that says so; schema, parser and writer all derive from it.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..actions import BaseAction, DeviceKind, Point
from ..perception import QWEN3_FACTOR, QWEN25_FACTOR, CoordinateSpace
from ._dialect import Dialect, Plan, Prompt, one_line
from ._errors import ParseError
from ._lenient import find_tool_calls, load_object, tagged
from ._request import ImagePart, Message, TextPart
from ._templates import render
from ._verbs import Arg, Verb, Verbs, ms_from_seconds, number, seconds_from_ms

__all__ = ["Qwen3VL", "Qwen25VL", "qwen_verbs"]

_NUMBERS = re.compile(r"-?\d+(?:\.\d+)?")


def _point_in(value: Any) -> Point:
    """[x, y] as models write it; also "(x, y)" or "[x, y]" as a string, which they sometimes do."""
    if isinstance(value, str):
        found = _NUMBERS.findall(value)
        if len(found) != 2:
            raise ValueError(f"expected [x, y], two numbers, got {value[:40]!r}")
        return Point(float(found[0]), float(found[1]))
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise ValueError(f"expected [x, y], two numbers, got {json.dumps(value)[:40] if _jsonable(value) else value!r}")
    return Point(number(value[0], "a number (x)"), number(value[1], "a number (y)"))


def _jsonable(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError, RecursionError):
        return False
    return True


def _point_out(point: Point) -> list[int | float]:
    return [int(v) if float(v).is_integer() else v for v in point]


def _whole(value: Any, what: str) -> int:
    n = number(value, what)
    if not float(n).is_integer():
        raise ValueError(f"must be a whole number ({what}), got {value!r}")
    return int(n)


def _keys_in(value: Any) -> list[str]:
    if isinstance(value, str):
        return [k for k in re.split(r"[+\s]+", value.strip()) if k]
    if not isinstance(value, list) or not all(isinstance(k, str) for k in value):
        raise ValueError(f'expected a list of key names like ["ctrl", "c"], got {value!r}'[:120])
    return value


def _one_key(ours: dict[str, Any], _space: CoordinateSpace | None) -> dict[str, Any]:
    keys = ours.get("keys")
    if isinstance(keys, list) and len(keys) == 1:
        return {"action": "key", "key": keys[0]}
    return ours


def _coord(field: str = "point", name: str = "coordinate", **kw: Any) -> Arg:
    return Arg(name, field, _point_in, _point_out, aliases=("point", "coordinates", "position") if name == "coordinate"
               else (), **kw)


def qwen_verbs(kind: DeviceKind, *, qwen3: bool = False) -> Verbs:
    """The mobile_use / computer_use verbs, as our actions renamed and reshaped."""
    seconds = {"type": "number"}
    if kind == "phone":
        verbs = [
            Verb("click", "tap", (_coord(),), aliases=("tap", "touch", "press")),
            Verb("long_press", "long_press", (
                _coord(),
                Arg("time", "duration_ms", ms_from_seconds, seconds_from_ms,
                    {**seconds, "description": "How long to hold, in seconds."},
                    rule="must be between 0.3 and 10 seconds", aliases=("duration",)),
            ), aliases=("long_click", "longpress", "long_tap")),
            Verb("swipe", "swipe", (
                _coord("start"),
                Arg("coordinate2", "end", _point_in, _point_out, aliases=("end_coordinate", "coordinate_2")),
            ), aliases=("scroll", "drag")),
            Verb("type", "type", (Arg("text", "text", aliases=("content",)),), aliases=("input", "type_text")),
            Verb("key", "key", (Arg("text", "key", aliases=("key",)),), aliases=("keyevent", "press_key")),
            Verb("system_button", "system_button", (
                Arg("button", "button", to_theirs=str.capitalize, schema={
                    "type": "string", "enum": ["Back", "Home", "Menu", "Enter"],
                    "description": "Back, Home, Menu or Enter."}),
            ), aliases=("button",)),
            Verb("open", "open_app", (Arg("text", "app", aliases=("app", "app_name", "name")),),
                 aliases=("open_app", "launch")),
            Verb("wait", "wait", (Arg("time", "seconds", aliases=("seconds",),
                                      schema={**seconds, "description": "How long to wait, in seconds."}),)),
            Verb("terminate", "terminate", (Arg("status", "status"),), aliases=("finish", "done", "stop")),
            Verb("answer", "answer", (Arg("text", "text"),)),
        ]
        return Verbs(kind, verbs)
    click = (_coord(),)
    verbs = [
        Verb("key", "hotkey", (Arg("keys", "keys", _keys_in, aliases=("key", "text")),), reshape=_one_key,
             doc="Press keys together (modifiers first), then release them.", aliases=("hotkey", "press")),
        Verb("key", "key", (Arg("keys", "key", to_theirs=lambda k: [k]),), parse=False),
        Verb("type", "type", (Arg("text", "text", aliases=("content",)),), aliases=("input", "type_text")),
        Verb("mouse_move", "move", click, aliases=("move", "hover")),
        Verb("left_click", "click", click, fixed={"button": "left", "count": 1}, aliases=("click", "tap"),
             doc="Click the left mouse button at a point."),
        Verb("left_click_drag", "drag", (
            Arg("start_coordinate", "start", _point_in, _point_out, aliases=("coordinate1", "start")),
            _coord("end"),
        ), aliases=("drag",), doc="Press the left button at start_coordinate, move to coordinate, release."),
        Verb("right_click", "click", click, fixed={"button": "right", "count": 1},
             doc="Click the right mouse button at a point."),
        Verb("middle_click", "click", click, fixed={"button": "middle", "count": 1},
             doc="Click the middle mouse button at a point."),
        Verb("double_click", "click", click, fixed={"button": "left", "count": 2},
             doc="Double-click the left mouse button at a point."),
    ]
    if qwen3:
        verbs.append(Verb("triple_click", "click", click, fixed={"button": "left", "count": 3},
                          doc="Triple-click the left mouse button at a point (selects a line)."))
    pixels = {"type": "number", "description": "Wheel clicks; positive scrolls up, negative scrolls down."}
    verbs.append(Verb("scroll", "scroll", (
        _coord(),
        Arg("pixels", "dy", lambda v: -_whole(v, "wheel clicks"), lambda v: -v, pixels,
            rule="must be between -50 and 50 wheel clicks", aliases=("amount", "clicks")),
    ), fixed={"dx": 0}, doc="Turn the mouse wheel vertically, at a point or where the pointer is."))
    if qwen3:
        verbs.append(Verb("hscroll", "scroll", (
            _coord(),
            Arg("pixels", "dx", lambda v: _whole(v, "wheel clicks"), lambda v: v,
                {"type": "number", "description": "Wheel clicks; positive scrolls right, negative left."},
                rule="must be between -50 and 50 wheel clicks"),
        ), fixed={"dy": 0}, doc="Turn the mouse wheel horizontally, at a point or where the pointer is."))
    verbs += [
        Verb("wait", "wait", (Arg("time", "seconds", aliases=("seconds",),
                                  schema={**seconds, "description": "How long to wait, in seconds."}),)),
        Verb("terminate", "terminate", (Arg("status", "status"),), aliases=("finish", "done", "stop")),
        Verb("answer", "answer", (Arg("text", "text"),)),
    ]
    return Verbs(kind, verbs)


# [ \t]* rather than \s* after a newline: \s* would rescan every run of blank lines (quadratic on junk).
_THOUGHT = re.compile(r"Thought[ \t]*:[ \t]*(.*?)(?=\n[ \t]*Action[ \t]*:|<\s*tool_call|\Z)", re.S | re.I)
_ACTION = re.compile(r"(?:^|\n)[ \t]*Action[ \t]*:[ \t]*(.*?)(?=<\s*tool_call|\n|\Z)", re.S | re.I)


class Qwen25VL(Dialect):
    """Qwen2.5-VL with the ``mobile_use`` / ``computer_use`` tool: absolute pixels of the resized image."""

    name = "qwen2.5-vl"
    factor = QWEN25_FACTOR
    min_pixels = 3136
    max_pixels = 12_845_056
    response_format = False

    def __init__(self, kind: DeviceKind = "phone", **kw: Any) -> None:
        super().__init__(kind, **kw)
        self.tool_name = "mobile_use" if kind == "phone" else "computer_use"
        self._verbs = qwen_verbs(kind, qwen3=isinstance(self, Qwen3VL))

    @property
    def verbs(self) -> Verbs:
        return self._verbs

    # -- request -----------------------------------------------------------------------------

    def tools(self, space: CoordinateSpace | None = None) -> dict[str, Any]:
        """The function tool (OpenAI shape); its description states the resolution the model sees."""
        size = space.model if space is not None else None
        description = render(f"qwen/{self.tool_name}.j2", width=size.width if size else "{width}",
                             height=size.height if size else "{height}", relative=self.grid is not None)
        return {"type": "function", "function": {"name": self.tool_name, "description": description,
                                                 "parameters": self._verbs.parameters()}}

    def system_prompt(self, space: CoordinateSpace) -> str:
        return render("qwen/system.j2", tool=json.dumps(self.tools(space), ensure_ascii=False),
                      response_format=self.response_format)

    def _messages(self, prompt: Prompt) -> list[Message]:
        text = render("qwen/user.j2", task=prompt.task, omitted=prompt.omitted,
                      lines=[(i, one_line(s.line) or "") for i, s in prompt.lines])
        images: list[ImagePart] = [p for _, _, p in prompt.turns if p is not None] + [prompt.current]
        msgs = [Message.text("system", self.system_prompt(prompt.space)),
                Message("user", (TextPart(text + "\n"), images[0]))]
        for (_, step, _), image in zip(prompt.turns, images[1:]):
            msgs.append(Message.text("assistant", step.reply or step.line))
            msgs.append(Message("user", (image,)))
        return msgs

    # -- reply -------------------------------------------------------------------------------

    def example(self) -> str:
        names = ", ".join(self._verbs.names)
        return (f'Reply with exactly one call: <tool_call>\n{{"name": "{self.tool_name}", "arguments": '
                f'{{"action": <one of {names}>, ...}}}}\n</tool_call>')

    def call_json(self, action: BaseAction) -> str:
        verb, args = self._verbs.to_call(action)
        return json.dumps({"name": self.tool_name, "arguments": {"action": verb, **args}}, ensure_ascii=False)

    def format(self, action: BaseAction, *, thought: str | None = None, summary: str | None = None) -> str:
        call = f"<tool_call>\n{self.call_json(action)}\n</tool_call>"
        head = f"<thinking>\n{thought}\n</thinking>\n" if thought else ""
        tail = f"\n<conclusion>\n{summary}\n</conclusion>" if summary else ""
        return head + call + tail

    def parse(self, raw: object, space: CoordinateSpace | None = None) -> Plan:
        text = self._text(raw)
        thought = tagged(text, "thinking", "think")
        summary = tagged(text, "conclusion")
        if thought is None and (m := _THOUGHT.search(text)):
            thought = m.group(1).strip() or None
        if summary is None and (m := _ACTION.search(text)):
            summary = m.group(1).strip().strip("\"'“”").strip() or None
        calls, notes = find_tool_calls(text)
        if not calls:
            raise ParseError(self._fix("no tool call found in your reply"), raw=raw)
        decoded: list[tuple[str, dict[str, Any]]] = []
        first_error = None
        for call in calls:
            loaded = load_object(call)
            if isinstance(loaded.value, dict):
                decoded.append((call, loaded.value))
                if loaded.note and len(decoded) == 1:
                    notes.append(loaded.note)
            elif first_error is None:
                first_error = loaded.error or f"expected a JSON object, got {type(loaded.value).__name__}"
        if not decoded:
            raise ParseError(self._fix(f"the tool call is not valid JSON ({first_error})"), raw=raw)
        if first_error is not None:
            notes.append(f"a call that was not valid JSON was skipped ({first_error})")
        verb_name, args = self._unwrap(decoded[0][1], notes, raw)
        verb = self._verbs.find(verb_name)
        if verb is None:
            raise ParseError(self._fix(f"unknown action {verb_name[:40]!r}: use one of {', '.join(self._verbs.names)}"),
                             raw=raw)
        if verb.name != verb_name:
            notes.append(f"action {verb_name!r} was read as {verb.name!r}")
        try:
            action = self._verbs.to_action(verb, args, space)
        except ValueError as exc:
            raise ParseError(f"{exc}. Fix the call and reply again.", raw=raw, problems=str(exc).split("; ")) from None
        return Plan(action=action, raw=text, call=self.call_json(action), thought=thought, summary=summary,
                    ignored=tuple(c.strip() for c, _ in decoded[1:]), notes=tuple(notes), space=space)

    def _unwrap(self, obj: dict[str, Any], notes: list[str], raw: object) -> tuple[str, dict[str, Any]]:
        """(action name, other arguments) from the call object, wrapped or flat."""
        name = obj.get("name")
        if "arguments" in obj or "parameters" in obj:
            args = obj.get("arguments", obj.get("parameters"))
            if isinstance(args, str):
                args = load_object(args).value
            if not isinstance(args, dict):
                raise ParseError(self._fix('"arguments" must be a JSON object'), raw=raw)
            args = dict(args)
            if isinstance(name, str) and name != self.tool_name:
                if "action" not in args and self._verbs.find(name):
                    args["action"] = name
                    notes.append(f"the action was given as the function name {name!r}")
                else:
                    notes.append(f"the tool was named {name[:40]!r}, not {self.tool_name!r}")
        elif "action" in obj:
            args = {k: v for k, v in obj.items() if k != "name"}
            notes.append('the call had no "name"/"arguments" wrapper')
        else:
            raise ParseError(self._fix('the tool call needs "name" and "arguments"'), raw=raw)
        action = args.pop("action", None)
        if action is None:
            raise ParseError(self._fix(f'the call has no "action": give one of {", ".join(self._verbs.names)}'),
                             raw=raw)
        if not isinstance(action, str):
            raise ParseError(self._fix(f'"action" must be a string, one of {", ".join(self._verbs.names)}'), raw=raw)
        return action, args


class Qwen3VL(Qwen25VL):
    """Qwen3-VL: the same tools on a relative 0..1000 grid, factor 32, Thought/Action/tool_call replies."""

    name = "qwen3-vl"
    factor = QWEN3_FACTOR
    min_pixels = 4 * 32 * 32
    max_pixels = 16384 * 32 * 32
    grid = 1000
    response_format = True

    def __init__(self, kind: DeviceKind = "phone", *, grid: int = 1000, **kw: Any) -> None:
        super().__init__(kind, **kw)
        self.grid = grid

    def format(self, action: BaseAction, *, thought: str | None = None, summary: str | None = None) -> str:
        head = f"Thought: {thought}\n" if thought else ""
        head += f'Action: "{summary}"\n' if summary else ""
        return f"{head}<tool_call>\n{self.call_json(action)}\n</tool_call>"
