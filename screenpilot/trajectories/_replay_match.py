"""What replay compares and re-aims: screen divergence, element matching, coordinate remapping.

Divergence answers "is the live screen still the one the recording acted on?". On the same screen
size it is a perceptual pixel measure: both screens shrunk to a coarse grey grid (area averaging, so
anti-aliasing, a blinking caret or a changed badge moves a cell only a little), the status bar cut
off (the clock, signal and battery change between any two runs), and the score is the FRACTION of
grid cells that changed by more than a tolerance, with the box that holds them. A toggled switch is
well under 1 %; another screen, or a list scrolled by a row, is tens of percent. When the size or
orientation differs, pixels no longer line up (layouts are in dp and reflow), so the measure is
structural: how much the labelled elements of the recorded UI tree and the live one disagree.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from PIL import Image, ImageChops

from ..actions import BaseAction, Bounds, Element, Point, Size, points_of

__all__ = [
    "GRID",
    "TOLERANCE",
    "Divergence",
    "element_divergence",
    "match_element",
    "point_in",
    "remap",
    "screen_divergence",
    "status_bar_height",
]

GRID = 64
"""Cells across the screen's width in the pixel measure (a 1080-wide phone: 17 px a cell)."""

TOLERANCE = 24
"""Grey levels (of 255) a cell's mean may move and still count as unchanged."""


@dataclass(frozen=True)
class Divergence:
    """How far the live screen is from the recorded one: ``score`` 0.0 (same) .. 1.0 (nothing alike).

    ``box`` is where the changed cells lie, in live device pixels (None: nowhere, or not a pixel
    measure); ``measure`` says which measure gave the score.
    """

    score: float
    box: Bounds | None
    measure: Literal["pixels", "elements"]
    ignored_top: int = 0

    def where(self) -> str:
        if self.box is None:
            return ""
        b = self.box
        return f"[{b.left},{b.top}][{b.right},{b.bottom}]"


def status_bar_height(size: Size, *, density: int | None, elements: Sequence[Element] | None = None,
                      kind: str = "phone") -> int:
    """Pixels at the top that belong to the status bar (clock, signal, battery), to leave out of a comparison.

    The UI tree says it when it holds the status bar, or where the app's content starts; else Android's
    24 dp at the screen's density. Desktops have none here (their clocks sit in panels anywhere).
    """
    if kind != "phone":
        return 0
    for e in elements or ():
        if e.resource_id.endswith(":id/status_bar") and e.bounds.top <= 0:
            return max(0, e.bounds.bottom)
    tops = [e.bounds.top for e in elements or () if e.depth == 1 and e.bounds.left <= 0
            and e.bounds.right >= size.width and 0 < e.bounds.top < size.height * 0.08]
    if tops:
        return min(tops)
    return math.ceil(24 * (density or 420) / 160)


def _grid(image: Image.Image, top: int) -> Image.Image:
    grey = image.convert("L")
    w, h = grey.size
    if top:
        grey = grey.crop((0, min(top, h - 1), w, h))
    gw = GRID
    gh = max(1, round(GRID * grey.size[1] / w))
    return grey.resize((gw, gh), Image.Resampling.BOX)  # each cell the mean of its block


def screen_divergence(recorded: Image.Image, live: Image.Image, *, ignore_top: int = 0,
                      tolerance: int = TOLERANCE) -> Divergence:
    """The pixel measure (see the module doc). ``ignore_top`` is in LIVE pixels; the recorded screen's
    band is scaled to its own height. Screens of other aspect ratios compare as wholly different."""
    lw, lh = live.size
    rw, rh = recorded.size
    if abs(lw / lh - rw / rh) > 0.01:
        return Divergence(1.0, Bounds(0, 0, lw, lh), "pixels", ignore_top)
    ta = _grid(live, ignore_top)
    tb = _grid(recorded, round(ignore_top * rh / lh))
    if ta.size != tb.size:
        tb = tb.resize(ta.size, Image.Resampling.BOX)
    mask = ImageChops.difference(ta, tb).point(lambda v: 255 if v > tolerance else 0)
    changed = mask.histogram()[255]
    score = changed / (ta.size[0] * ta.size[1])
    box = mask.getbbox()
    if box is None:
        return Divergence(score, None, "pixels", ignore_top)
    sx, sy = lw / ta.size[0], (lh - ignore_top) / ta.size[1]
    l, t, r, b = box
    return Divergence(score, Bounds(math.floor(l * sx), ignore_top + math.floor(t * sy),
                                    math.ceil(r * sx), ignore_top + math.ceil(b * sy)), "pixels", ignore_top)


def _labels(elements: Sequence[Element]) -> set[tuple[str, str]]:
    out = set()
    for e in elements:
        if e.package == "com.android.systemui":
            continue
        label = (e.text or e.description).strip().casefold()
        if label:
            out.add((label, e.class_name.rpartition(".")[2]))
        elif e.resource_id and not e.resource_id.startswith("android:id/"):
            out.add((e.resource_id, e.class_name.rpartition(".")[2]))
    return out


def element_divergence(recorded: Sequence[Element], live: Sequence[Element]) -> Divergence:
    """The structural measure: 1 - the overlap coefficient of the two trees' labelled elements
    (shared / the smaller set), so a shorter screen that shows fewer rows of the same list is not a
    different screen, while one whose labels are mostly not in the other is."""
    a, b = _labels(recorded), _labels(live)
    if not a and not b:
        return Divergence(0.0, None, "elements")
    if not a or not b:
        return Divergence(1.0, None, "elements")
    return Divergence(1.0 - len(a & b) / min(len(a), len(b)), None, "elements")


# ---- re-aiming ----------------------------------------------------------------------------------


def remap(action: BaseAction, source: Size, target: Size) -> Any:
    """Points scaled from a ``source`` screen to a ``target`` one, kept on it.

    The same shape at another resolution scales exactly; after a rotation the layout has reflowed, so
    a point keeps its relative place on the screen as shown (element re-targeting is what lands it).
    """
    if source == target:
        return action
    update = {}
    for name, p in points_of(action).items():
        x = min(max(round(p.x * target.width / source.width), 0), target.width - 1)
        y = min(max(round(p.y * target.height / source.height), 0), target.height - 1)
        update[name] = Point(float(x), float(y))
    return action.model_copy(update=update)


def _same(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def _inside(inner: Bounds, outer: Bounds) -> bool:
    return outer.left <= inner.left and outer.top <= inner.top and inner.right <= outer.right and inner.bottom <= outer.bottom


def match_element(recorded: Element, live: Sequence[Element], near: Point | None = None,
                  screen: Size | None = None, recorded_tree: Sequence[Element] | None = None) -> Element | None:
    """The live element that is the recorded one: same label (text, else description, else resource id),
    best agreement on the rest, nearest to ``near`` (where the remapped point fell) on a tie.

    A container without a label of its own (a settings row) is found by the labelled elements inside
    it in ``recorded_tree`` (its title), then taken as the smallest live element of its kind that holds
    that label. An element known only by its class is never matched: a replay must not guess.
    """
    if not _has_identity(recorded):
        return _match_container(recorded, live, near, screen, recorded_tree or ())
    if recorded.text.strip():
        candidates = [e for e in live if _same(e.text, recorded.text)]
    elif recorded.description.strip():
        candidates = [e for e in live if _same(e.description, recorded.description)]
    elif recorded.resource_id and not recorded.resource_id.startswith("android:id/"):
        candidates = [e for e in live if e.resource_id == recorded.resource_id]
    else:
        return None
    if not candidates:
        return None
    diag = math.hypot(*(screen or Size(1, 1))) or 1.0

    def score(e: Element) -> tuple[float, float, int]:
        agree = (3.0 * (bool(recorded.resource_id) and e.resource_id == recorded.resource_id)
                 + 2.0 * (bool(recorded.description) and _same(e.description, recorded.description))
                 + 1.0 * (e.class_name == recorded.class_name) + 1.0 * (e.package == recorded.package)
                 + 0.5 * (e.clickable == recorded.clickable))
        distance = math.hypot(e.bounds.center.x - near.x, e.bounds.center.y - near.y) / diag if near else 0.0
        return (-agree, distance, e.bounds.area)

    return min(candidates, key=score)


def point_in(point: Point, recorded: Bounds, live: Bounds) -> Point:
    """``point`` at the same relative place in ``live`` as it had in ``recorded`` (a switch on a row's
    right end stays on the right end), inside the element."""
    def along(v: float, lo: int, hi: int, nlo: int, nhi: int) -> float:
        span = max(1, hi - lo)
        frac = min(max((v - lo) / span, 0.0), 1.0)
        return float(min(max(round(nlo + frac * (nhi - nlo)), nlo), max(nlo, nhi - 1)))

    return Point(along(point.x, recorded.left, recorded.right, live.left, live.right),
                 along(point.y, recorded.top, recorded.bottom, live.top, live.bottom))


def _has_identity(e: Element) -> bool:
    return bool(e.text.strip() or e.description.strip() or (e.resource_id and not e.resource_id.startswith("android:id/")))


def _match_container(recorded: Element, live: Sequence[Element], near: Point | None, screen: Size | None,
                     recorded_tree: Sequence[Element]) -> Element | None:
    inner = sorted((e for e in recorded_tree if e != recorded and _has_identity(e) and _inside(e.bounds, recorded.bounds)),
                   key=lambda e: (e.depth, e.bounds.top, e.bounds.left))
    for label in inner:
        offset = None if near is None else Point(near.x + label.bounds.center.x - recorded.bounds.center.x,
                                                 near.y + label.bounds.center.y - recorded.bounds.center.y)
        hit = match_element(label, live, offset, screen)
        if hit is None:
            continue
        holders = [e for e in live if _inside(hit.bounds, e.bounds) and e.clickable == recorded.clickable
                   and e.class_name == recorded.class_name]
        if holders:
            return min(holders, key=lambda e: e.bounds.area)
    return None
