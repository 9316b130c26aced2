"""Reading the desktop's AT-SPI tree: every application's showing accessibles, breadth first, one
pipelined batch of calls per level (two: the nodes' facts, then the children and texts of those shown).

What comes back is :class:`RawNode` records in the applications' own coordinates (logical pixels for
a GTK app running at GDK_SCALE=2); ``_atspi_layout`` places them on the X root. Objects that are not
SHOWING are skipped with their whole subtree (closed menus, hidden stack pages). A password field's
text is never read.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from ._atspi_bus import ACCESSIBLE, PROPERTIES, REGISTRY, ROOT_PATH, AtspiBus, Call, CallError
from ._atspi_names import SHOWING, TEXT_CONTENT_ROLES, VALUE_ROLES, role_name, state_names

__all__ = ["RawNode", "RawTree", "read_tree"]

MAX_TEXT = 4000
"""Characters of a text widget's content read per node (a document's first page, not the whole book)."""
MANY_CHILDREN = 40
"""A container that manages its descendants (a tree view's cells) with more children than this has its
children found by position: only those in its visible area are read."""
_CLIPPING = frozenset({"scroll pane", "viewport"})
_LABELLED = frozenset({"text", "entry", "password text", "combo box", "spin button", "slider", "list", "list box",
                       "table", "tree table", "document text", "terminal"})
"""Roles whose name, when empty, is taken from the label that labels them (AT-SPI's labelled-by relation)."""
LABELLED_BY = 2


@dataclass
class RawNode:
    """One accessible as the application reports it."""

    ref: tuple[str, str]  # (bus name, object path)
    role: str = ""
    name: str = ""
    description: str = ""
    accessible_id: str = ""
    states: frozenset[str] = frozenset()
    extents: tuple[int, int, int, int] | None = None  # x, y, width, height in the app's screen coordinates
    child_count: int = 0
    text: str | None = None  # None: not read (no Text interface)
    value: tuple[float, float, float] | None = None  # minimum, maximum, current
    depth: int = 0
    parent: int | None = None  # index in RawTree.nodes
    window: int | None = None  # index of its top-level window
    app: int = 0  # index in RawTree.apps
    children: list[int] = field(default_factory=list)
    labelled_by: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class RawApp:
    bus: str
    name: str = ""
    pid: int | None = None


@dataclass
class RawTree:
    nodes: list[RawNode] = field(default_factory=list)  # breadth first
    apps: list[RawApp] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    calls: int = 0
    truncated: bool = False

    def preorder(self) -> list[int]:
        """Node indices depth first, children in the application's order (document order)."""
        roots = [i for i, n in enumerate(self.nodes) if n.parent is None]
        out: list[int] = []
        stack = list(reversed(roots))
        while stack:
            i = stack.pop()
            out.append(i)
            stack.extend(reversed(self.nodes[i].children))
        return out


def _ok(result: Any) -> bool:
    return not isinstance(result, CallError)


def _facts(node: RawNode) -> list[Call]:
    bus, path = node.ref
    return [
        Call(bus, path, PROPERTIES, "GetAll", "s", (ACCESSIBLE,)),
        Call(bus, path, ACCESSIBLE, "GetRole"),
        Call(bus, path, ACCESSIBLE, "GetState"),
        Call(bus, path, "org.a11y.atspi.Component", "GetExtents", "u", (0,)),
    ]


def _take_facts(node: RawNode, results: list[Any]) -> bool:
    """Fill a node from its four answers; False when the object is gone or not showing."""
    props, role, state, extents = results
    if not (_ok(props) and _ok(role) and _ok(state)):
        return False
    values = {k: v[1] for k, v in props[0].items()}
    node.name = str(values.get("Name", "") or "")
    node.description = str(values.get("Description", "") or "")
    node.accessible_id = str(values.get("AccessibleId", "") or "")
    node.child_count = int(values.get("ChildCount", 0) or 0)
    node.role = role_name(int(role[0]))
    bits = list(state[0])
    node.states = state_names(bits)
    if _ok(extents) and -(2**31) not in extents[0][:2]:  # GTK's "no position" (scrolled out) is INT_MIN
        node.extents = tuple(int(v) for v in extents[0])  # type: ignore[assignment]
    if node.role == "viewport" and "visible" in node.states:
        return True  # GTK 3 calls a viewport scrolled further than its own height not showing: its rows say
    return bool(bits and bits[0] & (1 << SHOWING))


def _overlaps(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def _children_in_view(bus: AtspiBus, node: RawNode, view: tuple[int, int, int, int], deadline: float,
                      limit: int = 1000) -> list[tuple[str, str]]:
    """The children of a big self-managing container (a table of 10 000 cells) that can be in ``view``.

    GTK gives a scrolled-out cell no position at all, so the visible range is found by asking the
    container which child is at the corners of its visible area (GetAccessibleAtPoint, then
    GetIndexInParent); the children between, and the first few (column headers), are read. The
    cost follows what is visible, not the table's size.
    """
    bus_name, path = node.ref
    x0, y0 = max(view[0], (node.extents or view)[0]), max(view[1], (node.extents or view)[1])
    x1 = min(view[0] + view[2], (node.extents or view)[0] + (node.extents or view)[2])
    y1 = min(view[1] + view[3], (node.extents or view)[1] + (node.extents or view)[3])
    if x1 <= x0 or y1 <= y0:
        return []
    corners = [(x0 + 2, y0 + 2), (x1 - 3, y1 - 3), (x0 + 2, y1 - 3), (x1 - 3, y0 + 2)]
    hits = bus.calls([Call(bus_name, path, "org.a11y.atspi.Component", "GetAccessibleAtPoint", "iiu", (x, y, 0))
                      for x, y in corners], deadline=deadline)
    refs = [(str(h[0][0]), str(h[0][1])) for h in hits if _ok(h) and str(h[0][1]) not in ("", "/org/a11y/atspi/null")]
    where = bus.calls([Call(b, p, ACCESSIBLE, "GetIndexInParent") for b, p in refs], deadline=deadline)
    found = [int(w[0]) for w in where if _ok(w) and int(w[0]) >= 0]
    lo, hi = (min(found), max(found)) if found else (0, node.child_count - 1)
    indices = sorted(set(range(min(16, node.child_count))) | set(range(lo, min(hi, lo + limit - 1) + 1)))
    children = bus.calls([Call(bus_name, path, ACCESSIBLE, "GetChildAtIndex", "i", (i,)) for i in indices],
                         deadline=deadline)
    return [(str(c[0][0]), str(c[0][1])) for c in children if _ok(c)]


def _names_from_labels(tree: RawTree) -> None:
    """An unnamed field takes the words of the label that labels it (GTK's mnemonic labels, yad's forms)."""
    by_ref = {n.ref: n for n in tree.nodes}
    for node in tree.nodes:
        if node.labelled_by and not node.name:
            words = [by_ref[ref].name for ref in node.labelled_by if ref in by_ref and by_ref[ref].name]
            node.name = " ".join(words)


def read_tree(bus: AtspiBus, *, timeout_s: float = 5.0, max_nodes: int = 5000) -> RawTree:
    """Every application's showing accessibles. An application that does not answer in time is left
    out and named in ``problems``; the bus going away raises AccessibilityUnavailable."""
    deadline = time.monotonic() + timeout_s
    sent = bus.messages
    tree = RawTree()
    registry = bus.calls([Call(REGISTRY, ROOT_PATH, ACCESSIBLE, "GetChildren")], deadline=deadline)[0]
    if not _ok(registry):
        tree.problems.append(f"the accessibility registry did not list the applications: {registry.message}")
        return tree
    tree.apps = [RawApp(str(name)) for name, _path in registry[0]]
    roots = [(str(name), str(path)) for name, path in registry[0]]
    batch: list[Call] = []
    for app, (name, path) in zip(tree.apps, roots, strict=True):
        batch += [Call(name, path, PROPERTIES, "Get", "ss", (ACCESSIBLE, "Name")),
                  Call(name, path, ACCESSIBLE, "GetChildren"),
                  Call("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                       "GetConnectionUnixProcessID", "s", (app.bus,))]
    results = bus.calls(batch, deadline=deadline)
    level: list[tuple[RawNode, int | None]] = []
    for k, app in enumerate(tree.apps):
        name, children, pid = results[3 * k: 3 * k + 3]
        if _ok(name):
            app.name = str(name[0][1])
        if _ok(pid):
            app.pid = int(pid[0])
        if not _ok(children):
            if children.name == "timeout":
                tree.problems.append(f"the application {app.name or app.bus} did not answer within {timeout_s:g} s")
            continue
        level += [(RawNode((str(b), str(p)), app=k), None) for b, p in children[0]]
    depth = 0
    clips: dict[int, tuple[int, int, int, int] | None] = {}  # what a node's children can show in (app pixels)
    while level:
        if len(tree.nodes) + len(level) > max_nodes:
            tree.truncated = True
            tree.problems.append(f"the tree has more than {max_nodes} showing objects; the rest was not read")
            level = level[: max(0, max_nodes - len(tree.nodes))]
            if not level:
                break
        facts = bus.calls([c for node, _ in level for c in _facts(node)], deadline=deadline)
        shown: list[int] = []
        for k, (node, parent) in enumerate(level):
            if not _take_facts(node, facts[4 * k: 4 * k + 4]):
                if facts[4 * k] == CallError("timeout", "no reply in time"):
                    tree.problems.append(f"{tree.apps[node.app].name or node.ref[0]} stopped answering")
                continue
            node.depth, node.parent = depth, parent
            index = len(tree.nodes)
            node.window = index if parent is None else tree.nodes[parent].window
            inherited = clips.get(parent) if parent is not None else None
            clips[index] = node.extents if parent is None or node.role in _CLIPPING else inherited
            if parent is not None:
                tree.nodes[parent].children.append(index)
            tree.nodes.append(node)
            shown.append(index)
        more: list[Call] = []
        wants: list[tuple[int, str]] = []
        level = []
        for index in shown:
            node = tree.nodes[index]
            bus_name, path = node.ref
            view = clips.get(index)
            if node.child_count > MANY_CHILDREN and "manages-descendants" in node.states and view is not None:
                level += [(RawNode(ref, app=node.app), index) for ref in _children_in_view(bus, node, view, deadline)]
            elif node.child_count > 0:
                more.append(Call(bus_name, path, ACCESSIBLE, "GetChildren"))
                wants.append((index, "children"))
            if node.role in TEXT_CONTENT_ROLES:
                more.append(Call(bus_name, path, "org.a11y.atspi.Text", "GetText", "ii", (0, MAX_TEXT)))
                wants.append((index, "text"))
            if node.role in VALUE_ROLES:
                more.append(Call(bus_name, path, PROPERTIES, "GetAll", "s", ("org.a11y.atspi.Value",)))
                wants.append((index, "value"))
            if not node.name and node.role in _LABELLED:
                more.append(Call(bus_name, path, ACCESSIBLE, "GetRelationSet"))
                wants.append((index, "relations"))
        answers = bus.calls(more, deadline=deadline)
        for (index, what), answer in zip(wants, answers, strict=True):
            if not _ok(answer):
                continue
            node = tree.nodes[index]
            if what == "children":
                level += [(RawNode((str(b), str(p)), app=node.app), index) for b, p in answer[0]]
            elif what == "text":
                node.text = str(answer[0])
            elif what == "relations":
                node.labelled_by = [(str(b), str(p)) for kind, targets in answer[0] if kind == LABELLED_BY
                                    for b, p in targets]
            else:
                v = {k: float(val[1]) for k, val in answer[0].items()
                     if k in ("MinimumValue", "MaximumValue", "CurrentValue")}
                if len(v) == 3:
                    node.value = (v["MinimumValue"], v["MaximumValue"], v["CurrentValue"])
        depth += 1
    _names_from_labels(tree)
    tree.calls = bus.messages - sent
    tree.problems = list(dict.fromkeys(tree.problems))
    return tree
