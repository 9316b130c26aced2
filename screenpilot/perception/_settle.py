"""Settle detection: after an action, wait until the screen stops changing, never a fixed sleep.

Shared by every driver (desktop and Android) so "settled" means the same thing in every trajectory.
The comparison is deliberately cheap: each frame is shrunk once to a small grey thumbnail (area
averaging, so a one-pixel flicker is diluted below ``tolerance`` while a typed letter or a moving
spinner is not), and two frames differ by the FRACTION of thumbnail cells that changed. A blinking
caret does not stop a screen from settling: it changes about twice a second, slower than the quiet
period (``stable_frames`` x ``interval_s``) a settled screen must show.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image, ImageChops
from pydantic import BaseModel, ConfigDict, Field

from ._frame import Frame

__all__ = ["SettleOptions", "SettleResult", "frame_difference", "settle_screen", "wait_until_settled"]

THUMBNAIL = 128
"""Longest side, in cells, of the thumbnail two frames are compared on."""

TOLERANCE = 8
"""Grey levels (of 255) a thumbnail cell may move and still count as unchanged."""


class SettleOptions(BaseModel):
    """What "settled" means: ``stable_frames`` captures in a row, ``interval_s`` apart, each differing from
    the capture that began the run by at most ``threshold`` (and, with ``with_ui_tree``, the same UI tree), within
    ``timeout_s``. Every driver's ``settle()`` honours every field; the trajectory records them."""

    model_config = ConfigDict(frozen=True)

    enabled: bool = Field(True, description="False: one capture, no waiting (the screen is taken as it is)")
    timeout_s: float = Field(3.0, ge=0, description="the longest wait; past it the step goes on, marked unsettled")
    interval_s: float = Field(0.05, ge=0, description="pause between captures (a capture's own cost comes on top)")
    stable_frames: int = Field(2, ge=1, description="captures in a row that must match the first of the run")
    threshold: float = Field(0.0, ge=0, le=1, description="fraction of thumbnail cells that may change and still match")
    with_ui_tree: bool = Field(False, description="also require the UI tree to repeat (slow on real phones)")


@dataclass(frozen=True)
class SettleResult:
    """How a wait for a still screen ended.

    ``settled`` is False when ``timeout_s`` ran out first (the screen may be animating: the caller
    decides whether to go on). ``waited_s`` is the time from the call to the last capture,
    ``frames`` how many captures were taken (the first included), ``difference`` the last change
    measured (0.0 = identical thumbnails), and ``frame`` the last capture, which callers may reuse as
    the next observation instead of taking another screenshot.
    """

    settled: bool
    waited_s: float
    frames: int
    difference: float
    frame: Frame | None = None
    options: SettleOptions | None = None
    source: str = ""  # how the frames were taken (e.g. "screencap", "mss", "stream"), for the record

    def record(self) -> dict[str, object]:
        """What a trajectory keeps of the wait: the outcome and the definition it was held to."""
        return {"settled": self.settled, "waited_s": round(self.waited_s, 4), "frames": self.frames,
                "difference": round(self.difference, 6), "source": self.source,
                "options": self.options.model_dump() if self.options is not None else None}


def _thumbnail(image: Image.Image, cells: int) -> Image.Image:
    grey = image.convert("L")
    w, h = grey.size
    factor = max(1, max(w, h) // cells)
    if factor > 1:
        grey = grey.reduce(factor)  # box filter: each cell is the mean of a factor x factor block
    return grey


def frame_difference(
    a: Frame | Image.Image,
    b: Frame | Image.Image,
    *,
    thumbnail: int = THUMBNAIL,
    tolerance: int = TOLERANCE,
) -> float:
    """The fraction (0.0..1.0) of thumbnail cells whose grey level moved by more than ``tolerance``.

    Frames of different sizes (a rotation, a resolution change) differ completely: 1.0.
    """
    ia = a.image if isinstance(a, Frame) else a
    ib = b.image if isinstance(b, Frame) else b
    if ia.size != ib.size:
        return 1.0
    return _cell_difference(_thumbnail(ia, thumbnail), _thumbnail(ib, thumbnail), tolerance)


def _cell_difference(ta: Image.Image, tb: Image.Image, tolerance: int) -> float:
    if ta.size != tb.size:
        return 1.0
    diff = ImageChops.difference(ta, tb)
    histogram = diff.histogram()
    changed = sum(histogram[tolerance + 1 :])
    return changed / (ta.size[0] * ta.size[1])


def wait_until_settled(
    capture: Callable[[], Frame],
    *,
    timeout_s: float = 3.0,
    interval_s: float = 0.1,
    stable_frames: int = 2,
    threshold: float = 0.0,
    ui_tree: Callable[[], object] | None = None,
    thumbnail: int = THUMBNAIL,
    tolerance: int = TOLERANCE,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], object] = time.sleep,
) -> SettleResult:
    """Capture every ``interval_s`` until ``stable_frames`` consecutive captures each differ from the
    capture that began the still run by at most ``threshold`` (see :func:`frame_difference`), or until
    ``timeout_s``. Comparing with the start of the run, not the capture before, lets the slow tail of an
    ease-out (each step under ``tolerance``, their sum not) keep the wait going.

    ``ui_tree``, when given, is called with every capture and its value (any comparable object, e.g.
    a tuple of elements) must also repeat for the screen to count as still: a list that scrolls
    without visible change, or a label that changes under an unchanged picture, keeps the wait going.
    The first capture is taken at once; a screen that is already still returns after
    ``stable_frames`` x ``interval_s``. ``sleep`` is how the wait passes time between captures; a
    driver passes one that wakes (and raises) when its kill switch trips. Errors from ``capture``
    propagate unchanged: a dead device is not a moving screen.
    """
    if timeout_s < 0 or interval_s < 0 or stable_frames < 1 or not 0.0 <= threshold <= 1.0:
        raise ValueError(
            f"wait_until_settled needs timeout_s >= 0, interval_s >= 0, stable_frames >= 1 and 0 <= threshold <= 1;"
            f" got timeout_s={timeout_s}, interval_s={interval_s}, stable_frames={stable_frames}, threshold={threshold}"
        )
    start = clock()
    deadline = start + timeout_s
    frame = capture()
    tree = ui_tree() if ui_tree is not None else None
    anchor = _thumbnail(frame.image, thumbnail)  # the first capture of the current still run
    frames, stable, difference = 1, 0, 0.0
    while True:
        now = clock()
        if stable >= stable_frames:
            return SettleResult(True, now - start, frames, difference, frame)
        if now >= deadline - 1e-9:  # sums of float intervals land a hair short of the deadline
            return SettleResult(False, now - start, frames, difference, frame)
        sleep(max(0.0, min(interval_s, deadline - now)))
        frame = capture()
        frames += 1
        current = _thumbnail(frame.image, thumbnail)
        difference = _cell_difference(anchor, current, tolerance)
        still = difference <= threshold
        if not still:
            anchor = current  # a change: the still run starts again from here
        if ui_tree is not None:
            new_tree = ui_tree()
            still = still and new_tree == tree
            tree = new_tree
        stable = stable + 1 if still else 0


def settle_screen(
    capture: Callable[[], Frame],
    options: SettleOptions | None = None,
    *,
    ui_tree: Callable[[], object] | None = None,
    source: str = "",
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], object] = time.sleep,
) -> SettleResult:
    """The one definition of "settled", as drivers use it: ``options`` decide everything.

    ``ui_tree`` is consulted only when ``options.with_ui_tree``; with ``enabled=False`` this is a single
    capture that counts as settled.
    """
    options = options or SettleOptions()
    if not options.enabled:
        start = clock()
        frame = capture()
        return SettleResult(True, clock() - start, 1, 0.0, frame, options, source)
    result = wait_until_settled(capture, timeout_s=options.timeout_s, interval_s=options.interval_s,
                                stable_frames=options.stable_frames, threshold=options.threshold,
                                ui_tree=ui_tree if options.with_ui_tree else None, clock=clock, sleep=sleep)
    return SettleResult(result.settled, result.waited_s, result.frames, result.difference, result.frame, options,
                        source)
