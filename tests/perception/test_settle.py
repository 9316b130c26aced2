"""Settle detection: waits until the screen is still, bounded by a deadline, and says how long it took."""

from __future__ import annotations

import threading
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from screenpilot.perception import Frame, SettleResult, frame_difference, wait_until_settled

SIZE = (640, 360)


def screen(*boxes: tuple[int, int, int, int], colour: str = "black", size: tuple[int, int] = SIZE) -> Frame:
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    for box in boxes:
        draw.rectangle(box, fill=colour)
    return Frame.from_image(image)


class FakeClock:
    """Time that passes only when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def scripted(frames: list[Frame]):
    """A capture function that plays frames in order, then repeats the last one."""
    shown: list[Frame] = []

    def capture() -> Frame:
        frame = frames[min(len(shown), len(frames) - 1)]
        shown.append(frame)
        return frame

    capture.shown = shown  # type: ignore[attr-defined]
    return capture


# -- frame_difference ------------------------------------------------------------------------


def test_identical_frames_do_not_differ() -> None:
    assert frame_difference(screen((10, 10, 50, 50)), screen((10, 10, 50, 50))) == 0.0


def test_a_typed_letter_is_a_change() -> None:
    before = screen((10, 10, 200, 40), colour="#dddddd")
    after = screen((10, 10, 200, 40), (20, 15, 28, 30), colour="black")
    assert frame_difference(before, after) > 0.0


def test_a_single_pixel_flicker_on_a_full_hd_screen_is_noise() -> None:
    before = Image.new("RGB", (1920, 1080), "white")
    after = before.copy()
    after.putpixel((100, 100), (0, 0, 0))
    assert frame_difference(before, after) == 0.0
    assert frame_difference(before, after, tolerance=0) > 0.0


def test_the_difference_is_the_fraction_of_the_screen_that_changed() -> None:
    half = frame_difference(screen(), screen((0, 0, SIZE[0] // 2 - 1, SIZE[1] - 1)))
    assert half == pytest.approx(0.5, abs=0.02)
    assert frame_difference(Image.new("RGB", SIZE, "white"), Image.new("RGB", SIZE, "black")) == 1.0


def test_frames_of_different_sizes_differ_completely() -> None:
    assert frame_difference(screen(size=(360, 640)), screen()) == 1.0


def test_raw_frames_compare_like_encoded_ones() -> None:
    image = Image.new("RGB", SIZE, "white")
    ImageDraw.Draw(image).rectangle((5, 5, 100, 100), fill="red")
    r, g, b = image.split()
    bgra = Image.merge("RGBA", (b, g, r, Image.new("L", SIZE, 255))).tobytes()
    raw = Frame.from_raw(bgra, Frame.from_image(image).size, "bgra")
    assert frame_difference(raw, Frame.from_image(image)) == 0.0


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 600), st.integers(0, 300), st.integers(1, 40), st.integers(1, 40)), max_size=5),
    st.lists(st.tuples(st.integers(0, 600), st.integers(0, 300), st.integers(1, 40), st.integers(1, 40)), max_size=5),
)
def test_difference_is_a_symmetric_fraction(a: list, b: list) -> None:
    fa = screen(*[(x, y, x + w, y + h) for x, y, w, h in a])
    fb = screen(*[(x, y, x + w, y + h) for x, y, w, h in b])
    d = frame_difference(fa, fb)
    assert 0.0 <= d <= 1.0
    assert d == frame_difference(fb, fa)
    assert frame_difference(fa, fa) == 0.0


# -- wait_until_settled ----------------------------------------------------------------------


def test_waits_for_an_animation_to_stop_and_reports_time_and_frames() -> None:
    clock = FakeClock()
    moving = [screen((i * 40, 10, i * 40 + 30, 40)) for i in range(5)]
    capture = scripted(moving)  # moves for 5 captures, then holds the last picture
    result = wait_until_settled(capture, timeout_s=5, interval_s=0.1, stable_frames=2, clock=clock, sleep=clock.sleep)
    assert isinstance(result, SettleResult)
    assert result.settled
    assert result.frames == 7  # 5 moving captures + 2 that repeat the last one
    assert result.waited_s == pytest.approx(0.6)
    assert result.frame is moving[-1]
    assert result.difference == 0.0


def test_a_slow_fade_keeps_the_wait_going_though_each_step_is_under_the_tolerance() -> None:
    # a fade from white to grey in steps of 5 grey levels (under the tolerance of 8): frame to frame each
    # capture looks still; against the capture that began the run, the third is not
    clock = FakeClock()
    fade = [Frame.from_image(Image.new("RGB", SIZE, (255 - 5 * i,) * 3)) for i in range(12)]
    result = wait_until_settled(scripted(fade), timeout_s=5, interval_s=0.1, stable_frames=2, clock=clock,
                                sleep=clock.sleep)
    assert result.settled
    assert result.frame is fade[-1]  # the end of the fade, not the first two steps of it
    assert result.frames == 13  # 12 fading captures + 1 repeat (the last step, 5 levels, is within tolerance)


def test_a_still_screen_settles_after_the_quiet_period() -> None:
    clock = FakeClock()
    result = wait_until_settled(
        scripted([screen()]), timeout_s=5, interval_s=0.05, stable_frames=3, clock=clock, sleep=clock.sleep
    )
    assert result.settled and result.frames == 4
    assert result.waited_s == pytest.approx(0.15)


def test_a_screen_that_never_stops_hits_the_deadline() -> None:
    clock = FakeClock()
    frames = [screen((i % 2 * 100, 0, i % 2 * 100 + 50, 50)) for i in range(200)]
    result = wait_until_settled(scripted(frames), timeout_s=1.0, interval_s=0.1, clock=clock, sleep=clock.sleep)
    assert not result.settled
    assert result.waited_s == pytest.approx(1.0)
    assert result.frames == 11
    assert result.difference > 0
    assert max(clock.sleeps) <= 0.1 + 1e-9


def test_the_last_sleep_is_cut_to_the_deadline() -> None:
    clock = FakeClock()
    frames = [screen((i * 10, 0, i * 10 + 5, 5)) for i in range(50)]
    result = wait_until_settled(scripted(frames), timeout_s=0.25, interval_s=0.1, clock=clock, sleep=clock.sleep)
    assert not result.settled
    assert clock.sleeps == pytest.approx([0.1, 0.1, 0.05])
    assert result.waited_s == pytest.approx(0.25)


def test_a_changing_ui_tree_keeps_the_wait_going() -> None:
    clock = FakeClock()
    trees = iter([("a",), ("b",), ("c",), ("c",), ("c",), ("c",)])
    result = wait_until_settled(
        scripted([screen()]), timeout_s=5, interval_s=0.1, clock=clock, sleep=clock.sleep, ui_tree=lambda: next(trees)
    )
    assert result.settled
    assert result.frames == 5  # the picture is still from the start; the tree settles at the 3rd capture


def test_a_threshold_lets_small_changes_count_as_still() -> None:
    clock = FakeClock()
    blinking = [screen((10, 10, 12, 30)) if i % 2 else screen() for i in range(100)]
    strict = wait_until_settled(scripted(blinking), timeout_s=0.5, interval_s=0.1, clock=clock, sleep=clock.sleep)
    assert not strict.settled
    clock = FakeClock()
    lenient = wait_until_settled(
        scripted(blinking), timeout_s=0.5, interval_s=0.1, threshold=0.01, clock=clock, sleep=clock.sleep
    )
    assert lenient.settled and lenient.frames == 3


def test_capture_errors_propagate() -> None:
    def broken() -> Frame:
        raise ConnectionError("device gone")

    with pytest.raises(ConnectionError, match="device gone"):
        wait_until_settled(broken)


def test_a_sleep_that_raises_stops_the_wait() -> None:
    class Stopped(Exception):
        pass

    def sleep(_: float) -> None:
        raise Stopped

    with pytest.raises(Stopped):
        wait_until_settled(scripted([screen()]), sleep=sleep)


@pytest.mark.parametrize(
    "kwargs", [{"timeout_s": -1}, {"interval_s": -0.1}, {"stable_frames": 0}, {"threshold": 1.5}]
)
def test_bad_arguments_are_refused_with_the_values(kwargs: dict) -> None:
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        wait_until_settled(scripted([screen()]), **kwargs)


def test_real_time_animation_is_over_when_settled() -> None:
    """Against the real clock: a screen animated by another thread for ~0.3 s."""
    state = {"step": 0, "done": False}

    def animate() -> None:
        for step in range(1, 7):
            time.sleep(0.05)
            state["step"] = step
        state["done"] = True

    def capture() -> Frame:
        s = state["step"]
        return screen((s * 50, 20, s * 50 + 40, 60))

    thread = threading.Thread(target=animate)
    thread.start()
    result = wait_until_settled(capture, timeout_s=5, interval_s=0.03, stable_frames=4)
    thread.join()
    assert result.settled
    assert state["done"]
    assert frame_difference(result.frame, capture()) == 0.0
    assert result.waited_s >= 0.3 * 0.9
