"""A read-only view of the phone for checks: what is in front, the text fields, an editor's draft.

Scenario checks and tests read the phone through this view instead of reaching into its internals
(task lists, page dicts), so the phone can change how it keeps its state without breaking them.
Every value is a copy; changing the view changes nothing on the phone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._phone import VirtualPhone

__all__ = ["FieldState", "PhoneState", "TaskState", "phone_state"]


@dataclass(frozen=True)
class FieldState:
    """A text field on screen (an EditText)."""

    resource_id: str
    text: str
    hint: str
    focused: bool
    password: bool
    multiline: bool
    bounds: tuple[int, int, int, int]
    selection: tuple[int, int] | None = None  # (start, end) while text is selected, else None


@dataclass(frozen=True)
class TaskState:
    """One task (an app's back stack): its id, package, the activity on top and its pages' names."""

    id: int
    package: str
    activity: str
    pages: tuple[str, ...]


@dataclass(frozen=True)
class PhoneState:
    """What the phone shows and holds at one moment (see :meth:`VirtualPhone.state`)."""

    foreground: str
    """The package in front: the app's, or the launcher's when the home screen (or Overview) shows."""
    activity: str
    """The focused activity as ``package/full.class.Name`` (what ``dumpsys window`` reports)."""
    task: TaskState | None
    """The task in front; None while the home screen shows."""
    tasks: tuple[TaskState, ...]
    """Every task, most recent first (what Overview lists)."""
    page: str
    """The name of the front page of the app in front (``list``, ``edit``, ``detail``...; ``home``)."""
    dialog: str | None
    """A dialog open over the app in front (``discard``, ``delete``, a permission...), else None."""
    draft: Mapping[str, str] | None
    """The unsaved draft of an editor in front (Notes: title, body; Contacts: given, family, number,
    email); None when no editor is open."""
    fields: tuple[FieldState, ...]
    """The text fields of the focused window, top to bottom."""
    overlay: str | None
    """``shade`` (notification shade) or ``recents`` (Overview) while one is shown."""
    screen_on: bool
    locked: bool
    """The keyguard (lock screen) is showing."""
    ime_shown: bool
    clipboard: str
    settings: Mapping[str, Mapping[str, str]]
    notifications: tuple[Mapping[str, Any], ...]

    @property
    def focused_field(self) -> FieldState | None:
        return next((f for f in self.fields if f.focused), None)

    def field(self, resource_id: str) -> FieldState | None:
        """The field whose resource id is ``resource_id`` or ends with ``/resource_id``."""
        return next((f for f in self.fields if f.resource_id == resource_id
                     or f.resource_id.endswith("/" + resource_id)), None)

    def setting(self, namespace: str, key: str) -> str | None:
        return self.settings.get(namespace, {}).get(key)


def _task_state(phone: VirtualPhone, task: Any) -> TaskState:
    app = phone.apps[task.package]
    return TaskState(id=task.id, package=task.package, activity=f"{task.package}/{app.activity_of(task.top)}",
                     pages=tuple(str(p.get("name", "")) for p in task.pages))


def phone_state(phone: VirtualPhone) -> PhoneState:
    with phone.lock:
        task = phone.front_task()
        windows = phone.windows()
        window = phone.active_window(windows)
        selection = getattr(phone, "selection", None)
        fields = tuple(
            FieldState(resource_id=v.rid, text=v.field.value, hint=v.hint, focused=v.field.key == phone.focus,
                       password=v.password, multiline=v.field.multiline, bounds=v.box,
                       selection=tuple(selection) if selection and v.field.key == phone.focus else None)
            for v in window.walk() if v.field is not None)
        pkg, cls = phone.focused_component()
        top = task.top if task is not None and phone.overlay is None else None
        draft = top.get("draft") if top is not None else None
        return PhoneState(
            foreground=pkg,
            activity=f"{pkg}/{cls}",
            task=_task_state(phone, task) if task is not None else None,
            tasks=tuple(_task_state(phone, t) for t in reversed(phone.tasks)),
            page=str(top.get("name", "")) if top is not None else ("recents" if phone.overlay == "recents" else "home"),
            dialog=phone.system_dialog() or (top.get("dialog") if top is not None else None),
            draft=MappingProxyType(dict(draft)) if isinstance(draft, dict) else None,
            fields=fields,
            overlay=phone.overlay,
            screen_on=phone.screen_on,
            locked=phone.keyguard_showing(),
            ime_shown=phone.ime_shown(),
            clipboard=phone.clipboard,
            settings=MappingProxyType({ns: MappingProxyType(dict(t)) for ns, t in phone.settings.items()}),
            notifications=tuple(MappingProxyType(dict(n)) for n in getattr(phone, "notifications", [])),
        )
