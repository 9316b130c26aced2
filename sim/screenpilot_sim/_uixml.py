"""uiautomator's window dump: the XML ``uiautomator dump`` writes, from the same views that are drawn."""

from __future__ import annotations

from ._ui import Box, View

__all__ = ["dump_xml"]

_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;", "\n": "&#10;", "\r": "&#13;",
            "\t": "&#9;"}


def _esc(text: str) -> str:
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20:  # uiautomator drops other control characters (XML 1.0 cannot hold them)
            continue
        else:
            out.append(ch)
    return "".join(out)


def _b(value: bool) -> str:
    return "true" if value else "false"


def _intersect(a: Box, b: Box) -> Box:
    return (max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))


def _node(v: View, index: int, visible: Box, package: str, out: list[str]) -> None:
    box = _intersect(v.box, visible)
    if box[2] <= box[0] or box[3] <= box[1]:
        return
    pkg = v.package or package
    text = v.text if not v.password else "•" * len(v.text)
    out.append(
        f'<node index="{index}" text="{_esc(text)}" resource-id="{_esc(v.rid)}" class="{_esc(v.cls)}" '
        f'package="{_esc(pkg)}" content-desc="{_esc(v.desc)}" checkable="{_b(v.checkable)}" '
        f'checked="{_b(v.checked)}" clickable="{_b(v.clickable)}" enabled="{_b(v.enabled)}" '
        f'focusable="{_b(v.focusable)}" focused="{_b(v.focused)}" scrollable="{_b(v.scrollable)}" '
        f'long-clickable="{_b(v.long_clickable)}" password="{_b(v.password)}" selected="{_b(v.selected)}" '
        f'bounds="[{box[0]},{box[1]}][{box[2]},{box[3]}]"'
    )
    inner_visible = _intersect(visible, v.box) if v.clip else visible
    kids = _important_children(v)
    if not kids:
        out.append(" />")
        return
    out.append(">")
    for k, c in enumerate(kids):
        _node(c, k, inner_visible, pkg, out)
    out.append("</node>")


def _important_children(v: View) -> list[View]:
    """Children as the accessibility tree sees them: decorative views vanish, their children move up."""
    out: list[View] = []
    for c in v.children:
        if c.important:
            out.append(c)
        else:
            out.extend(_important_children(c))
    return out


def dump_xml(windows: list[View], *, rotation: int, screen: Box) -> str:
    """One line of XML as uiautomator writes it (bounds clipped to the screen and scroll containers)."""
    out = ["<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>", f'<hierarchy rotation="{rotation}">']
    for k, w in enumerate(windows):
        _node(w, k, screen, w.package, out)
    out.append("</hierarchy>")
    return "".join(out)
