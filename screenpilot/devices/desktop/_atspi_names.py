"""AT-SPI's role and state numbers as names (the protocol's constants, as ``atspi-constants.h`` lists
them), and the role groups the tree reader needs: which roles carry text, which a person clicks."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "CHECKABLE_ROLES",
    "CLICKABLE_ROLES",
    "NAME_IS_TEXT_ROLES",
    "SCROLLABLE_ROLES",
    "TEXT_CONTENT_ROLES",
    "VALUE_ROLES",
    "WINDOW_ROLES",
    "role_name",
    "state_names",
]

_ROLES = (
    "invalid", "accelerator label", "alert", "animation", "arrow", "calendar", "canvas", "check box",
    "check menu item", "color chooser", "column header", "combo box", "date editor", "desktop icon",
    "desktop frame", "dial", "dialog", "directory pane", "drawing area", "file chooser", "filler",
    "focus traversable", "font chooser", "frame", "glass pane", "html container", "icon", "image",
    "internal frame", "label", "layered pane", "list", "list item", "menu", "menu bar", "menu item",
    "option pane", "page tab", "page tab list", "panel", "password text", "popup menu", "progress bar",
    "push button", "radio button", "radio menu item", "root pane", "row header", "scroll bar", "scroll pane",
    "separator", "slider", "spin button", "split pane", "status bar", "table", "table cell",
    "table column header", "table row header", "tearoff menu item", "terminal", "text", "toggle button",
    "tool bar", "tool tip", "tree", "tree table", "unknown", "viewport", "window", "extended", "header",
    "footer", "paragraph", "ruler", "application", "autocomplete", "editbar", "embedded", "entry", "chart",
    "caption", "document frame", "heading", "page", "section", "redundant object", "form", "link",
    "input method window", "table row", "tree item", "document spreadsheet", "document presentation",
    "document text", "document web", "document email", "comment", "list box", "grouping", "image map",
    "notification", "info bar", "level bar", "title bar", "block quote", "audio", "video", "definition",
    "article", "landmark", "log", "marquee", "math", "rating", "timer", "static", "math fraction",
    "math root", "subscript", "superscript", "description list", "description term", "description value",
    "footnote", "content deletion", "content insertion", "mark", "suggestion", "push button menu", "switch",
)

_STATES = (
    "invalid", "active", "armed", "busy", "checked", "collapsed", "defunct", "editable", "enabled",
    "expandable", "expanded", "focusable", "focused", "has-tooltip", "horizontal", "iconified", "modal",
    "multi-line", "multiselectable", "opaque", "pressed", "resizable", "selectable", "selected", "sensitive",
    "showing", "single-line", "stale", "transient", "vertical", "visible", "manages-descendants",
    "indeterminate", "required", "truncated", "animated", "invalid-entry", "supports-autocompletion",
    "selectable-text", "is-default", "visited", "checkable", "has-popup", "read-only",
)
SHOWING = _STATES.index("showing")

WINDOW_ROLES = frozenset({"frame", "dialog", "window", "alert", "file chooser", "popup menu", "tool tip",
                          "color chooser", "font chooser", "notification", "input method window"})
TEXT_CONTENT_ROLES = frozenset({"text", "entry", "paragraph", "terminal", "document text", "spin button",
                                "editbar", "autocomplete", "document frame", "label", "heading", "static", "caption"})
"""Roles whose text is their content (read with Text.GetText): an entry's name is its label, and a label
given a name of its own ("Display") still shows other words."""
NAME_IS_TEXT_ROLES = frozenset({
    "push button", "toggle button", "check box", "radio button", "menu", "menu item", "check menu item",
    "radio menu item", "list item", "table cell", "page tab", "link", "tree item", "push button menu", "switch",
    "tool tip", "status bar", "table column header", "column header", "accelerator label",
})
"""Roles that show their accessible name as their text (a button's label, a menu item's words)."""
CLICKABLE_ROLES = frozenset({
    "push button", "toggle button", "check box", "radio button", "menu", "menu item", "check menu item",
    "radio menu item", "list item", "table cell", "page tab", "link", "tree item", "combo box", "slider",
    "spin button", "text", "entry", "password text", "push button menu", "switch", "scroll bar", "icon",
    "table row", "desktop icon",
})
CHECKABLE_ROLES = frozenset({"check box", "radio button", "check menu item", "radio menu item", "switch"})
SCROLLABLE_ROLES = frozenset({"scroll pane"})
VALUE_ROLES = frozenset({"slider", "spin button", "scroll bar", "progress bar", "level bar", "dial"})


def role_name(number: int) -> str:
    return _ROLES[number] if 0 <= number < len(_ROLES) else f"role {number}"


def state_names(bits: Sequence[int]) -> frozenset[str]:
    """The names of the states set in AT-SPI's bit set (two 32-bit words)."""
    names = set()
    for word, value in enumerate(bits):
        value &= 0xFFFFFFFF
        while value:
            low = value & -value
            number = word * 32 + low.bit_length() - 1
            if number < len(_STATES):
                names.add(_STATES[number])
            value ^= low
    names.discard("invalid")
    return frozenset(names)

