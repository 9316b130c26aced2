"""smart_resize, coordinate spaces and frames: the contracts every coordinate passes through."""

from __future__ import annotations

import io
import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from PIL import Image

from screenpilot.actions import ActionError, Drag, Point, Scroll, Size, Swipe, Tap
from screenpilot.perception import CoordinateSpace, DeviceAction, Frame, image_tokens, smart_resize


def formula(h: int, w: int, factor: int, min_pixels: int, max_pixels: int) -> tuple[int, int]:
    """The rule of docs/formats.md, written out independently of the implementation."""
    if max(h, w) / min(h, w) > 200:
        raise ValueError
    hb, wb = max(factor, round(h / factor) * factor), max(factor, round(w / factor) * factor)
    if hb * wb > max_pixels:
        beta = math.sqrt(h * w / max_pixels)
        hb, wb = math.floor(h / beta / factor) * factor, math.floor(w / beta / factor) * factor
    elif hb * wb < min_pixels:
        beta = math.sqrt(min_pixels / (h * w))
        hb, wb = math.ceil(h * beta / factor) * factor, math.ceil(w * beta / factor) * factor
    return hb, wb


@pytest.mark.parametrize(
    ("size", "kw", "expected"),
    [
        ((2400, 1080), {}, (2408, 1092)),
        ((1280, 720), {}, (1288, 728)),
        ((2400, 1080), {"max_pixels": 1280 * 28 * 28}, (1484, 672)),
        ((1080, 1920), {"factor": 28}, (1092, 1932)),
        ((4000, 4000), {}, (3584, 3584)),
        ((40, 40), {}, (56, 56)),
    ],
)
def test_known_sizes(size: tuple[int, int], kw: dict, expected: tuple[int, int]) -> None:
    assert smart_resize(*size, **kw) == expected


def test_token_count_for_a_phone_screen() -> None:
    assert image_tokens(2400, 1080) == 3354
    assert image_tokens(2400, 1080, max_pixels=1280 * 28 * 28) == 1272


def test_round_half_to_even_is_python_round() -> None:
    # 42 / 28 = 1.5 -> 2 (even) ; 70 / 28 = 2.5 -> 2 (even), not 3
    assert smart_resize(70, 70 * 3, min_pixels=1)[0] == 56
    assert smart_resize(42, 42 * 3, min_pixels=1)[0] == 56


limits = st.sampled_from([(None, None), (3136, 1280 * 28 * 28), (256 * 28 * 28, 1280 * 28 * 28),
                          (100 * 28 * 28, 16384 * 28 * 28), (4096, 1024 * 32 * 32), (65536, 200_000)])


@given(st.integers(1, 8192), st.integers(1, 8192), st.sampled_from([28, 32]), limits)
def test_smart_resize_matches_the_formula(h: int, w: int, factor: int, lim: tuple) -> None:
    min_pixels = lim[0] if lim[0] is not None else 4 * factor * factor
    max_pixels = lim[1] if lim[1] is not None else 16384 * factor * factor
    try:
        expected = formula(h, w, factor, min_pixels, max_pixels)
    except ValueError:
        with pytest.raises(ValueError, match="aspect ratio"):
            smart_resize(h, w, factor, lim[0], lim[1])
        return
    if expected[0] <= 0 or expected[1] <= 0:
        with pytest.raises(ValueError):
            smart_resize(h, w, factor, lim[0], lim[1])
        return
    got = smart_resize(h, w, factor, lim[0], lim[1])
    assert got == expected
    assert got[0] % factor == 0 and got[1] % factor == 0


@given(st.integers(28, 8192), st.integers(28, 8192), limits)
def test_smart_resize_agrees_with_transformers(h: int, w: int, lim: tuple) -> None:
    tf = pytest.importorskip("transformers.models.qwen2_vl.image_processing_pil_qwen2_vl")
    assume(max(h, w) / min(h, w) <= 200)
    min_pixels = lim[0] or 3136
    max_pixels = lim[1] or 16384 * 28 * 28
    theirs = tf.smart_resize(h, w, factor=28, min_pixels=min_pixels, max_pixels=max_pixels)
    assume(theirs[0] > 0 and theirs[1] > 0 and theirs[0] * theirs[1] > 0)
    try:
        ours = smart_resize(h, w, 28, min_pixels, max_pixels)
    except ValueError:
        assert min(theirs) == 28  # they clamp a zero side to one patch; we refuse it
        return
    assert ours == tuple(theirs)


# ---- coordinate spaces ---------------------------------------------------------------------

sizes = st.builds(Size, st.integers(200, 4000), st.integers(200, 4000)).filter(
    lambda s: max(s) / min(s) <= 200
)
spaces = st.one_of(
    st.builds(lambda s: CoordinateSpace.resized(s), sizes),
    st.builds(lambda s: CoordinateSpace.resized(s, max_pixels=1280 * 28 * 28), sizes),
    st.builds(lambda s: CoordinateSpace.resized(s, factor=32), sizes),
    st.builds(lambda s: CoordinateSpace.relative(s), sizes),
    st.builds(lambda s: CoordinateSpace.relative(s, grid=999), sizes),
)


@given(spaces, st.data())
def test_device_to_model_to_device_round_trip_within_one_pixel(space: CoordinateSpace, data: st.DataObject) -> None:
    x = data.draw(st.integers(0, space.device.width - 1))
    y = data.draw(st.integers(0, space.device.height - 1))
    back = space.to_device_point(space.to_model_point(Point(x, y)))
    assert abs(back.x - x) <= 1 and abs(back.y - y) <= 1


@given(spaces, st.data())
def test_integral_model_coordinates_land_within_half_a_model_unit(space: CoordinateSpace, data: st.DataObject) -> None:
    """Rounded to integers as a model writes them, the error is at most half a model unit (+ the pixel grid)."""
    x = data.draw(st.integers(0, space.device.width - 1))
    y = data.draw(st.integers(0, space.device.height - 1))
    model = space.to_model_point(Point(x, y), integral=True)
    back = space.to_device_point(model)
    sx, sy = space.device.width / space.model.width, space.device.height / space.model.height
    assert abs(back.x - x) <= max(1, sx / 2 + 0.5) and abs(back.y - y) <= max(1, sy / 2 + 0.5)


@given(spaces, st.data())
def test_every_model_point_on_screen_maps_onto_the_device(space: CoordinateSpace, data: st.DataObject) -> None:
    hi = space.model.width if space.convention == "relative" else space.model.width - 1
    hy = space.model.height if space.convention == "relative" else space.model.height - 1
    p = Point(data.draw(st.floats(0, hi)), data.draw(st.floats(0, hy)))
    d = space.to_device_point(p)
    assert 0 <= d.x < space.device.width and 0 <= d.y < space.device.height
    assert d.x == int(d.x) and d.y == int(d.y)


def test_qwen25_example_maps_as_the_issue_expects() -> None:
    space = CoordinateSpace.resized(Size(1080, 2400))
    assert space.model == Size(1092, 2408)
    moved = space.to_device(Tap(point=Point(935, 406)))
    assert isinstance(moved, DeviceAction) and moved.size == Size(1080, 2400)
    assert moved.action.point == Point(round(935 * 1080 / 1092), round(406 * 2400 / 2408))


def test_whole_actions_map_every_point_and_keep_the_rest() -> None:
    rel = CoordinateSpace.relative(Size(1080, 2400))
    swipe = rel.to_device(Swipe(start=Point(500, 800), end=Point(500, 200), duration_ms=700)).action
    assert (swipe.start, swipe.end, swipe.duration_ms) == (Point(540, 1920), Point(540, 480), 700)
    drag = rel.to_device(Drag(start=Point(0, 0), end=Point(1000, 1000))).action
    assert drag.end == Point(1079, 2399)  # the grid's upper end is the last pixel
    assert rel.to_device(Scroll(dy=3)).action == Scroll(dy=3)


def test_off_screen_model_points_are_action_errors_in_model_words() -> None:
    space = CoordinateSpace.resized(Size(1080, 2400))
    with pytest.raises(ActionError, match=r"tap.point \(1100, 5\) is outside the 1092x2408 image"):
        space.to_device(Tap(point=Point(1100, 5)))
    with pytest.raises(ActionError, match="0..1000 grid"):
        CoordinateSpace.relative(Size(1080, 2400)).to_device(Tap(point=Point(1001, 5)))


def test_model_action_back_and_forth_and_spaces_serialize() -> None:
    space = CoordinateSpace.resized(Size(1080, 2400), max_pixels=1280 * 28 * 28)
    model = space.to_model(DeviceAction(action=Tap(point=Point(540, 1200)), size=space.device), integral=True)
    assert model.action.point == Point(336, 742)
    assert CoordinateSpace.model_validate_json(space.model_dump_json()) == space
    assert space.to_device(model).action.point == Point(540, 1200)


# ---- frames ---------------------------------------------------------------------------------


def _png(size: tuple[int, int] = (64, 32)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (10, 200, 30)).save(buf, "PNG")
    return buf.getvalue()


def test_frame_keeps_captured_bytes_and_decodes_lazily(tmp_path) -> None:
    data = _png()
    frame = Frame.from_bytes(data, source="screencap -p")
    assert frame.size == Size(64, 32) and frame.format == "png"
    assert frame._image is None  # only the header was read
    assert frame.image.getpixel((0, 0)) == (10, 200, 30)
    assert frame.to_png() is data
    assert frame.save(tmp_path / f"f{frame.suffix}").read_bytes() == data


def test_raw_frames_check_their_length_and_decode() -> None:
    pixels = bytes([1, 2, 3, 255]) * (4 * 2)
    frame = Frame.from_raw(pixels, Size(4, 2), "rgba")
    assert frame.image.getpixel((3, 1)) == (1, 2, 3, 255)
    assert Frame.from_bytes(frame.to_png()).size == Size(4, 2)
    with pytest.raises(ValueError, match="needs 32 bytes"):
        Frame.from_raw(pixels[:-1], Size(4, 2), "rgba")
    bgra = Frame.from_raw(bytes([3, 2, 1, 0]) * 8, Size(4, 2), "bgra")
    assert bgra.image.getpixel((0, 0)) == (1, 2, 3)


def test_garbage_is_not_a_frame() -> None:
    with pytest.raises(ValueError, match="not a PNG"):
        Frame.from_bytes(b"\x00" * 100)
