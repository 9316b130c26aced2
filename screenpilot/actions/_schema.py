"""JSON schemas generated from the vocabulary: the exact union, and a flat tool schema.

Function-calling servers and Qwen's own prompts expect ONE object with an ``action`` enum and the
other parameters side by side, each saying which actions use it. ``tool_schema`` builds that shape
from the models, so the prompt can never offer an action or field the parser does not know.
"""

from __future__ import annotations

import copy
from typing import Any

from ._models import DESKTOP_ACTIONS, PHONE_ACTIONS, DeviceKind, action_class
from ._parse import action_adapter

__all__ = ["action_schema", "tool_parameters", "tool_schema"]


def action_schema(kind: DeviceKind | None = None) -> dict[str, Any]:
    """The discriminated-union JSON schema (``oneOf`` + ``discriminator``), as pydantic emits it."""
    return action_adapter(kind).json_schema()


def _inline(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """Resolve ``$ref`` (keeping sibling keys) and write point pairs the plain way tool callers expect."""
    schema = copy.deepcopy(schema)
    ref = schema.pop("$ref", None)
    if ref:
        schema = {**copy.deepcopy(defs[ref.rsplit("/", 1)[1]]), **schema}
    if "anyOf" in schema:
        schema["anyOf"] = [_inline(s, defs) for s in schema["anyOf"]]
    items = schema.pop("prefixItems", None)
    if items:
        schema["items"] = {"type": items[0].get("type", "number")}
    schema.pop("title", None)
    return schema


def tool_parameters(kind: DeviceKind, actions: tuple[str, ...] | None = None) -> dict[str, Any]:
    """A flat ``{"type": "object"}`` schema: ``action`` enum plus every field, each saying who uses it."""
    names = actions or (PHONE_ACTIONS if kind == "phone" else DESKTOP_ACTIONS)
    lines = []
    fields: dict[str, dict[str, Any]] = {}
    users: dict[str, list[str]] = {}
    for name in names:
        cls = action_class(name)
        lines.append(f"* `{name}`: {(cls.__doc__ or '').strip().splitlines()[0]}")
        full = cls.model_json_schema()
        defs = full.get("$defs", {})
        required = set(full.get("required", []))
        for field, spec in full["properties"].items():
            if field == "action":
                continue
            spec = _inline(spec, defs)
            spec.pop("title", None)
            default = spec.pop("default", None)
            note = "required" if field in required else f"default {default!r}" if default is not None else "optional"
            ranges = [f"{k} {spec[k]}" for k in ("minimum", "maximum") if k in spec]
            users.setdefault(field, []).append(f"{name} ({', '.join([note, *ranges])})")
            fields.setdefault(field, spec)
    properties: dict[str, Any] = {
        "action": {"type": "string", "enum": list(names), "description": "The action to perform:\n" + "\n".join(lines)}
    }
    for field, spec in fields.items():
        spec = dict(spec)
        for k in ("minimum", "maximum"):
            spec.pop(k, None)  # ranges differ by action: stated in words below
        spec["description"] = f"{spec.get('description', '').strip()} Used by: {'; '.join(users[field])}.".strip()
        if "anyOf" in spec:  # Optional[Point] -> the point schema; absence already means None
            spec = {**next(s for s in spec["anyOf"] if s.get("type") != "null"), "description": spec["description"]}
        properties[field] = spec
    return {"type": "object", "properties": properties, "required": ["action"]}


def tool_schema(kind: DeviceKind, name: str | None = None, description: str | None = None) -> dict[str, Any]:
    """An OpenAI-style function tool (``{"type": "function", "function": {...}}``) for a device kind."""
    return {
        "type": "function",
        "function": {
            "name": name or ("mobile_use" if kind == "phone" else "computer_use"),
            "description": description
            or f"Operate a {kind} by its screen, one action at a time. Coordinates are pixels, x right, y down.",
            "parameters": tool_parameters(kind),
        },
    }
