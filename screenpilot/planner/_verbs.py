"""A dialect's verbs: how its action names and arguments map onto our vocabulary, both ways.

A dialect never writes a schema by hand. It lists its verbs (Qwen's ``click`` is our ``tap``, its
``coordinate`` our ``point``, its ``time`` in seconds our ``duration_ms``), and everything else is
derived from that table plus the action models: the tool schema the prompt shows, the reverse map
that turns a reply into an Action, the forward map that writes an Action in the dialect (history
lines, scripted replies), and error messages worded in the dialect's own names.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from ..actions import ActionError, BaseAction, DeviceKind, action_class, parse_action, tool_parameters
from ..perception import CoordinateSpace

__all__ = ["Arg", "Verb", "Verbs", "ms_from_seconds", "number", "seconds_from_ms"]

Converter = Callable[[Any], Any]
Reshape = Callable[[dict[str, Any], "CoordinateSpace | None"], dict[str, Any]]


def _same(value: Any) -> Any:
    return value


def number(value: Any, what: str = "a number") -> float:
    """A finite JSON number (not a boolean, not a string), or a ValueError worded for the model."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"must be {what}, got {_short(value)}")
    return value


def ms_from_seconds(value: Any) -> int:
    ms = number(value, "a number of seconds") * 1000
    if not math.isfinite(ms):
        raise ValueError(f"must be a number of seconds, got {_short(value)}")
    return round(ms)


def seconds_from_ms(value: int) -> float:
    return value / 1000


def _short(value: Any, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass(frozen=True)
class Arg:
    """One argument of a verb, filling one field of our action."""

    name: str
    field: str
    to_ours: Converter = _same
    to_theirs: Converter = _same
    schema: Mapping[str, Any] | None = None  # replaces the generated schema where units or shape change
    rule: str | None = None  # how to state a range problem in the dialect's units
    aliases: tuple[str, ...] = ()
    example: str | None = None  # how a signature line shows the value (text action spaces)


@dataclass(frozen=True)
class Verb:
    """A dialect action name: which action of ours it is, with which arguments and implied fields."""

    name: str
    action: str
    args: tuple[Arg, ...] = ()
    fixed: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    doc: str | None = None
    aliases: tuple[str, ...] = ()
    parse: bool = True  # False: only for writing one of our actions in this dialect
    reshape: Reshape | None = None  # last step before validation (e.g. one key -> key, not hotkey)

    def describe(self) -> str:
        return self.doc or (action_class(self.action).__doc__ or "").strip().splitlines()[0]

    def arg(self, name: str) -> Arg | None:
        return next((a for a in self.args if a.name == name or name in a.aliases), None)


class Verbs:
    """The verb table of one dialect and one kind of device."""

    def __init__(self, kind: DeviceKind, verbs: Sequence[Verb], aliases: Mapping[str, str] | None = None) -> None:
        self.kind = kind
        self.verbs = tuple(verbs)
        self.names = tuple(v.name for v in self.verbs if v.parse)
        self._parameters: dict[str, Any] | None = None
        self._lookup: dict[str, Verb] = {}
        for v in self.verbs:
            if v.parse:
                self._lookup.setdefault(v.name, v)
        for v in self.verbs:
            for a in v.aliases:
                self._lookup.setdefault(a, v)
        for alias, name in (aliases or {}).items():
            self._lookup.setdefault(alias, self._lookup[name])

    def find(self, name: str) -> Verb | None:
        return self._lookup.get(name) or self._lookup.get(name.strip().lower().replace("-", "_").replace(" ", "_"))

    # -- reply -> action ---------------------------------------------------------------------

    def to_action(self, verb: Verb, args: Mapping[str, Any], space: CoordinateSpace | None = None) -> BaseAction:
        """Our action for a verb and its arguments; ValueError lists every problem in the dialect's names."""
        ours: dict[str, Any] = {"action": verb.action}
        problems: list[str] = []
        for key, value in args.items():
            arg = verb.arg(str(key))
            if arg is None:
                if value is None:
                    continue
                takes = ", ".join(a.name for a in verb.args) or "no arguments"
                problems.append(f"{verb.name}: unknown argument {_short(key)} ({verb.name} takes {takes})")
                continue
            if value is None:
                continue
            try:
                ours[arg.field] = arg.to_ours(value)
            except (ValueError, TypeError, OverflowError) as exc:
                problems.append(f"{verb.name}.{arg.name}: {exc}")
        if problems:
            raise ValueError("; ".join(problems))
        ours.update(verb.fixed)
        if verb.reshape is not None:
            ours = verb.reshape(ours, space)
        try:
            return parse_action(ours, self.kind)
        except ActionError as exc:
            raise ValueError("; ".join(self._translate(verb, p) for p in exc.problems)) from None

    def _translate(self, verb: Verb, problem: str) -> str:
        """Reword a vocabulary problem ("long_press.duration_ms: ...") with the verb's names."""
        names = {a.field: a for a in verb.args}
        match = re.match(r"(\w+)(?:\.(\w+))?((?:\.\w+)*): (.*)", problem, re.S)
        if not match:
            return f"{verb.name}: {problem}"
        _action, fld, rest, tail = match.groups()
        quoted = re.search(r"field '(\w+)'", tail)
        if quoted and quoted.group(1) in names:
            tail = tail.replace(f"field '{quoted.group(1)}'", f"argument '{names[quoted.group(1)].name}'")
        if fld is None:
            return f"{verb.name}: {tail}"
        arg = names.get(fld)
        if arg is None:
            return f"{verb.name}: {fld}{rest}: {tail}"
        if arg.rule and re.match(r"must be [<>]", tail):
            tail = arg.rule
        return f"{verb.name}.{arg.name}{rest}: {tail}"

    # -- action -> call ----------------------------------------------------------------------

    def to_call(self, action: BaseAction) -> tuple[str, dict[str, Any]]:
        """The verb and arguments that say ``action`` in this dialect (ValueError if none can)."""
        for verb in self.verbs:
            if verb.action != action.action:
                continue
            if any(getattr(action, k) != v for k, v in verb.fixed.items()):
                continue
            carried = {a.field for a in verb.args} | set(verb.fixed) | {"action"}
            lost = [k for k, info in type(action).model_fields.items()
                    if k not in carried and getattr(action, k) != info.default]
            if lost:
                continue  # saying it this way would drop a value the action sets
            args = {}
            for arg in verb.args:
                value = getattr(action, arg.field, None)
                if value is not None:
                    args[arg.name] = arg.to_theirs(value)
            return verb.name, args
        raise ValueError(f"this dialect has no way to say {action.model_dump(mode='json')}")

    # -- schema ------------------------------------------------------------------------------

    def parameters(self) -> dict[str, Any]:
        """The flat tool schema, generated from the verbs and the action models.

        Built once per verb table (it costs ~4 ms of pydantic schema work and every request of a run
        needs the same one); each caller gets its own copy to change freely.
        """
        if self._parameters is None:
            self._parameters = self._build_parameters()
        return copy.deepcopy(self._parameters)

    def _build_parameters(self) -> dict[str, Any]:
        lines: list[str] = []
        props: dict[str, dict[str, Any]] = {}
        uses: dict[str, list[tuple[str, str, str]]] = {}
        for verb in self.verbs:
            if not verb.parse:
                continue
            cls = action_class(verb.action)
            ours = tool_parameters(self.kind, (verb.action,))["properties"]
            required = set(cls.model_json_schema().get("required", []))
            lines.append(f"* `{verb.name}`: {verb.describe()}")
            for arg in verb.args:
                if arg.schema is not None:
                    spec = dict(arg.schema)
                    desc = spec.pop("description", "")
                else:
                    spec = {k: v for k, v in ours[arg.field].items() if k != "description"}
                    desc = cls.model_fields[arg.field].description or ""
                default = cls.model_fields[arg.field].default
                note = ("required" if arg.field in required else
                        f"default {arg.to_theirs(default)!r}" if default is not None else "optional")
                props.setdefault(arg.name, spec)
                uses.setdefault(arg.name, []).append((verb.name, desc.strip(), note))
        properties: dict[str, Any] = {
            "action": {"description": "The action to perform:\n" + "\n".join(lines), "type": "string",
                       "enum": list(self.names)},
        }
        for name, spec in props.items():
            users = uses[name]
            if len({d for _, d, _ in users}) == 1:
                text = f"{users[0][1]} Used by: " + "; ".join(f"`{v}` ({n})" for v, _, n in users) + "."
            else:
                text = " ".join(f"`{v}`: {d.rstrip('.')} ({n})." for v, d, n in users)
            properties[name] = {"description": text, **spec}
        return {"type": "object", "properties": properties, "required": ["action"]}
