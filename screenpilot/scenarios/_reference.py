"""Reference solutions played as a model: each semantic step grounded on the live UI tree, then written
in the run's dialect, coordinates and all.

``ReferenceBackend`` is a planner backend (``generate(request) -> Completion``). On every call it
reads the device's UI tree NOW (``uiautomator dump`` on a phone, the program's widget report on the
desktop), turns the current step ("tap the element whose text is Wi-Fi", "scroll down until Zoe is
visible") into one action in device pixels, maps it into the request's coordinate space (resized
pixels for Qwen2.5-VL, a 0..1000 grid for Qwen3-VL) and writes it as the model would. The agent
loop then parses that text like any model's, so the whole path is exercised.

A step that finds nothing to act on is not an exception inside the loop: the backend answers
``terminate(failure)`` with the reason as its thought and keeps the reason in ``problems``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..actions import (
    Answer,
    BaseAction,
    Bounds,
    Click,
    DeviceKind,
    Hotkey,
    Key,
    LongPress,
    OpenApp,
    Point,
    Scroll,
    Size,
    Swipe,
    SystemButton,
    Tap,
    Terminate,
    Type,
    Wait,
)
from ..planner import Completion, Dialect, ModelRequest
from ._errors import GroundingError
from ._probe import Probe
from ._selectors import Selector, UiNode
from ._steps import (
    AnswerStep,
    BackStep,
    ClickStep,
    DoubleClickStep,
    EnterStep,
    HideKeyboardStep,
    HomeButtonStep,
    HotkeyStep,
    KeyStep,
    LongPressStep,
    OpenAppStep,
    ScrollStep,
    SlideStep,
    TapStep,
    TerminateStep,
    TypeStep,
    WaitStep,
)

__all__ = ["Move", "ReferenceBackend", "SolutionPlayer", "describe_step"]

DESKTOP_SCROLL_CLICKS = 5
"""Wheel clicks per desktop scroll: what UI-TARS' scroll(direction) means, so every dialect can say it."""


@dataclass
class Move:
    """One grounded action in device pixels, the words for it, and what to send if the dialect cannot say it."""

    action: BaseAction
    thought: str
    fallbacks: list[BaseAction] = field(default_factory=list)


def describe_step(step: Any) -> str:
    """A solution step in words (the reference's thought)."""
    match step:
        case TapStep(target=t) | ClickStep(target=t):
            return f"Tap {t.describe()}."
        case DoubleClickStep(target=t):
            return f"Double-click {t.describe()}."
        case LongPressStep(target=t):
            return f"Long-press {t.describe()}."
        case TypeStep(text=text, into=into):
            return f"Type {text!r} into " + (into.describe() if into else "the focused field") + "."
        case KeyStep(key=key):
            return f"Press {key}."
        case HotkeyStep(keys=keys):
            return f"Press {'+'.join(keys)}."
        case ScrollStep(direction=d, until=until, to_end=to_end):
            tail = f" until {until.describe()} is visible" if until else " to the end" if to_end else ""
            return f"Scroll {d}{tail}."
        case SlideStep(target=t, to=to, value=value):
            return f"Move {t.describe()} to " + (f"{to:.0%} of its track" if to is not None else f"{value:g}") + "."
        case OpenAppStep(app=app):
            return f"Open the {app} app."
        case AnswerStep(text=text, text_of=of):
            return f"Answer {text!r}." if text is not None else f"Answer with the text of {of.describe()}."  # type: ignore[union-attr]
        case TerminateStep(status=status):
            return f"The task is {'done' if status == 'success' else 'not possible here'}: end with {status}."
        case BackStep():
            return "Go back."
        case HomeButtonStep():
            return "Go to the home screen."
        case EnterStep():
            return "Press Enter."
        case HideKeyboardStep():
            return "Hide the keyboard."
        case WaitStep(seconds=s):
            return f"Wait {s:g} s."
    return str(step)


def _center(b: Bounds) -> Point:
    return Point(float((b.left + b.right) // 2), float((b.top + b.bottom) // 2))


class SolutionPlayer:
    """Walks a solution: ``next(size)`` grounds the current step on the live screen and returns a Move."""

    def __init__(self, steps: Sequence[Any], probe: Probe, kind: DeviceKind) -> None:
        self.steps = list(steps)
        self.probe = probe
        self.kind = kind
        self.index = 0
        self.phase = 0  # inside a step that takes two actions (type into a field)
        self.scrolls = 0
        self.signature: tuple[Any, ...] | None = None
        self.slide_click: float | None = None  # where the last click on a desktop slider went
        self._nodes: list[UiNode] | None = None

    # -- the screen, read once per call ------------------------------------------------------------------

    def nodes(self) -> list[UiNode]:
        if self._nodes is None:
            self._nodes = self.probe.nodes()
        return self._nodes

    def _signature(self) -> tuple[Any, ...]:
        return tuple((n.element.text, n.element.description, n.element.bounds) for n in self.nodes())

    def _find(self, selector: Selector) -> UiNode:
        node = selector.pick(self.nodes())
        if node is None:
            shown = sorted({n.label for n in self.nodes() if n.element.text or n.element.description})[:25]
            raise GroundingError(f"{selector.describe()} is not on the screen (it shows: {', '.join(map(repr, shown))})")
        return node

    # -- stepping ------------------------------------------------------------------------------------------

    def _advance(self) -> None:
        self.index += 1
        self.phase = 0
        self.scrolls = 0
        self.signature = None

    def next(self, size: Size) -> Move:
        self._nodes = None
        while self.index < len(self.steps):
            step = self.steps[self.index]
            move = self._ground(step, size)
            if move is not None:
                return move
        raise GroundingError("the solution ran out of steps without ending the episode")

    def _ground(self, step: Any, size: Size) -> Move | None:
        """The Move for ``step`` now, or None when the step is complete without one (then the next step runs)."""
        thought = describe_step(step)
        phone = self.kind == "phone"
        match step:
            case TapStep(target=target):
                point = _center(self._find(target).element.bounds)
                self._advance()
                return Move(Tap(point=point) if phone else Click(point=point), thought)
            case ClickStep(target=target, button=button, count=count):
                point = _center(self._find(target).element.bounds)
                self._advance()
                return Move(Click(point=point, button=button, count=count), thought)
            case DoubleClickStep(target=target):
                point = _center(self._find(target).element.bounds)
                self._advance()
                return Move(Click(point=point, count=2), thought)
            case LongPressStep(target=target, duration_ms=ms):
                point = _center(self._find(target).element.bounds)
                self._advance()
                return Move(LongPress(point=point, duration_ms=ms), thought)
            case TypeStep(text=text, into=into):
                if into is not None and self.phase == 0:
                    node = self._find(into)
                    self.phase = 1
                    if not node.element.focused or self.kind == "desktop":
                        point = _center(node.element.bounds)
                        return Move(Tap(point=point) if phone else Click(point=point),
                                    f"Tap {into.describe()} to type into it.")
                self._advance()
                return Move(Type(text=text), thought)
            case KeyStep(key=key):
                self._advance()
                return Move(Key(key=key), thought)
            case HotkeyStep(keys=keys):
                self._advance()
                return Move(Hotkey(keys=list(keys)), thought)
            case BackStep():
                self._advance()
                return Move(SystemButton(button="back"), thought)
            case HomeButtonStep():
                self._advance()
                return Move(SystemButton(button="home"), thought)
            case EnterStep():
                self._advance()
                if phone:
                    return Move(SystemButton(button="enter"), thought, [Key(key="enter"), Type(text="\n")])
                return Move(Key(key="enter"), thought, [Type(text="\n")])
            case HideKeyboardStep():
                shown = self.probe.keyboard_shown()
                self._advance()
                return Move(SystemButton(button="back"), thought) if shown else None
            case OpenAppStep(app=app):
                self._advance()
                return Move(OpenApp(app=app), thought)
            case WaitStep(seconds=seconds):
                self._advance()
                return Move(Wait(seconds=seconds), thought, [Wait(seconds=5.0)])
            case TerminateStep(status=status):
                self._advance()
                return Move(Terminate(status=status), thought)
            case AnswerStep(text=text, text_of=of):
                answer = text if text is not None else self._find(of).element.text  # type: ignore[arg-type]
                if not answer:
                    raise GroundingError(f"{of.describe()} has no text to answer with")  # type: ignore[union-attr]
                self._advance()
                return Move(Answer(text=answer), thought)
            case ScrollStep():
                return self._scroll(step, size, thought)
            case SlideStep():
                return self._slide(step, thought)
        raise GroundingError(f"the reference player cannot play {step!r}")  # pragma: no cover

    # -- scrolling and sliders --------------------------------------------------------------------------

    def _container(self, step: ScrollStep, size: Size) -> Bounds:
        if step.within is not None:
            return self._find(step.within).element.bounds
        lists = [n for n in self.nodes() if n.element.scrollable and n.element.bounds.area > 0]
        if lists:
            return max(lists, key=lambda n: n.element.bounds.area).element.bounds
        return Bounds(0, size.height // 5, size.width, size.height * 4 // 5)

    def _scroll(self, step: ScrollStep, size: Size, thought: str) -> Move | None:
        box = self._container(step, size)
        stuck = self.signature is not None and self.signature == self._signature()
        if step.until is not None:
            found = [n for n in step.until.find(self.nodes())]
            node = found[step.until.nth] if -len(found) <= step.until.nth < len(found) else None
            if node is not None:
                b, c = node.element.bounds, _center(node.element.bounds)
                in_list = box.left <= c.x < box.right and box.top <= c.y < box.bottom
                whole = b.top > box.top and b.bottom < box.bottom
                if whole or stuck or not in_list:  # fully shown, as far as it goes, or not in the list at all
                    self._advance()
                    return None
            elif stuck:
                raise GroundingError(f"scrolled {step.direction} to the end and {step.until.describe()} never appeared")
        elif (step.to_end and stuck) or (not step.to_end and self.scrolls >= 1):  # at the end / one scroll done
            self._advance()
            return None
        if self.scrolls >= step.max:
            what = step.until.describe() if step.until else "the end"
            raise GroundingError(f"scrolled {step.max} times without reaching {what}")
        self.scrolls += 1
        self.signature = self._signature()
        cx, cy = (box.left + box.right) // 2, (box.top + box.bottom) // 2
        if self.kind == "desktop":
            dy = DESKTOP_SCROLL_CLICKS if step.direction == "down" else -DESKTOP_SCROLL_CLICKS
            return Move(Scroll(point=Point(float(cx), float(cy)), dy=dy), thought)
        span = (box.bottom - box.top) // 4
        low, high = Point(float(cx), float(cy + span)), Point(float(cx), float(cy - span))
        start, end = (low, high) if step.direction == "down" else (high, low)
        return Move(Swipe(start=start, end=end), thought)

    def _slide(self, step: SlideStep, thought: str) -> Move | None:
        node = self._find(step.target)
        b = node.element.bounds
        if self.kind == "phone":
            if step.to is None:
                raise GroundingError("a phone slider takes to: (a fraction of its track), not value:")
            x = b.left + step.to * (b.right - b.left - 1)
            self._advance()
            return Move(Tap(point=Point(float(round(x)), float((b.top + b.bottom) // 2))), thought)
        return self._slide_desktop(step, node, thought)

    def _slide_desktop(self, step: SlideStep, node: UiNode, thought: str) -> Move | None:
        """A desktop slider jumps to where it is clicked (GTK's primary-button-warps-slider). The tree gives
        its range and value but not where its track starts and ends inside the widget, so: click where the
        value would be with the handle's half-height as the margin, read the value it took, solve the
        margin from that, click again; one value step at a time with the arrow keys if still off."""
        if node.extra.get("value") is None:
            raise GroundingError(f"{step.target.describe()} reports no range and value (not a slider?)")
        lo, hi, now = (float(v) for v in node.extra["value"])
        target = step.value if step.value is not None else lo + (step.to or 0.0) * (hi - lo)
        if abs(now - target) < 0.5:
            self._advance()
            return None
        b = node.element.bounds
        width, y = b.right - b.left, float((b.top + b.bottom) // 2)
        if self.phase >= 3:  # clicks got close: the last steps by key
            if self.phase >= 3 + 20:
                raise GroundingError(f"{step.target.describe()} stays at {now:g}, not {target:g}")
            self.phase += 1
            return Move(Key(key="right" if target > now else "left"), thought)
        margin = (b.bottom - b.top) / 2
        if self.phase > 0 and self.slide_click is not None and hi > lo:
            f = (now - lo) / (hi - lo)
            if abs(1 - 2 * f) > 0.1:
                solved = (self.slide_click - b.left - f * width) / (1 - 2 * f)
                margin = min(max(solved, 0.0), width / 3)
        x = b.left + margin + (target - lo) / (hi - lo) * (width - 2 * margin)
        self.slide_click = x
        self.phase += 1
        return Move(Click(point=Point(float(round(x)), y)), thought)


class ReferenceBackend:
    """A scenario's solution as a backend: grounded each call on the live screen, written in ``dialect``."""

    def __init__(self, steps: Sequence[Any], probe: Probe, dialect: Dialect, *, name: str = "reference") -> None:
        self.name = name
        self.calls = 0
        self.dialect = dialect
        self.player = SolutionPlayer(steps, probe, probe.kind)
        self.problems: list[str] = []

    def generate(self, request: ModelRequest) -> Completion:
        start = time.perf_counter()
        space = request.space
        try:
            move = self.player.next(space.device)
        except GroundingError as exc:
            self.problems.append(exc.message)
            move = Move(Terminate(status="failure"), f"The reference solution cannot go on: {exc.message}")
        text = ""
        for action in (move.action, *move.fallbacks):
            try:
                text = self.dialect.format(space.to_model(action, integral=True).action, thought=move.thought)
                break
            except ValueError:
                continue
        else:
            self.problems.append(f"the {self.dialect.name} dialect cannot say {move.action.model_dump()}")
            text = self.dialect.format(Terminate(status="failure"), thought=self.problems[-1])
        self.calls += 1
        return Completion(text=text, latency_s=time.perf_counter() - start, model=self.name, finish_reason="stop")

    def close(self) -> None:
        pass
