"""Monitor selection and coordinates: two RandR monitors on one Xvfb root (LEFT 1280x1024+0+0, RIGHT
1024x768+1280+128), the whole desktop, and scales other than 1 (logical vs physical pixels)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screenpilot.actions import Click, Point, Size
from screenpilot.devices import DesktopDevice, DeviceNotFound, KillSwitch, Monitor, UnsupportedAction
from screenpilot.perception import CoordinateSpace, DeviceAction
from tests.fixtures.desktop import set_xft_dpi

RIGHT_ORIGIN = (1280, 128)


@pytest.fixture
def open_device(xvfb, stop_file):
    made: list[DesktopDevice] = []

    def make(**options) -> DesktopDevice:
        device = DesktopDevice(xvfb.display, kill_switch=KillSwitch(stop_file=stop_file, hotkey=None), **options)
        made.append(device)
        return device

    yield make
    for device in made:
        device.close()


def test_info_lists_every_monitor_with_origin_size_and_scale(open_device) -> None:
    info = open_device().info()
    assert info.kind == "desktop"
    assert info.serial.endswith("/LEFT")
    assert (info.physical_size, info.logical_size, info.origin, info.scale) == (
        Size(1280, 1024), Size(1280, 1024), Point(0, 0), 1.0,
    )
    monitors = {m["name"]: m for m in info.extra["monitors"]}
    assert monitors["LEFT"] == {
        "index": 0, "name": "LEFT", "origin": [0, 0], "physical_size": [1280, 1024],
        "logical_size": [1280, 1024], "scale": 1.0, "primary": True,
    }
    assert monitors["RIGHT"]["origin"] == list(RIGHT_ORIGIN)
    assert monitors["RIGHT"]["physical_size"] == [1024, 768]
    assert info.extra["virtual_desktop"] == [2304, 1024]
    assert info.extra["window_manager"] is None


@pytest.mark.parametrize("choice", ["RIGHT", "right", 1])
def test_a_monitor_is_chosen_by_name_or_index(open_device, choice) -> None:
    device = open_device(monitor=choice)
    assert device.monitor.name == "RIGHT"
    assert device.info().origin == Point(*RIGHT_ORIGIN)
    assert device.screenshot().size == Size(1024, 768)


def test_an_unknown_monitor_names_the_ones_there_are(open_device) -> None:
    with pytest.raises(DeviceNotFound, match=r"no monitor 'CENTER'.*LEFT 1280x1024\+0\+0.*RIGHT 1024x768\+1280\+128"):
        open_device(monitor="CENTER")
    with pytest.raises(DeviceNotFound):
        open_device(monitor=2)


def test_the_screenshot_of_a_monitor_shows_that_monitor(open_device, tk_probe) -> None:
    probe = tk_probe(geometry="+1400+300")  # on RIGHT
    device = open_device(monitor="RIGHT")
    frame = device.screenshot()
    assert frame.format == "bgra" and len(frame.data) == 1024 * 768 * 4  # the bytes as mss captured them
    px, py, pw, ph = probe.widgets["pad"]
    inside = device.monitor.from_root(px + pw // 2, py + ph // 2)
    assert frame.image.getpixel((int(inside.x), int(inside.y))) == (255, 255, 255)  # the white pad
    assert frame.image.getpixel((5, 5)) == (0, 0, 0)  # Xvfb's black root, left of the window


def test_a_click_on_a_monitor_with_a_non_zero_origin_lands_exactly(open_device, tk_probe) -> None:
    probe = tk_probe(geometry="+1400+300")
    device = open_device(monitor="RIGHT")
    px, py, _, _ = probe.widgets["pad"]
    target = Point(px + 11 - RIGHT_ORIGIN[0], py + 17 - RIGHT_ORIGIN[1])  # monitor-relative pixels
    device.execute(DeviceAction(action=Click(point=target), size=device.monitor.size))
    press = probe.wait_for(lambda e: e["event"] == "press", what="the press")
    assert (press["x"], press["y"], press["x_root"], press["y_root"]) == (11, 17, px + 11, py + 17)


def test_a_model_space_click_on_the_right_monitor_goes_through_coordinate_space(open_device, tk_probe) -> None:
    """The full road: model picks a point in the resized screenshot of RIGHT -> device pixels -> root."""
    probe = tk_probe(geometry="+1400+300")
    device = open_device(monitor="RIGHT")
    space = CoordinateSpace.resized(device.screenshot().size)
    px, py, pw, ph = probe.widgets["pad"]
    on_monitor = device.monitor.from_root(px + pw // 2, py + ph // 2)
    model_point = space.to_model_point(on_monitor, integral=True)
    device.execute(space.to_device(Click(point=model_point)))
    press = probe.wait_for(lambda e: e["event"] == "press", what="the press")
    assert abs(press["x"] - pw // 2) <= 1 and abs(press["y"] - ph // 2) <= 1


def test_the_whole_desktop_is_one_picture_from_the_root_origin(open_device, tk_probe) -> None:
    probe = tk_probe(geometry="+1400+300")
    device = open_device(monitor="all")
    info = device.info()
    assert (info.physical_size, info.origin) == (Size(2304, 1024), Point(0, 0))
    assert device.screenshot().size == Size(2304, 1024)
    px, py, _, _ = probe.widgets["pad"]
    device.execute(DeviceAction(action=Click(point=Point(px + 3, py + 4)), size=Size(2304, 1024)))
    press = probe.wait_for(lambda e: e["event"] == "press", what="the press")
    assert (press["x_root"], press["y_root"]) == (px + 3, py + 4)


def test_a_simulated_scale_of_2_maps_logical_pixels_onto_physical_ones(open_device, tk_probe) -> None:
    probe = tk_probe(geometry="+1400+300")
    device = open_device(monitor="RIGHT", scale=2.0)
    info = device.info()
    assert (info.physical_size, info.logical_size, info.scale) == (Size(1024, 768), Size(512, 384), 2.0)
    assert device.screenshot().size == Size(1024, 768)  # screenshots stay physical, as captured
    px, py, _, _ = probe.widgets["pad"]
    lx, ly = (px - RIGHT_ORIGIN[0]) // 2 + 10, (py - RIGHT_ORIGIN[1]) // 2 + 20  # a logical point on the pad
    device.execute(DeviceAction(action=Click(point=Point(lx, ly)), size=info.logical_size))
    press = probe.wait_for(lambda e: e["event"] == "press", what="the logical click")
    assert (press["x_root"], press["y_root"]) == (RIGHT_ORIGIN[0] + 2 * lx, RIGHT_ORIGIN[1] + 2 * ly)
    mark = probe.mark()  # physical pixels (the screenshot's) still work 1:1
    device.execute(DeviceAction(action=Click(point=Point(px - RIGHT_ORIGIN[0] + 5, py - RIGHT_ORIGIN[1] + 6)),
                                size=info.physical_size))
    press = probe.wait_for(lambda e: e["event"] == "press", since=mark, what="the physical click")
    assert (press["x"], press["y"]) == (5, 6)


def test_the_scale_is_read_from_xft_dpi(xvfb, open_device) -> None:
    set_xft_dpi(xvfb.display, 144)
    try:
        device = open_device(monitor="RIGHT")
        assert device.info().scale == 1.5
        assert device.info().logical_size == Size(683, 512)
        assert {m["name"]: m["scale"] for m in device.info().extra["monitors"]} == {"LEFT": 1.5, "RIGHT": 1.5}
        assert open_device(monitor="RIGHT", scale={"RIGHT": 2.0}).info().scale == 2.0  # an explicit choice wins
    finally:
        set_xft_dpi(xvfb.display, None)
    assert open_device().info().scale == 1.0


def test_a_point_for_some_other_screen_size_is_refused(open_device) -> None:
    device = open_device(monitor="RIGHT", scale=2.0)
    with pytest.raises(UnsupportedAction, match=r"1280x1024 screen.*1024x768 physical \(512x384 logical at scale 2\)"):
        device.execute(DeviceAction(action=Click(point=Point(5, 5)), size=Size(1280, 1024)))


def test_bad_scales_are_refused(open_device) -> None:
    with pytest.raises(ValueError, match="positive"):
        open_device(scale=0)


# -- the mapping itself, without X ------------------------------------------------------------

origins = st.tuples(st.integers(-4000, 8000), st.integers(-4000, 8000))
sizes = st.tuples(st.integers(200, 7680), st.integers(200, 4320))
scales = st.sampled_from([1.0, 1.25, 1.5, 1.75, 2.0, 3.0])


@settings(max_examples=300, deadline=None)
@given(origins, sizes, scales, st.floats(0, 1, exclude_max=True), st.floats(0, 1, exclude_max=True))
def test_logical_points_land_inside_the_monitor_where_the_scale_puts_them(origin, size, scale, fx, fy) -> None:
    m = Monitor("M", Point(*origin), Size(*size), scale)
    logical = m.logical_size
    p = Point(int(fx * logical.width), int(fy * logical.height))
    x, y = m.to_root(p, logical)
    assert m.contains_root(x, y)
    # logical sizes are rounded, so the effective factor is size/logical, within scale^2/2 px of scale
    assert abs(x - (origin[0] + p.x * scale)) <= scale * scale / 2 + 1
    assert abs(y - (origin[1] + p.y * scale)) <= scale * scale / 2 + 1
    if scale == int(scale) and size[0] % int(scale) == 0 and size[1] % int(scale) == 0:
        assert (x, y) == (origin[0] + p.x * scale, origin[1] + p.y * scale)


@settings(max_examples=300, deadline=None)
@given(origins, sizes, st.floats(0, 1, exclude_max=True), st.floats(0, 1, exclude_max=True))
def test_physical_points_map_exactly_onto_the_root(origin, size, fx, fy) -> None:
    m = Monitor("M", Point(*origin), Size(*size), 2.0)
    p = Point(int(fx * size[0]), int(fy * size[1]))
    assert m.to_root(p, m.size) == (origin[0] + p.x, origin[1] + p.y)
    assert m.from_root(*m.to_root(p, m.size)) == p
