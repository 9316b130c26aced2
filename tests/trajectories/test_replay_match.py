"""Replay's measures on real screens: the virtual phone's own renderings (no adb needed here).

The divergence must shrug off the clock and small changes (a toggled switch, a new icon) and flag a
different screen; element matching must find the recorded element again after a layout change and
refuse to guess between look-alikes.
"""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw

from screenpilot.actions import Bounds, Element, Point, Size, Swipe, Tap
from screenpilot.trajectories import DEFAULT_THRESHOLD, element_divergence, match_element, screen_divergence
from screenpilot.trajectories._replay_match import point_in, remap, status_bar_height


def _phone(clock: str = "10:30", **settings: str):
    from screenpilot_sim import PhoneConfig, VirtualPhone

    phone = VirtualPhone(PhoneConfig(clock=clock, animation_ms=0))
    for key, value in settings.items():
        phone.put_setting("global", key, value)
    return phone


def _shot(phone) -> Image.Image:
    return Image.open(io.BytesIO(phone.png())).convert("RGB")


def test_the_clock_does_not_count_and_another_screen_does() -> None:
    a, b = _phone("10:30"), _phone("23:59")
    home_a, home_b = _shot(a), _shot(b)
    assert home_a.tobytes() != home_b.tobytes()  # the clock really differs
    top = status_bar_height(Size(*home_a.size), density=420)
    same = screen_divergence(home_a, home_b, ignore_top=top)
    assert same.score == 0.0 and same.box is None
    # even without cutting the status bar, a clock is a tiny fraction of the screen
    assert screen_divergence(home_a, home_b).score < 0.01
    b.launch("com.android.settings")
    other = screen_divergence(home_a, _shot(b), ignore_top=top)
    assert other.score > 0.3 > DEFAULT_THRESHOLD
    assert other.box is not None and other.box.top >= top


def test_a_small_change_is_small_and_located() -> None:
    phone = _phone()
    before = _shot(phone)
    after = before.copy()
    ImageDraw.Draw(after).rectangle([900, 1200, 1000, 1260], fill=(20, 20, 20))  # a switch-sized change
    d = screen_divergence(before, after, ignore_top=74)
    assert 0 < d.score < 0.01
    assert d.box is not None and d.box.left <= 900 and d.box.right >= 1000 and d.box.top <= 1200 <= d.box.bottom


def test_other_aspect_ratios_compare_as_different() -> None:
    a = Image.new("RGB", (1080, 2400), "white")
    assert screen_divergence(a, Image.new("RGB", (2400, 1080), "white")).score == 1.0
    assert screen_divergence(a, Image.new("RGB", (720, 1600), "white")).score == 0.0  # same shape, scaled


def _el(text: str, bounds: tuple[int, int, int, int], rid: str = "", desc: str = "", cls: str = "android.widget.TextView") -> Element:
    return Element(bounds=Bounds(*bounds), text=text, description=desc, resource_id=rid, class_name=cls, clickable=True)


def test_element_matching_finds_the_same_element_elsewhere() -> None:
    recorded = _el("Settings", (0, 389, 270, 662), desc="Settings")
    live = [_el("Clock", (0, 389, 270, 662)), _el("Settings", (810, 389, 1080, 662), desc="Settings")]
    hit = match_element(recorded, live, Point(135, 525), Size(1080, 2400))
    assert hit is live[1]
    # two look-alikes: the one nearest to where the remapped point fell
    twins = [_el("OK", (0, 0, 100, 100)), _el("OK", (900, 2000, 1000, 2100))]
    assert match_element(_el("OK", (0, 0, 10, 10)), twins, Point(950, 2050), Size(1080, 2400)) is twins[1]
    # known only by its class: never guessed
    assert match_element(_el("", (0, 0, 10, 10), cls="android.widget.LinearLayout"), live, None) is None
    assert match_element(_el("Wi-Fi", (0, 0, 1, 1)), live, None) is None
    by_id = _el("", (0, 242, 1080, 431), rid="com.android.settings:id/wifi")
    moved = _el("", (0, 100, 720, 226), rid="com.android.settings:id/wifi")
    assert match_element(by_id, [moved], None) is moved


def test_a_row_without_a_label_is_found_by_its_title() -> None:
    row = Element(bounds=Bounds(0, 442, 1080, 631), class_name="android.widget.LinearLayout", clickable=True, depth=3)
    title = _el("Network & internet", (189, 473, 1038, 536))
    title = title.model_copy(update={"clickable": False, "depth": 4})
    recorded_tree = [Element(bounds=Bounds(0, 0, 1080, 2400)), row, title]
    live_row = Element(bounds=Bounds(0, 300, 720, 426), class_name="android.widget.LinearLayout", clickable=True, depth=3)
    live_title = title.model_copy(update={"bounds": Bounds(126, 320, 692, 362)})
    other_row = Element(bounds=Bounds(0, 426, 720, 552), class_name="android.widget.LinearLayout", clickable=True, depth=3)
    live = [Element(bounds=Bounds(0, 0, 720, 1600)), live_row, live_title, other_row, _el("Battery", (126, 446, 692, 488))]
    assert match_element(row, live, Point(360, 357), Size(720, 1600), recorded_tree) is live_row
    assert match_element(row, live, Point(360, 357), Size(720, 1600)) is None  # no tree: no guess


def test_points_keep_their_place_in_the_element_and_on_the_screen() -> None:
    # the switch at the right end of a row stays at the right end of the row on a smaller screen
    p = point_in(Point(970, 336), Bounds(0, 242, 1080, 431), Bounds(0, 161, 720, 287))
    assert p == Point(647, 224)
    assert remap(Tap(point=(540, 1200)), Size(1080, 2400), Size(720, 1600)).point == Point(360, 800)
    assert remap(Tap(point=(1079, 2399)), Size(1080, 2400), Size(720, 1600)).point == Point(719, 1599)
    s = remap(Swipe(start=(540, 1800), end=(540, 600)), Size(1080, 2400), Size(2400, 1080))
    assert s.start == Point(1200, 810) and s.end == Point(1200, 270)  # still an upward swipe in landscape


def test_structural_divergence() -> None:
    a = [_el("Wi-Fi", (0, 0, 1, 1)), _el("Airplane mode", (0, 0, 1, 1)), _el("", (0, 0, 1, 1), rid="android:id/content")]
    assert element_divergence(a, [_el("Wi-Fi", (5, 5, 9, 9)), _el("Airplane mode", (1, 1, 2, 2))]).score == 0.0
    # a shorter screen showing part of the same list is the same screen
    assert element_divergence(a, [_el("Wi-Fi", (5, 5, 9, 9))]).score == 0.0
    half = [_el("Wi-Fi", (0, 0, 1, 1)), _el("Clock", (0, 0, 1, 1))]
    assert element_divergence(a, half).score == pytest.approx(0.5)
    assert element_divergence(a, [_el("Clock", (0, 0, 1, 1))]).score == 1.0
    assert element_divergence(a, []).score == 1.0


def test_status_bar_from_the_tree_or_the_density() -> None:
    size = Size(1080, 2400)
    content = Element(bounds=Bounds(0, 74, 1080, 2274), depth=1)
    assert status_bar_height(size, density=420, elements=[Element(bounds=Bounds(0, 0, 1080, 2400)), content]) == 74
    assert status_bar_height(size, density=420) == 63  # 24 dp at 420 dpi
    assert status_bar_height(size, density=None, kind="desktop") == 0
