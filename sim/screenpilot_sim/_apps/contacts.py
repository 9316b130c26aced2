"""Contacts: a long scrolling list, a detail page, an add/edit form, and delete behind a dialog.

The contacts live in the ``contacts`` table of the phone's database and are served as
``content://com.android.contacts/contacts`` (also ``/data/phones``), so a test can seed, read and
check them with ``adb shell content ...``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from .._ui import FieldBinding, Paint, Ui, View
from ._base import App, DraftEditor, Page, Task

if TYPE_CHECKING:
    from .._phone import VirtualPhone

__all__ = ["SEED_CONTACTS", "ContactsApp", "ContactsProvider"]

_GIVEN = ["Alice", "Bruno", "Chen", "Dalia", "Emil", "Fatima", "Gustav", "Hana", "Ivan", "Jamal", "Keiko", "Lars",
          "Mona", "Nikolai", "Olga", "Pedro", "Quinn", "Rosa", "Samir", "Tomas"]
_FAMILY = ["Andersen", "Baptiste", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Hoffmann", "Ito", "Jensen",
           "Kowalski", "Lindqvist", "Moreau", "Novak", "Okafor", "Petrov", "Quintero", "Rossi", "Sato", "Tanaka"]
SEED_CONTACTS: list[tuple[str, str, str, str]] = [
    (_GIVEN[k % 20], _FAMILY[(k * 7 + 3 + k // 20) % 20], f"+1 555 01{k:02d}", f"{_GIVEN[k % 20].lower()}.{k}@example.com")
    for k in range(40)
]
_PALETTE = [(219, 68, 55), (15, 157, 88), (66, 133, 244), (171, 71, 188), (0, 172, 193), (255, 112, 67),
            (92, 107, 192), (124, 179, 66)]


_SCHEMA = """
CREATE TABLE IF NOT EXISTS contacts (_id INTEGER PRIMARY KEY AUTOINCREMENT, display_name TEXT,
    given_name TEXT DEFAULT '', family_name TEXT DEFAULT '', number TEXT DEFAULT '', email TEXT DEFAULT '',
    starred INTEGER DEFAULT 0);
CREATE TRIGGER IF NOT EXISTS contacts_name AFTER INSERT ON contacts WHEN new.display_name IS NULL
BEGIN UPDATE contacts SET display_name = trim(coalesce(new.given_name, '') || ' ' || coalesce(new.family_name, ''))
    WHERE _id = new._id; END;
CREATE VIEW IF NOT EXISTS raw_contacts AS SELECT _id, _id AS contact_id, display_name, 'com.google' AS account_type,
    'owner@example.com' AS account_name, 0 AS deleted, starred FROM contacts;
CREATE TRIGGER IF NOT EXISTS raw_contacts_insert INSTEAD OF INSERT ON raw_contacts
BEGIN INSERT INTO contacts (display_name, starred) VALUES (coalesce(new.display_name, ''), coalesce(new.starred, 0));
END;
CREATE TRIGGER IF NOT EXISTS raw_contacts_delete INSTEAD OF DELETE ON raw_contacts
BEGIN DELETE FROM contacts WHERE _id = old._id; END;
CREATE VIEW IF NOT EXISTS data AS
    SELECT _id * 10 + 1 AS _id, _id AS raw_contact_id, _id AS contact_id, 'vnd.android.cursor.item/name' AS mimetype,
           display_name AS data1, given_name AS data2, family_name AS data3, display_name FROM contacts
    UNION ALL SELECT _id * 10 + 2, _id, _id, 'vnd.android.cursor.item/phone_v2', number, '2', NULL, display_name
           FROM contacts WHERE number != ''
    UNION ALL SELECT _id * 10 + 3, _id, _id, 'vnd.android.cursor.item/email_v2', email, '1', NULL, display_name
           FROM contacts WHERE email != '';
CREATE TRIGGER IF NOT EXISTS data_insert INSTEAD OF INSERT ON data
BEGIN UPDATE contacts SET
    given_name = CASE WHEN new.mimetype = 'vnd.android.cursor.item/name' THEN coalesce(new.data2, given_name)
                 ELSE given_name END,
    family_name = CASE WHEN new.mimetype = 'vnd.android.cursor.item/name' THEN coalesce(new.data3, family_name)
                  ELSE family_name END,
    display_name = CASE WHEN new.mimetype = 'vnd.android.cursor.item/name' THEN coalesce(new.data1,
                   trim(coalesce(new.data2, '') || ' ' || coalesce(new.data3, ''))) ELSE display_name END,
    number = CASE WHEN new.mimetype = 'vnd.android.cursor.item/phone_v2' THEN new.data1 ELSE number END,
    email = CASE WHEN new.mimetype = 'vnd.android.cursor.item/email_v2' THEN new.data1 ELSE email END
    WHERE _id = new.raw_contact_id; END;
CREATE TRIGGER IF NOT EXISTS data_delete INSTEAD OF DELETE ON data
BEGIN UPDATE contacts SET
    number = CASE WHEN old.mimetype = 'vnd.android.cursor.item/phone_v2' THEN '' ELSE number END,
    email = CASE WHEN old.mimetype = 'vnd.android.cursor.item/email_v2' THEN '' ELSE email END
    WHERE _id = old.raw_contact_id; END;
CREATE VIEW IF NOT EXISTS phones AS SELECT _id * 10 + 2 AS _id, _id AS contact_id, _id AS raw_contact_id,
    display_name, number, number AS data1, 2 AS data2, 2 AS type FROM contacts WHERE number != '';
CREATE TRIGGER IF NOT EXISTS phones_insert INSTEAD OF INSERT ON phones
BEGIN INSERT INTO contacts (display_name, number) VALUES (coalesce(new.display_name, ''),
    coalesce(new.number, new.data1, '')); END;
CREATE VIEW IF NOT EXISTS emails AS SELECT _id * 10 + 3 AS _id, _id AS contact_id, _id AS raw_contact_id,
    display_name, email AS data1, email AS address, 1 AS type FROM contacts WHERE email != '';
CREATE VIEW IF NOT EXISTS people AS SELECT _id, display_name AS name, display_name, number, email AS primary_email,
    starred FROM contacts;
CREATE TRIGGER IF NOT EXISTS people_insert INSTEAD OF INSERT ON people
BEGIN INSERT INTO contacts (display_name, number, starred) VALUES (coalesce(new.name, new.display_name, ''),
    coalesce(new.number, ''), coalesce(new.starred, 0)); END;
CREATE TRIGGER IF NOT EXISTS people_delete INSTEAD OF DELETE ON people BEGIN DELETE FROM contacts WHERE _id = old._id; END;
CREATE VIEW IF NOT EXISTS legacy_phones AS SELECT _id, _id AS person, display_name AS name, display_name, number,
    2 AS type FROM contacts WHERE number != '';
CREATE TRIGGER IF NOT EXISTS legacy_phones_delete INSTEAD OF DELETE ON legacy_phones
BEGIN DELETE FROM contacts WHERE _id = old._id; END;
"""
_CONTACT_COLUMNS = ("_id", "display_name", "given_name", "family_name", "number", "email", "starred")
# provider path -> (table or view, its columns)
_PATHS: dict[tuple[str, str], tuple[str, tuple[str, ...]]] = {
    ("com.android.contacts", "contacts"): ("contacts", _CONTACT_COLUMNS),
    ("com.android.contacts", "raw_contacts"): ("raw_contacts", ("_id", "contact_id", "display_name", "account_type",
                                                                "account_name", "deleted", "starred")),
    ("com.android.contacts", "data"): ("data", ("_id", "raw_contact_id", "contact_id", "mimetype", "data1", "data2",
                                                "data3", "display_name")),
    ("com.android.contacts", "data/phones"): ("phones", ("_id", "contact_id", "raw_contact_id", "display_name",
                                                         "number", "data1", "data2", "type")),
    ("com.android.contacts", "data/emails"): ("emails", ("_id", "contact_id", "raw_contact_id", "display_name",
                                                         "data1", "address", "type")),
    ("contacts", "people"): ("people", ("_id", "name", "display_name", "number", "primary_email", "starred")),
    ("contacts", "phones"): ("legacy_phones", ("_id", "person", "name", "display_name", "number", "type")),
}


class ContactsProvider(App):
    """The contacts provider (com.android.providers.contacts): where contacts live, whatever app shows
    them. ``content://com.android.contacts/`` contacts, raw_contacts, data, data/phones, data/emails and
    the legacy ``content://contacts/`` people and phones; ``pm clear com.android.providers.contacts``
    empties it, as android_world's clear_contacts expects."""

    package = "com.android.providers.contacts"
    label = "Contacts Storage"
    launchable = False
    authority = "com.android.contacts"
    legacy_authorities = ("contacts",)
    tables = ("contacts",)
    activities: ClassVar[dict[str, str]] = {".ContactsProvider2": "none"}

    def seed(self, phone: VirtualPhone) -> None:
        phone.db.executescript(_SCHEMA)
        phone.db.commit()

    def populate(self, phone: VirtualPhone) -> None:
        phone.db.executemany("INSERT INTO contacts (display_name, given_name, family_name, number, email) "
                             "VALUES (?,?,?,?,?)", [(f"{g} {f}", g, f, n, e) for g, f, n, e in SEED_CONTACTS])
        phone.db.commit()

    def content(self, phone: VirtualPhone, parts: list[str], authority: str = "com.android.contacts") -> Any:
        from .._commands._settings import ContentTable

        for n in (2, 1):
            key = (authority, "/".join(parts[:n]))
            if key in _PATHS and len(parts) >= n:
                table, cols = _PATHS[key]
                rest = parts[n:]
                row = int(rest[0]) if rest and rest[0].isdigit() else None
                return ContentTable(table=table, columns=cols, row_id=row)
        return None


class ContactsApp(DraftEditor):
    package = "com.android.contacts"
    label = "Contacts"
    icon = "person"
    color = (26, 115, 232)
    activities: ClassVar[dict[str, str]] = {
        ".activities.PeopleActivity": "list",
        "com.android.contacts.quickcontact.QuickContactActivity": "detail",
        ".activities.ContactEditorActivity": "edit",
    }
    actions: ClassVar[dict[str, str]] = {"android.intent.action.INSERT": "edit"}
    views: ClassVar[dict[str, str]] = {"content://contacts": "list", "content://com.android.contacts": "list"}

    def activity_of(self, page: Page) -> str:
        return self.full_class({"list": ".activities.PeopleActivity",
                                "detail": "com.android.contacts.quickcontact.QuickContactActivity",
                                "edit": ".activities.ContactEditorActivity"}.get(page.get("name", ""),
                                                                               ".activities.PeopleActivity"))

    def new_page(self, name: str, **extra: Any) -> Page:
        page: Page = {"name": name, "scroll": 0, "dialog": None, **extra}
        if name == "edit":
            page.setdefault("id", None)
            page.setdefault("draft", None)
        return page

    # -- data -----------------------------------------------------------------------------------------
    @staticmethod
    def _rows(phone: VirtualPhone) -> list[tuple[Any, ...]]:
        return phone.db.execute("SELECT _id, display_name, number, email, given_name, family_name FROM contacts "
                                "ORDER BY display_name COLLATE NOCASE, _id").fetchall()

    @staticmethod
    def _one(phone: VirtualPhone, cid: int) -> tuple[Any, ...] | None:
        return phone.db.execute("SELECT _id, display_name, number, email, given_name, family_name FROM contacts "
                                "WHERE _id = ?", (cid,)).fetchone()

    # -- screens -----------------------------------------------------------------------------------------
    def build(self, ui: Ui, phone: VirtualPhone, task: Task) -> View:
        page = task.top
        name = page["name"]
        if name == "detail":
            return self._detail(ui, phone, task, page)
        if name == "edit":
            return self._edit(ui, phone, task, page)
        return self._list(ui, phone, task, page)

    @staticmethod
    def _delete_contacts(phone: VirtualPhone, ids: list[Any]) -> None:
        phone.db.executemany("DELETE FROM contacts WHERE _id = ?", [(c,) for c in ids])
        phone.db.commit()

    def _avatar(self, ui: Ui, box: tuple[int, int, int, int], name: str, cid: int) -> View:
        letter = (name.strip()[:1] or "?").upper()
        return View(cls="android.widget.QuickContactBadge", box=box, desc=f"Contact photo of {name}",
                    package=self.package, paint=Paint(kind="glyph", glyph=f"letter:{letter}",
                                                      fill=_PALETTE[cid % len(_PALETTE)], color=(255, 255, 255)))

    def _list(self, ui: Ui, phone: VirtualPhone, task: Task, page: Page) -> View:
        bar = ui.app_bar("Contacts", actions=[("search", "Search contacts", lambda: None),
                                              ("more", "More options", lambda: None)])
        rows: list[View] = []
        y = 0
        row_h = ui.dp(64)
        last_letter = ""
        for cid, name, _number, _email, _g, _f in self._rows(phone):
            letter = (name or "?")[:1].upper()
            if letter != last_letter:
                rows.append(ui.text((ui.dp(16), y, ui.dp(72), y + ui.dp(32)), letter, size=14, bold=True,
                                    color=ui.theme.primary, rid="header_text"))
                y += ui.dp(32)
                last_letter = letter
            chosen = cid in (page.get("selected") or [])
            row = View(cls="android.view.ViewGroup", box=(0, y, ui.width, y + row_h), desc=name,
                       rid=f"{self.package}:id/cliv_name_textview_container", package=self.package, clickable=True,
                       focusable=True, long_clickable=True, selected=chosen, checkable=bool(page.get("selected")),
                       checked=chosen,
                       on_tap=self.item_tap(phone, page, cid, lambda c=cid: phone.open_page(task, "detail", id=c)),
                       on_long_press=lambda c=cid: self.select_item(phone, page, c),
                       paint=Paint(kind="box", fill=ui.theme.secondary_container) if chosen else None)
            s = ui.dp(40)
            row.add(self._avatar(ui, (ui.dp(16), y + (row_h - s) // 2, ui.dp(16) + s, y + (row_h + s) // 2), name, cid))
            row.add(ui.text((ui.dp(72), y, ui.width - ui.dp(16), y + row_h), name, size=16,
                            rid="cliv_name_textview"))
            rows.append(row)
            y += row_h
        if not rows:
            rows.append(ui.text((0, ui.dp(120), ui.width, ui.dp(160)), "No contacts", size=16, align="center",
                                color=ui.theme.on_surface_variant, rid="empty_message"))
        if page.get("selected"):
            bar = self.selection_bar(ui, phone, page)
        lst = self.scroll_list(ui, phone, page, rows, bar.box[3])
        fab = ui.fab("plus", "Create contact", lambda: phone.open_page(task, "edit", id=None),
                     rid="floating_action_button")
        return self.window(ui, lst, bar, fab, self.delete_selected_dialog(ui, phone, page, "contact", self._delete_contacts))

    def _detail(self, ui: Ui, phone: VirtualPhone, task: Task, page: Page) -> View:
        row = self._one(phone, page.get("id") or -1)
        if row is None:  # deleted behind our back (content delete): show the list again
            task.pages.pop()
            return self._list(ui, phone, task, task.top)
        cid, name, number, email, _g, _f = row

        def ask_delete() -> None:
            with phone.transaction():
                page["dialog"] = "delete"

        bar = ui.app_bar("", back=phone.back, actions=[("edit", "Edit contact", lambda: phone.open_page(
            task, "edit", id=cid)), ("delete", "Delete", ask_delete)])
        top = bar.box[3]
        s = ui.dp(96)
        children: list[View | None] = [bar]
        children.append(self._avatar(ui, ((ui.width - s) // 2, top + ui.dp(16), (ui.width + s) // 2, top + ui.dp(16) + s),
                                     name, cid))
        children.append(ui.text((ui.dp(16), top + ui.dp(124), ui.width - ui.dp(16), top + ui.dp(164)), name, size=26,
                                align="center", rid="large_title"))
        y = top + ui.dp(188)
        row_h = ui.dp(72)
        if number:
            children.append(ui.row((0, y, ui.width, y + row_h), number, summary="Mobile", icon="phone",
                                   on_tap=lambda: None, rid="phone_row"))
            y += row_h
        if email:
            children.append(ui.row((0, y, ui.width, y + row_h), email, summary="Email", icon="message",
                                   on_tap=lambda: None, rid="email_row"))
        if page.get("dialog") == "delete":
            def cancel() -> None:
                with phone.transaction():
                    page["dialog"] = None

            def delete() -> None:
                with phone.transaction():
                    phone.db.execute("DELETE FROM contacts WHERE _id = ?", (cid,))
                    phone.db.commit()
                    page["dialog"] = None
                    task.pages.pop()

            children.append(ui.dialog("Delete this contact?", f"{name} will be removed from this device.",
                                      [("Cancel", cancel), ("Delete", delete)], on_dismiss=cancel))
        return self.window(ui, *children)

    def _edit(self, ui: Ui, phone: VirtualPhone, task: Task, page: Page) -> View:
        cid = page.get("id")
        if page.get("draft") is None:
            row = self._one(phone, cid) if cid else None
            intent = page.get("intent") or {}  # ContactsContract.Intents.Insert: name, phone, email
            given, _, family = str(intent.get("name") or "").partition(" ")
            page["draft"] = ({"given": row[4], "family": row[5], "number": row[2], "email": row[3]} if row
                             else {"given": given, "family": family, "number": str(intent.get("phone") or ""),
                                   "email": str(intent.get("email") or "")})
            page["original"] = ({"given": "", "family": "", "number": "", "email": ""} if row is None
                                else dict(page["draft"]))
        draft: dict[str, str] = page["draft"]

        def save() -> None:
            with phone.transaction():
                given, family = draft["given"].strip(), draft["family"].strip()
                name = f"{given} {family}".strip() or draft["number"].strip() or draft["email"].strip()
                if not name:
                    page["dialog"] = "empty"
                    return
                if cid:
                    phone.db.execute("UPDATE contacts SET display_name=?, given_name=?, family_name=?, number=?, "
                                     "email=? WHERE _id=?", (name, given, family, draft["number"].strip(),
                                                              draft["email"].strip(), cid))
                    phone.db.commit()
                    task.pages.pop()
                else:
                    cur = phone.db.execute("INSERT INTO contacts (display_name, given_name, family_name, number, email) "
                                           "VALUES (?,?,?,?,?)", (name, given, family, draft["number"].strip(),
                                                                  draft["email"].strip()))
                    phone.db.commit()
                    task.pages.pop()
                    task.pages.append(self.new_page("detail", id=cur.lastrowid))
                phone.clear_focus()

        def close() -> None:
            with phone.transaction():
                if draft != page.get("original"):
                    page["dialog"] = "discard"
                    phone.clear_focus()
                else:
                    phone.close_page(task)

        bar = ui.app_bar("Edit contact" if cid else "Create contact", back=close)
        save_w = ui.dp(88)
        bar.add(ui.button((ui.width - save_w - ui.dp(12), bar.box[1] + ui.dp(12), ui.width - ui.dp(12),
                           bar.box[1] + ui.dp(52)), "Save", save, rid="editor_menu_save_button"))
        fields: list[View] = []
        y = ui.dp(16)
        for key, hint in (("given", "First name"), ("family", "Last name"), ("number", "Phone"), ("email", "Email")):
            def change(value: str, k: str = key) -> None:
                draft[k] = value

            binding = FieldBinding(key=f"contacts:{task.id}:{len(task.pages)}:{key}", value=draft[key], on_change=change)
            fields.append(ui.edit((ui.dp(16), y, ui.width - ui.dp(16), y + ui.dp(56)), binding, hint=hint,
                                  rid=f"{key}_name" if key in ("given", "family") else key))
            y += ui.dp(72)
        form = self.scroll_list(ui, phone, page, fields, bar.box[3])
        children: list[View | None] = [form, bar]
        if page.get("dialog") == "discard":
            children.append(self.discard_dialog(ui, phone, page, task))
        elif page.get("dialog") == "empty":
            def ok() -> None:
                with phone.transaction():
                    page["dialog"] = None

            children.append(ui.dialog("Nothing to save", "Enter a name, a phone number or an email first.",
                                      [("OK", ok)], on_dismiss=ok))
        return self.window(ui, *children)
