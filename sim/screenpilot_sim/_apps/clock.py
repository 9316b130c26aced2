"""Clock: tabs for alarms (a list with on/off switches, add/edit/delete) and the world clock.

Alarms are the ``alarms`` table (``content://com.android.deskclock/alarms``) with the columns of
AOSP DeskClock (hour, minutes, enabled, label, daysofweek, vibrate).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from .._ui import FieldBinding, Paint, Ui, View
from ._base import App, Page, Task

if TYPE_CHECKING:
    from .._phone import VirtualPhone

__all__ = ["ClockApp"]

SEED_ALARMS = [(6, 30, 0, "", 0), (7, 0, 1, "Work", 31), (8, 15, 0, "Gym", 96)]
_DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
_TABS = [("alarm", "Alarm", "alarm"), ("clock", "Clock", "clock"), ("timer", "Timer", "clock"),
         ("stopwatch", "Stopwatch", "clock")]


def days_text(mask: int) -> str:
    if mask == 0:
        return "Not scheduled"
    if mask == 127:
        return "Every day"
    if mask == 31:
        return "Mon–Fri"
    if mask == 96:
        return "Sat, Sun"
    return ", ".join(d for k, d in enumerate(_DAYS) if mask & (1 << k))


class ClockApp(App):
    package = "com.android.deskclock"
    label = "Clock"
    icon = "alarm"
    color = (0, 121, 107)
    authority = "com.android.deskclock"
    tables = ("alarms",)
    activities: ClassVar[dict[str, str]] = {".DeskClock": "main"}
    actions: ClassVar[dict[str, str]] = {"android.intent.action.SHOW_ALARMS": "main", "android.intent.action.SET_ALARM": "main"}

    def seed(self, phone: VirtualPhone) -> None:
        phone.db.execute("CREATE TABLE IF NOT EXISTS alarms (_id INTEGER PRIMARY KEY AUTOINCREMENT, hour INTEGER NOT NULL, "
                         "minutes INTEGER NOT NULL, enabled INTEGER NOT NULL DEFAULT 1, label TEXT DEFAULT '', "
                         "daysofweek INTEGER NOT NULL DEFAULT 0, vibrate INTEGER NOT NULL DEFAULT 1, "
                         "CHECK (hour BETWEEN 0 AND 23), CHECK (minutes BETWEEN 0 AND 59))")
        phone.db.executemany("INSERT INTO alarms (hour, minutes, enabled, label, daysofweek) VALUES (?,?,?,?,?)",
                             SEED_ALARMS)
        phone.db.commit()

    def content(self, phone: VirtualPhone, parts: list[str]) -> Any:
        from .._commands._settings import ContentTable

        if parts[:1] != ["alarms"]:
            return None
        row = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
        return ContentTable(table="alarms", columns=("_id", "hour", "minutes", "enabled", "label", "daysofweek",
                                                     "vibrate"), row_id=row)

    def new_page(self, name: str, **extra: Any) -> Page:
        return {"name": name, "scroll": 0, "tab": "alarm", "dialog": None, "draft": None, **extra}

    def build(self, ui: Ui, phone: VirtualPhone, task: Task) -> View:
        page = task.top
        t = ui.theme
        tab_h = ui.dp(80)
        content_bottom = ui.bottom - tab_h
        tabs = View(cls="android.widget.LinearLayout", box=(0, content_bottom, ui.width, ui.bottom),
                    rid=f"{self.package}:id/tabs", package=self.package,
                    paint=Paint(kind="box", fill=t.surface_container))
        w = ui.width // len(_TABS)
        for k, (key, label, glyph) in enumerate(_TABS):
            selected = page["tab"] == key

            def pick(k_: str = key) -> None:
                with phone.transaction():
                    page["tab"] = k_
                    page["scroll"] = 0

            cell = View(cls="android.widget.FrameLayout", box=(k * w, content_bottom, (k + 1) * w, ui.bottom),
                        desc=label, package=self.package, clickable=True, focusable=True, selected=selected,
                        on_tap=pick)
            cell.add(View(box=(k * w + w // 2 - ui.dp(32), content_bottom + ui.dp(12), k * w + w // 2 + ui.dp(32),
                               content_bottom + ui.dp(44)), important=False,
                          paint=Paint(kind="box", fill=t.secondary_container if selected else None, radius=ui.dp(16))))
            cell.add(View(box=(k * w + w // 2 - ui.dp(12), content_bottom + ui.dp(16), k * w + w // 2 + ui.dp(12),
                               content_bottom + ui.dp(40)), important=False,
                          paint=Paint(kind="glyph", glyph=glyph, color=t.on_surface)))
            cell.add(ui.text((k * w, content_bottom + ui.dp(48), (k + 1) * w, content_bottom + ui.dp(72)), label,
                             size=12, align="center", bold=selected, rid="navigation_bar_item_label"))
            tabs.add(cell)
        title = {"alarm": "Alarm", "clock": "Clock", "timer": "Timer", "stopwatch": "Stopwatch"}[page["tab"]]
        bar = ui.app_bar(title, actions=[("more", "More options", lambda: None)])
        children: list[View | None] = []
        if page["tab"] == "alarm":
            children += self._alarms(ui, phone, task, page, bar.box[3], content_bottom)
        elif page["tab"] == "clock":
            hh, mm = phone.now_minutes()
            children.append(ui.text((0, bar.box[3] + ui.dp(48), ui.width, bar.box[3] + ui.dp(140)), f"{hh}:{mm:02d}",
                                    size=64, align="center", rid="digital_clock"))
            children.append(ui.text((0, bar.box[3] + ui.dp(150), ui.width, bar.box[3] + ui.dp(180)), "Local time",
                                    size=16, align="center", color=t.on_surface_variant, rid="date"))
        else:
            children.append(ui.text((0, bar.box[3] + ui.dp(120), ui.width, bar.box[3] + ui.dp(200)), "00:00",
                                    size=56, align="center", color=t.on_surface_variant, rid="timer_time"))
        children += [bar, tabs]
        if page.get("dialog"):
            children.append(self._dialog(ui, phone, page))
        return self.window(ui, *children)

    def _alarms(self, ui: Ui, phone: VirtualPhone, task: Task, page: Page, top: int, bottom: int) -> list[View | None]:
        t = ui.theme
        rows: list[View] = []
        y = ui.dp(8)
        h = ui.dp(112)
        alarms = phone.db.execute("SELECT _id, hour, minutes, enabled, label, daysofweek FROM alarms "
                                  "ORDER BY hour, minutes, _id").fetchall()
        for aid, hour, minutes, enabled, label, days in alarms:
            def toggle(a: int = aid, e: int = enabled) -> None:
                with phone.transaction():
                    phone.db.execute("UPDATE alarms SET enabled = ? WHERE _id = ?", (0 if e else 1, a))
                    phone.db.commit()

            def edit(a: int = aid, hh: int = hour, mm: int = minutes, lb: str = label) -> None:
                with phone.transaction():
                    page["dialog"] = "edit"
                    page["draft"] = {"id": a, "hour": f"{hh}", "minutes": f"{mm:02d}", "label": lb or ""}

            card = View(cls="android.widget.FrameLayout", box=(ui.dp(16), y, ui.width - ui.dp(16), y + h - ui.dp(8)),
                        desc=f"{hour}:{minutes:02d} alarm", rid=f"{self.package}:id/alarm_item", package=self.package,
                        paint=Paint(kind="box", fill=t.surface_container, radius=ui.dp(24)))
            time_view = View(cls="android.widget.TextView", box=(ui.dp(32), y + ui.dp(8), ui.width - ui.dp(120),
                                                                y + ui.dp(64)),
                             text=f"{hour}:{minutes:02d}", rid=f"{self.package}:id/digital_clock", package=self.package,
                             clickable=True, focusable=True, on_tap=edit,
                             paint=Paint(kind="text", size=ui.sp(44), color=t.on_surface if enabled else t.outline))
            card.add(time_view)
            summary = (label + " · " if label else "") + days_text(days)
            card.add(ui.text((ui.dp(32), y + ui.dp(66), ui.width - ui.dp(120), y + ui.dp(94)), summary, size=14,
                             color=t.on_surface_variant, rid="days_of_week"))
            sw = ui.switch((ui.width - ui.dp(96), y + ui.dp(36), ui.width - ui.dp(40), y + ui.dp(68)), bool(enabled),
                           rid="onoff", desc=f"{hour}:{minutes:02d} alarm")
            sw.clickable = True
            sw.on_tap = toggle
            card.add(sw)
            rows.append(card)
            y += h
        if not rows:
            rows.append(ui.text((0, ui.dp(120), ui.width, ui.dp(160)), "No alarms", size=16, align="center",
                                color=t.on_surface_variant, rid="alarms_empty_view"))

        def add() -> None:
            with phone.transaction():
                page["dialog"] = "edit"
                page["draft"] = {"id": None, "hour": "", "minutes": "", "label": ""}

        saved_bottom = ui.bottom
        ui.bottom = bottom
        fab = ui.fab("plus", "Add alarm", add, rid="fab")
        ui.bottom = saved_bottom
        return [self.scroll_list(ui, phone, page, rows, top, bottom), fab]

    def _dialog(self, ui: Ui, phone: VirtualPhone, page: Page) -> View:
        draft: dict[str, Any] = page["draft"]
        inner = ui.dialog_inner_width()
        key = f"clock:{page['dialog']}"
        half = (inner - ui.dp(16)) // 2

        def setter(name: str) -> Any:
            def change(v: str) -> None:
                draft[name] = v
            return change

        body = [
            ui.edit((0, 0, half, ui.dp(56)), FieldBinding(key=key + ":hour", value=draft["hour"],
                                                          on_change=setter("hour")), hint="Hour", rid="hour"),
            ui.edit((half + ui.dp(16), 0, inner, ui.dp(56)), FieldBinding(key=key + ":minutes", value=draft["minutes"],
                                                                           on_change=setter("minutes")),
                    hint="Minute", rid="minute"),
            ui.edit((0, ui.dp(72), inner, ui.dp(128)), FieldBinding(key=key + ":label", value=draft["label"],
                                                                     on_change=setter("label")),
                    hint="Label", rid="label"),
        ]

        def close() -> None:
            with phone.transaction():
                page["dialog"] = None
                page["draft"] = None
                phone.clear_focus()

        def ok() -> None:
            with phone.transaction():
                try:
                    hour, minutes = int(draft["hour"]), int(draft["minutes"])
                except ValueError:
                    hour = minutes = -1
                if not (0 <= hour <= 23 and 0 <= minutes <= 59):
                    draft["error"] = True
                    return
                if draft["id"] is None:
                    phone.db.execute("INSERT INTO alarms (hour, minutes, enabled, label) VALUES (?,?,1,?)",
                                     (hour, minutes, draft["label"].strip()))
                else:
                    phone.db.execute("UPDATE alarms SET hour=?, minutes=?, label=? WHERE _id=?",
                                     (hour, minutes, draft["label"].strip(), draft["id"]))
                phone.db.commit()
                close()

        def delete() -> None:
            with phone.transaction():
                phone.db.execute("DELETE FROM alarms WHERE _id = ?", (draft["id"],))
                phone.db.commit()
                close()

        buttons = [("Cancel", close), ("OK", ok)]
        if draft["id"] is not None:
            buttons.insert(0, ("Delete", delete))
        message = "Enter an hour (0-23) and a minute (0-59)." if draft.get("error") else ""
        return ui.dialog("Edit alarm" if draft["id"] is not None else "Add alarm", message, buttons, on_dismiss=close,
                         body=body, body_height=ui.dp(128))
