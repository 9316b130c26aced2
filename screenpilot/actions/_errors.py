"""Action errors, phrased for the model that made the mistake.

A pydantic error list is translated into short sentences that name the action, the field and the
rule ("tap.point: expected [x, y], two numbers"), because this text goes back into the prompt.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from ..errors import ModelFault

__all__ = ["ActionError", "describe_validation_error"]


class ActionError(ModelFault):
    """An action the model asked for is malformed or not allowed; ``problems`` lists each reason."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems) if self.problems else "invalid action")


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


_POINT_FIELDS = {"point", "start", "end"}


def _phrase(err: dict[str, Any], known: Sequence[str]) -> str:
    loc = [str(p) for p in err.get("loc", ())]
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    value = err.get("input")
    if kind == "union_tag_not_found":
        return f'missing "action": give one of {", ".join(known)}'
    if kind == "union_tag_invalid":
        tag = ctx.get("tag", value)
        return f"unknown action {_short(tag)}: use one of {', '.join(known)}"
    if kind in {"model_attributes_type", "model_type", "dict_type"} and len(loc) <= 1:
        return f'an action must be a JSON object like {{"action": "{known[0]}", ...}}, got {_short(value)}'
    # loc is (action, field, [index...]) for a discriminated union member
    action, field = (loc[0], loc[1:]) if loc else ("action", [])
    where = ".".join([action, *field]) if field else action
    top = field[0] if field else ""
    if kind == "missing":
        return f"{action}: field {top!r} is required"
    if kind == "extra_forbidden":
        return f"{action}: unknown field {top!r} (allowed: see the tool schema)"
    if top in _POINT_FIELDS and kind in {"tuple_type", "too_short", "too_long", "float_type", "int_type",
                                         "finite_number", "missing_argument", "unexpected_positional_argument"}:
        return f"{action}.{top}: expected [x, y], two finite numbers, got {_short(err.get('input'))}"
    if kind in {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}:
        bound = next(iter(ctx.values()), "?")
        rule = {"greater_than_equal": ">=", "less_than_equal": "<=", "greater_than": ">", "less_than": "<"}[kind]
        return f"{where}: must be {rule} {bound}, got {_short(value)}"
    if kind in {"string_too_short", "too_short"}:
        return f"{where}: must not be empty"
    if kind in {"string_too_long", "too_long"}:
        return f"{where}: too long (at most {ctx.get('max_length', '?')})"
    if kind == "literal_error":
        return f"{where}: must be one of {ctx.get('expected', '?')}, got {_short(value)}"
    msg = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
    if not field:  # a rule across fields: the whole object is the "value"
        return f"{action}: {msg}"
    return f"{where}: {msg}, got {_short(value)}"


def describe_validation_error(exc: ValidationError, known: Sequence[str]) -> list[str]:
    """One sentence per problem, deduplicated, in the order pydantic found them."""
    out: list[str] = []
    for err in exc.errors(include_url=False):
        line = _phrase(dict(err), known)
        if line not in out:
            out.append(line)
    return out
