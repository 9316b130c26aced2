"""Settings: a scrolling list of sections and sub-pages with the toggles and slider scenarios use.

Every control reads and writes the phone's settings table, so ``settings get global wifi_on`` is
the Wi-Fi switch and ``settings put secure ui_night_mode 2`` is the Dark theme switch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from .._ui import Paint, Ui, View
from ._base import App, Task

if TYPE_CHECKING:
    from .._phone import VirtualPhone

__all__ = ["SettingsApp"]

# (page, icon, title, summary or None for a computed one)
_SECTIONS = [
    ("network", "wifi", "Network & internet", None),
    ("connected", "bluetooth", "Connected devices", None),
    ("apps", "apps", "Apps", "Assistant, recent apps, default apps"),
    ("notifications", "message", "Notifications", "Notification history, conversations"),
    ("battery", "battery", "Battery", "85%"),
    ("storage", "document", "Storage", "34% used - 84.48 GB free"),
    ("sound", "sound", "Sound & vibration", "Volume, haptics, Do Not Disturb"),
    ("display", "display", "Display", "Dark theme, font size, brightness"),
    ("wallpaper", "star", "Wallpaper & style", "Colors, themed icons, app grid"),
    ("accessibility", "person", "Accessibility", "Display, interaction, audio"),
    ("security", "lock", "Security & privacy", "App security, device lock, permissions"),
    ("location", "location", "Location", "On - 3 apps have access to location"),
    ("emergency", "info", "Safety & emergency", "Emergency SOS, medical info, alerts"),
    ("passwords", "person", "Passwords & accounts", "Saved passwords, autofill, synced accounts"),
    ("wellbeing", "clock", "Digital Wellbeing & parental controls", "Screen time, app timers, bedtime schedules"),
    ("system", "settings", "System", "Languages, gestures, time, backup"),
    ("about", "info", "About phone", None),
]
_TITLES = {p: title for p, _, title, _ in _SECTIONS}
_GENERIC_ROWS = {
    "notifications": ["App notifications", "Notification history", "Conversations", "Bubbles"],
    "battery": ["Battery usage", "Battery Saver", "Adaptive preferences", "Battery percentage"],
    "storage": ["System", "Apps", "Images", "Documents & other"],
    "sound": ["Media volume", "Call volume", "Ring volume", "Do Not Disturb", "Vibration & haptics"],
    "wallpaper": ["Wallpaper", "Basic colors", "Themed icons", "App grid"],
    "accessibility": ["Display size and text", "Color and motion", "Select to Speak", "TalkBack"],
    "security": ["App security", "Device unlock", "Privacy dashboard", "Permission manager"],
    "location": ["Use location", "Recent access", "App location permissions", "Location services"],
    "emergency": ["Emergency SOS", "Medical information", "Emergency contacts", "Crisis alerts"],
    "passwords": ["Passwords", "Autofill service", "Accounts for owner"],
    "wellbeing": ["Dashboard", "Bedtime mode", "Focus mode", "Parental controls"],
    "system": ["Languages", "Keyboard", "Gestures", "Date & time", "Backup", "Reset options"],
}


class SettingsApp(App):
    package = "com.android.settings"
    label = "Settings"
    icon = "settings"
    color = (66, 133, 244)
    activities: ClassVar[dict[str, str]] = {
        ".Settings": "main",
        ".SubSettings": "sub",
        ".Settings$NetworkDashboardActivity": "network",
        ".Settings$WifiSettingsActivity": "network",
        ".Settings$ConnectedDeviceDashboardActivity": "connected",
        ".Settings$DisplaySettingsActivity": "display",
        ".Settings$MyDeviceInfoActivity": "about",
        ".Settings$ManageApplicationsActivity": "apps",
        ".applications.InstalledAppDetails": "app_info",
    }
    actions: ClassVar[dict[str, str]] = {
        "android.settings.SETTINGS": "main",
        "android.settings.WIFI_SETTINGS": "network",
        "android.settings.WIRELESS_SETTINGS": "network",
        "android.settings.AIRPLANE_MODE_SETTINGS": "network",
        "android.settings.BLUETOOTH_SETTINGS": "connected",
        "android.settings.DISPLAY_SETTINGS": "display",
        "android.settings.DEVICE_INFO_SETTINGS": "about",
        "android.settings.APPLICATION_SETTINGS": "apps",
        "android.settings.MANAGE_APPLICATIONS_SETTINGS": "apps",
        "android.settings.APPLICATION_DETAILS_SETTINGS": "app_info",
    }

    def activity_of(self, page: dict[str, Any]) -> str:
        name = page.get("name")
        if name == "main":
            return self.full_class(".Settings")
        if page.get("deep_link"):
            for act, p in self.activities.items():
                if p == name and act != ".SubSettings":
                    return self.full_class(act)
        return self.full_class(".SubSettings")

    def build(self, ui: Ui, phone: VirtualPhone, task: Task) -> View:
        page = task.top
        name = page["name"]
        back = (lambda: phone.back()) if len(task.pages) > 1 or name != "main" else None
        if name == "main":
            return self._main(ui, phone, task, page)
        if name == "app_info":
            return self._app_info(ui, phone, task, page, back)
        title = {"network": "Network & internet", "connected": "Connected devices", "display": "Display",
                 "about": "About phone", "apps": "Apps"}.get(name, _TITLES.get(name, "Settings"))
        rows = self._rows(ui, phone, task, name)
        return self._page(ui, phone, page, title, rows, back)

    def _page(self, ui: Ui, phone: VirtualPhone, page: dict[str, Any], title: str,
              rows: list[View], back: Any) -> View:
        bar = ui.app_bar(title, back=back)
        top = bar.box[3]
        content_h = max((r.box[3] for r in rows), default=0)
        viewport = ui.bottom - top
        maximum = max(0, content_h - viewport)
        offset = phone.animated(page, "scroll", ui.now)
        lst = ui.scroll((0, top, ui.width, ui.bottom), offset=offset, content=rows,
                        on_scroll=lambda dy: phone.scroll_by(page, "scroll", dy, maximum))
        return self.window(ui, lst, bar)

    def _app_info(self, ui: Ui, phone: VirtualPhone, task: Task, page: dict[str, Any], back: Any) -> View:
        """App info: the app's name and version, Open and Force stop, and what it is allowed to do."""
        pkg = str(page.get("package") or "")
        app = phone.apps.get(pkg)
        if app is None or pkg not in phone.installed:
            return self._page(ui, phone, page, "App info", [ui.text((ui.dp(16), 0, ui.width, ui.dp(56)),
                                                                    "App not installed", rid="empty")], back)
        rows: list[View] = []
        y = 0
        rows.append(ui.text((ui.dp(16), y, ui.width - ui.dp(16), y + ui.dp(48)), app.label, size=24,
                            align="center", rid="entity_header_title"))
        y += ui.dp(48)
        rows.append(ui.text((ui.dp(16), y, ui.width - ui.dp(16), y + ui.dp(32)), f"version {app.version_name}",
                            size=14, align="center", color=ui.theme.on_surface_variant, rid="entity_header_summary"))
        y += ui.dp(48)
        bw = (ui.width - ui.dp(48)) // 2
        rows.append(ui.button((ui.dp(16), y, ui.dp(16) + bw, y + ui.dp(48)), "Open", lambda: phone.launch(pkg),
                              style="tonal", rid="button1", enabled=app.launchable))
        rows.append(ui.button((ui.dp(32) + bw, y, ui.dp(32) + 2 * bw, y + ui.dp(48)), "Force stop",
                              lambda: phone.force_stop(pkg), style="tonal", rid="button3",
                              enabled=phone.task_for(pkg) is not None))
        y += ui.dp(72)
        granted = sorted(phone.granted_permissions(pkg))
        for title, summary in (("Notifications", "Allowed" if "android.permission.POST_NOTIFICATIONS" in granted
                                or not app.runtime_permissions else "Not allowed"),
                               ("Permissions", ", ".join(p.rsplit(".", 1)[-1].replace("_", " ").title()
                                                         for p in granted) or "No permissions allowed"),
                               ("Storage & cache", "Internal storage"), ("Open by default", "Allow app to open links")):
            rows.append(ui.row((0, y, ui.width, y + ui.dp(72)), title, summary=summary, on_tap=lambda: None))
            y += ui.dp(72)
        return self._page(ui, phone, page, "App info", rows, back)

    def _main(self, ui: Ui, phone: VirtualPhone, task: Task, page: dict[str, Any]) -> View:
        g = phone.settings["global"]
        rows: list[View] = []
        row_h = ui.dp(72)
        y = 0
        search = View(cls="android.widget.FrameLayout", box=(ui.dp(16), ui.dp(8), ui.width - ui.dp(16), ui.dp(60)),
                      desc="Search settings", rid=f"{self.package}:id/search_action_bar", package=self.package,
                      clickable=True, focusable=True, on_tap=lambda: None,
                      paint=Paint(kind="box", fill=ui.theme.surface_container, radius=ui.dp(26)))
        search.add(ui.text((ui.dp(64), ui.dp(8), ui.width - ui.dp(32), ui.dp(60)), "Search Settings", size=16,
                           color=ui.theme.on_surface_variant, rid="search_action_bar_title"))
        rows.append(search)
        y = ui.dp(76)
        for target, icon, title, summary in _SECTIONS:
            if summary is None:
                if target == "network":
                    summary = ("Airplane mode is on" if g.get("airplane_mode_on") == "1"
                               else "Wi‑Fi, mobile, data usage, hotspot" if g.get("wifi_on") == "1"
                               else "Wi‑Fi off, mobile, data usage")
                elif target == "connected":
                    summary = "Bluetooth, pairing" if g.get("bluetooth_on") == "1" else "Bluetooth off"
                else:
                    summary = phone.config.model
            rows.append(ui.row((0, y, ui.width, y + row_h), title, summary=summary, icon=icon,
                               icon_fill=ui.theme.primary_container,
                               on_tap=lambda p=target: phone.open_page(task, p), rid=""))
            y += row_h
        return self._page(ui, phone, page, "Settings", rows, None)

    def _rows(self, ui: Ui, phone: VirtualPhone, task: Task, name: str) -> list[View]:
        s = phone.settings
        row_h = ui.dp(72)
        rows: list[View] = []
        y = 0

        def add(view: View) -> None:
            nonlocal y
            rows.append(view)
            y = view.box[3]

        def toggle(ns: str, key: str, on: str = "1", off: str = "0") -> Any:
            def flip() -> None:
                phone.put_setting(ns, key, off if s[ns].get(key) == on else on)
            return flip

        if name == "network":
            airplane = s["global"].get("airplane_mode_on") == "1"
            wifi = s["global"].get("wifi_on") == "1"
            add(ui.row((0, y, ui.width, y + row_h), "Wi‑Fi", summary=("VirtualNet" if wifi and not airplane else "Off"),
                       icon="wifi", switch=wifi, on_tap=toggle("global", "wifi_on"), rid="wifi"))
            add(ui.row((0, y, ui.width, y + row_h), "Airplane mode", icon="airplane", switch=airplane,
                       on_tap=toggle("global", "airplane_mode_on"), rid="airplane_mode"))
            add(ui.row((0, y, ui.width, y + row_h), "SIMs", summary="Virtual", icon="signal", on_tap=lambda: None))
            add(ui.row((0, y, ui.width, y + row_h), "Hotspot & tethering", summary="Off", icon="wifi",
                       on_tap=lambda: None))
        elif name == "connected":
            bt = s["global"].get("bluetooth_on") == "1"
            add(ui.row((0, y, ui.width, y + row_h), "Bluetooth", summary=("On" if bt else "Off"), icon="bluetooth",
                       switch=bt, on_tap=toggle("global", "bluetooth_on"), rid="bluetooth"))
            add(ui.row((0, y, ui.width, y + row_h), "Pair new device", icon="plus", on_tap=lambda: None))
        elif name == "display":
            try:
                level = int(s["system"].get("screen_brightness", "102"))
            except ValueError:
                level = 102
            label = ui.text((ui.dp(16), y + ui.dp(12), ui.width - ui.dp(16), y + ui.dp(36)), "Brightness level",
                            size=16, rid="title")
            slider_box = (ui.dp(24), y + ui.dp(40), ui.width - ui.dp(24), y + ui.dp(88))

            def slide(f: float) -> None:
                phone.put_setting("system", "screen_brightness", str(round(f * 255)))
                phone.put_setting("system", "screen_brightness_mode", "0")

            slider = View(cls="android.widget.SeekBar", box=slider_box, text=f"{round(level * 100 / 255)}%",
                          desc="Brightness level", rid=f"{self.package}:id/seekbar", package=self.package,
                          clickable=True, focusable=True, on_slide=slide,
                          paint=Paint(kind="slider", value=level / 255, accent=ui.theme.primary,
                                      track=ui.theme.secondary_container))
            group = View(cls="android.widget.LinearLayout", box=(0, y, ui.width, y + ui.dp(96)), package=self.package)
            group.add(label, slider)
            add(group)
            dark = phone.dark
            add(ui.row((0, y, ui.width, y + row_h), "Dark theme", summary=("On" if dark else "Off"), switch=dark,
                       on_tap=toggle("secure", "ui_night_mode", "2", "1"), rid="dark_ui_mode"))
            auto = s["system"].get("accelerometer_rotation") == "1"
            add(ui.row((0, y, ui.width, y + row_h), "Auto-rotate screen", switch=auto,
                       on_tap=toggle("system", "accelerometer_rotation"), rid="auto_rotate"))
            timeout = int(s["system"].get("screen_off_timeout", "60000") or 60000) // 1000
            add(ui.row((0, y, ui.width, y + row_h), "Screen timeout", summary=f"After {timeout} seconds of inactivity",
                       on_tap=lambda: None))
            add(ui.row((0, y, ui.width, y + row_h), "Font size", summary="Default", on_tap=lambda: None))
        elif name == "about":
            p = phone.props
            for title, value in [("Device name", s["global"].get("device_name", "")),
                                 ("Model", p.get("ro.product.model", "")),
                                 ("Android version", p.get("ro.build.version.release", "")),
                                 ("Build number", p.get("ro.build.display.id", "")),
                                 ("IP address", "10.0.2.15")]:
                add(ui.row((0, y, ui.width, y + row_h), title, summary=value, on_tap=lambda: None))
        elif name == "apps":
            for pkg in sorted(phone.installed):
                app = phone.apps[pkg]
                add(ui.row((0, y, ui.width, y + row_h), app.label, summary=pkg, icon=app.icon,
                           icon_fill=ui.theme.primary_container, on_tap=lambda: None))
        else:
            for title in _GENERIC_ROWS.get(name, ["Nothing here yet"]):
                add(ui.row((0, y, ui.width, y + row_h), title, icon="chevron", on_tap=lambda: None))
        return rows
