"""What every simulated app provides: identity, activities, seed data, and a view tree per page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from .._ui import Paint, Ui, View

if TYPE_CHECKING:
    from .._phone import VirtualPhone

__all__ = ["App", "DraftEditor", "Task"]

Page = dict[str, Any]


@dataclass
class Task:
    """An Android task: the app's back stack of pages (each page is plain, copyable data)."""

    id: int
    package: str
    pages: list[Page] = field(default_factory=list)

    @property
    def top(self) -> Page:
        return self.pages[-1]


class App:
    """One installed app. Subclasses fill in the class attributes and ``build``."""

    package: str = ""
    label: str = ""
    icon: str = "apps"
    color: tuple[int, int, int] = (96, 125, 139)
    launchable: bool = True
    system: bool = True
    version_name: str = "14"
    version_code: int = 34
    # activity class (short ".Name" or full) -> page name; the first one is the launcher activity
    activities: ClassVar[dict[str, str]] = {}
    # intent action -> page name (``am start -a``)
    actions: ClassVar[dict[str, str]] = {}
    # what ``pm clear`` resets besides the app's pages: names of db tables it owns
    tables: tuple[str, ...] = ()
    # content provider authority (``content://AUTHORITY/...``), if the app has one; ``legacy`` ones too
    authority: str = ""
    legacy_authorities: tuple[str, ...] = ()

    @property
    def authorities(self) -> tuple[str, ...]:
        return ((self.authority,) if self.authority else ()) + self.legacy_authorities
    # dangerous permissions it asks the person for at run time (Android 13+ asks for notifications too)
    runtime_permissions: tuple[str, ...] = ()
    # VIEW intents it handles: data URI prefixes (``http://``, ``content://contacts``) -> page name
    views: ClassVar[dict[str, str]] = {}

    def view_page(self, data: str) -> str | None:
        """The page a VIEW of ``data`` opens in this app, or None when its filters do not match."""
        return next((page for prefix, page in self.views.items() if data.startswith(prefix)), None)

    def opened(self, phone: VirtualPhone, task: Task) -> None:
        """The app came to the front with a new page (start work such as loading it)."""

    def new_intent(self, phone: VirtualPhone, task: Task, extras: dict[str, Any]) -> None:
        """An intent delivered to the page already on top (onNewIntent)."""

    @property
    def main_activity(self) -> str:
        return self.full_class(next(iter(self.activities)))

    def full_class(self, name: str) -> str:
        return self.package + name if name.startswith(".") else name

    def short_class(self, name: str) -> str:
        full = self.full_class(name)
        return full[len(self.package):] if full.startswith(self.package + ".") else full

    def page_for(self, activity: str) -> str | None:
        full = self.full_class(activity)
        for name, page in self.activities.items():
            if self.full_class(name) == full:
                return page
        return None

    def activity_of(self, page: Page) -> str:
        for name, p in self.activities.items():
            if p == page.get("name"):
                return self.full_class(name)
        return self.main_activity

    def new_page(self, name: str, **extra: Any) -> Page:
        return {"name": name, "scroll": 0, **extra}

    def seed(self, phone: VirtualPhone) -> None:
        """Create the app's data (db tables, files) as a fresh install has it (``pm clear`` does this)."""

    def populate(self, phone: VirtualPhone) -> None:
        """What the phone's user has put there on a freshly reset phone (``pm clear`` removes it)."""

    def build(self, ui: Ui, phone: VirtualPhone, task: Task) -> View:  # pragma: no cover - abstract
        raise NotImplementedError

    def back(self, phone: VirtualPhone, task: Task) -> bool:
        """Handle BACK inside the app; False means the task's last page is done (the app closes)."""
        page = task.top
        if page.get("dialog"):
            page["dialog"] = None
            return True
        if page.get("selected"):  # leave selection mode (the action mode a long press started)
            page["selected"] = []
            return True
        if len(task.pages) > 1:
            task.pages.pop()
            phone.clear_focus()
            return True
        return False

    # -- helpers for subclasses ------------------------------------------------------------------------
    def scroll_list(self, ui: Ui, phone: VirtualPhone, page: Page, rows: list[View], top: int,
                    bottom: int | None = None, key: str = "scroll") -> View:
        """A scrolling list between ``top`` and ``bottom`` of rows laid out from y=0."""
        bottom = ui.bottom if bottom is None else bottom
        content_h = max((r.box[3] for r in rows), default=0) + ui.dp(88)  # room to scroll past a FAB
        maximum = max(0, content_h - (bottom - top))
        if page.get(key, 0) > maximum:
            page[key] = maximum
        offset = phone.animated(page, key, ui.now)
        return ui.scroll((0, top, ui.width, bottom), offset=offset, content=rows,
                         on_scroll=lambda dy: phone.scroll_by(page, key, dy, maximum))

    # -- selection mode (what a long press on a list item starts) ----------------------------------------
    @staticmethod
    def select_item(phone: VirtualPhone, page: Page, item: Any) -> None:
        """Add ``item`` to the page's selection, or take it out (a long press, then taps)."""
        with phone.transaction():
            selected = list(page.get("selected") or [])
            if item in selected:
                selected.remove(item)
            else:
                selected.append(item)
            page["selected"] = selected

    def item_tap(self, phone: VirtualPhone, page: Page, item: Any, open_it: Any) -> Any:
        """A tap on a list item: toggles it while items are selected, else opens it."""
        def tap() -> None:
            if page.get("selected"):
                self.select_item(phone, page, item)
            else:
                open_it()
        return tap

    def selection_bar(self, ui: Ui, phone: VirtualPhone, page: Page) -> View:
        """The contextual app bar of selection mode: "N selected", close, and delete (asks first)."""
        def close() -> None:
            with phone.transaction():
                page["selected"] = []

        def ask() -> None:
            with phone.transaction():
                page["dialog"] = "delete_selected"

        return ui.app_bar(f"{len(page['selected'])} selected", back=close, actions=[("delete", "Delete", ask)])

    def delete_selected_dialog(self, ui: Ui, phone: VirtualPhone, page: Page, noun: str,
                               delete: Callable[[VirtualPhone, list[Any]], None]) -> View | None:
        """"Delete N items?" after the selection bar's Delete; Delete removes them and leaves selection mode."""
        if page.get("dialog") != "delete_selected":
            return None
        chosen = list(page.get("selected") or [])

        def cancel() -> None:
            with phone.transaction():
                page["dialog"] = None

        def confirm() -> None:
            with phone.transaction():
                delete(phone, chosen)
                page["dialog"] = None
                page["selected"] = []

        n = len(chosen)
        return ui.dialog(f"Delete {n} {noun}{'s' if n != 1 else ''}?", "", [("Cancel", cancel), ("Delete", confirm)],
                         on_dismiss=cancel)

    def content(self, phone: VirtualPhone, parts: list[str]) -> Any:
        """The content-provider table behind ``content://AUTHORITY/PARTS`` (None: unknown path)."""
        return None

    def window(self, ui: Ui, *children: View | None) -> View:
        root = View(cls="android.widget.FrameLayout", box=(0, 0, ui.width, ui.height), package=self.package,
                    paint=Paint(kind="box", fill=ui.theme.background))
        content = View(cls="android.widget.LinearLayout", box=(0, ui.top, ui.width, ui.bottom),
                       rid="android:id/content", package=self.package)
        root.add(content)
        content.add(*children)
        return root


class DraftEditor(App):
    """An app with an "edit" page that keeps a draft: Back over a changed draft asks to discard it."""

    def discard_dialog(self, ui: Ui, phone: VirtualPhone, page: Page, task: Task) -> View:
        """Android's "Discard changes?" dialog over an editor: Keep editing stays, Discard closes the page."""

        def keep() -> None:
            with phone.transaction():
                page["dialog"] = None

        def discard() -> None:
            with phone.transaction():
                page["dialog"] = None
                phone.close_page(task)

        return ui.dialog("Discard changes?", "", [("Keep editing", keep), ("Discard", discard)], on_dismiss=keep)

    def back(self, phone: VirtualPhone, task: Task) -> bool:
        page = task.top
        if page.get("dialog"):
            page["dialog"] = None
            return True
        if page["name"] == "edit" and page.get("draft") is not None and page["draft"] != page.get("original"):
            page["dialog"] = "discard"
            phone.clear_focus()
            return True
        return super().back(phone, task)
