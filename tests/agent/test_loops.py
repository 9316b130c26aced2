"""Loop detection's notion of an unchanged screen: a ticking clock is no change, a scrolled list is."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

from screenpilot.actions import Point
from screenpilot.agent._loops import same_screen
from screenpilot.perception import Frame


def _desktop(list_offset: int, clock: str = "12:00") -> Image.Image:
    """A 1920x1080 desktop with a small striped list near (300, 300) and a clock in a corner."""
    img = Image.new("RGB", (1920, 1080), (235, 235, 235))
    draw = ImageDraw.Draw(img)
    for row in range(12):
        y = 240 + row * 10 - list_offset
        if 240 <= y <= 350:
            draw.rectangle((250, y, 350, y + 4), fill=(30, 30, 30))
    draw.text((1850, 5), clock, fill=(0, 0, 0))
    return img


def _save(img: Image.Image, path: Path) -> Path:
    Frame.from_image(img).save(path)
    return path


def test_a_scrolled_small_list_is_a_change_where_the_action_acted(tmp_path: Path) -> None:
    before = _save(_desktop(0), tmp_path / "a.png")
    after = _save(_desktop(5), tmp_path / "b.png")
    assert same_screen(before, after, tolerance=0.01)  # the whole screen barely moved ...
    assert not same_screen(before, after, tolerance=0.01, around=[Point(300, 300)])  # ... but under the pointer it did


def test_a_ticking_clock_far_from_the_action_is_no_change(tmp_path: Path) -> None:
    before = _save(_desktop(0, "12:00"), tmp_path / "a.png")
    after = _save(_desktop(0, "12:01"), tmp_path / "b.png")
    assert same_screen(before, after, tolerance=0.01, around=[Point(300, 300)])
