"""A uiautomator dump read back as a test needs it (the sim's tests do not use the runtime's parser)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import NamedTuple

_BOUNDS = re.compile(r"\[(-?\d+),(-?\d+)\]\[(-?\d+),(-?\d+)\]")


class Point(NamedTuple):
    x: float
    y: float


class Box(NamedTuple):
    left: int
    top: int
    right: int
    bottom: int

    @property
    def center(self) -> Point:
        return Point((self.left + self.right) / 2, (self.top + self.bottom) / 2)

    @property
    def area(self) -> int:
        return max(0, self.right - self.left) * max(0, self.bottom - self.top)


@dataclass(frozen=True)
class Node:
    bounds: Box
    text: str
    description: str
    resource_id: str
    class_name: str
    package: str
    clickable: bool
    focused: bool
    scrollable: bool
    checkable: bool
    checked: bool | None
    long_clickable: bool
    password: bool


def _flag(node: ET.Element, name: str) -> bool:
    return node.get(name, "false") == "true"


def parse(xml: str) -> list[Node]:
    """Every <node> of a dump in document order."""
    root = ET.fromstring(xml[xml.find("<"):xml.rfind("</hierarchy>") + len("</hierarchy>")])
    nodes = []
    for node in root.iter("node"):
        m = _BOUNDS.fullmatch(node.get("bounds", ""))
        assert m, f"bad bounds {node.get('bounds')!r}"
        checkable = _flag(node, "checkable")
        nodes.append(Node(Box(*(int(v) for v in m.groups())), node.get("text", ""), node.get("content-desc", ""),
                          node.get("resource-id", ""), node.get("class", ""), node.get("package", ""),
                          _flag(node, "clickable"), _flag(node, "focused"), _flag(node, "scrollable"), checkable,
                          _flag(node, "checked") if checkable else None, _flag(node, "long-clickable"),
                          _flag(node, "password")))
    return nodes
