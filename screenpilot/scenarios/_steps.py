"""The step vocabularies of a scenario file: setup/teardown steps, success checks and solution steps.

In YAML every step is one key naming its kind, followed by its argument: ``- tap: Wi-Fi``,
``- back``, ``- setting: {namespace: global, key: wifi_on, equals: "1"}``. The single-key form is
turned into ``{"kind": ..., ...}`` here, so pydantic's discriminated unions give error paths that
name the step (``solution.2.tap.target``).
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, Tag, model_validator

from ._selectors import Selector
from ._text import fold

__all__ = [
    "Check",
    "Expect",
    "SetupStep",
    "SolutionStep",
    "single_key",
]


def single_key(value: Any, classes: dict[str, type[BaseModel]], what: str) -> Any:
    """``{"tap": "Wi-Fi"}`` -> ``{"kind": "tap", "target": "Wi-Fi"}``; ``"back"`` -> ``{"kind": "back"}``."""
    if isinstance(value, str):
        return {"kind": value}
    if not isinstance(value, dict) or "kind" in value:
        return value
    if len(value) != 1:
        raise ValueError(f"a {what} is ONE key naming its kind (one of {', '.join(sorted(classes))}), "
                         f"got keys {sorted(value)}")
    ((kind, arg),) = value.items()
    cls = classes.get(kind)
    if cls is None:
        return {"kind": kind}  # the union names the known kinds in its error
    own = set(cls.model_fields) - {"kind"}
    primary: str | None = getattr(cls, "primary", None)
    if arg is None or arg is True:
        return {"kind": kind}
    if isinstance(arg, dict) and set(arg) <= own and (primary is None or primary in arg or not _selector_keys(arg)):
        return {"kind": kind, **arg}
    if primary is None:
        raise ValueError(f"{what} {kind!r} takes a mapping of {', '.join(sorted(own))}, got {arg!r}")
    return {"kind": kind, primary: arg}


def _selector_keys(arg: dict[str, Any]) -> bool:
    return bool(set(arg) & set(Selector.model_fields) | ({"class"} & set(arg)))


class _Step(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    primary: ClassVar[str | None] = None


# -- expectations on an observed value ----------------------------------------------------------------


class Expect(_Step):
    """What an observed value must be; every field given must hold. ``None`` observed means absent."""

    equals: str | int | float | bool | None = None
    not_equals: str | int | float | bool | None = None
    one_of: list[str | int | float] | None = None
    contains: str | None = None
    lacks: str | None = None
    between: tuple[float, float] | None = None
    matches: str | None = None
    absent: bool | None = Field(None, description="true: the value must not exist; false: it must")
    folded: ClassVar[bool] = False  # answers compare case- and dash-insensitively

    def expectations(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("equals", "not_equals", "one_of", "contains", "lacks", "between",
                                               "matches", "absent") if getattr(self, k) is not None}

    def _norm(self, value: Any) -> str:
        if isinstance(value, bool):
            value = int(value)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value).strip()
        return fold(text) if self.folded else text

    def test(self, actual: str | None) -> tuple[bool, str]:
        """(passed, what failed in words); ``actual`` None means the thing does not exist."""
        wanted = self.expectations()
        if actual is None:
            if wanted.get("absent") is True:
                return True, ""
            return False, "it does not exist"
        if wanted.get("absent") is True:
            return False, f"it exists ({_short(actual)})"
        got = self._norm(actual)
        if self.equals is not None and got != self._norm(self.equals):
            return False, f"expected {self._norm(self.equals)!r}, got {_short(got)}"
        if self.not_equals is not None and got == self._norm(self.not_equals):
            return False, f"expected anything but {got!r}"
        if self.one_of is not None and got not in {self._norm(v) for v in self.one_of}:
            return False, f"expected one of {[self._norm(v) for v in self.one_of]}, got {_short(got)}"
        if self.contains is not None and self._norm(self.contains) not in got:
            return False, f"expected it to contain {self._norm(self.contains)!r}, got {_short(got)}"
        if self.lacks is not None and self._norm(self.lacks) in got:
            return False, f"expected it to lack {self._norm(self.lacks)!r}, got {_short(got)}"
        if self.between is not None:
            try:
                number = float(got)
            except ValueError:
                return False, f"expected a number in {list(self.between)}, got {_short(got)}"
            lo, hi = self.between
            if not (math.isfinite(number) and lo <= number <= hi):
                return False, f"expected a number in {list(self.between)}, got {number:g}"
        if self.matches is not None and re.search(self.matches, got) is None:
            return False, f"expected a match for /{self.matches}/, got {_short(got)}"
        return True, ""


def _short(text: str, limit: int = 120) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "…")


# -- success checks -----------------------------------------------------------------------------------


class SettingCheck(Expect):
    """``settings get NAMESPACE KEY`` (works on real phones without root)."""

    kind: Literal["setting"] = "setting"
    namespace: Literal["system", "secure", "global"]
    key: str = Field(min_length=1)


class UiCheck(_Step):
    """The live UI tree (``uiautomator dump``, or a desktop program's report) contains / lacks an element."""

    kind: Literal["ui"] = "ui"
    contains: Selector | None = None
    lacks: Selector | None = None

    @model_validator(mode="after")
    def _one(self) -> UiCheck:
        if (self.contains is None) == (self.lacks is None):
            raise ValueError("a ui check takes exactly one of contains: or lacks:")
        return self


class FileCheck(Expect):
    """A file's content (UTF-8): on the phone through the shell, on the desktop on this machine."""

    kind: Literal["file"] = "file"
    primary: ClassVar[str | None] = "path"
    path: str = Field(min_length=1)


class ForegroundCheck(_Step):
    """The app in front (``dumpsys window``), or the desktop's focused window title."""

    kind: Literal["foreground"] = "foreground"
    primary: ClassVar[str | None] = "package"
    package: str | None = None
    activity: str | None = Field(None, description="the activity class, whole or its last part")
    window: str | None = Field(None, description="desktop: the focused window's title contains this")


class ContentCheck(_Step):
    """``content query --uri URI [--where W]``: a count of rows, and/or a row with given values."""

    kind: Literal["content"] = "content"
    primary: ClassVar[str | None] = "uri"
    uri: str = Field(pattern=r"^content://")
    where: str | None = None
    count: int | None = Field(None, ge=0)
    min_count: int | None = Field(None, ge=0)
    row: dict[str, str | int | float | bool] | None = Field(None, description="some row has ALL these values")
    no_row: dict[str, str | int | float | bool] | None = Field(None, description="no row has all these values")

    @model_validator(mode="after")
    def _something(self) -> ContentCheck:
        if self.count is None and self.min_count is None and self.row is None and self.no_row is None:
            raise ValueError("a content check needs count:, min_count:, row: or no_row:")
        return self


class ProgramCheck(Expect):
    """A desktop program's reported state: ``key`` is a dotted path into it (``submitted.email``,
    ``items.0``, ``items.-1``; ``items.#`` is the length)."""

    kind: Literal["program"] = "program"
    primary: ClassVar[str | None] = "key"
    key: str = Field(min_length=1)
    program: str = Field("main", description="which started program (setup's program name)")


class ShellCheck(Expect):
    """A shell command's standard output (stripped); the command must exit 0."""

    kind: Literal["shell"] = "shell"
    primary: ClassVar[str | None] = "command"
    command: str = Field(min_length=1)


class ReportedCheck(_Step):
    """How the model ended the episode: ``failure`` is right for an infeasible task."""

    kind: Literal["reported"] = "reported"
    primary: ClassVar[str | None] = "outcome"
    outcome: Literal["success", "failure"]


class AnswerCheck(Expect):
    """The model's answer (the ``answer`` action), compared case- and dash-insensitively."""

    kind: Literal["answer"] = "answer"
    primary: ClassVar[str | None] = "equals"
    folded: ClassVar[bool] = True
    equals_output_of: str | None = Field(None, description="the right answer is this shell command's output "
                                                           "(read from the device, e.g. getprop ro.product.model)")


_CHECKS: dict[str, type[BaseModel]] = {c.model_fields["kind"].default: c for c in (
    SettingCheck, UiCheck, FileCheck, ForegroundCheck, ContentCheck, ProgramCheck, ShellCheck, ReportedCheck,
    AnswerCheck)}

Check = Annotated[
    Annotated[SettingCheck, Tag("setting")] | Annotated[UiCheck, Tag("ui")] | Annotated[FileCheck, Tag("file")]
    | Annotated[ForegroundCheck, Tag("foreground")] | Annotated[ContentCheck, Tag("content")]
    | Annotated[ProgramCheck, Tag("program")] | Annotated[ShellCheck, Tag("shell")]
    | Annotated[ReportedCheck, Tag("reported")] | Annotated[AnswerCheck, Tag("answer")],
    Discriminator("kind"),
    BeforeValidator(lambda v: single_key(v, _CHECKS, "check")),
]

# -- setup and teardown -------------------------------------------------------------------------------

Value = str | int | float | bool | None


class ShellStep(_Step):
    kind: Literal["shell"] = "shell"
    primary: ClassVar[str | None] = "command"
    command: str = Field(min_length=1)
    check: bool = Field(True, description="a non-zero exit fails the setup")


class SettingStep(_Step):
    kind: Literal["setting"] = "setting"
    namespace: Literal["system", "secure", "global"]
    key: str = Field(min_length=1)
    value: Value = Field(description="null deletes the setting")


class LaunchStep(_Step):
    kind: Literal["launch"] = "launch"
    primary: ClassVar[str | None] = "package"
    package: str = Field(min_length=1)
    activity: str | None = None


class HomeStep(_Step):
    kind: Literal["home"] = "home"


class FileStep(_Step):
    """Write a file (phone: through the shell; desktop: on this machine)."""

    kind: Literal["file"] = "file"
    path: str = Field(min_length=1)
    content: str


class RemoveStep(_Step):
    kind: Literal["remove"] = "remove"
    primary: ClassVar[str | None] = "path"
    path: str = Field(min_length=1)


class ContentInsertStep(_Step):
    kind: Literal["content_insert"] = "content_insert"
    uri: str = Field(pattern=r"^content://")
    values: dict[str, Value]


class ContentUpdateStep(_Step):
    kind: Literal["content_update"] = "content_update"
    uri: str = Field(pattern=r"^content://")
    where: str | None = None
    values: dict[str, Value]


class ContentDeleteStep(_Step):
    kind: Literal["content_delete"] = "content_delete"
    uri: str = Field(pattern=r"^content://")
    where: str | None = None


class StopAppStep(_Step):
    kind: Literal["stop_app"] = "stop_app"
    primary: ClassVar[str | None] = "package"
    package: str = Field(min_length=1)


class ClearAppStep(_Step):
    kind: Literal["clear_app"] = "clear_app"
    primary: ClassVar[str | None] = "package"
    package: str = Field(min_length=1)


class ProgramStep(_Step):
    """Start a desktop program: a scene of the scenario app (``screenpilot.scenarios`` ships it)."""

    kind: Literal["program"] = "program"
    primary: ClassVar[str | None] = "scene"
    scene: str = Field(min_length=1)
    name: str = "main"
    options: dict[str, Any] = Field(default_factory=dict)


class AppStep(_Step):
    """Start a real application of this machine (``[galculator]``, ``[l3afpad, FILE]``, ``[yad, --form, ...]``)
    on the device's monitor and wait until the accessibility tree shows its window."""

    kind: Literal["app"] = "app"
    primary: ClassVar[str | None] = "command"
    command: list[str] = Field(min_length=1)
    name: str = "main"
    stdout: str | None = Field(None, description="a file its standard output goes to (yad prints what was entered)")
    cwd: str | None = None
    env: dict[str, str] = Field(default_factory=dict)
    at: tuple[int, int] = Field((0, 0), description="where its window goes, from the monitor's top-left corner")


_SETUP: dict[str, type[BaseModel]] = {c.model_fields["kind"].default: c for c in (
    ShellStep, SettingStep, LaunchStep, HomeStep, FileStep, RemoveStep, ContentInsertStep, ContentUpdateStep,
    ContentDeleteStep, StopAppStep, ClearAppStep, ProgramStep, AppStep)}

SetupStep = Annotated[
    Annotated[ShellStep, Tag("shell")] | Annotated[SettingStep, Tag("setting")] | Annotated[LaunchStep, Tag("launch")]
    | Annotated[HomeStep, Tag("home")] | Annotated[FileStep, Tag("file")] | Annotated[RemoveStep, Tag("remove")]
    | Annotated[ContentInsertStep, Tag("content_insert")] | Annotated[ContentUpdateStep, Tag("content_update")]
    | Annotated[ContentDeleteStep, Tag("content_delete")] | Annotated[StopAppStep, Tag("stop_app")]
    | Annotated[ClearAppStep, Tag("clear_app")] | Annotated[ProgramStep, Tag("program")]
    | Annotated[AppStep, Tag("app")],
    Discriminator("kind"),
    BeforeValidator(lambda v: single_key(v, _SETUP, "setup step")),
]

# -- reference solutions ------------------------------------------------------------------------------


class TapStep(_Step):
    """Tap (desktop: click) the centre of the element the selector finds."""

    kind: Literal["tap"] = "tap"
    primary: ClassVar[str | None] = "target"
    target: Selector


class LongPressStep(_Step):
    kind: Literal["long_press"] = "long_press"
    primary: ClassVar[str | None] = "target"
    target: Selector
    duration_ms: int = Field(800, ge=300, le=10_000)


class ClickStep(_Step):
    kind: Literal["click"] = "click"
    primary: ClassVar[str | None] = "target"
    target: Selector
    button: Literal["left", "right", "middle"] = "left"
    count: int = Field(1, ge=1, le=3)


class DoubleClickStep(_Step):
    kind: Literal["double_click"] = "double_click"
    primary: ClassVar[str | None] = "target"
    target: Selector


class TypeStep(_Step):
    """Type into the focused field, or first tap ``into`` (two actions then)."""

    kind: Literal["type"] = "type"
    primary: ClassVar[str | None] = "text"
    text: str = Field(min_length=1)
    into: Selector | None = None


class KeyStep(_Step):
    kind: Literal["key"] = "key"
    primary: ClassVar[str | None] = "key"
    key: str = Field(min_length=1)


class HotkeyStep(_Step):
    kind: Literal["hotkey"] = "hotkey"
    primary: ClassVar[str | None] = "keys"
    keys: list[str] = Field(min_length=2)


class BackStep(_Step):
    kind: Literal["back"] = "back"


class HomeButtonStep(_Step):
    kind: Literal["home"] = "home"


class EnterStep(_Step):
    kind: Literal["enter"] = "enter"


class HideKeyboardStep(_Step):
    """Press Back only if the soft keyboard is showing (``dumpsys input_method``), else nothing."""

    kind: Literal["hide_keyboard"] = "hide_keyboard"


class OpenAppStep(_Step):
    kind: Literal["open_app"] = "open_app"
    primary: ClassVar[str | None] = "app"
    app: str = Field(min_length=1)


class ScrollStep(_Step):
    """Scroll a list: once, ``until`` an element is fully visible, or ``to_end`` (until nothing moves)."""

    kind: Literal["scroll"] = "scroll"
    primary: ClassVar[str | None] = "until"
    direction: Literal["down", "up"] = "down"
    until: Selector | None = None
    to_end: bool = False
    within: Selector | None = Field(None, description="the list to scroll; default: the largest scrollable element")
    max: int = Field(25, ge=1, le=200, description="at most this many scroll gestures")

    @model_validator(mode="after")
    def _not_both(self) -> ScrollStep:
        if self.until is not None and self.to_end:
            raise ValueError("scroll takes until: or to_end:, not both")
        return self


class SlideStep(_Step):
    """Move a slider: ``to`` a fraction of its track (0..1), or to a ``value`` its program reports a range for."""

    kind: Literal["slide"] = "slide"
    target: Selector
    to: float | None = Field(None, ge=0, le=1)
    value: float | None = None

    @model_validator(mode="after")
    def _one(self) -> SlideStep:
        if (self.to is None) == (self.value is None):
            raise ValueError("slide takes exactly one of to: (a fraction 0..1) or value:")
        return self


class WaitStep(_Step):
    kind: Literal["wait"] = "wait"
    primary: ClassVar[str | None] = "seconds"
    seconds: float = Field(1.0, ge=0, le=60)


class TerminateStep(_Step):
    kind: Literal["terminate"] = "terminate"
    primary: ClassVar[str | None] = "status"
    status: Literal["success", "failure"]


class AnswerStep(_Step):
    """Answer with a literal text, or with the text of an element read off the live screen."""

    kind: Literal["answer"] = "answer"
    primary: ClassVar[str | None] = "text"
    text: str | None = None
    text_of: Selector | None = None

    @model_validator(mode="after")
    def _one(self) -> AnswerStep:
        if (self.text is None) == (self.text_of is None):
            raise ValueError("answer takes exactly one of text: or text_of:")
        return self


_SOLUTION: dict[str, type[BaseModel]] = {c.model_fields["kind"].default: c for c in (
    TapStep, LongPressStep, ClickStep, DoubleClickStep, TypeStep, KeyStep, HotkeyStep, BackStep, HomeButtonStep,
    EnterStep, HideKeyboardStep, OpenAppStep, ScrollStep, SlideStep, WaitStep, TerminateStep, AnswerStep)}

SolutionStep = Annotated[
    Annotated[TapStep, Tag("tap")] | Annotated[LongPressStep, Tag("long_press")] | Annotated[ClickStep, Tag("click")]
    | Annotated[DoubleClickStep, Tag("double_click")] | Annotated[TypeStep, Tag("type")]
    | Annotated[KeyStep, Tag("key")] | Annotated[HotkeyStep, Tag("hotkey")] | Annotated[BackStep, Tag("back")]
    | Annotated[HomeButtonStep, Tag("home")] | Annotated[EnterStep, Tag("enter")]
    | Annotated[HideKeyboardStep, Tag("hide_keyboard")] | Annotated[OpenAppStep, Tag("open_app")]
    | Annotated[ScrollStep, Tag("scroll")] | Annotated[SlideStep, Tag("slide")] | Annotated[WaitStep, Tag("wait")]
    | Annotated[TerminateStep, Tag("terminate")] | Annotated[AnswerStep, Tag("answer")],
    Discriminator("kind"),
    BeforeValidator(lambda v: single_key(v, _SOLUTION, "solution step")),
]

PHONE_ONLY_SETUP = {"shell", "setting", "launch", "home", "content_insert", "content_update", "content_delete",
                    "stop_app", "clear_app"}
DESKTOP_ONLY_SETUP = {"program", "app"}
PHONE_ONLY_STEPS = {"long_press", "back", "home", "hide_keyboard", "open_app"}
DESKTOP_ONLY_STEPS = {"click", "double_click", "hotkey"}
PHONE_ONLY_CHECKS = {"setting", "content", "shell"}
DESKTOP_ONLY_CHECKS = {"program"}
