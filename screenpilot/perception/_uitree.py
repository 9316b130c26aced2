"""UI trees as elements: Android's ``uiautomator dump`` XML parsed into :class:`~screenpilot.actions.Element`.

The dump is untrusted device output: a document type declaration (the door to entity expansion) is
refused, and anything malformed is a ``ValueError`` that says what was wrong and where.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ..actions import Bounds, Element

__all__ = ["parse_uiautomator"]

_BOUNDS = re.compile(r"\[(-?\d+),(-?\d+)\]\[(-?\d+),(-?\d+)\]")


def _flag(node: ET.Element, name: str, default: bool = False) -> bool:
    value = node.get(name)
    if value is None:
        return default
    return value.strip().lower() == "true"


def _document(xml: str | bytes) -> str:
    """The XML itself: ``uiautomator dump /dev/tty`` prints a status line after it; drop that."""
    if isinstance(xml, bytes):
        try:
            text = xml.decode("utf-8")
        except UnicodeDecodeError as e:
            raise ValueError(f"uiautomator XML must be UTF-8: {e}") from None
    else:
        text = xml
    start = text.find("<")
    if start < 0:
        raise ValueError("no XML found: expected a uiautomator dump starting with <?xml or <hierarchy")
    end = text.rfind("</hierarchy>")
    text = text[start:end + len("</hierarchy>")] if end >= 0 else text[start:]
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise ValueError("uiautomator XML never declares a DOCTYPE or entities; refusing this document")
    return text


def parse_uiautomator(xml: str | bytes) -> list[Element]:
    """Every ``<node>`` of a uiautomator dump, in document order, as an Element (depth 0 = a window root).

    Raises ValueError for anything that is not a well-formed dump: broken XML, a root other than
    ``<hierarchy>``, or a node without valid ``bounds="[l,t][r,b]"``.
    """
    text = _document(xml)
    try:
        root = ET.fromstring(text)
    except ET.ParseError as e:
        raise ValueError(f"malformed uiautomator XML: {e}") from None
    if root.tag != "hierarchy":
        raise ValueError(f"uiautomator XML must have <hierarchy> as its root, found <{root.tag}>")
    elements: list[Element] = []

    def visit(node: ET.Element, depth: int, path: str) -> None:
        raw = node.get("bounds", "")
        m = _BOUNDS.fullmatch(raw.strip())
        if not m:
            raise ValueError(f"node {path} has bounds {raw!r}; expected \"[left,top][right,bottom]\"")
        l, t, r, b = (int(v) for v in m.groups())
        checkable = _flag(node, "checkable")
        try:
            index = int(node.get("index", "0"))
        except ValueError:
            raise ValueError(f"node {path} has index {node.get('index')!r}; expected an integer") from None
        elements.append(Element(
            bounds=Bounds(l, t, r, b),
            text=node.get("text", ""),
            description=node.get("content-desc", ""),
            resource_id=node.get("resource-id", ""),
            class_name=node.get("class", ""),
            package=node.get("package", ""),
            clickable=_flag(node, "clickable"),
            focusable=_flag(node, "focusable"),
            focused=_flag(node, "focused"),
            enabled=_flag(node, "enabled", True),
            checkable=checkable,
            checked=_flag(node, "checked") if checkable else None,
            scrollable=_flag(node, "scrollable"),
            selected=_flag(node, "selected"),
            password=_flag(node, "password"),
            index=index,
            depth=depth,
        ))
        for k, child in enumerate(c for c in node if c.tag == "node"):
            visit(child, depth + 1, f"{path}/{k}")

    for k, child in enumerate(c for c in root if c.tag == "node"):
        visit(child, 0, str(k))
    return elements
