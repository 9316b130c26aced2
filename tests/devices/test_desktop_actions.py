"""Every desktop action of the vocabulary, executed by the X11 driver on Xvfb, lands exactly where and
how it was meant, as reported by a real Tk application."""

from __future__ import annotations

import time

import pytest

from screenpilot.actions import (
    ActionError,
    Answer,
    Click,
    Drag,
    Hotkey,
    Key,
    Move,
    Point,
    Scroll,
    Size,
    Tap,
    Terminate,
    Wait,
)
from screenpilot.devices import ActionResult, DesktopDevice, Device, UnsupportedAction
from screenpilot.perception import DeviceAction


def act(device: DesktopDevice, action, size: Size | None = None) -> ActionResult:
    return device.execute(DeviceAction(action=action, size=size or device.monitor.size))


def local(device: DesktopDevice, x_root: int, y_root: int) -> Point:
    """An X root pixel in the device's (monitor-relative, physical) pixels."""
    return device.monitor.from_root(x_root, y_root)


def test_the_driver_is_a_device(desktop: DesktopDevice) -> None:
    assert isinstance(desktop, Device)
    assert desktop.kind == "desktop"


@pytest.mark.parametrize(("button", "number"), [("left", 1), ("right", 3), ("middle", 2)])
def test_a_click_lands_on_the_exact_pixel_with_the_right_button(desktop, tk_probe, button, number) -> None:
    probe = tk_probe()
    px, py, _, _ = probe.widgets["pad"]
    result = act(desktop, Click(point=local(desktop, px + 37, py + 51), button=button))
    assert result.ok and result.commands
    press = probe.wait_for(lambda e: e["event"] == "press", what="a button press")
    assert (press["button"], press["x"], press["y"]) == (number, 37, 51)
    assert (press["x_root"], press["y_root"]) == (px + 37, py + 51)
    release = probe.wait_for(lambda e: e["event"] == "release", what="the release")
    assert (release["button"], release["x"], release["y"]) == (number, 37, 51)
    assert [e["event"] for e in probe.events if e["event"] in {"press", "double", "triple"}] == ["press"]


@pytest.mark.parametrize(("count", "kind"), [(2, "double"), (3, "triple")])
def test_double_and_triple_clicks_are_seen_as_such(desktop, tk_probe, count, kind) -> None:
    probe = tk_probe()
    px, py, _, _ = probe.widgets["pad"]
    act(desktop, Click(point=local(desktop, px + 100, py + 80), count=count))
    multi = probe.wait_for(lambda e: e["event"] == kind, what=f"a {kind} click")
    assert (multi["button"], multi["x"], multi["y"]) == (1, 100, 80)
    probe.wait_for(lambda e: len([x for x in probe.events if x["event"] == "release"]) == count, what=f"{count} releases")
    releases = [e for e in probe.events if e["event"] == "release"]
    assert [(r["button"], r["x"], r["y"]) for r in releases] == [(1, 100, 80)] * count


def test_move_hovers_without_clicking(desktop, tk_probe) -> None:
    probe = tk_probe()
    px, py, _, _ = probe.widgets["pad"]
    act(desktop, Move(point=local(desktop, px + 200, py + 150)))
    hover = probe.wait_for(lambda e: e["event"] == "hover" and (e["x"], e["y"]) == (200, 150), what="hover at 200,150")
    assert hover
    assert desktop._x.pointer() == (px + 200, py + 150)
    assert not [e for e in probe.events if e["event"] in {"press", "release"}]


def test_drag_presses_moves_through_the_way_for_its_duration_and_releases(desktop, tk_probe) -> None:
    probe = tk_probe()
    px, py, _, _ = probe.widgets["pad"]
    start, end = (px + 20, py + 30), (px + 260, py + 170)
    result = act(desktop, Drag(start=local(desktop, *start), end=local(desktop, *end), duration_ms=400))
    press = probe.wait_for(lambda e: e["event"] == "press", what="the drag's press")
    release = probe.wait_for(lambda e: e["event"] == "release", what="the drag's release")
    assert (press["button"], press["x"], press["y"]) == (1, 20, 30)
    assert (release["button"], release["x"], release["y"]) == (1, 260, 170)
    motions = [e for e in probe.events if e["event"] == "drag_motion"]
    assert len(motions) >= 10, "the pointer jumped instead of moving"
    xs = [m["x"] for m in motions]
    assert xs == sorted(xs) and 20 < xs[0] < 260  # it travelled, left to right, through the way
    assert release["time"] - press["time"] >= 400 * 0.9  # X server milliseconds
    assert result.duration_s >= 0.4 * 0.9


@pytest.mark.parametrize("with_point", [True, False])
def test_vertical_and_horizontal_scroll_move_by_exact_wheel_clicks(desktop, tk_probe, with_point) -> None:
    probe = tk_probe()
    sx, sy = probe.center("scroller")
    point = local(desktop, sx, sy)
    if not with_point:
        act(desktop, Move(point=point))
    where = {"point": point} if with_point else {}

    def scroll(clicks: int, **delta: int) -> tuple[int, int]:
        """Scroll, wait for one wheel event per click, return where the view ended up."""
        mark = probe.mark()
        act(desktop, Scroll(**delta, **where))
        probe.wait_for(lambda _: len([e for e in probe.since(mark) if e["event"] == "scroll"]) == clicks,
                       since=mark, what=f"{clicks} wheel events")
        wheel = [e for e in probe.since(mark) if e["event"] == "scroll"]
        assert len(wheel) == clicks
        return wheel[-1]["left"], wheel[-1]["top"]

    assert scroll(3, dy=3) == (0, 15)  # 3 clicks down, 5 px each
    assert scroll(1, dy=-1) == (0, 10)
    assert scroll(4, dx=4) == (28, 10)  # 4 clicks right, 7 px each
    assert scroll(2, dx=-2) == (14, 10)
    assert [e["button"] for e in probe.events if e["event"] == "scroll"] == [5, 5, 5, 4, 5, 5, 5, 5, 4, 4]


def _focus_entry(desktop: DesktopDevice, probe) -> None:
    act(desktop, Click(point=local(desktop, *probe.center("entry"))))
    assert probe.state()["focus"] == ".entry"


@pytest.mark.parametrize(
    ("keys", "keysym", "modifiers"),
    [
        (["ctrl", "shift", "t"], "T", {"Control", "Shift"}),
        (["Control", "a"], "a", {"Control"}),
        (["alt", "f4"], "F4", {"Alt"}),
        (["ctrl", "alt", "Delete"], "Delete", {"Control", "Alt"}),
    ],
)
def test_hotkeys_arrive_as_one_combination(desktop, tk_probe, keys, keysym, modifiers) -> None:
    probe = tk_probe()
    _focus_entry(desktop, probe)
    mark = probe.mark()
    act(desktop, Hotkey(keys=keys))
    event = probe.wait_for(lambda e: e["event"] == "key" and e["keysym"] == keysym, since=mark, what=keysym)
    assert set(event["modifiers"]) == modifiers
    act(desktop, Key(key="x"))  # every key was released again: a later plain key has no modifiers
    plain = probe.wait_for(lambda e: e["event"] == "key" and e["keysym"] == "x", since=mark, what="x")
    assert plain["modifiers"] == []


@pytest.mark.parametrize(
    ("key", "keysym"),
    [
        ("enter", "Return"), ("Escape", "Escape"), ("tab", "Tab"), ("f5", "F5"), ("pagedown", "Next"),
        ("left", "Left"), ("backspace", "BackSpace"), ("<", "less"), (">", "greater"), ("super", "Super_L"),
        ("volumeup", "XF86AudioRaiseVolume"), ("A", "a"), ("7", "7"), ("?", "question"),
    ],
)
def test_single_keys_arrive_as_that_key(desktop, tk_probe, key, keysym) -> None:
    probe = tk_probe()
    _focus_entry(desktop, probe)
    mark = probe.mark()
    act(desktop, Key(key=key))
    event = probe.wait_for(lambda e: e["event"] == "key" and not e["keysym"].startswith("Shift"), since=mark, what=key)
    assert event["keysym"] == keysym


def test_wait_waits_and_terminal_actions_end_the_episode_without_input(desktop, tk_probe) -> None:
    probe = tk_probe()
    before = time.monotonic()
    waited = act(desktop, Wait(seconds=0.3))
    assert time.monotonic() - before >= 0.3 and waited.ok and not waited.ends_episode
    assert act(desktop, Terminate(status="success")).ends_episode
    assert act(desktop, Answer(text="42")).ends_episode
    probe.state()
    assert probe.events == []


def test_phone_actions_are_refused_with_what_the_desktop_can_do(desktop) -> None:
    with pytest.raises(UnsupportedAction, match="click, move, drag"):
        act(desktop, Tap(point=Point(10, 10)))


def test_points_off_the_screen_and_foreign_sizes_are_refused(desktop, tk_probe) -> None:
    probe = tk_probe()
    w, h = desktop.monitor.size
    with pytest.raises(ActionError, match=rf"outside the {w}x{h} screen"):
        act(desktop, Click(point=Point(w, 10)))
    with pytest.raises(UnsupportedAction, match="1920x1080 screen"):
        act(desktop, Click(point=Point(10, 10)), size=Size(1920, 1080))
    probe.state()
    assert not [e for e in probe.events if e["event"] == "press"]


def test_pyautogui_pause_does_not_slow_actions(desktop, tk_probe) -> None:
    import pyautogui

    probe = tk_probe()
    saved = pyautogui.PAUSE
    pyautogui.PAUSE = 5.0  # a user's global setting; our calls never sleep it
    try:
        started = time.monotonic()
        act(desktop, Click(point=local(desktop, *probe.center("pad"))))
        act(desktop, Key(key="a"))
        elapsed = time.monotonic() - started
    finally:
        pyautogui.PAUSE = saved
    assert elapsed < 5.0
    probe.wait_for(lambda e: e["event"] == "press", what="the click")


def test_failsafe_is_off_by_default_so_corner_clicks_do_not_stop_the_next_action(desktop, tk_probe) -> None:
    probe = tk_probe()
    act(desktop, Click(point=Point(0, 0)))  # the top-left corner: pyautogui's fail-safe point
    act(desktop, Click(point=local(desktop, *probe.center("pad"))))
    probe.wait_for(lambda e: e["event"] == "press", what="the click after the corner")
    assert desktop.info().extra["failsafe"] is False


def test_failsafe_when_chosen_stops_the_agent_after_the_pointer_reaches_a_corner(xvfb, stop_file) -> None:
    from screenpilot.devices import AgentStopped, KillSwitch

    with DesktopDevice(xvfb.display, failsafe=True, kill_switch=KillSwitch(stop_file=stop_file, hotkey=None)) as device:
        act(device, Move(point=Point(400, 300)))
        act(device, Move(point=Point(0, 0)))  # a person (or a model) puts the pointer in the corner
        with pytest.raises(AgentStopped, match="fail-safe"):
            act(device, Move(point=Point(400, 300)))
    # The next driver, with the default (off), is not affected by the global pyautogui flag.
    with DesktopDevice(xvfb.display, kill_switch=KillSwitch(stop_file=stop_file, hotkey=None)) as device:
        act(device, Move(point=Point(0, 0)))
        act(device, Move(point=Point(400, 300)))
