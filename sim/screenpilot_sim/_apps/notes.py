"""Notes: a list of notes and an editor with a title and a multi-line body, saved as text files.

Each note is ``/sdcard/Documents/Notes/<title>.txt``: push a file and it is in the list; save in
the app and ``cat`` shows it. The same notes are ``content://org.screenpilot.notes/notes``.
"""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING, Any, ClassVar

from .._ui import FieldBinding, Paint, Ui, View
from .._vfs import File, FsError
from ._base import DraftEditor, Page, Task

if TYPE_CHECKING:
    from .._phone import VirtualPhone

__all__ = ["NOTES_DIR", "NotesApp"]

NOTES_DIR = "/storage/emulated/0/Documents/Notes"
SEED_NOTES = {
    "Shopping list": "Milk\nEggs\nBread\nCoffee beans",
    "Ideas": "Teach the phone to water the plants.",
}


def _safe_title(title: str) -> str:
    title = re.sub(r"[/\x00]", "-", title.strip())[:80]
    return title or "Untitled"


class NotesApp(DraftEditor):
    package = "org.screenpilot.notes"
    label = "Notes"
    icon = "notes"
    color = (242, 153, 0)
    system = False
    version_name = "1.0"
    version_code = 1
    authority = "org.screenpilot.notes"
    activities: ClassVar[dict[str, str]] = {".NotesActivity": "list", ".EditorActivity": "edit"}

    def seed(self, phone: VirtualPhone) -> None:
        fs = phone.fs
        fs.makedirs(NOTES_DIR)
        for title, body in SEED_NOTES.items():
            fs.write(f"{NOTES_DIR}/{title}.txt", body.encode())

    def new_page(self, name: str, **extra: Any) -> Page:
        page: Page = {"name": name, "scroll": 0, "dialog": None, **extra}
        if name == "edit":
            page.setdefault("file", None)
            page.setdefault("draft", None)
        return page

    # -- data ------------------------------------------------------------------------------------------
    @staticmethod
    def notes(phone: VirtualPhone) -> list[tuple[str, str, int]]:
        """(title, body, mtime) of every note, newest first."""
        try:
            entries = phone.fs.listdir(NOTES_DIR)
        except FsError:
            return []
        out = []
        for name, node in entries:
            if isinstance(node, File) and name.endswith(".txt"):
                out.append((name[:-4], bytes(node.data).decode("utf-8", "replace"), node.mtime))
        out.sort(key=lambda n: (-n[2], n[0]))
        return out

    def content(self, phone: VirtualPhone, parts: list[str]) -> Any:
        from .._commands._settings import ContentTable

        if parts[:1] != ["notes"]:
            return None
        row = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None

        def load(db: Any) -> None:
            db.execute("DROP TABLE IF EXISTS _notes")
            db.execute("CREATE TEMP TABLE _notes (_id INTEGER PRIMARY KEY, title TEXT, body TEXT, modified INTEGER)")
            rows = sorted(self.notes(phone), key=lambda n: n[0])
            db.executemany("INSERT INTO _notes (title, body, modified) VALUES (?,?,?)",
                           [(t, b, m * 1000) for t, b, m in rows])

        def store(db: Any) -> None:
            wanted = {_safe_title(str(t or "")): str(b or "") for t, b in db.execute("SELECT title, body FROM _notes")}
            with phone.transaction():
                phone.fs.makedirs(NOTES_DIR)
                for title, _body, _m in self.notes(phone):
                    if title not in wanted:
                        phone.fs.remove(f"{NOTES_DIR}/{title}.txt")
                current = {t: b for t, b, _ in self.notes(phone)}
                for title, body in wanted.items():
                    if current.get(title) != body:
                        phone.fs.write(f"{NOTES_DIR}/{title}.txt", body.encode())

        return ContentTable(table="_notes", columns=("_id", "title", "body", "modified"), load=load, store=store,
                            row_id=row)

    # -- screens ---------------------------------------------------------------------------------------
    def build(self, ui: Ui, phone: VirtualPhone, task: Task) -> View:
        page = task.top
        if page["name"] == "edit":
            return self._edit(ui, phone, task, page)
        return self._list(ui, phone, task, page)

    def _list(self, ui: Ui, phone: VirtualPhone, task: Task, page: Page) -> View:
        t = ui.theme
        bar = ui.app_bar("Notes", actions=[("search", "Search notes", lambda: None)])
        cards: list[View] = []
        y = ui.dp(8)
        for title, body, _m in self.notes(phone):
            preview = body.strip().splitlines()[0] if body.strip() else "Empty note"
            chosen = title in (page.get("selected") or [])
            card = View(cls="android.widget.LinearLayout", box=(ui.dp(16), y, ui.width - ui.dp(16), y + ui.dp(88)),
                        desc=title, rid=f"{self.package}:id/note_card", package=self.package, clickable=True,
                        focusable=True, long_clickable=True, selected=chosen, checkable=bool(page.get("selected")),
                        checked=chosen,
                        on_tap=self.item_tap(phone, page, title, lambda f=title: phone.open_page(task, "edit", file=f)),
                        on_long_press=lambda f=title: self.select_item(phone, page, f),
                        paint=Paint(kind="box", fill=t.secondary_container if chosen else t.surface_container,
                                    radius=ui.dp(16), outline=t.primary if chosen else None))
            card.add(ui.text((ui.dp(32), y + ui.dp(12), ui.width - ui.dp(32), y + ui.dp(44)), title, size=18, bold=True,
                             rid="note_title"))
            card.add(ui.text((ui.dp(32), y + ui.dp(46), ui.width - ui.dp(32), y + ui.dp(76)), preview, size=14,
                             color=t.on_surface_variant, rid="note_preview"))
            cards.append(card)
            y += ui.dp(100)
        if not cards:
            cards.append(ui.text((0, ui.dp(120), ui.width, ui.dp(160)), "No notes yet", size=16, align="center",
                                 color=t.on_surface_variant, rid="empty_message"))
        if page.get("selected"):
            bar = self.selection_bar(ui, phone, page)
        lst = self.scroll_list(ui, phone, page, cards, bar.box[3])
        fab = ui.fab("plus", "New note", lambda: phone.open_page(task, "edit", file=None), label="New note",
                     rid="new_note")
        return self.window(ui, lst, bar, fab, self.delete_selected_dialog(ui, phone, page, "note", self._delete_notes))

    @staticmethod
    def _delete_notes(phone: VirtualPhone, titles: list[Any]) -> None:
        for title in titles:
            try:
                phone.fs.remove(f"{NOTES_DIR}/{title}.txt")
            except FsError:
                pass

    def _edit(self, ui: Ui, phone: VirtualPhone, task: Task, page: Page) -> View:
        if page.get("draft") is None:
            body = ""
            if page.get("file"):
                try:
                    body = phone.fs.read(f"{NOTES_DIR}/{page['file']}.txt").decode("utf-8", "replace")
                except FsError:
                    page["file"] = None
            page["draft"] = {"title": page.get("file") or "", "body": body}
            page["original"] = dict(page["draft"])
        draft: dict[str, str] = page["draft"]

        def save() -> None:
            with phone.transaction():
                title = _safe_title(draft["title"])
                phone.fs.makedirs(NOTES_DIR)
                old = page.get("file")
                if old and old != title:
                    try:
                        phone.fs.remove(f"{NOTES_DIR}/{old}.txt")
                    except FsError:
                        pass
                phone.fs.write(f"{NOTES_DIR}/{title}.txt", draft["body"].encode())
                page["file"] = title
                draft["title"] = title
                page["original"] = dict(draft)
                phone.clear_focus()

        def ask_delete() -> None:
            with phone.transaction():
                page["dialog"] = "delete"
                phone.clear_focus()

        actions = [("check", "Save", save)]
        if page.get("file"):
            actions.append(("delete", "Delete note", ask_delete))
        bar = ui.app_bar("", back=phone.back, actions=actions)

        def set_title(v: str) -> None:
            draft["title"] = v.replace("\n", " ")

        def set_body(v: str) -> None:
            draft["body"] = v

        key = f"notes:{task.id}:{len(task.pages)}"
        top = bar.box[3]
        title = ui.edit((ui.dp(16), top + ui.dp(8), ui.width - ui.dp(16), top + ui.dp(64)),
                        FieldBinding(key=key + ":title", value=draft["title"], on_change=set_title,
                                     on_submit=lambda: phone.focus_field(key + ":body")),
                        hint="Title", rid="note_title_edit", size=20, outlined=False)
        body = ui.edit((ui.dp(16), top + ui.dp(76), ui.width - ui.dp(16), max(top + ui.dp(140), ui.bottom - ui.dp(16))),
                       FieldBinding(key=key + ":body", value=draft["body"], on_change=set_body, multiline=True),
                       hint="Note", rid="note_body_edit", outlined=False)
        children: list[View | None] = [bar, title, body]
        if page.get("dialog") == "delete":
            def cancel() -> None:
                with phone.transaction():
                    page["dialog"] = None

            def delete() -> None:
                with phone.transaction():
                    try:
                        phone.fs.remove(f"{NOTES_DIR}/{page['file']}.txt")
                    except FsError:
                        pass
                    page["dialog"] = None
                    phone.close_page(task)

            children.append(ui.dialog("Delete this note?", f"“{page['file']}” will be deleted.",
                                      [("Cancel", cancel), ("Delete", delete)], on_dismiss=cancel))
        elif page.get("dialog") == "discard":
            children.append(self.discard_dialog(ui, phone, page, task))
        return self.window(ui, *children)


def note_path(title: str) -> str:
    return posixpath.join(NOTES_DIR, _safe_title(title) + ".txt")
