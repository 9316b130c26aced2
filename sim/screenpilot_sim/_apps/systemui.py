"""System UI: the status bar, the notification shade with quick settings, the three-button navigation
bar and the Overview (recents) screen."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .._ui import Paint, Ui, View, text_width

if TYPE_CHECKING:
    from .._phone import VirtualPhone

__all__ = ["NAV_DP", "STATUS_DP", "keyguard_window", "navigation_bar", "notification_shade", "permission_window",
           "recents_window", "status_bar", "text_toolbar"]

STATUS_DP = 28
NAV_DP = 48
SYSTEMUI = "com.android.systemui"


def status_bar(ui: Ui, phone: VirtualPhone) -> View:
    t = ui.theme
    on_wallpaper = phone.front_task() is None and phone.overlay is None
    color = (255, 255, 255) if on_wallpaper or t.dark else t.on_surface
    bar = View(cls="android.widget.FrameLayout", box=(0, 0, ui.width, ui.top), rid=f"{SYSTEMUI}:id/status_bar",
               package=SYSTEMUI)
    pad = ui.dp(16)
    bar.add(View(cls="android.widget.TextView", box=(pad, 0, pad + ui.dp(60), ui.top), text=phone._clock_text(),
                 rid=f"{SYSTEMUI}:id/clock", package=SYSTEMUI,
                 paint=Paint(kind="text", color=color, size=ui.sp(14), bold=True)))
    for k, n in enumerate(phone.notifications[:4]):
        s = ui.dp(18)
        x = pad + ui.dp(64) + k * (s + ui.dp(6))
        label = phone.apps[n["package"]].label if n["package"] in phone.apps else "Shell"
        bar.add(View(cls="android.widget.ImageView", box=(x, (ui.top - s) // 2, x + s, (ui.top + s) // 2),
                     desc=f"{label} notification: {n['title']}", package=SYSTEMUI,
                     paint=Paint(kind="glyph", glyph="message", color=color)))
    g = phone.settings["global"]
    icons: list[tuple[str, str]] = []
    if g.get("airplane_mode_on") == "1":
        icons.append(("airplane", "Airplane mode on."))
    if g.get("bluetooth_on") == "1":
        icons.append(("bluetooth", "Bluetooth on."))
    if g.get("wifi_on") == "1" and g.get("airplane_mode_on") != "1":
        icons.append(("wifi", "Wifi signal full."))
    if g.get("airplane_mode_on") != "1":
        icons.append(("signal", "Phone signal full."))
    icons.append(("battery", "Battery 85 percent."))
    s = ui.dp(20)
    x = ui.width - pad - ui.dp(36)
    bar.add(View(cls="android.widget.TextView", box=(x, 0, ui.width - pad, ui.top), text="85%",
                 rid=f"{SYSTEMUI}:id/battery_percentage_view", package=SYSTEMUI,
                 paint=Paint(kind="text", color=color, size=ui.sp(13), align="right")))
    for glyph, desc in reversed(icons):
        x -= s + ui.dp(4)
        top = (ui.top - s) // 2
        bar.add(View(cls="android.widget.ImageView", box=(x, top, x + s, top + s), desc=desc, package=SYSTEMUI,
                     paint=Paint(kind="glyph", glyph=glyph, color=color)))
    return bar


def navigation_bar(ui: Ui, phone: VirtualPhone) -> View:
    t = ui.theme
    top = ui.bottom
    bar = View(cls="android.widget.FrameLayout", box=(0, top, ui.width, ui.height),
               rid=f"{SYSTEMUI}:id/navigation_bar_frame", package=SYSTEMUI,
               paint=Paint(kind="box", fill=t.bar))
    w = ui.width // 3
    buttons = [("nav_back", "Back", "back", phone.back), ("nav_home", "Home", "home", phone.go_home),
               ("nav_recents", "Overview", "recent_apps", lambda: phone.key(187))]
    for k, (glyph, desc, rid, handler) in enumerate(buttons):
        bar.add(View(cls="android.widget.ImageView", box=(k * w, top, (k + 1) * w, ui.height), desc=desc,
                     rid=f"{SYSTEMUI}:id/{rid}", package=SYSTEMUI, clickable=True, long_clickable=True,
                     focusable=True, on_tap=handler,
                     paint=Paint(kind="glyph", glyph=glyph, color=t.on_surface_variant)))
    return bar


def recents_window(ui: Ui, phone: VirtualPhone) -> View:
    """Overview: one card per task, most recent first, each with a close button; and Clear all."""
    t = ui.theme
    launcher = "com.android.launcher3"
    root = View(cls="android.widget.FrameLayout", box=(0, 0, ui.width, ui.height), package=launcher,
                paint=Paint(kind="box", fill=t.surface_container))
    tasks = list(reversed(phone.tasks))
    if not tasks:
        root.add(ui.text((0, ui.top, ui.width, ui.bottom), "No recent items", size=18, align="center",
                         color=t.on_surface_variant, rid=f"{launcher}:id/empty_message"))
        return root
    card_h = ui.dp(200)
    gap = ui.dp(16)
    y = ui.top + ui.dp(24)
    for task in tasks[:6]:
        app = phone.apps[task.package]
        box = (ui.dp(24), y, ui.width - ui.dp(24), y + card_h)

        def switch_to(task_id: int = task.id) -> None:
            with phone.transaction():
                chosen = next(tt for tt in phone.tasks if tt.id == task_id)
                phone.tasks.remove(chosen)
                phone.tasks.append(chosen)
                phone.front = task_id
                phone.overlay = None

        def dismiss(task_id: int = task.id) -> None:
            with phone.transaction():
                phone.tasks[:] = [tt for tt in phone.tasks if tt.id != task_id]
                if phone.front == task_id:
                    phone.front = None

        card = View(cls="android.widget.FrameLayout", box=box, desc=app.label, rid=f"{launcher}:id/snapshot",
                    package=launcher, clickable=True, focusable=True, on_tap=switch_to,
                    paint=Paint(kind="box", fill=t.background, radius=ui.dp(20)))
        s = ui.dp(32)
        card.add(View(cls="android.widget.ImageView", box=(box[0] + gap, y + gap, box[0] + gap + s, y + gap + s),
                      desc=app.label, package=launcher, important=False,
                      paint=Paint(kind="glyph", glyph=app.icon, fill=app.color, color=(255, 255, 255))))
        card.add(ui.text((box[0] + 2 * gap + s, y + gap, box[2] - ui.dp(64), y + gap + s), app.label, size=16,
                         rid=f"{launcher}:id/title"))
        thumb = phone.thumbnails.get(task.id)
        if thumb is not None:
            th = card_h - ui.dp(64)
            tw = th * thumb.width // max(1, thumb.height)
            card.add(View(box=(box[0] + gap, y + ui.dp(56), box[0] + gap + tw, y + ui.dp(56) + th), important=False,
                          paint=Paint(kind="image", image=thumb)))
        card.add(ui.glyph((box[2] - ui.dp(56), y + ui.dp(4), box[2] - ui.dp(8), y + ui.dp(52)), "close",
                          desc=f"Dismiss {app.label}", on_tap=dismiss, cls="android.widget.ImageButton",
                          rid=f"{launcher}:id/dismiss"))
        root.add(card)
        y += card_h + gap

    def clear_all() -> None:
        with phone.transaction():
            phone.tasks.clear()
            phone.front = None
            phone.overlay = None

    bw = ui.dp(120)
    root.add(ui.button(((ui.width - bw) // 2, ui.bottom - ui.dp(64), (ui.width + bw) // 2, ui.bottom - ui.dp(24)),
                       "Clear all", clear_all, style="tonal", rid=f"{launcher}:id/clear_all"))
    return root


def notification_shade(ui: Ui, phone: VirtualPhone) -> View:
    """The shade pulled down from the status bar: quick-settings tiles, brightness, notifications."""
    t = ui.theme
    g = phone.settings["global"]

    def close() -> None:
        with phone.transaction():
            phone.overlay = None

    scrim = View(cls="android.widget.FrameLayout", box=(0, 0, ui.width, ui.height), package=SYSTEMUI,
                 rid=f"{SYSTEMUI}:id/notification_panel", on_tap=close,
                 paint=Paint(kind="scrim", fill=t.scrim, alpha=150))
    panel_h = ui.top + ui.dp(64 + 2 * (72 + 16) + 48 + 24)
    panel = View(cls="android.widget.FrameLayout", box=(0, 0, ui.width, panel_h), package=SYSTEMUI,
                 rid=f"{SYSTEMUI}:id/quick_settings_panel", on_tap=lambda: None,
                 paint=Paint(kind="box", fill=t.surface_container, radius=ui.dp(24)))
    scrim.add(panel)
    hh, mm = phone.now_minutes()
    panel.add(View(cls="android.widget.TextView", box=(ui.dp(24), ui.top, ui.dp(200), ui.top + ui.dp(48)),
                   text=f"{hh}:{mm:02d}", rid=f"{SYSTEMUI}:id/clock", package=SYSTEMUI,
                   paint=Paint(kind="text", color=t.on_surface, size=ui.sp(32))))

    def flip(ns: str, key: str, on: str = "1", off: str = "0") -> Callable[[], None]:
        def run() -> None:
            phone.put_setting(ns, key, off if phone.settings[ns].get(key) == on else on)
        return run

    tiles = [("wifi", "Internet", g.get("wifi_on") == "1" and g.get("airplane_mode_on") != "1",
              flip("global", "wifi_on")),
             ("bluetooth", "Bluetooth", g.get("bluetooth_on") == "1", flip("global", "bluetooth_on")),
             ("airplane", "Airplane mode", g.get("airplane_mode_on") == "1", flip("global", "airplane_mode_on")),
             ("display", "Dark theme", phone.dark, flip("secure", "ui_night_mode", "2", "1"))]
    pad = ui.dp(16)
    tile_w = (ui.width - 3 * pad) // 2
    tile_h = ui.dp(72)
    y0 = ui.top + ui.dp(64)
    for k, (glyph, label, on, handler) in enumerate(tiles):
        x = pad + (k % 2) * (tile_w + pad)
        y = y0 + (k // 2) * (tile_h + pad)
        tile = View(cls="android.widget.Switch", box=(x, y, x + tile_w, y + tile_h), text=label,
                    desc=f"{label}, {'On' if on else 'Off'}", package=SYSTEMUI, clickable=True, focusable=True,
                    checkable=True, checked=on, on_tap=handler, rid=f"{SYSTEMUI}:id/qs_tile",
                    paint=Paint(kind="box", fill=t.primary if on else t.surface_high, radius=tile_h // 2))
        color = t.on_primary if on else t.on_surface
        tile.add(View(box=(x + ui.dp(12), y, x + ui.dp(60), y + tile_h), important=False,
                      paint=Paint(kind="glyph", glyph=glyph, color=color)))
        tile.add(View(box=(x + ui.dp(64), y + ui.dp(12), x + tile_w - ui.dp(8), y + ui.dp(40)), text=label,
                      important=False, paint=Paint(kind="text", color=color, size=ui.sp(15), bold=True)))
        tile.add(View(box=(x + ui.dp(64), y + ui.dp(40), x + tile_w - ui.dp(8), y + ui.dp(62)),
                      text="On" if on else "Off", important=False,
                      paint=Paint(kind="text", color=color, size=ui.sp(13))))
        panel.add(tile)
    y = y0 + 2 * (tile_h + pad)
    try:
        level = int(phone.settings["system"].get("screen_brightness", "102"))
    except ValueError:
        level = 102

    def slide(f: float) -> None:
        phone.put_setting("system", "screen_brightness", str(round(f * 255)))

    panel.add(View(cls="android.widget.SeekBar", box=(pad, y, ui.width - pad, y + ui.dp(48)), desc="Display brightness",
                   text=f"{round(level * 100 / 255)}%", package=SYSTEMUI, rid=f"{SYSTEMUI}:id/slider",
                   clickable=True, focusable=True, on_slide=slide,
                   paint=Paint(kind="slider", value=level / 255, accent=t.primary, track=t.secondary_container)))
    if not phone.notifications:
        scrim.add(View(cls="android.widget.TextView", box=(0, panel_h + ui.dp(24), ui.width, panel_h + ui.dp(64)),
                       text="No notifications", rid=f"{SYSTEMUI}:id/no_notifications", package=SYSTEMUI,
                       paint=Paint(kind="text", color=(230, 230, 230), size=ui.sp(15), align="center")))
        return scrim
    y = panel_h + ui.dp(16)
    card_h = ui.dp(80)
    for n in phone.notifications[:6]:
        scrim.add(_notification_card(ui, phone, n, (pad, y, ui.width - pad, y + card_h)))
        y += card_h + ui.dp(8)
    bw = ui.dp(120)
    scrim.add(ui.button(((ui.width - bw) // 2, y + ui.dp(8), (ui.width + bw) // 2, y + ui.dp(48)), "Clear all",
                        lambda: phone.cancel_notification(None), style="tonal", rid=f"{SYSTEMUI}:id/dismiss_text"))
    return scrim


def _notification_card(ui: Ui, phone: VirtualPhone, n: dict[str, object], box: tuple[int, int, int, int]) -> View:
    """One notification in the shade: a tap opens its app (if it has one) and dismisses it."""
    t = ui.theme
    package = str(n["package"])
    app = phone.apps.get(package)

    def open_it() -> None:
        with phone.transaction():
            phone.cancel_notification(str(n["key"]))
            phone.overlay = None
            if app is not None and app.launchable:
                phone.launch(package)

    l, top, r, b = box
    card = View(cls="android.widget.FrameLayout", box=box, desc=f"{app.label if app else 'Shell'} notification",
                rid=f"{SYSTEMUI}:id/expandableNotificationRow", package=SYSTEMUI, clickable=True, focusable=True,
                on_tap=open_it, paint=Paint(kind="box", fill=t.surface_high, radius=ui.dp(20)))
    card.add(View(cls="android.widget.TextView", box=(l + ui.dp(16), top + ui.dp(10), r - ui.dp(16), top + ui.dp(40)),
                  text=str(n["title"]), rid="android:id/title", package=package,
                  paint=Paint(kind="text", color=t.on_surface, size=ui.sp(15), bold=True)))
    card.add(View(cls="android.widget.TextView", box=(l + ui.dp(16), top + ui.dp(40), r - ui.dp(16), b - ui.dp(8)),
                  text=str(n["text"]), rid="android:id/text", package=package,
                  paint=Paint(kind="text", color=t.on_surface_variant, size=ui.sp(14))))
    return card


def keyguard_window(ui: Ui, phone: VirtualPhone) -> View:
    """The lock screen (a swipe keyguard, no PIN): the time, the date, notifications, "Swipe up to unlock"."""
    t = ui.theme
    root = View(cls="android.widget.FrameLayout", box=(0, 0, ui.width, ui.height), package=SYSTEMUI,
                rid=f"{SYSTEMUI}:id/notification_panel",
                paint=Paint(kind="wallpaper", fill=t.wallpaper_top, color=t.wallpaper_bottom))
    hh, mm = phone.now_minutes()
    white = (255, 255, 255)
    root.add(View(cls="android.widget.TextView", box=(0, ui.top + ui.dp(64), ui.width, ui.top + ui.dp(160)),
                  text=f"{hh}:{mm:02d}", rid=f"{SYSTEMUI}:id/keyguard_clock_container", package=SYSTEMUI,
                  paint=Paint(kind="text", color=white, size=ui.sp(72), align="center")))
    import time as _time

    date = _time.strftime("%a, %b %-d", _time.localtime(phone.clock.wall()))
    root.add(View(cls="android.widget.TextView", box=(0, ui.top + ui.dp(168), ui.width, ui.top + ui.dp(200)),
                  text=date, rid=f"{SYSTEMUI}:id/date_view", package=SYSTEMUI,
                  paint=Paint(kind="text", color=white, size=ui.sp(16), align="center")))
    y = ui.top + ui.dp(240)
    for n in phone.notifications[:3]:
        root.add(View(cls="android.widget.TextView", box=(ui.dp(24), y, ui.width - ui.dp(24), y + ui.dp(56)),
                      text=f"{n['title']}: {n['text']}", rid=f"{SYSTEMUI}:id/notification_stack_scroller",
                      package=SYSTEMUI, paint=Paint(kind="box", fill=t.surface_container, radius=ui.dp(16))))
        root.children[-1].add(View(box=(ui.dp(40), y, ui.width - ui.dp(40), y + ui.dp(56)), important=False,
                                   text=f"{n['title']}: {n['text']}",
                                   paint=Paint(kind="text", color=t.on_surface, size=ui.sp(14))))
        y += ui.dp(64)
    s = ui.dp(40)
    root.add(View(cls="android.widget.ImageView", box=((ui.width - s) // 2, ui.height - ui.dp(150),
                                                       (ui.width + s) // 2, ui.height - ui.dp(150) + s),
                  desc="Unlock", rid=f"{SYSTEMUI}:id/lock_icon", package=SYSTEMUI,
                  paint=Paint(kind="glyph", glyph="lock", color=white)))
    root.add(View(cls="android.widget.TextView", box=(0, ui.height - ui.dp(96), ui.width, ui.height - ui.dp(64)),
                  text="Swipe up to unlock", rid=f"{SYSTEMUI}:id/keyguard_indication_text", package=SYSTEMUI,
                  paint=Paint(kind="text", color=white, size=ui.sp(14), align="center")))
    return root


def permission_window(ui: Ui, phone: VirtualPhone) -> View:
    """Android 14's runtime permission dialog (GrantPermissionsActivity) over the app that asks."""
    req = phone.permission_request or {}
    app = phone.apps.get(req.get("package", ""))
    label = app.label if app else req.get("package", "")
    what = {"android.permission.POST_NOTIFICATIONS": "send you notifications",
            "android.permission.ACCESS_FINE_LOCATION": "access this device’s location",
            "android.permission.READ_CONTACTS": "access your contacts",
            "android.permission.CAMERA": "take pictures and record video"}.get(req.get("permission", ""),
                                                                                  "use this permission")
    pkg = ui.package
    t = ui.theme
    scrim = View(cls="android.widget.FrameLayout", box=(0, 0, ui.width, ui.height), package=pkg,
                 paint=Paint(kind="scrim", fill=t.scrim, alpha=110), on_tap=lambda: None)
    w = min(ui.width - ui.dp(48), ui.dp(312))
    h = ui.dp(260)
    left, top = (ui.width - w) // 2, (ui.height - h) // 2
    panel = View(cls="android.widget.LinearLayout", box=(left, top, left + w, top + h), package=pkg,
                 rid=f"{pkg}:id/grant_dialog", on_tap=lambda: None,
                 paint=Paint(kind="box", fill=t.surface_high, radius=ui.dp(28)))
    panel.add(View(cls="android.widget.TextView", box=(left + ui.dp(24), top + ui.dp(24), left + w - ui.dp(24),
                                                      top + ui.dp(120)),
                   text=f"Allow {label} to {what}?", rid=f"{pkg}:id/permission_message", package=pkg,
                   paint=Paint(kind="text", color=t.on_surface, size=ui.sp(20), align="center", lines=3)))
    y = top + ui.dp(136)
    for text, rid, allow in (("Allow", "permission_allow_button", True),
                             ("Don’t allow", "permission_deny_button", False)):
        panel.add(ui.button((left + ui.dp(24), y, left + w - ui.dp(24), y + ui.dp(44)), text,
                            lambda allow=allow: phone.answer_permission(allow), style="tonal", rid=f"{pkg}:id/{rid}"))
        y += ui.dp(52)
    scrim.add(panel)
    return scrim


def text_toolbar(ui: Ui, phone: VirtualPhone, field: View) -> View:
    """The floating toolbar over a text selection: Cut, Copy, Paste, Select all (what applies)."""
    t = ui.theme
    value = field.field.value if field.field is not None else ""
    s, e = phone.selection or (0, 0)
    items = []
    if e > s:
        items += [("Cut", "cut"), ("Copy", "copy")]
    if phone.clipboard:
        items.append(("Paste", "paste"))
    if value and (s, e) != (0, len(value)):
        items.append(("Select all", "select_all"))
    h = ui.dp(48)
    widths = [text_width(label, ui.sp(14), True) + ui.dp(32) for label, _ in items]
    total = sum(widths)
    l, top, r, _b = field.box
    x = max(ui.dp(8), min(ui.width - total - ui.dp(8), (l + r - total) // 2))
    y = top - h - ui.dp(8) if top - h - ui.dp(8) > ui.top else field.box[3] + ui.dp(8)
    bar = View(cls="android.widget.LinearLayout", box=(x, y, x + total, y + h), package=ui.package,
               rid="android:id/floating_toolbar_menu_item_container", on_tap=lambda: None,
               paint=Paint(kind="box", fill=t.surface_high, radius=ui.dp(8)))
    for (label, action), w in zip(items, widths, strict=True):
        bar.add(View(cls="android.widget.Button", box=(x, y, x + w, y + h), text=label, desc=label,
                     rid="android:id/floating_toolbar_menu_item_text", package=ui.package, clickable=True,
                     focusable=True, on_tap=lambda a=action: phone.text_action(a),
                     paint=Paint(kind="text", color=t.on_surface, size=ui.sp(14), bold=True, align="center")))
        x += w
    return bar
