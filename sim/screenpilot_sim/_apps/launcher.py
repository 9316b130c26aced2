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
                        on_tap=lambda p=app.package: phone.launch(p))
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
        return root
