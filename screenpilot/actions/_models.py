"""The one action vocabulary: every action a model may ask for, on a phone or a desktop.

Each action is a small frozen pydantic model whose ``action`` field is the discriminator. The
prompt's tool schema (``tool_schema``), the parsers' target (``parse_action``) and the drivers'
dispatch (``match`` on these classes) all come from here, so they cannot drift apart.

Field constraints here are the structural rules (a duration's range, a text's length); rules that
need a screen or a policy (bounds, keys per device, sensitive targets) live in ``_validate``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeAlias, Union, get_args

from pydantic import BaseModel, ConfigDict, Field, Strict, field_validator, model_validator

from ._geometry import Point

__all__ = [
    "DESKTOP_ACTIONS",
    "PHONE_ACTIONS",
    "Action",
    "Answer",
    "BaseAction",
    "Click",
    "DesktopAction",
    "DeviceKind",
    "Drag",
    "Hotkey",
    "Key",
    "LongPress",
    "Move",
    "OpenApp",
    "PhoneAction",
    "Scroll",
    "Swipe",
    "SystemButton",
    "Tap",
    "Terminate",
    "Type",
    "Wait",
    "action_class",
    "points_of",
]

DeviceKind: TypeAlias = Literal["phone", "desktop"]

MAX_TEXT = 4000
"""Longest text one ``type`` may carry; longer input is a model fault worth reporting."""

Millis = Annotated[int, Strict()]
Text = Annotated[str, Field(min_length=1, max_length=MAX_TEXT)]


class BaseAction(BaseModel):
    """Shared configuration: unknown fields are errors, values are immutable and finite."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    action: str

    @property
    def name(self) -> str:
        return self.action


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


# ---- phone -----------------------------------------------------------------------------------


class Tap(BaseAction):
    """Tap once at a point."""

    action: Literal["tap"] = "tap"
    point: Point = Field(description="Where to tap, [x, y].")


class LongPress(BaseAction):
    """Press and hold at a point."""

    action: Literal["long_press"] = "long_press"
    point: Point = Field(description="Where to press, [x, y].")
    duration_ms: Millis = Field(800, ge=300, le=10_000, description="How long to hold, in milliseconds.")


class Swipe(BaseAction):
    """Swipe in a straight line; to scroll a list down, swipe upwards."""

    action: Literal["swipe"] = "swipe"
    start: Point = Field(description="Where the finger lands, [x, y].")
    end: Point = Field(description="Where the finger lifts, [x, y].")
    duration_ms: Millis = Field(300, ge=50, le=10_000, description="How long the movement takes, in milliseconds.")


class SystemButton(BaseAction):
    """Press one of the phone's system buttons."""

    action: Literal["system_button"] = "system_button"
    button: Literal["back", "home", "menu", "enter"] = Field(description="back, home, menu or enter.")

    _norm = field_validator("button", mode="before")(_lower)


class OpenApp(BaseAction):
    """Open an app by its launcher label or package name."""

    action: Literal["open_app"] = "open_app"
    app: str = Field(min_length=1, max_length=200, description="The app's label as shown, or its package.")


# ---- desktop ---------------------------------------------------------------------------------


class Click(BaseAction):
    """Click a mouse button once, twice or three times at a point."""

    action: Literal["click"] = "click"
    point: Point = Field(description="Where to click, [x, y].")
    button: Literal["left", "right", "middle"] = Field("left", description="left, right or middle.")
    count: Annotated[int, Strict()] = Field(1, ge=1, le=3, description="1 = click, 2 = double, 3 = triple.")

    _norm = field_validator("button", mode="before")(_lower)


class Move(BaseAction):
    """Move the pointer without clicking (to hover)."""

    action: Literal["move"] = "move"
    point: Point = Field(description="Where to move the pointer, [x, y].")


class Drag(BaseAction):
    """Press the left button at one point, move to another, release."""

    action: Literal["drag"] = "drag"
    start: Point = Field(description="Where the drag begins, [x, y].")
    end: Point = Field(description="Where the drag ends, [x, y].")
    duration_ms: Millis = Field(500, ge=0, le=10_000, description="How long the movement takes, in milliseconds.")


class Scroll(BaseAction):
    """Turn the mouse wheel; positive dy scrolls down, positive dx scrolls right."""

    action: Literal["scroll"] = "scroll"
    point: Point | None = Field(None, description="Where to scroll, [x, y]; omit to scroll where the pointer is.")
    dx: Annotated[int, Strict()] = Field(0, ge=-50, le=50, description="Wheel clicks to the right (negative: left).")
    dy: Annotated[int, Strict()] = Field(0, ge=-50, le=50, description="Wheel clicks down (negative: up).")

    @model_validator(mode="after")
    def _moves(self) -> Scroll:
        if self.dx == 0 and self.dy == 0:
            raise ValueError("dx and dy are both 0: scroll at least one wheel click")
        return self


class Hotkey(BaseAction):
    """Press keys together, in order, then release them (e.g. ["ctrl", "shift", "t"])."""

    action: Literal["hotkey"] = "hotkey"
    keys: list[Annotated[str, Field(min_length=1, max_length=20)]] = Field(
        min_length=1, max_length=6, description="The keys to hold together, modifiers first."
    )


# ---- both ------------------------------------------------------------------------------------


class Type(BaseAction):
    """Type text into the focused field."""

    action: Literal["type"] = "type"
    text: Text = Field(description="The exact text to type.")


class Key(BaseAction):
    """Press and release a single key (phone: Android key name; desktop: key name)."""

    action: Literal["key"] = "key"
    key: str = Field(min_length=1, max_length=40, description="The key's name, e.g. enter, tab, del, f5.")

    @field_validator("key")
    @classmethod
    def _single(cls, key: str) -> str:
        if "+" in key.strip("+") and len(key) > 1:
            raise ValueError(f"{key!r} is a key combination: use the hotkey action with a list of keys")
        return key


class Wait(BaseAction):
    """Do nothing for a while, to let the screen catch up."""

    action: Literal["wait"] = "wait"
    seconds: float = Field(1.0, ge=0, le=60, description="How long to wait, in seconds.")


class Terminate(BaseAction):
    """End the task, saying whether it succeeded."""

    action: Literal["terminate"] = "terminate"
    status: Literal["success", "failure"] = Field(description="success or failure.")

    _norm = field_validator("status", mode="before")(_lower)


class Answer(BaseAction):
    """Give the answer the task asked for, in words."""

    action: Literal["answer"] = "answer"
    text: Text = Field(description="The answer.")


_PHONE = (Tap, LongPress, Swipe, Type, Key, SystemButton, OpenApp, Wait, Terminate, Answer)
_DESKTOP = (Click, Move, Drag, Scroll, Type, Hotkey, Key, Wait, Terminate, Answer)

PhoneAction = Annotated[
    Union[Tap, LongPress, Swipe, Type, Key, SystemButton, OpenApp, Wait, Terminate, Answer],
    Field(discriminator="action"),
]
DesktopAction = Annotated[
    Union[Click, Move, Drag, Scroll, Type, Hotkey, Key, Wait, Terminate, Answer],
    Field(discriminator="action"),
]
Action = Annotated[
    Union[
        Tap, LongPress, Swipe, SystemButton, OpenApp,
        Click, Move, Drag, Scroll, Hotkey,
        Type, Key, Wait, Terminate, Answer,
    ],
    Field(discriminator="action"),
]
"""Any action of the vocabulary; ``parse_action`` turns a JSON value into one."""


PHONE_ACTIONS: tuple[str, ...] = tuple(get_args(c.model_fields["action"].annotation)[0] for c in _PHONE)
DESKTOP_ACTIONS: tuple[str, ...] = tuple(get_args(c.model_fields["action"].annotation)[0] for c in _DESKTOP)

_BY_NAME: dict[str, type[BaseAction]] = {
    get_args(c.model_fields["action"].annotation)[0]: c for c in (*_PHONE, *_DESKTOP)
}


def action_class(name: str) -> type[BaseAction]:
    """The model class for an action name (KeyError if there is none)."""
    return _BY_NAME[name]


def points_of(action: BaseAction) -> dict[str, Point]:
    """Every point-valued field of an action, by field name: what coordinate mapping must touch."""
    return {name: value for name, value in action if isinstance(value, Point)}
