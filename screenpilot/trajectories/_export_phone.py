"""What the phone data-set layouts (AITW, GUI-Odyssey, AndroidControl) share.

They describe what a finger did, so they are written from the action in DEVICE pixels, with the
screen's UI tree where the layout has a place for it. A step a layout has no word for is never
dropped silently: it is listed with its reason and counted by action kind in the export's summary.
"""

from __future__ import annotations

import json
from typing import Any

from ..actions import (
    Answer,
    Element,
    Key,
    LongPress,
    OpenApp,
    Swipe,
    SystemButton,
    Tap,
    Terminate,
    Type,
    Wait,
    normalize_phone_key,
    points_of,
)
from ._export import ExportReport, actor_of, device_action_of, trainable
from ._reader import Episode
from ._schema import StepRecord

__all__ = [
    "Untranslatable",
    "current_activity",
    "element_at",
    "key_name",
    "label_of",
    "labelled",
    "release_version",
    "scroll_direction",
    "sdk_level",
    "translatable_steps",
    "ui_elements",
    "worded_instruction",
]


_KEY_TEXT = {"back": "Go back", "home": "Go to the home screen", "app_switch": "Open the recent apps",
             "recent_apps": "Open the recent apps", "enter": "Press enter"}


class Untranslatable(ValueError):
    """The layout has no word for this action; ``kind`` is the action's name, for the summary's count."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


def key_name(action: Key | SystemButton) -> str:
    return action.button if isinstance(action, SystemButton) else normalize_phone_key(action.key)


def translatable_steps(episode: Episode, report: ExportReport) -> list[StepRecord]:
    """The steps that are sound targets; the others are listed with what went wrong."""
    steps = []
    for step in episode.steps:
        if trainable(step):
            steps.append(step)
        else:
            report.skipped_steps.append(f"{episode.meta.id} step {step.index}: not executed ({step.error_kind or 'no action'})")
    return steps


def ui_elements(episode: Episode, step: StepRecord) -> list[Element]:
    """The UI tree captured with the step's screen (empty when none was recorded)."""
    if not step.ui_tree:
        return []
    path = episode.folder / step.ui_tree
    if not path.exists():
        return []
    return [Element.model_validate(e) for e in json.loads(path.read_text(encoding="utf-8"))]


def labelled(elements: list[Element], screen: tuple[int, int]) -> list[Element]:
    """What a person sees as separate things on the screen: elements with a label of their own, or that
    take a touch, inside the screen, never the whole-screen containers."""
    w, h = screen
    out = []
    for e in elements:
        b = e.bounds
        if b.right <= b.left or b.bottom <= b.top or b.right <= 0 or b.bottom <= 0 or b.left >= w or b.top >= h:
            continue
        if (b.right - b.left) * (b.bottom - b.top) >= 0.9 * w * h:
            continue
        if e.text or e.description or e.clickable:
            out.append(e)
    return out


def element_at(step: StepRecord, elements: list[Element]) -> Element | None:
    """The element the action's point hit: the recorded one, else the smallest one holding the point
    that takes a touch (else the smallest labelled one)."""
    if step.element is not None:
        return step.element
    points = list(points_of(device_action_of(step).action).values())
    if not points:
        return None
    p = points[0]
    holding = [e for e in elements if e.bounds.left <= p.x < e.bounds.right and e.bounds.top <= p.y < e.bounds.bottom]

    def area(e: Element) -> int:
        return (e.bounds.right - e.bounds.left) * (e.bounds.bottom - e.bounds.top)

    for group in ([e for e in holding if e.clickable], [e for e in holding if e.text or e.description]):
        if group:
            return min(group, key=area)
    return None


def label_of(element: Element | None, elements: list[Element]) -> str:
    """What a person calls the element: its own label, else that of the first labelled element inside it
    (a settings row is named by its title)."""
    if element is None:
        return ""
    if element.text or element.description:
        return element.text or element.description
    b = element.bounds
    for e in elements:
        if (e.text or e.description) and b.left <= e.bounds.left and e.bounds.right <= b.right \
                and b.top <= e.bounds.top and e.bounds.bottom <= b.bottom:
            return e.text or e.description
    return element.label


def current_activity(episode: Episode, step: StepRecord, elements: list[Element], first: bool) -> str:
    """The app in front at this step: a recorded foreground (``package/activity``) where the step or,
    for its first step, the episode has one; else the package of the screen's UI tree."""
    recorded = getattr(step, "foreground", None)
    if isinstance(recorded, str) and recorded:
        return recorded
    if first and episode.meta.device.foreground:
        return episode.meta.device.foreground
    packages = [e.package for e in elements if e.package and e.package != "com.android.systemui"]
    return max(set(packages), key=packages.count) if packages else ""


def worded_instruction(step: StepRecord, label: str) -> str:
    """A step instruction worded from the action and the element it hit, for steps that recorded none."""
    action = device_action_of(step).action
    what = f' "{label}"' if label else " the screen"
    match action:
        case Tap():
            return f"Tap{what}"
        case LongPress():
            return f"Long press{what}"
        case Swipe():
            return f"Scroll {scroll_direction(step)}"
        case Type(text=t):
            return f'Type "{t}"'
        case Key() | SystemButton():
            return _KEY_TEXT.get(key_name(action), f"Press {key_name(action)}")
        case Terminate(status=status):
            return "The task is complete" if status == "success" else "The task cannot be completed"
        case Answer(text=t):
            return f"Answer: {t}"
        case OpenApp(app=app):
            return f"Open {app}"
        case Wait():
            return "Wait"
    return action.action


def scroll_direction(step: StepRecord) -> str:
    """Which way a swipe scrolls the content (AndroidControl's and AndroidWorld's sense): a finger moving
    up scrolls ``down`` (shows what is below)."""
    action = device_action_of(step).action
    dx, dy = action.end.x - action.start.x, action.end.y - action.start.y
    if abs(dx) > abs(dy):
        return "right" if dx < 0 else "left"
    return "down" if dy < 0 else "up"


def sdk_level(os_name: str) -> int | None:
    """``Android 14 (SDK 34)`` -> 34."""
    if "SDK " not in os_name:
        return None
    digits = os_name.rpartition("SDK ")[2].rstrip(")").strip()
    return int(digits) if digits.isdigit() else None


def release_version(os_name: str) -> str:
    parts = os_name.split()
    return parts[1] if len(parts) > 1 and parts[0] == "Android" else ""


def actor_fields(step: StepRecord) -> dict[str, Any]:
    """Who acted, for trainers that keep demonstrations apart (``model``, ``person``, ``replay``)."""
    return {"actor": actor_of(step)}
