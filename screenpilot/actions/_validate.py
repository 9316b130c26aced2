"""Validation of an action against a screen and a policy.

Model faults (a point off screen, a key the device lacks, a forbidden app) come back as ``errors``
worded for the model; actions a person must approve come back as ``confirm`` reasons. Nothing here
raises for a bad action: the caller decides whether to retry, ask, or run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field

from ._errors import ActionError
from ._keys import ANDROID_KEYCODES, DESKTOP_KEYS, normalize_desktop_key, normalize_phone_key
from ._models import (
    DESKTOP_ACTIONS,
    PHONE_ACTIONS,
    BaseAction,
    Click,
    Hotkey,
    Key,
    LongPress,
    OpenApp,
    Tap,
    Type,
    points_of,
)
from ._screen import Element, Screen

__all__ = ["DEFAULT_SENSITIVE_LABELS", "Policy", "Verdict", "validate"]

DEFAULT_SENSITIVE_LABELS: tuple[str, ...] = (
    "pay", "pay now", "buy", "buy now", "purchase", "place order", "checkout", "delete", "remove",
    "send", "transfer", "uninstall", "erase", "factory reset", "confirm payment", "subscribe",
)


class Policy(BaseModel):
    """What a run may do, and what needs a person's yes first."""

    model_config = ConfigDict(frozen=True)

    allowed_actions: frozenset[str] | None = Field(None, description="None: every action of the device kind")
    forbidden_actions: frozenset[str] = frozenset()
    allowed_apps: frozenset[str] | None = Field(None, description="labels or packages; None: any app")
    forbidden_apps: frozenset[str] = frozenset()
    sensitive_labels: tuple[str, ...] = DEFAULT_SENSITIVE_LABELS
    confirm_password_typing: bool = True
    confirm_actions: frozenset[str] = Field(frozenset(), description="actions that always need a yes")
    max_text_length: int = Field(2000, ge=1)

    def sensitive_match(self, labels: Iterable[str]) -> str | None:
        """The first sensitive word or phrase found, as a whole word, in any label."""
        if not self.sensitive_labels:
            return None
        pattern = re.compile(
            r"\b(" + "|".join(re.escape(w) for w in sorted(self.sensitive_labels, key=len, reverse=True)) + r")\b",
            re.IGNORECASE,
        )
        for label in labels:
            found = pattern.search(label)
            if found:
                return found.group(1)
        return None


class Verdict(BaseModel):
    """The outcome of validation: errors for the model, reasons to ask a person, the element hit."""

    errors: list[str] = Field(default_factory=list)
    confirm: list[str] = Field(default_factory=list)
    element: Element | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    def raise_for_errors(self) -> None:
        if self.errors:
            raise ActionError(self.errors)


def _app_names(app: str, screen: Screen) -> set[str]:
    """The app as named plus its package or label when the screen knows the mapping."""
    names = {app.casefold()}
    for label, package in screen.apps.items():
        if app.casefold() in {label.casefold(), package.casefold()}:
            names |= {label.casefold(), package.casefold()}
    return names


def _check_key(action: BaseAction, screen: Screen, errors: list[str]) -> None:
    if isinstance(action, Key):
        if screen.kind == "phone":
            if normalize_phone_key(action.key) not in ANDROID_KEYCODES:
                errors.append(f"key: {action.key!r} is not an Android key; use e.g. enter, del, tab, "
                              "space, dpad_up, volume_up, or a system_button for back/home")
        elif normalize_desktop_key(action.key) not in DESKTOP_KEYS:
            errors.append(f"key: {action.key!r} is not a known key; use e.g. enter, esc, tab, f5, a")
    elif isinstance(action, Hotkey):
        unknown = [k for k in action.keys if normalize_desktop_key(k) not in DESKTOP_KEYS]
        if unknown:
            errors.append(f"hotkey.keys: unknown key(s) {unknown}; use names like ctrl, shift, alt, super, t")


def validate(action: BaseAction, screen: Screen, policy: Policy | None = None) -> Verdict:
    """Check an action in DEVICE pixels against the screen it will run on and the policy."""
    policy = policy or Policy()
    errors: list[str] = []
    confirm: list[str] = []
    name = action.action
    vocabulary = PHONE_ACTIONS if screen.kind == "phone" else DESKTOP_ACTIONS
    if name not in vocabulary:
        errors.append(f"{name!r} is not a {screen.kind} action: use one of {', '.join(vocabulary)}")
    if policy.allowed_actions is not None and name not in policy.allowed_actions:
        errors.append(f"{name!r} is not allowed here: allowed actions are {', '.join(sorted(policy.allowed_actions))}")
    if name in policy.forbidden_actions:
        errors.append(f"{name!r} is forbidden by the policy")

    width, height = screen.size
    for field, point in points_of(action).items():
        if not (0 <= point.x < width and 0 <= point.y < height):
            errors.append(f"{name}.{field} ({point.x:g}, {point.y:g}) is outside the {width}x{height} screen: "
                          f"x must be in 0..{width - 1} and y in 0..{height - 1}")

    _check_key(action, screen, errors)

    text = getattr(action, "text", None)
    if isinstance(text, str) and len(text) > policy.max_text_length:
        errors.append(f"{name}.text is {len(text)} characters; the limit is {policy.max_text_length}")

    if isinstance(action, OpenApp):
        names = _app_names(action.app, screen)
        if names & {a.casefold() for a in policy.forbidden_apps}:
            errors.append(f"open_app: {action.app!r} is forbidden by the policy")
        if policy.allowed_apps is not None and not names & {a.casefold() for a in policy.allowed_apps}:
            errors.append(f"open_app: {action.app!r} is not allowed; allowed apps: {', '.join(sorted(policy.allowed_apps))}")

    element: Element | None = None
    if isinstance(action, (Tap, LongPress, Click)) and not errors:
        element = screen.element_at(action.point)
        word = policy.sensitive_match(screen.labels_under(action.point))
        if word:
            label = element.label if element else word
            confirm.append(f"{name} on {label!r} looks sensitive (matches {word!r})")
    if isinstance(action, Type) and policy.confirm_password_typing:
        focused = screen.focused()
        if focused is not None and focused.password:
            confirm.append(f"typing into the password field {focused.label!r}")
    if name in policy.confirm_actions:
        confirm.append(f"the policy asks for confirmation of every {name!r}")
    return Verdict(errors=errors, confirm=confirm, element=element)
