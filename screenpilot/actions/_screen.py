"""What validation knows about the screen an action is aimed at: its size, kind and UI elements.

``Element`` is the one record of a UI node (Android's uiautomator node, an AT-SPI accessible); the
perception room parses trees into it, validation uses it to find what a tap would hit.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field

from ._geometry import Bounds, Point, Size
from ._models import DeviceKind

__all__ = ["Element", "Screen"]


class Element(BaseModel):
    """One UI node with its bounds in device pixels.

    On the desktop (AT-SPI) ``class_name`` is the accessible's role ("push button", "password text"),
    ``description`` its accessible name, ``package`` its application, ``states`` every state it reports.
    """

    model_config = ConfigDict(frozen=True)

    bounds: Bounds
    text: str = ""
    description: str = Field("", description="content-desc / accessible name")
    resource_id: str = ""
    class_name: str = ""
    package: str = ""
    clickable: bool = False
    focusable: bool = False
    focused: bool = False
    enabled: bool = True
    checkable: bool = False
    checked: bool | None = None
    scrollable: bool = False
    selected: bool = False
    password: bool = False
    index: int = 0
    depth: int = 0
    states: tuple[str, ...] = Field((), description="the desktop's AT-SPI states (focused, editable, checked, …)")

    @property
    def label(self) -> str:
        """What a person would call this element: its text, else its description, else its id."""
        return self.text or self.description or self.resource_id.rpartition("/")[2]


class Screen(BaseModel):
    """The target of validation: size and kind, plus elements and installed apps when known."""

    model_config = ConfigDict(frozen=True)

    kind: DeviceKind
    size: Size
    elements: tuple[Element, ...] = ()
    apps: dict[str, str] = Field(default_factory=dict, description="launcher label -> package")

    def element_at(self, point: Point) -> Element | None:
        """The innermost element under a point; a clickable one wins over its plain children."""
        hits = [e for e in self.elements if e.bounds.contains(point)]
        if not hits:
            return None
        clickable = [e for e in hits if e.clickable]
        return min(clickable or hits, key=lambda e: (e.bounds.area, -e.depth))

    def focused(self) -> Element | None:
        return next((e for e in self.elements if e.focused), None)

    def labels_under(self, point: Point) -> Iterable[str]:
        """Labels of every element under a point, innermost first (a button's label may sit in a child)."""
        hits = sorted((e for e in self.elements if e.bounds.contains(point)), key=lambda e: e.bounds.area)
        for e in hits:
            for text in (e.text, e.description):
                if text:
                    yield text
