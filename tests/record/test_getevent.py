"""Reading real touchscreens: ``getevent -lp`` / ``-lt`` streams as phones print them (tests/record/captured,
written from Android's and the kernel's input documentation) become the taps, long presses, swipes and
keys a person made, at the display pixels they made them, whatever the panel's grid and the rotation."""

from __future__ import annotations

from pathlib import Path

import pytest

from screenpilot.actions import Key, LongPress, Point, Size, Swipe, SystemButton, Tap
from screenpilot.record import (
    AxisRange,
    GestureRules,
    KeyPress,
    PanelMap,
    Stroke,
    TouchTracker,
    classify,
    key_action,
    parse_devices,
    parse_event_line,
    parse_insets,
    touchscreen,
)

CAPTURED = Path(__file__).parent / "captured"


def _feed(name: str, touch: str, *, single: str = "") -> list[Stroke | KeyPress]:
    tracker = TouchTracker(touch)
    out: list[Stroke | KeyPress] = []
    for line in (CAPTURED / name).read_text().splitlines():
        event = parse_event_line(line, default_device=single)
        if event is not None:
            out += tracker.feed(event)
    return out


def test_the_touchscreen_and_its_ranges_are_found_among_the_devices() -> None:
    devices = parse_devices((CAPTURED / "pixel_lp.txt").read_text())
    assert [d.path for d in devices] == ["/dev/input/event4", "/dev/input/event3", "/dev/input/event1",
                                         "/dev/input/event0"]
    touch = touchscreen(devices)
    assert touch is not None and touch.name == "fts" and touch.path == "/dev/input/event3"
    assert touch.axis("X") == AxisRange(0, 1079) and touch.axis("Y") == AxisRange(0, 2399)
    assert touch.axes["ABS_MT_ORIENTATION"] == AxisRange(-4096, 4096)
    assert "KEY_POWER" in devices[2].keys and not devices[2].is_touchscreen
    grid = touchscreen(parse_devices((CAPTURED / "grid_lp.txt").read_text()))
    assert grid is not None and grid.axis("X") == AxisRange(0, 4095) and "KEY_HOMEPAGE" in grid.keys


def test_event_lines_labelled_raw_and_from_a_pty() -> None:
    e = parse_event_line("[   80431.204110] /dev/input/event3: EV_ABS       ABS_MT_TRACKING_ID   ffffffff")
    assert e is not None and (e.time, e.device, e.type, e.code, e.value) == (80431.20411, "/dev/input/event3",
                                                                           "EV_ABS", "ABS_MT_TRACKING_ID", -1)
    raw = parse_event_line("[     812.300000] 0003 0035 000000f0", default_device="/dev/input/event1")
    assert raw is not None and (raw.type, raw.code, raw.value, raw.device) == ("EV_ABS", "ABS_MT_POSITION_X", 240,
                                                                             "/dev/input/event1")
    key = parse_event_line("[   42.1] /dev/input/event2: EV_KEY       KEY_BACK             DOWN                \r")
    assert key is not None and (key.code, key.value) == ("KEY_BACK", 1)
    assert parse_event_line("add device 1: /dev/input/event2") is None
    assert parse_event_line('  name:     "fts"') is None
    assert parse_event_line("") is None


def test_a_pixel_panel_gives_a_tap_a_long_press_a_swipe_a_pinch_and_the_power_key() -> None:
    items = _feed("pixel_gestures.txt", "/dev/input/event3")
    strokes = [i for i in items if isinstance(i, Stroke)]
    keys = [i for i in items if isinstance(i, KeyPress)]
    assert len(strokes) == 4 and len(keys) == 1
    panel = PanelMap(AxisRange(0, 1079), AxisRange(0, 2399), Size(1080, 2400))
    rules = GestureRules.for_density(420)
    got = [classify(s, panel, rules) for s in strokes]
    assert got[0][0] == Tap(point=Point(540, 1200))
    assert got[1][0] == LongPress(point=Point(135, 525), duration_ms=650)
    assert got[2][0] == Swipe(start=Point(540, 1800), end=Point(544, 900), duration_ms=80)
    pinch, notes = got[3]
    assert isinstance(pinch, Swipe) and pinch.start == Point(450, 1200) and pinch.end == Point(400, 1200)
    assert strokes[3].fingers == 2 and any("2 fingers" in n for n in notes)
    power = keys[0]
    assert (power.key, power.device) == ("KEY_POWER", "/dev/input/event1")
    assert power.up - power.down == pytest.approx(0.9)
    assert key_action(power.key) == Key(key="power")


def test_a_long_press_needs_the_phones_own_timeout() -> None:
    items = [i for i in _feed("pixel_gestures.txt", "/dev/input/event3") if isinstance(i, Stroke)]
    panel = PanelMap(AxisRange(0, 1079), AxisRange(0, 2399), Size(1080, 2400))
    held = items[1]  # 650 ms within the slop
    assert isinstance(classify(held, panel, GestureRules.for_density(420, 400))[0], LongPress)
    assert isinstance(classify(held, panel, GestureRules.for_density(420, 1000))[0], Tap)  # a phone set to "long"


def test_a_grid_panel_on_a_turned_display_maps_through_the_rotation() -> None:
    touch = touchscreen(parse_devices((CAPTURED / "grid_lp.txt").read_text()))
    assert touch is not None
    (stroke,) = _feed("grid_landscape_tap.txt", touch.path)
    # natural 1440x3200 turned 90 degrees: the display is 3200x1440; (512, 256) on the 4096 grid is (180, 200)
    # in natural pixels, which the turn puts at x = 200, y = 1440 - 180
    turned = PanelMap(touch.axis("X"), touch.axis("Y"), Size(3200, 1440), rotation=1)
    assert classify(stroke, turned, GestureRules.for_density(560))[0] == Tap(point=Point(200, 1260))
    upright = PanelMap(touch.axis("X"), touch.axis("Y"), Size(1440, 3200), rotation=0)
    assert classify(stroke, upright, GestureRules.for_density(560))[0] == Tap(point=Point(180, 200))
    for rotation, expected in ((2, Point(1260, 3000)), (3, Point(3000, 180))):
        size = Size(1440, 3200) if rotation == 2 else Size(3200, 1440)
        panel = PanelMap(touch.axis("X"), touch.axis("Y"), size, rotation=rotation)
        assert classify(stroke, panel, GestureRules.for_density(560))[0] == Tap(point=expected)


def test_protocol_a_without_labels_and_a_single_device() -> None:
    items = _feed("protocol_a.txt", "/dev/input/event1", single="/dev/input/event1")
    assert len(items) == 2
    panel = PanelMap(AxisRange(0, 479), AxisRange(0, 799), Size(480, 800))
    rules = GestureRules.for_density(240)
    assert classify(items[0], panel, rules)[0] == Tap(point=Point(240, 400))  # type: ignore[arg-type]
    # the lift (an empty frame) 40 ms after the last move ends the stroke: 120 ms in all
    assert classify(items[1], panel, rules)[0] == Swipe(start=Point(100, 800 - 1), end=Point(100, 600),  # type: ignore[arg-type]
                                                         duration_ms=120)


def test_capacitive_keys_read_over_a_pty_are_back_and_home() -> None:
    items = _feed("capacitive_keys.txt", "/dev/input/event2")
    assert [i.key for i in items if isinstance(i, KeyPress)] == ["KEY_BACK", "KEY_HOMEPAGE"]
    assert [key_action(i.key) for i in items if isinstance(i, KeyPress)] == [SystemButton(button="back"),
                                                                            SystemButton(button="home")]


def test_where_the_keyboard_and_the_navigation_bar_are() -> None:
    android14 = ("mSources= { InsetsSource: {c06f0001 mType=navigationBars mFrame=[0,2355][1080,2400] mVisible=true "
                 "mFlags=[SUPPRESS_SCRIM]}, InsetsSource: {3 mType=ime mFrame=[0,1491][1080,2400] mVisible=true mFlags=[]} }")
    insets = parse_insets(android14)
    assert insets["ime"] == (0, 1491, 1080, 2400) and insets["nav"] == (0, 2355, 1080, 2400)
    hidden = parse_insets("InsetsSource: {3 mType=ime mFrame=[0,1259][1080,2340] mVisible=false mFlags=[]}")
    assert hidden == {"ime": None}
    android11 = ("      InsetsSource type=ITYPE_NAVIGATION_BAR frame=[0,2392][1440,2560] visible=true\n"
                 "      InsetsSource type=ITYPE_IME frame=[0,0][0,0] visible=false\n")
    assert parse_insets(android11) == {"nav": (0, 2392, 1440, 2560), "ime": None}
