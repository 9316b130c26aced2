"""From any JSON value to an Action of the vocabulary, or an ActionError that says why not."""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import TypeAdapter, ValidationError

from ._errors import ActionError, describe_validation_error
from ._models import (
    DESKTOP_ACTIONS,
    PHONE_ACTIONS,
    Action,
    BaseAction,
    DesktopAction,
    DeviceKind,
    PhoneAction,
)

__all__ = ["action_adapter", "parse_action"]


@cache
def action_adapter(kind: DeviceKind | None = None) -> TypeAdapter[Any]:
    """The pydantic adapter for all actions, or only those a kind of device can do."""
    return TypeAdapter({None: Action, "phone": PhoneAction, "desktop": DesktopAction}[kind])


def _names(kind: DeviceKind | None) -> tuple[str, ...]:
    if kind == "phone":
        return PHONE_ACTIONS
    if kind == "desktop":
        return DESKTOP_ACTIONS
    return tuple(dict.fromkeys((*PHONE_ACTIONS, *DESKTOP_ACTIONS)))


def parse_action(value: Any, kind: DeviceKind | None = None) -> BaseAction:
    """Validate a decoded JSON value as an action; only ``ActionError`` escapes on bad input."""
    try:
        return action_adapter(kind).validate_python(value)
    except ValidationError as exc:
        names = _names(kind)
        problems = describe_validation_error(exc, names)
        tag = value.get("action") if isinstance(value, dict) else None
        if kind is not None and isinstance(tag, str) and tag in _names(None) and tag not in names:
            problems = [f"{tag!r} is not a {kind} action: use one of {', '.join(names)}"]
        raise ActionError(problems) from None
    except (TypeError, ValueError, RecursionError) as exc:  # pathological Python objects, not JSON
        raise ActionError([f"not a JSON action object: {type(exc).__name__}"]) from None
