"""Placing accessibles on the X root: application pixels -> physical root pixels, the part a person can
see, and the monitor it is on.

- **Scale.** Applications report positions in their own pixels: a GTK 3 app at GDK_SCALE=2 says
  (50, 30) for what X shows at (100, 60). Each top-level accessible is matched to its X window (same
  process, same rectangle up to one factor), and that factor maps every node of the window. A window
  with no X match keeps its application's other windows' factor, else 1.
- **What is visible.** A node is clipped by the scroll panes and viewports around it and by its
  window (a row scrolled out of its list has bounds outside the list: without clipping a click on
  the heading above would seem to hit it), then by every X window stacked above its own (a dialog
  covers the window under it; an open menu covers the widgets beneath). Covering is subtracted as
  rectangles: what is left of a partly covered node is its largest uncovered strip. Nodes with
  nothing left are not on screen and are dropped.
- **Menus.** GTK lists an open menu's items under the menu bar, but draws them in a popup window
  (override-redirect) of the same process: nodes under a menu or combo box that lie in such a popup
  belong to it (clipped by it, covered only by what is above it).
- **Tooltips.** An override-redirect window of an application in the tree that shows none of its
  nodes (GTK 3 does not list its tooltips) covers nothing: it vanishes when the pointer moves, and a
  click at a button under it reaches the button (tested with galculator).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ...actions import Bounds, Element
from ._atspi_names import (
    CHECKABLE_ROLES,
    CLICKABLE_ROLES,
    NAME_IS_TEXT_ROLES,
    SCROLLABLE_ROLES,
    TEXT_CONTENT_ROLES,
)
from ._atspi_tree import RawNode, RawTree
from ._monitors import Monitor
from ._x11 import Toplevel

__all__ = ["AccessibleNode", "place", "to_elements"]

_CLIPPING = frozenset({"scroll pane", "viewport"})
_POPUP_PARENTS = frozenset({"menu", "combo box", "menu item", "popup menu", "push button menu"})


@dataclass(frozen=True)
class AccessibleNode:
    """One accessible on screen: what AT-SPI says of it, placed on the X root in physical pixels."""

    role: str
    name: str
    description: str
    states: tuple[str, ...]
    text: str
    bounds: Bounds  # the visible part, root pixels
    extents: Bounds  # the whole, root pixels, as the application reports it (scaled)
    app: str
    pid: int | None
    window: str  # its top-level's title
    depth: int
    accessible_id: str = ""
    value: tuple[float, float, float] | None = None  # minimum, maximum, current (sliders, spin buttons)
    scale: float = 1.0  # application pixels -> physical pixels
    monitor: str = ""  # the monitor holding the centre of the visible part

    def describe(self) -> dict[str, object]:
        """A plain record (``screenpilot`` never needs it, people reading a dump do)."""
        return {"role": self.role, "name": self.name, "text": self.text, "states": list(self.states),
                "bounds": list(self.bounds), "app": self.app, "window": self.window, "monitor": self.monitor}


def _intersect(a: Bounds, b: Bounds) -> Bounds | None:
    box = Bounds(max(a.left, b.left), max(a.top, b.top), min(a.right, b.right), min(a.bottom, b.bottom))
    return box if box.left < box.right and box.top < box.bottom else None


def _subtract(a: Bounds, cover: Bounds) -> Bounds | None:
    """The largest strip of ``a`` that ``cover`` leaves uncovered (None when it covers all of it)."""
    hit = _intersect(a, cover)
    if hit is None:
        return a
    strips = [
        Bounds(a.left, a.top, a.right, hit.top),  # above
        Bounds(a.left, hit.bottom, a.right, a.bottom),  # below
        Bounds(a.left, a.top, hit.left, a.bottom),  # left
        Bounds(hit.right, a.top, a.right, a.bottom),  # right
    ]
    strips = [s for s in strips if s.left < s.right and s.top < s.bottom]
    return max(strips, key=lambda s: s.area) if strips else None


def _rect(t: Toplevel) -> Bounds:
    return Bounds(t.x, t.y, t.x + t.width, t.y + t.height)


def _scaled(extents: tuple[int, int, int, int], scale: float) -> Bounds:
    x, y, w, h = extents
    return Bounds(round(x * scale), round(y * scale), round((x + w) * scale), round((y + h) * scale))


def _match(node: RawNode, pid: int | None, toplevels: Sequence[Toplevel]) -> tuple[Toplevel, float] | None:
    """The X window showing a top-level accessible, and the factor from its pixels to X's."""
    if node.extents is None:
        return None
    x, y, w, h = node.extents
    if w <= 0 or h <= 0:
        return None
    best: tuple[float, Toplevel, float] | None = None
    for t in toplevels:
        if pid is not None and t.pid is not None and t.pid != pid:
            continue
        s = t.width / w
        if not 0.5 <= s <= 4:
            continue
        s = round(s * 4) / 4 if abs(s * 4 - round(s * 4)) < 0.02 else s  # 1, 1.25, 1.5, 2 … read exactly
        error = abs(t.height - h * s) + abs(t.x - x * s) + abs(t.y - y * s)
        if error <= 3 + s and (best is None or (error, -t.z) < (best[0], -best[1].z)):
            best = (error, t, s)
    return (best[1], best[2]) if best else None


def place(tree: RawTree, toplevels: Sequence[Toplevel], monitors: Sequence[Monitor]) -> list[AccessibleNode]:
    """The tree's visible nodes in document order, in root pixels, each with its monitor."""
    nodes = tree.nodes
    windows = [i for i, n in enumerate(nodes) if n.parent is None]
    owner: dict[int, Toplevel | None] = {}
    scale: dict[int, float] = {}
    app_scale: dict[int, float] = {}
    for i in windows:
        found = _match(nodes[i], tree.apps[nodes[i].app].pid, toplevels)
        owner[i] = found[0] if found else None
        if found:
            scale[i] = found[1]
            app_scale.setdefault(nodes[i].app, found[1])
    for i in windows:
        scale.setdefault(i, app_scale.get(nodes[i].app, 1.0))

    # First where each node is and which X window shows it; then what covers what: only windows that
    # show something of the tree, or belong to no application in it, cover others. An override-redirect
    # window of an application in the tree that holds none of its nodes is a tooltip (GTK lists none):
    # it goes away when the pointer moves, and a click there reaches the widget under it.
    clip: dict[int, Bounds | None] = {}  # what a node's children may show in
    placed: list[tuple[int, Bounds, Bounds, Toplevel | None]] = []  # node, full, visible before covering, window
    used = {t.window for t in owner.values() if t is not None}
    for i in tree.preorder():
        node = nodes[i]
        window = node.window if node.window is not None else i
        parent = node.parent
        full = _scaled(node.extents, scale[window]) if node.extents is not None else None
        limit = clip.get(parent) if parent is not None else None
        mine = owner.get(window)
        if full is not None and parent is not None and _in_popup_parent(nodes, i):
            popup = _popup(full, tree.apps[node.app].pid, mine, toplevels)
            if popup is not None:
                mine, limit = popup, _rect(popup)
                used.add(popup.window)
        visible = full if limit is None or full is None else _intersect(full, limit)
        if parent is None:
            clip[i] = full
        elif node.role in _CLIPPING and visible is not None:
            clip[i] = visible
        else:
            clip[i] = limit
        if visible is not None and full is not None:
            placed.append((i, full, visible, mine))
    ours = {app.pid for app in tree.apps if app.pid is not None}
    covers = [t for t in toplevels if t.window in used or not t.override_redirect or t.pid not in ours]

    out: list[AccessibleNode] = []
    for i, full, shown, mine in placed:
        node = nodes[i]
        window = node.window if node.window is not None else i
        visible: Bounds | None = shown
        if mine is not None:
            for above in covers:
                if above.z > mine.z and visible is not None:
                    visible = _subtract(visible, _rect(above))
        if visible is None:
            continue
        cx, cy = (visible.left + visible.right) / 2, (visible.top + visible.bottom) / 2
        monitor = next((m.name for m in monitors if m.contains_root(cx, cy)), "")
        app = tree.apps[node.app]
        out.append(AccessibleNode(
            role=node.role, name=node.name, description=node.description, states=tuple(sorted(node.states)),
            text=_text(node), bounds=visible, extents=full, app=app.name, pid=app.pid, window=nodes[window].name,
            depth=node.depth, accessible_id=node.accessible_id, value=node.value, scale=scale[window],
            monitor=monitor,
        ))
    return out


def _in_popup_parent(nodes: Sequence[RawNode], i: int) -> bool:
    parent = nodes[i].parent
    while parent is not None:
        if nodes[parent].role in _POPUP_PARENTS:
            return True
        parent = nodes[parent].parent
    return False


def _popup(full: Bounds, pid: int | None, mine: Toplevel | None, toplevels: Sequence[Toplevel]) -> Toplevel | None:
    """The highest override-redirect window of the same process that holds the node's centre."""
    cx, cy = (full.left + full.right) / 2, (full.top + full.bottom) / 2
    floor = mine.z if mine is not None else -1
    popups = [t for t in toplevels if t.override_redirect and t.z > floor and t.contains(cx, cy)
              and (pid is None or t.pid in (None, pid))]
    return max(popups, key=lambda t: t.z) if popups else None


def _text(node: RawNode) -> str:
    if node.role == "password text":
        return ""  # never read, never recorded
    if node.role in TEXT_CONTENT_ROLES and node.text is not None:
        return node.text
    return node.name if node.role in NAME_IS_TEXT_ROLES or node.role in ("label", "heading", "static") else ""


def to_elements(nodes: Sequence[AccessibleNode], monitor: Monitor) -> list[tuple[Element, AccessibleNode]]:
    """Elements in ``monitor``'s pixels (the screenshot's space) for the nodes visible on it.

    ``text`` is what the element shows (a label's words, an entry's content), ``description`` its
    accessible name where that says something else (an entry's label "Email", a display named
    "Display"), as Android leaves content-desc empty on a text view.
    """
    area = Bounds(int(monitor.origin.x), int(monitor.origin.y), int(monitor.origin.x) + monitor.size.width,
                  int(monitor.origin.y) + monitor.size.height)
    ox, oy = area.left, area.top
    out: list[tuple[Element, AccessibleNode]] = []
    for node in nodes:
        seen = _intersect(node.bounds, area)
        if seen is None:
            continue
        states = set(node.states)
        checkable = node.role in CHECKABLE_ROLES or "checkable" in states
        element = Element(
            bounds=Bounds(seen.left - ox, seen.top - oy, seen.right - ox, seen.bottom - oy),
            text=node.text, description=node.name if node.name != node.text or "editable" in states else "",
            resource_id=node.accessible_id, class_name=node.role,
            package=node.app, clickable=node.role in CLICKABLE_ROLES and "enabled" in states,
            focusable="focusable" in states, focused="focused" in states,
            enabled="enabled" in states or "sensitive" in states, checkable=checkable,
            checked=("checked" in states) if checkable else None, scrollable=node.role in SCROLLABLE_ROLES,
            selected="selected" in states, password=node.role == "password text", index=len(out), depth=node.depth,
            states=node.states,
        )
        out.append((element, node))
    return out
