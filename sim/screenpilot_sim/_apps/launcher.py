"""The home screen: wallpaper, a search bar and a grid of labelled app icons."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from .._ui import Paint, Ui, View
from ._base import App, Task

if TYPE_CHECKING:
    from .._phone import VirtualPhone

__all__ = ["Launcher"]


class Launcher(App):
    package = "com.android.launcher3"
    label = "Quickstep"
    icon = "apps"
    launchable = True
    activities: ClassVar[dict[str, str]] = {".uioverrides.QuickstepLauncher": "home"}
    actions: ClassVar[dict[str, str]] = {"android.intent.action.MAIN": "home"}

    def build(self, ui: Ui, phone: VirtualPhone, task: Task) -> View:
        t = ui.theme
        root = View(cls="android.widget.FrameLayout", box=(0, 0, ui.width, ui.height), package=self.package,
                    paint=Paint(kind="wallpaper", fill=t.wallpaper_top, color=t.wallpaper_bottom))
        workspace = View(cls="android.widget.ScrollView", box=(0, ui.top, ui.width, ui.bottom),
                         rid=f"{self.package}:id/workspace", package=self.package)
        root.add(workspace)
        apps = sorted((a for p, a in phone.apps.items()
                       if a.launchable and p in phone.installed and p != self.package), key=lambda a: a.label)
        cells: dict[str, tuple[int, int, int, int]] = {}
        cols = 4
        cell_w = ui.width // cols
        cell_h = ui.dp(104)
        icon = ui.dp(56)
        y0 = ui.top + ui.dp(120)
        for k, app in enumerate(apps):
            col, row = k % cols, k // cols
            x = col * cell_w
            y = y0 + row * cell_h
            cell = View(cls="android.widget.TextView", box=(x, y, x + cell_w, y + cell_h), text=app.label,
                        desc=app.label, package=self.package, clickable=True, long_clickable=True, focusable=True,
                        on_tap=lambda p=app.package: phone.launch(p),
                        on_long_press=lambda p=app.package: self._show_popup(phone, task.top, p))
            cells[app.package] = cell.box
            cx = x + cell_w // 2
            cell.add(View(box=(cx - icon // 2, y + ui.dp(8), cx + icon // 2, y + ui.dp(8) + icon), important=False,
                          paint=Paint(kind="glyph", glyph=app.icon, fill=app.color, color=(255, 255, 255))))
            cell.add(View(box=(x + ui.dp(4), y + ui.dp(68), x + cell_w - ui.dp(4), y + ui.dp(92)), text=app.label,
                          important=False, paint=Paint(kind="text", color=(255, 255, 255), size=ui.sp(13),
                                                       align="center")))
            workspace.add(cell)
        sb_h = ui.dp(52)
        search = View(cls="android.widget.FrameLayout", box=(ui.dp(16), ui.bottom - sb_h - ui.dp(16),
                                                            ui.width - ui.dp(16), ui.bottom - ui.dp(16)),
                      desc="Search", rid=f"{self.package}:id/search_container_hotseat", package=self.package,
                      paint=Paint(kind="box", fill=t.surface_container, radius=sb_h // 2))
        search.add(View(box=(search.box[0] + ui.dp(12), search.box[1], search.box[0] + ui.dp(44), search.box[3]),
                        important=False, paint=Paint(kind="glyph", glyph="search", color=t.on_surface_variant)))
        root.add(search)
        popup = task.top.get("popup")
        if popup in cells:
            root.add(self._popup(ui, phone, task.top, popup, cells[popup]))
        return root

    @staticmethod
    def _show_popup(phone: VirtualPhone, page: dict[str, object], package: str) -> None:
        with phone.transaction():
            page["popup"] = package

    def _popup(self, ui: Ui, phone: VirtualPhone, page: dict[str, object], package: str,
               cell: tuple[int, int, int, int]) -> View:
        """Launcher3's long-press menu over an icon (App info); a tap anywhere else closes it."""
        t = ui.theme

        def close() -> None:
            with phone.transaction():
                page["popup"] = None

        def app_info() -> None:
            with phone.transaction():
                page["popup"] = None
                phone.start_activity("com.android.settings", None, page="app_info", extras={"package": package})

        layer = View(cls="android.widget.FrameLayout", box=(0, 0, ui.width, ui.height), package=self.package,
                     on_tap=close, important=False)
        w, h = ui.dp(200), ui.dp(56)
        l = max(ui.dp(8), min(ui.width - w - ui.dp(8), (cell[0] + cell[2] - w) // 2))
        top = cell[1] - h - ui.dp(8) if cell[1] - h - ui.dp(8) > ui.top else cell[3] + ui.dp(8)
        menu = View(cls="android.widget.LinearLayout", box=(l, top, l + w, top + h), package=self.package,
                    rid=f"{self.package}:id/deep_shortcuts_container", on_tap=lambda: None,
                    paint=Paint(kind="box", fill=t.surface_container, radius=ui.dp(20)))
        item = View(cls="android.widget.TextView", box=(l, top, l + w, top + h), text="App info", desc="App info",
                    rid=f"{self.package}:id/bubble_text", package=self.package, clickable=True, focusable=True,
                    on_tap=app_info)
        item.add(View(box=(l + ui.dp(12), top, l + ui.dp(44), top + h), important=False,
                      paint=Paint(kind="glyph", glyph="info", color=t.on_surface_variant)))
        item.add(View(box=(l + ui.dp(52), top, l + w, top + h), text="App info", important=False,
                      paint=Paint(kind="text", color=t.on_surface, size=ui.sp(15))))
        menu.add(item)
        layer.add(menu)
        return layer
