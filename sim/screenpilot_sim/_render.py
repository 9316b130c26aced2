"""Draws view trees with Pillow: boxes, text, switches, sliders, text fields and a small icon set."""

from __future__ import annotations

import functools
import math

from PIL import Image, ImageDraw

from ._ui import Box, Color, Paint, View, edit_layout, font, text_width, wrap_text

__all__ = ["hit_test", "render", "scroll_target", "slide_target"]


def render(windows: list[View], size: tuple[int, int], background: Color) -> Image.Image:
    img = Image.new("RGB", size, background)
    for w in windows:
        _draw_tree(img, w, 0, 0)
    return img


def _draw_tree(img: Image.Image, v: View, ox: int, oy: int) -> None:
    if v.paint is not None:
        _draw(img, v, v.paint, ox, oy)
    if not v.children:
        return
    if v.clip:
        l, t, r, b = v.box
        l2, t2 = max(l + ox, 0), max(t + oy, 0)
        r2, b2 = min(r + ox, img.width), min(b + oy, img.height)
        if r2 <= l2 or b2 <= t2:
            return
        sub = img.crop((l2, t2, r2, b2))
        for c in v.children:
            _draw_tree(sub, c, ox - l2, oy - t2)
        img.paste(sub, (l2, t2))
        return
    for c in v.children:
        _draw_tree(img, c, ox, oy)


def _draw(img: Image.Image, v: View, p: Paint, ox: int, oy: int) -> None:
    l, t, r, b = v.box
    box = (l + ox, t + oy, r + ox, b + oy)
    if box[2] <= 0 or box[3] <= 0 or box[0] >= img.width or box[1] >= img.height:
        return
    d = ImageDraw.Draw(img)
    kind = p.kind
    if kind == "box":
        if p.fill is not None or p.outline is not None:
            d.rounded_rectangle(_fix(box), radius=p.radius, fill=p.fill, outline=p.outline,
                                width=max(1, (box[3] - box[1]) // 40) if p.outline else 0)
    elif kind == "scrim":
        w, h = box[2] - box[0], box[3] - box[1]
        img.paste(p.fill or (0, 0, 0), box, Image.new("L", (w, h), p.alpha))
    elif kind == "wallpaper":
        img.paste(_gradient(box[2] - box[0], box[3] - box[1], p.fill or (0, 0, 0), p.color), box[:2])
    elif kind == "text":
        _text(d, box, v.text, p)
    elif kind == "switch":
        _switch(d, box, p)
    elif kind == "slider":
        _slider(d, box, p)
    elif kind == "edit":
        _edit(d, box, v, p)
    elif kind == "glyph":
        _glyph(d, box, p)
    elif kind == "circle":
        d.ellipse(_fix(box), fill=p.fill, outline=p.outline)
    elif kind == "image" and p.image is not None:
        w, h = box[2] - box[0], box[3] - box[1]
        if w > 0 and h > 0:
            img.paste(p.image.resize((w, h), Image.Resampling.BILINEAR), box[:2])


def _fix(box: Box) -> Box:
    l, t, r, b = box
    return (l, t, max(l, r - 1), max(t, b - 1))


@functools.lru_cache(maxsize=8)
def _gradient(w: int, h: int, top: Color, bottom: Color) -> Image.Image:
    col = Image.new("RGB", (1, h))
    px = col.load()
    for y in range(h):
        k = y / max(1, h - 1)
        px[0, y] = tuple(int(top[i] + (bottom[i] - top[i]) * k) for i in range(3))  # type: ignore[index]
    return col.resize((w, h))


def _ellipsize(text: str, size: int, bold: bool, width: int) -> str:
    if text_width(text, size, bold) <= width:
        return text
    while text and text_width(text + "…", size, bold) > width:
        text = text[:-1]
    return text + "…"


def _text(d: ImageDraw.ImageDraw, box: Box, text: str, p: Paint) -> None:
    if not text:
        return
    l, t, r, b = box
    f = font(p.size, p.bold)
    line_h = int(p.size * 1.45)
    if p.lines == 1:
        lines = [_ellipsize(text.replace("\n", " "), p.size, p.bold, r - l)]
    else:
        lines = wrap_text(text, p.size, r - l, p.bold)
        if p.lines > 1:
            lines = lines[:p.lines]
    total = line_h * len(lines)
    y = t + max(0, (b - t - total) // 2) if p.lines == 1 or total < b - t else t
    for line in lines:
        if y > b:
            break
        w = text_width(line, p.size, p.bold)
        x = l if p.align == "left" else (r - w if p.align == "right" else l + (r - l - w) // 2)
        d.text((x, y + (line_h - p.size) // 2 - p.size // 8), line, font=f, fill=p.color)
        y += line_h


def _switch(d: ImageDraw.ImageDraw, box: Box, p: Paint) -> None:
    l, t, r, b = box
    h = b - t
    if p.on:
        d.rounded_rectangle(_fix(box), radius=h // 2, fill=p.accent)
        k = int(h * 0.36)
        cx, cy = r - h // 2, (t + b) // 2
        d.ellipse((cx - k, cy - k, cx + k, cy + k), fill=p.fill)
    else:
        d.rounded_rectangle(_fix(box), radius=h // 2, fill=p.track, outline=p.outline, width=max(2, h // 16))
        k = int(h * 0.25)
        cx, cy = l + h // 2, (t + b) // 2
        d.ellipse((cx - k, cy - k, cx + k, cy + k), fill=p.color)


def _slider(d: ImageDraw.ImageDraw, box: Box, p: Paint) -> None:
    l, t, r, b = box
    cy = (t + b) // 2
    th = max(4, (b - t) // 6)
    x = l + int((r - l) * max(0.0, min(1.0, p.value)))
    d.rounded_rectangle((l, cy - th, r, cy + th), radius=th, fill=p.track)
    if x > l:
        d.rounded_rectangle((l, cy - th, max(l + 1, x), cy + th), radius=th, fill=p.accent)
    k = (b - t) // 3
    d.ellipse((x - k, cy - k, x + k, cy + k), fill=p.accent)


def _edit(d: ImageDraw.ImageDraw, box: Box, v: View, p: Paint) -> None:
    l, _t, r, b = box
    if p.fill is not None:
        d.rounded_rectangle(_fix(box), radius=p.radius, fill=p.fill)
        d.line((l, b - 2, r, b - 2), fill=p.outline, width=4 if p.on else 2)
    else:
        d.rounded_rectangle(_fix(box), radius=p.radius, outline=p.outline, width=4 if p.on else 2)
    text = "•" * len(v.text) if v.password else v.text
    color = p.color if text else p.track
    f = font(p.size)
    lines, x0, y, line_h = edit_layout(v, p)
    x0, y = x0 + box[0] - v.box[0], y + box[1] - v.box[1]
    for k, (line, start) in enumerate(lines):
        if p.selection is not None and text:
            s0, s1 = max(p.selection[0], start), min(p.selection[1], start + len(line))
            if s0 < s1:
                a = x0 + text_width(line[:s0 - start], p.size)
                z = x0 + text_width(line[:s1 - start], p.size)
                light = tuple((c + 2 * 255) // 3 for c in p.accent)
                d.rectangle((a, y + line_h // 10, max(a + 1, z), y + line_h - line_h // 10), fill=light)
        d.text((x0, y + (line_h - p.size) // 2 - p.size // 8), line, font=f, fill=color)
        if p.on and p.selection is None and k == len(lines) - 1:
            cx = x0 + (text_width(line, p.size) if text else 0) + 2
            d.line((cx, y + line_h // 8, cx, y + line_h - line_h // 8), fill=p.accent, width=max(2, p.size // 12))
        y += line_h


def _glyph(d: ImageDraw.ImageDraw, box: Box, p: Paint) -> None:
    l, t, r, b = box
    s = min(r - l, b - t)
    cx, cy = (l + r) // 2, (t + b) // 2
    if p.fill is not None:
        d.ellipse((cx - s // 2, cy - s // 2, cx + s // 2, cy + s // 2), fill=p.fill)
    k = s * 0.3  # half-size of the drawing
    w = max(2, int(s / 14))
    c = p.color
    g = p.glyph
    if g.startswith("letter:"):
        letter = g[7:]
        size = int(s * 0.5)
        f = font(size, True)
        tw = f.getlength(letter)
        d.text((cx - tw / 2, cy - size * 0.62), letter, font=f, fill=c)
        return
    if g == "back":
        d.line((cx + k, cy, cx - k, cy), fill=c, width=w)
        d.line((cx - k, cy, cx - k * 0.2, cy - k * 0.8), fill=c, width=w)
        d.line((cx - k, cy, cx - k * 0.2, cy + k * 0.8), fill=c, width=w)
    elif g == "nav_back":
        d.polygon([(cx - k, cy), (cx + k * 0.7, cy - k), (cx + k * 0.7, cy + k)], outline=c, width=w)
    elif g == "nav_home":
        d.ellipse((cx - k, cy - k, cx + k, cy + k), outline=c, width=w)
    elif g == "nav_recents":
        d.rounded_rectangle((cx - k * 0.85, cy - k * 0.85, cx + k * 0.85, cy + k * 0.85), radius=w, outline=c, width=w)
    elif g == "plus":
        d.line((cx - k, cy, cx + k, cy), fill=c, width=w)
        d.line((cx, cy - k, cx, cy + k), fill=c, width=w)
    elif g == "close":
        d.line((cx - k, cy - k, cx + k, cy + k), fill=c, width=w)
        d.line((cx - k, cy + k, cx + k, cy - k), fill=c, width=w)
    elif g == "check":
        d.line((cx - k, cy, cx - k * 0.3, cy + k * 0.7, cx + k, cy - k * 0.7), fill=c, width=w, joint="curve")
    elif g == "more":
        for dy in (-k * 0.8, 0, k * 0.8):
            d.ellipse((cx - w, cy + dy - w, cx + w, cy + dy + w), fill=c)
    elif g == "search":
        d.ellipse((cx - k, cy - k, cx + k * 0.4, cy + k * 0.4), outline=c, width=w)
        d.line((cx + k * 0.2, cy + k * 0.2, cx + k, cy + k), fill=c, width=w)
    elif g == "chevron":
        d.line((cx - k * 0.3, cy - k * 0.7, cx + k * 0.4, cy, cx - k * 0.3, cy + k * 0.7), fill=c, width=w)
    elif g == "delete":
        d.rectangle((cx - k * 0.7, cy - k * 0.6, cx + k * 0.7, cy + k), outline=c, width=w)
        d.line((cx - k, cy - k * 0.6, cx + k, cy - k * 0.6), fill=c, width=w)
        d.line((cx - k * 0.3, cy - k, cx + k * 0.3, cy - k), fill=c, width=w)
    elif g == "edit":
        d.line((cx - k, cy + k, cx + k, cy - k), fill=c, width=w * 2)
        d.line((cx - k, cy + k, cx - k * 0.6, cy + k), fill=c, width=w)
    elif g in ("person", "contacts"):
        d.ellipse((cx - k * 0.45, cy - k, cx + k * 0.45, cy - k * 0.1), outline=c, width=w)
        d.arc((cx - k, cy, cx + k, cy + k * 1.9), 180, 360, fill=c, width=w)
    elif g in ("settings", "gear"):
        for a in range(0, 360, 45):
            x1 = cx + math.cos(math.radians(a)) * k * 0.6
            y1 = cy + math.sin(math.radians(a)) * k * 0.6
            x2 = cx + math.cos(math.radians(a)) * k
            y2 = cy + math.sin(math.radians(a)) * k
            d.line((x1, y1, x2, y2), fill=c, width=w * 2)
        d.ellipse((cx - k * 0.65, cy - k * 0.65, cx + k * 0.65, cy + k * 0.65), outline=c, width=w)
        d.ellipse((cx - k * 0.25, cy - k * 0.25, cx + k * 0.25, cy + k * 0.25), outline=c, width=w)
    elif g in ("clock", "alarm"):
        d.ellipse((cx - k, cy - k, cx + k, cy + k), outline=c, width=w)
        d.line((cx, cy, cx, cy - k * 0.6), fill=c, width=w)
        d.line((cx, cy, cx + k * 0.45, cy), fill=c, width=w)
        if g == "alarm":
            d.line((cx - k, cy - k * 1.1, cx - k * 0.5, cy - k * 1.4), fill=c, width=w)
            d.line((cx + k, cy - k * 1.1, cx + k * 0.5, cy - k * 1.4), fill=c, width=w)
    elif g in ("notes", "document"):
        d.rounded_rectangle((cx - k * 0.75, cy - k, cx + k * 0.75, cy + k), radius=w, outline=c, width=w)
        for dy in (-0.45, 0, 0.45):
            d.line((cx - k * 0.4, cy + dy * k, cx + k * 0.4, cy + dy * k), fill=c, width=w)
    elif g == "wifi":
        for f_ in (1.0, 0.66, 0.33):
            d.arc((cx - k * f_, cy - k * f_ + k * 0.5, cx + k * f_, cy + k * f_ + k * 0.5), 225, 315, fill=c, width=w)
        d.ellipse((cx - w, cy + k * 0.5 - w, cx + w, cy + k * 0.5 + w), fill=c)
    elif g == "bluetooth":
        d.line((cx - k * 0.5, cy - k * 0.5, cx + k * 0.5, cy + k * 0.5, cx, cy + k, cx, cy - k, cx + k * 0.5,
                cy - k * 0.5, cx - k * 0.5, cy + k * 0.5), fill=c, width=w)
    elif g == "airplane":
        d.line((cx, cy - k, cx, cy + k), fill=c, width=w * 2)
        d.line((cx - k, cy + k * 0.1, cx, cy - k * 0.3, cx + k, cy + k * 0.1), fill=c, width=w)
        d.line((cx - k * 0.4, cy + k, cx, cy + k * 0.7, cx + k * 0.4, cy + k), fill=c, width=w)
    elif g == "battery":
        d.rounded_rectangle((cx - k * 0.45, cy - k * 0.8, cx + k * 0.45, cy + k), radius=w, outline=c, width=w)
        d.rectangle((cx - k * 0.2, cy - k, cx + k * 0.2, cy - k * 0.8), fill=c)
        d.rectangle((cx - k * 0.3, cy - k * 0.3, cx + k * 0.3, cy + k * 0.85), fill=c)
    elif g == "signal":
        d.polygon([(cx - k, cy + k), (cx + k, cy + k), (cx + k, cy - k)], fill=c)
    elif g in ("display", "brightness"):
        d.ellipse((cx - k * 0.5, cy - k * 0.5, cx + k * 0.5, cy + k * 0.5), outline=c, width=w)
        for a in range(0, 360, 45):
            x1 = cx + math.cos(math.radians(a)) * k * 0.75
            y1 = cy + math.sin(math.radians(a)) * k * 0.75
            x2 = cx + math.cos(math.radians(a)) * k
            y2 = cy + math.sin(math.radians(a)) * k
            d.line((x1, y1, x2, y2), fill=c, width=w)
    elif g == "apps":
        q = k * 0.45
        for dx in (-k * 0.55, k * 0.55):
            for dy in (-k * 0.55, k * 0.55):
                d.rectangle((cx + dx - q, cy + dy - q, cx + dx + q, cy + dy + q), outline=c, width=w)
    elif g == "sound":
        d.polygon([(cx - k, cy - k * 0.3), (cx - k * 0.4, cy - k * 0.3), (cx + k * 0.2, cy - k),
                   (cx + k * 0.2, cy + k), (cx - k * 0.4, cy + k * 0.3), (cx - k, cy + k * 0.3)], outline=c, width=w)
        d.arc((cx - k * 0.2, cy - k * 0.6, cx + k, cy + k * 0.6), 300, 60, fill=c, width=w)
    elif g == "info":
        d.ellipse((cx - k, cy - k, cx + k, cy + k), outline=c, width=w)
        d.line((cx, cy - k * 0.1, cx, cy + k * 0.55), fill=c, width=w)
        d.ellipse((cx - w, cy - k * 0.5 - w, cx + w, cy - k * 0.5 + w), fill=c)
    elif g in ("lock", "security"):
        d.rounded_rectangle((cx - k * 0.7, cy - k * 0.1, cx + k * 0.7, cy + k), radius=w, outline=c, width=w)
        d.arc((cx - k * 0.45, cy - k, cx + k * 0.45, cy + k * 0.2), 180, 360, fill=c, width=w)
    elif g == "location":
        d.ellipse((cx - k * 0.6, cy - k, cx + k * 0.6, cy + k * 0.2), outline=c, width=w)
        d.line((cx - k * 0.5, cy - k * 0.2, cx, cy + k, cx + k * 0.5, cy - k * 0.2), fill=c, width=w)
    elif g == "star":
        pts = []
        for i in range(10):
            rad = k if i % 2 == 0 else k * 0.45
            a = math.radians(-90 + i * 36)
            pts.append((cx + math.cos(a) * rad, cy + math.sin(a) * rad))
        d.polygon(pts, outline=c, width=w)
    elif g == "phone":
        d.arc((cx - k, cy - k, cx + k, cy + k), 100, 250, fill=c, width=w * 2)
    elif g == "message":
        d.rounded_rectangle((cx - k, cy - k * 0.7, cx + k, cy + k * 0.5), radius=w * 2, outline=c, width=w)
        d.polygon([(cx - k * 0.5, cy + k * 0.5), (cx - k * 0.5, cy + k), (cx, cy + k * 0.5)], fill=c)
    elif g == "backspace":
        d.polygon([(cx - k, cy), (cx - k * 0.4, cy - k * 0.6), (cx + k, cy - k * 0.6), (cx + k, cy + k * 0.6),
                   (cx - k * 0.4, cy + k * 0.6)], outline=c, width=w)
        d.line((cx, cy - k * 0.3, cx + k * 0.5, cy + k * 0.3), fill=c, width=w)
        d.line((cx, cy + k * 0.3, cx + k * 0.5, cy - k * 0.3), fill=c, width=w)
    elif g == "shift":
        d.polygon([(cx, cy - k), (cx + k, cy), (cx + k * 0.4, cy), (cx + k * 0.4, cy + k), (cx - k * 0.4, cy + k),
                   (cx - k * 0.4, cy), (cx - k, cy)], outline=c, width=w)
    elif g == "enter":
        d.line((cx + k, cy - k * 0.7, cx + k, cy + k * 0.2, cx - k, cy + k * 0.2), fill=c, width=w)
        d.line((cx - k, cy + k * 0.2, cx - k * 0.5, cy - k * 0.2), fill=c, width=w)
        d.line((cx - k, cy + k * 0.2, cx - k * 0.5, cy + k * 0.6), fill=c, width=w)
    else:  # an unknown name draws a dot, never fails
        d.ellipse((cx - k * 0.3, cy - k * 0.3, cx + k * 0.3, cy + k * 0.3), fill=c)


# -- hit testing --------------------------------------------------------------------------------------
def _candidates(v: View, x: float, y: float, out: list[View]) -> None:
    if not v.contains(x, y):
        if v.clip:
            return
    else:
        out.append(v)
    for c in v.children:
        _candidates(c, x, y, out)


def _window_at(windows: list[View], x: float, y: float) -> View | None:
    for w in reversed(windows):
        if w.contains(x, y):
            return w
    return None


def hit_test(windows: list[View], x: float, y: float) -> View | None:
    """The view a finger at (x, y) reaches: the topmost window, then the last-drawn view that reacts."""
    w = _window_at(windows, x, y)
    if w is None:
        return None
    found: list[View] = []
    _candidates(w, x, y, found)
    for v in reversed(found):
        if v.on_tap or v.field or v.on_slide or v.on_long_press or v.on_double_tap:
            return v
    return None


def scroll_target(windows: list[View], x: float, y: float) -> View | None:
    w = _window_at(windows, x, y)
    if w is None:
        return None
    found: list[View] = []
    _candidates(w, x, y, found)
    scrim = next((v for v in reversed(found) if v.paint is not None and v.paint.kind == "scrim"), None)
    for v in reversed(found):
        if v is scrim:
            return None  # a dialog blocks scrolling of what lies below it
        if v.on_scroll:
            return v
    return None


def slide_target(windows: list[View], x: float, y: float) -> View | None:
    v = hit_test(windows, x, y)
    return v if v is not None and v.on_slide else None
