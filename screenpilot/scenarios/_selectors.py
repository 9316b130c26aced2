"""Selectors: how a scenario names an element on the live screen ("the element whose text is Wi-Fi").

A selector is a set of criteria over a UI node (text, description, resource id, class, state); all
must hold. A plain string is a label: the node's text or its description equals it. Comparisons of
text use :func:`fold` (case, dashes and spaces do not matter); ``nth`` picks among several matches
in screen order (top to bottom, then left to right; -1 is the last).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..actions import Element
from ._text import fold

__all__ = ["Selector", "UiNode"]


@dataclass(frozen=True)
class UiNode:
    """One element of the live screen, plus what a desktop program reports beyond the Element fields
    (a slider's range and geometry, for instance)."""

    element: Element
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def label(self) -> str:
        return self.element.label


_TEXT_FIELDS = ("label", "text", "text_contains", "desc", "desc_contains", "id", "cls")


class Selector(BaseModel):
    """Which element: every criterion given must hold."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    label: str | None = Field(None, description="text or description equals this")
    text: str | None = None
    text_contains: str | None = None
    desc: str | None = Field(None, description="content-desc / accessible name equals this")
    desc_contains: str | None = None
    id: str | None = Field(None, description="resource id, whole or the part after '/'")
    cls: str | None = Field(None, alias="class", description="class name, whole or its last dotted part")
    checked: bool | None = None
    selected: bool | None = None
    focused: bool | None = None
    clickable: bool | None = None
    scrollable: bool | None = None
    below: Selector | None = Field(None, description="only elements under the one this finds (nearest first): "
                                                     "the value under its label")
    within: Selector | None = Field(None, description="only elements whose centre lies inside an element this finds")
    nth: int = Field(0, description="which match, in screen order (0 first, -1 last)")

    @model_validator(mode="before")
    @classmethod
    def _from_label(cls, value: Any) -> Any:
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return {"label": str(value)}
        return value

    @model_validator(mode="after")
    def _not_empty(self) -> Selector:
        if all(getattr(self, f) is None for f in (*_TEXT_FIELDS, "checked", "selected", "focused", "clickable",
                                                   "scrollable", "below")):
            raise ValueError("a selector needs at least one criterion (label, text, desc, id, class, ...)")
        return self

    # -- matching ----------------------------------------------------------------------------------

    def matches(self, node: UiNode | Element) -> bool:
        e = node.element if isinstance(node, UiNode) else node
        text, desc = fold(e.text), fold(e.description)
        if self.label is not None and fold(self.label) not in (text, desc):
            return False
        if self.text is not None and text != fold(self.text):
            return False
        if self.text_contains is not None and fold(self.text_contains) not in text:
            return False
        if self.desc is not None and desc != fold(self.desc):
            return False
        if self.desc_contains is not None and fold(self.desc_contains) not in desc:
            return False
        if self.id is not None and self.id not in (e.resource_id, e.resource_id.rpartition("/")[2]):
            return False
        if self.cls is not None and self.cls not in (e.class_name, e.class_name.rpartition(".")[2]):
            return False
        for name in ("checked", "selected", "focused", "clickable", "scrollable"):
            wanted = getattr(self, name)
            if wanted is not None and bool(getattr(e, name)) != wanted:
                return False
        return True

    def find(self, nodes: list[UiNode]) -> list[UiNode]:
        """Every match, in screen order."""
        found = [n for n in nodes if self.matches(n)]
        if self.below is not None:
            anchor = self.below.pick(nodes)
            if anchor is None:
                return []
            a = anchor.element.bounds
            found = [n for n in found if n.element.bounds.top >= a.bottom - 2 and n is not anchor
                     and n.element.bounds.left < a.right and n.element.bounds.right > a.left]
            found.sort(key=lambda n: (n.element.bounds.top - a.bottom, n.element.bounds.left))
            return self._within(found, nodes)
        found = self._within(found, nodes)
        return sorted(found, key=lambda n: (n.element.bounds.top, n.element.bounds.left))

    def _within(self, found: list[UiNode], nodes: list[UiNode]) -> list[UiNode]:
        if self.within is not None:
            boxes = [c.element.bounds for c in self.within.find(nodes)]
            found = [n for n in found if any(b.contains(n.element.bounds.center) and b != n.element.bounds
                                             for b in boxes)]
        return found

    def pick(self, nodes: list[UiNode]) -> UiNode | None:
        found = self.find(nodes)
        try:
            return found[self.nth]
        except IndexError:
            return None

    def describe(self) -> str:
        """The selector in words, for thoughts and error messages."""
        parts = []
        words = {"label": "text or description is", "text": "text is", "text_contains": "text contains",
                 "desc": "description is", "desc_contains": "description contains", "id": "id is", "cls": "class is"}
        for name, phrase in words.items():
            value = getattr(self, name)
            if value is not None:
                parts.append(f"{phrase} {value!r}")
        for name in ("checked", "selected", "focused", "clickable", "scrollable"):
            value = getattr(self, name)
            if value is not None:
                parts.append(f"{'' if value else 'not '}{name}")
        inside = f" inside {self.within.describe()}" if self.within is not None else ""
        if self.below is not None:
            inside += f" below {self.below.describe()}"
        which = "the" if self.nth == 0 else ("the last" if self.nth == -1 else f"match #{self.nth + 1}:")
        return f"{which} element whose " + " and ".join(parts) + inside
