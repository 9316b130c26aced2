"""The one action vocabulary: models, parsing, validation and schemas.

This room imports nothing else of ScreenPilot (but the root error): every other room builds on it.
"""

from ._errors import ActionError
from ._geometry import Bounds, Point, Size
from ._keys import ANDROID_KEYCODES, DESKTOP_KEYS, normalize_desktop_key, normalize_phone_key
from ._models import (
    DESKTOP_ACTIONS,
    MAX_TEXT,
    PHONE_ACTIONS,
    Action,
    Answer,
    BaseAction,
    Click,
    DesktopAction,
    DeviceKind,
    Drag,
    Hotkey,
    Key,
    LongPress,
    Move,
    OpenApp,
    PhoneAction,
    Scroll,
    Swipe,
    SystemButton,
    Tap,
    Terminate,
    Type,
    Wait,
    action_class,
    points_of,
)
from ._parse import action_adapter, parse_action
from ._schema import action_schema, tool_parameters, tool_schema
from ._screen import Element, Screen
from ._secrets import SECRET_PLACEHOLDER, SecretText, placeholder, secret_names
from ._validate import DEFAULT_SENSITIVE_LABELS, Policy, Verdict, validate

__all__ = [
    "ANDROID_KEYCODES",
    "DEFAULT_SENSITIVE_LABELS",
    "DESKTOP_ACTIONS",
    "DESKTOP_KEYS",
    "MAX_TEXT",
    "PHONE_ACTIONS",
    "SECRET_PLACEHOLDER",
    "Action",
    "ActionError",
    "Answer",
    "BaseAction",
    "Bounds",
    "Click",
    "DesktopAction",
    "DeviceKind",
    "Drag",
    "Element",
    "Hotkey",
    "Key",
    "LongPress",
    "Move",
    "OpenApp",
    "PhoneAction",
    "Point",
    "Policy",
    "Screen",
    "Scroll",
    "SecretText",
    "Size",
    "Swipe",
    "SystemButton",
    "Tap",
    "Terminate",
    "Type",
    "Verdict",
    "Wait",
    "action_adapter",
    "action_class",
    "action_schema",
    "normalize_desktop_key",
    "normalize_phone_key",
    "parse_action",
    "placeholder",
    "points_of",
    "secret_names",
    "tool_parameters",
    "tool_schema",
    "validate",
]
