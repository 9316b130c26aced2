"""The simulated apps' views: one tree that is drawn, hit-tested and dumped as uiautomator XML.

Because the picture, the touch targets and the accessibility dump come from the same nodes, the UI
tree always matches what is drawn. Apps build a fresh tree from state for every frame; sizes are
written in dp and turned into pixels with the display's density, as Android does.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PIL import ImageFont

__all__ = [
    "DARK",
    "LIGHT",
    "Box",
    "FieldBinding",
    "Paint",
    "Theme",
    "Ui",
    "View",
    "edit_layout",
    "font",
    "index_at",
    "shift",
    "text_width",
    "wrap_text",
]

Box = tuple[int, int, int, int]
Color = tuple[int, int, int]


@dataclass(frozen=True)
class Theme:
    dark: bool
    background: Color
    surface: Color
    surface_container: Color
    surface_high: Color
    on_surface: Color
    on_surface_variant: Color
    primary: Color
    on_primary: Color
    primary_container: Color
    on_primary_container: Color
    secondary_container: Color
    outline: Color
    outline_variant: Color
    error: Color
    scrim: Color
    bar: Color
    wallpaper_top: Color
    wallpaper_bottom: Color


LIGHT = Theme(
    dark=False, background=(254, 247, 255), surface=(254, 247, 255), surface_container=(243, 237, 247),
    surface_high=(236, 230, 240), on_surface=(29, 27, 32), on_surface_variant=(73, 69, 79),
    primary=(103, 80, 164), on_primary=(255, 255, 255), primary_container=(234, 221, 255),
    on_primary_container=(33, 0, 93), secondary_container=(232, 222, 248), outline=(121, 116, 126),
    outline_variant=(202, 196, 208), error=(179, 38, 30), scrim=(0, 0, 0), bar=(243, 237, 247),
    wallpaper_top=(120, 144, 200), wallpaper_bottom=(226, 196, 222),
)
DARK = Theme(
    dark=True, background=(20, 18, 24), surface=(20, 18, 24), surface_container=(33, 31, 38),
    surface_high=(43, 41, 48), on_surface=(230, 224, 233), on_surface_variant=(202, 196, 208),
    primary=(208, 188, 255), on_primary=(56, 30, 114), primary_container=(79, 55, 139),
    on_primary_container=(234, 221, 255), secondary_container=(74, 68, 88), outline=(147, 143, 153),
    outline_variant=(73, 69, 79), error=(242, 184, 181), scrim=(0, 0, 0), bar=(33, 31, 38),
    wallpaper_top=(28, 36, 72), wallpaper_bottom=(70, 40, 78),
)


@dataclass
class Paint:
    """How a view looks. ``kind`` picks the drawing routine in the renderer."""

    kind: str = "box"  # box | text | switch | slider | glyph | edit | circle | wallpaper | scrim
    fill: Color | None = None
    outline: Color | None = None
    radius: int = 0
    color: Color = (0, 0, 0)
    size: int = 0  # font size in px
    bold: bool = False
    align: str = "left"  # left | center | right
    glyph: str = ""
    value: float = 0.0
    on: bool = False
    hint: str = ""
    lines: int = 1
    alpha: int = 255
    accent: Color = (0, 0, 0)
    track: Color = (0, 0, 0)
    image: Any = None  # a PIL image for kind "image" (recents thumbnails)
    selection: tuple[int, int] | None = None  # selected characters of an "edit" (highlighted)


@dataclass
class FieldBinding:
    """A text field's value and how to change it; ``key`` names it for focus across rebuilds."""

    key: str
    value: str
    on_change: Callable[[str], None]
    multiline: bool = False
    on_submit: Callable[[], None] | None = None
    select_on_focus: bool = False  # an address bar selects its text when it gets focus


@dataclass(eq=False)
class View:
    cls: str = "android.view.View"
    box: Box = (0, 0, 0, 0)
    text: str = ""
    desc: str = ""
    rid: str = ""
    package: str = ""
    clickable: bool = False
    long_clickable: bool = False
    focusable: bool = False
    focused: bool = False
    checkable: bool = False
    checked: bool = False
    scrollable: bool = False
    enabled: bool = True
    selected: bool = False
    password: bool = False
    hint: str = ""
    children: list[View] = field(default_factory=list)
    on_tap: Callable[[], None] | None = None
    on_long_press: Callable[[], None] | None = None
    on_double_tap: Callable[[], None] | None = None
    on_scroll: Callable[[int], None] | None = None
    on_slide: Callable[[float], None] | None = None
    field: FieldBinding | None = None
    paint: Paint | None = None
    clip: bool = False
    important: bool = True

    def add(self, *views: View | None) -> View:
        for v in views:
            if v is not None:
                self.children.append(v)
        return self

    def walk(self) -> Any:
        yield self
        for c in self.children:
            yield from c.walk()

    def contains(self, x: float, y: float) -> bool:
        l, t, r, b = self.box
        return l <= x < r and t <= y < b


_FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/share/fonts/TTF")


@functools.lru_cache(maxsize=128)
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """DejaVu Sans when the system has it, else Pillow's built-in scalable font."""
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for d in _FONT_DIRS:
        path = os.path.join(d, name)
        if os.path.exists(path):
            return ImageFont.truetype(path, max(1, size))
    return ImageFont.load_default(size=max(1, size))


def text_width(text: str, size: int, bold: bool = False) -> int:
    return int(font(size, bold).getlength(text))


def wrap_text(text: str, size: int, width: int, bold: bool = False) -> list[str]:
    """Split into lines that fit ``width`` pixels, breaking at spaces (or anywhere in long words)."""
    lines: list[str] = []
    for para in text.split("\n"):
        words = para.split(" ")
        line = ""
        for w in words:
            cand = w if not line else line + " " + w
            if text_width(cand, size, bold) <= width:
                line = cand
                continue
            if line:
                lines.append(line)
            line = ""
            while text_width(w, size, bold) > width and len(w) > 1:
                k = len(w)
                while k > 1 and text_width(w[:k], size, bold) > width:
                    k -= 1
                lines.append(w[:k])
                w = w[k:]
            line = w
        lines.append(line)
    return lines


class Ui:
    """Sizes, theme and ready-made pieces (bars, rows, switches, fields, dialogs) for one frame."""

    def __init__(self, *, width: int, height: int, density: int, theme: Theme, now: float, package: str,
                 top: int, bottom: int, focus: str | None, font_scale: float = 1.0,
                 selection: tuple[int, int] | None = None) -> None:
        self.width = width
        self.height = height
        self.scale = density / 160.0
        self.theme = theme
        self.now = now
        self.package = package
        self.top = top  # first pixel below the status bar
        self.bottom = bottom  # first pixel of the navigation bar (or the keyboard)
        self.focus = focus
        self.font_scale = font_scale
        self.selection = tuple(selection) if selection else None  # of the focused field

    def dp(self, v: float) -> int:
        return round(v * self.scale)

    def sp(self, v: float) -> int:
        return round(v * self.scale * self.font_scale)

    def rid(self, name: str) -> str:
        return f"{self.package}:id/{name}" if name and ":" not in name else name

    # -- leaves ----------------------------------------------------------------------------------
    def text(self, box: Box, text: str, *, size: float = 16, color: Color | None = None, bold: bool = False,
             align: str = "left", rid: str = "", lines: int = 1, desc: str = "") -> View:
        return View(cls="android.widget.TextView", box=box, text=text, desc=desc, rid=self.rid(rid),
                    package=self.package, paint=Paint(kind="text", color=color or self.theme.on_surface,
                                                      size=self.sp(size), bold=bold, align=align, lines=lines))

    def glyph(self, box: Box, glyph: str, *, color: Color | None = None, desc: str = "", rid: str = "",
              on_tap: Callable[[], None] | None = None, cls: str = "android.widget.ImageView",
              fill: Color | None = None) -> View:
        return View(cls=cls, box=box, desc=desc, rid=self.rid(rid), package=self.package,
                    clickable=on_tap is not None, focusable=on_tap is not None, on_tap=on_tap,
                    paint=Paint(kind="glyph", glyph=glyph, color=color or self.theme.on_surface_variant, fill=fill))

    def button(self, box: Box, label: str, on_tap: Callable[[], None], *, style: str = "filled", rid: str = "",
               enabled: bool = True) -> View:
        t = self.theme
        if style == "filled":
            paint = Paint(kind="box", fill=t.primary if enabled else t.surface_high, radius=(box[3] - box[1]) // 2)
            color = t.on_primary if enabled else t.outline
        elif style == "tonal":
            paint = Paint(kind="box", fill=t.secondary_container, radius=(box[3] - box[1]) // 2)
            color = t.on_surface
        else:
            paint = None
            color = t.primary if enabled else t.outline
        v = View(cls="android.widget.Button", box=box, text=label, rid=self.rid(rid), package=self.package,
                 clickable=enabled, focusable=True, enabled=enabled, on_tap=on_tap if enabled else None, paint=paint)
        v.add(View(box=box, text=label, important=False,
                   paint=Paint(kind="text", color=color, size=self.sp(14), bold=True, align="center")))
        return v

    def switch(self, box: Box, on: bool, *, rid: str = "switch_widget", desc: str = "") -> View:
        t = self.theme
        return View(cls="android.widget.Switch", box=box, text="ON" if on else "OFF", desc=desc,
                    rid=self.rid(rid), package=self.package, checkable=True, checked=on, focusable=True,
                    paint=Paint(kind="switch", on=on, accent=t.primary, track=t.surface_high,
                                outline=t.outline, fill=t.on_primary, color=t.outline))

    def edit(self, box: Box, binding: FieldBinding, *, hint: str = "", rid: str = "", size: float = 16,
             password: bool = False, outlined: bool = True) -> View:
        t = self.theme
        focused = self.focus == binding.key
        v = View(cls="android.widget.EditText", box=box, text=binding.value, hint=hint, rid=self.rid(rid),
                 package=self.package, clickable=True, long_clickable=True, focusable=True, focused=focused,
                 password=password, field=binding,
                 paint=Paint(kind="edit", color=t.on_surface, hint=hint, size=self.sp(size),
                             outline=t.primary if focused else t.outline, fill=None if outlined else t.surface_container,
                             lines=0 if binding.multiline else 1, on=focused, accent=t.primary,
                             radius=self.dp(4), track=t.on_surface_variant,
                             selection=self.selection if focused else None))  # type: ignore[arg-type]
        return v

    # -- composites -------------------------------------------------------------------------------
    def app_bar(self, title: str, *, back: Callable[[], None] | None = None,
                actions: list[tuple[str, str, Callable[[], None]]] | None = None, large: bool = False) -> View:
        """A top app bar (``actions`` are (glyph, description, handler))."""
        t = self.theme
        h = self.dp(64)
        top = self.top
        bar = View(cls="android.widget.FrameLayout", box=(0, top, self.width, top + h), rid=self.rid("app_bar"),
                   package=self.package, paint=Paint(kind="box", fill=t.surface))
        x = self.dp(16)
        if back is not None:
            s = self.dp(48)
            bar.add(self.glyph((self.dp(4), top + (h - s) // 2, self.dp(4) + s, top + (h + s) // 2), "back",
                               desc="Navigate up", on_tap=back, color=t.on_surface, cls="android.widget.ImageButton"))
            x = self.dp(56)
        right = self.width - self.dp(4)
        for glyph, desc, handler in reversed(actions or []):
            s = self.dp(48)
            bar.add(self.glyph((right - s, top + (h - s) // 2, right, top + (h + s) // 2), glyph, desc=desc,
                               on_tap=handler, color=t.on_surface, cls="android.widget.ImageButton"))
            right -= s
        bar.add(self.text((x, top, right, top + h), title, size=22, rid="title"))
        return bar

    def row(self, box: Box, title: str, *, summary: str = "", icon: str = "", on_tap: Callable[[], None] | None = None,
            switch: bool | None = None, rid: str = "", icon_fill: Color | None = None,
            on_long_press: Callable[[], None] | None = None) -> View:
        """A list item: optional icon, a title, an optional summary and an optional trailing switch."""
        t = self.theme
        l, top, r, b = box
        v = View(cls="android.widget.LinearLayout", box=box, rid=self.rid(rid), package=self.package,
                 clickable=on_tap is not None, focusable=on_tap is not None, on_tap=on_tap,
                 on_long_press=on_long_press, long_clickable=on_long_press is not None,
                 checkable=switch is not None, checked=bool(switch))
        x = l + self.dp(16)
        if icon:
            s = self.dp(40)
            cy = (top + b) // 2
            v.add(View(cls="android.widget.ImageView", box=(x, cy - s // 2, x + s, cy + s // 2), rid=self.rid("icon"),
                       package=self.package,
                       paint=Paint(kind="glyph", glyph=icon, color=t.on_primary_container if icon_fill else t.primary,
                                   fill=icon_fill)))
            x += s + self.dp(16)
        right = r - self.dp(16)
        if switch is not None:
            sw_w, sw_h = self.dp(52), self.dp(32)
            cy = (top + b) // 2
            v.add(self.switch((right - sw_w, cy - sw_h // 2, right, cy + sw_h // 2), switch))
            right -= sw_w + self.dp(16)
        if summary:
            mid = (top + b) // 2
            v.add(self.text((x, mid - self.dp(24), right, mid), title, size=16, rid="title"))
            v.add(self.text((x, mid, right, mid + self.dp(22)), summary, size=14, color=t.on_surface_variant,
                            rid="summary"))
        else:
            v.add(self.text((x, top, right, b), title, size=16, rid="title"))
        return v

    def scroll(self, box: Box, *, offset: int, content: list[View], on_scroll: Callable[[int], None],
               rid: str = "recycler_view", cls: str = "androidx.recyclerview.widget.RecyclerView") -> View:
        """A vertical list whose children were laid out from y=0; only visible children are kept."""
        l, t, _r, b = box
        v = View(cls=cls, box=box, rid=self.rid(rid), package=self.package, scrollable=True, focusable=True,
                 on_scroll=on_scroll, clip=True)
        for child in content:
            _shift(child, l, t - offset)
            if child.box[3] > t and child.box[1] < b:
                v.add(child)
        return v

    def fab(self, glyph: str, desc: str, on_tap: Callable[[], None], *, rid: str = "fab", label: str = "") -> View:
        t = self.theme
        s = self.dp(56)
        w = s if not label else self.dp(56 + 8) + text_width(label, self.sp(14), True)
        r = self.width - self.dp(16)
        b = self.bottom - self.dp(16)
        v = View(cls="android.widget.ImageButton" if not label else "android.widget.Button", box=(r - w, b - s, r, b),
                 desc=desc, text=label, rid=self.rid(rid), package=self.package, clickable=True, focusable=True,
                 on_tap=on_tap, paint=Paint(kind="box", fill=t.primary_container, radius=self.dp(16)))
        v.add(View(cls="", box=(r - w, b - s, r - w + s, b), important=False,
                   paint=Paint(kind="glyph", glyph=glyph, color=t.on_primary_container)))
        if label:
            v.add(View(cls="", box=(r - w + s - self.dp(8), b - s, r - self.dp(8), b), text=label, important=False,
                       paint=Paint(kind="text", color=t.on_primary_container, size=self.sp(14), bold=True)))
        return v

    def dialog_inner_width(self) -> int:
        """The width dialog body views may use (inside the dialog's padding)."""
        return min(self.width - self.dp(48), self.dp(312)) - 2 * self.dp(24)

    def dialog(self, title: str, message: str, buttons: list[tuple[str, Callable[[], None]]], *,
               on_dismiss: Callable[[], None] | None = None, body: list[View] | None = None,
               body_height: int = 0) -> View:
        """An AlertDialog over a scrim; tapping the scrim dismisses it like a real one."""
        t = self.theme
        w = min(self.width - self.dp(48), self.dp(312))
        pad = self.dp(24)
        lines = wrap_text(message, self.sp(14), w - 2 * pad) if message else []
        msg_h = len(lines) * int(self.sp(14) * 1.45)
        h = pad + self.dp(32) + self.dp(16) + msg_h + body_height + self.dp(24) + self.dp(40) + pad
        left = (self.width - w) // 2
        top = (self.height - h) // 2
        scrim = View(cls="android.widget.FrameLayout", box=(0, 0, self.width, self.height), package=self.package,
                     on_tap=on_dismiss or (lambda: None), important=False,
                     paint=Paint(kind="scrim", fill=t.scrim, alpha=110))
        panel = View(cls="android.widget.FrameLayout", box=(left, top, left + w, top + h), package=self.package,
                     rid="android:id/content", paint=Paint(kind="box", fill=t.surface_high, radius=self.dp(28)),
                     on_tap=lambda: None)
        y = top + pad
        panel.add(self.text((left + pad, y, left + w - pad, y + self.dp(32)), title, size=24, rid="android:id/alertTitle"))
        y += self.dp(32) + self.dp(16)
        if message:
            panel.add(self.text((left + pad, y, left + w - pad, y + msg_h), message, size=14,
                                color=t.on_surface_variant, rid="android:id/message", lines=len(lines)))
            y += msg_h
        for v in body or []:  # laid out from (0, 0) inside the dialog's padding
            _shift(v, left + pad, y)
            panel.add(v)
        y += body_height + self.dp(24)
        x = left + w - pad
        for k, (label, handler) in enumerate(reversed(buttons)):
            bw = text_width(label, self.sp(14), True) + self.dp(24)
            panel.add(self.button((x - bw, y, x, y + self.dp(40)), label, handler, style="text",
                                  rid=f"android:id/button{k + 1}"))
            x -= bw + self.dp(8)
        scrim.add(panel)
        return scrim


def edit_layout(v: View, p: Paint) -> tuple[list[tuple[str, int]], int, int, int]:
    """How an edit field lays its text out: ([(line, index of its first character)], x, y, line height),
    the same layout the renderer draws, so a touch can be mapped to a character."""
    l, t, r, b = v.box
    pad = max(8, p.size // 2)
    inner = (l + pad, t + pad // 2, r - pad, b - pad // 2)
    text = "•" * len(v.text) if v.password else v.text
    shown = text or p.hint
    line_h = int(p.size * 1.45)
    if p.lines == 1:
        line = shown.replace("\n", " ")
        start = 0
        while line and text_width(line, p.size) > inner[2] - inner[0]:
            line = line[1:]  # keep the end visible, like a scrolled EditText
            start += 1
        return [(line, start)], inner[0], t + (b - t - line_h) // 2, line_h
    wrapped = wrap_text(shown, p.size, inner[2] - inner[0])
    lines: list[tuple[str, int]] = []
    pos = 0
    for line in wrapped:
        found = shown.find(line, pos) if line else pos
        start = found if found >= 0 else pos
        lines.append((line, start))
        pos = start + len(line)
    max_lines = max(1, (inner[3] - inner[1]) // line_h)
    return lines[-max_lines:], inner[0], inner[1], line_h


def index_at(v: View, p: Paint, x: float, y: float) -> int:
    """The character of an edit field's text nearest to a touch at (x, y)."""
    if not v.text:
        return 0
    lines, x0, y0, line_h = edit_layout(v, p)
    k = max(0, min(len(lines) - 1, int((y - y0) // max(1, line_h))))
    line, start = lines[k]
    best = 0
    for n in range(len(line) + 1):
        if text_width(line[:n], p.size) <= x - x0:
            best = n
    return min(len(v.text), start + best)


def _shift(v: View, dx: int, dy: int) -> None:
    l, t, r, b = v.box
    v.box = (l + dx, t + dy, r + dx, b + dy)
    for c in v.children:
        _shift(c, dx, dy)


def shift(v: View, dx: int, dy: int) -> View:
    """Move a view and everything in it (apps lay lists out from 0 and place them later)."""
    _shift(v, dx, dy)
    return v

