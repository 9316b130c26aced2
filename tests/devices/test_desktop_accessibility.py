"""The desktop's AT-SPI tree on real GTK 3 windows (tests/devices/gtk_probe_app.py) through a real D-Bus
session and accessibility bus: roles, names, states and bounds in the screenshot's pixels, on both
monitors and at GDK_SCALE=2; only what a person can see (scrolled-out rows, windows underneath);
open menus; and a clear error when the accessibility bus is not there."""

from __future__ import annotations

import logging
import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from screenpilot.actions import Click, Element, Screen, Scroll, Size, validate
from screenpilot.devices import DesktopDevice, KillSwitch
from screenpilot.devices.desktop import AccessibilityUnavailable
from screenpilot.perception import DeviceAction
from tests.fixtures.desktop import start_a11y_session, stop_a11y_session
from tests.fixtures.processes import alive

RIGHT_ORIGIN = (1280, 128)


@pytest.fixture
def open_device(xvfb: Any, stop_file: Path) -> Iterator[Callable[..., DesktopDevice]]:
    made: list[DesktopDevice] = []

    def make(display: str | None = None, **options: Any) -> DesktopDevice:
        device = DesktopDevice(display or xvfb.display, kill_switch=KillSwitch(stop_file=stop_file, hotkey=None),
                               **options)
        made.append(device)
        return device

    yield make
    for device in made:
        device.close()


def _geometry(display: str, window: int) -> tuple[int, int, int, int]:
    """The X window's root rectangle, as xdotool (not our code) reports it."""
    out = subprocess.run(["xdotool", "getwindowgeometry", "--shell", str(window)], capture_output=True, text=True,
                         env={**os.environ, "DISPLAY": display}, check=True, timeout=10).stdout
    values = dict(line.split("=", 1) for line in out.split())
    return int(values["X"]), int(values["Y"]), int(values["WIDTH"]), int(values["HEIGHT"])


def _one(elements: list[Element], role: str, label: str) -> Element:
    found = [e for e in elements if e.class_name == role and e.label == label]
    assert len(found) == 1, f"{role} {label!r}: {[(e.class_name, e.label) for e in elements]}"
    return found[0]


def _click(device: DesktopDevice, element: Element, count: int = 1) -> None:
    size = device.screenshot().size
    device.execute(DeviceAction(action=Click(point=element.bounds.center, count=count), size=size))


def test_a_gtk_window_is_elements_with_roles_names_states_and_its_x_geometry(open_device, gtk_probe, xvfb) -> None:
    app = gtk_probe(geometry="+40+40")
    device = open_device(accessibility=True)
    elements = device.ui_tree()
    assert elements is not None
    frame = _one(elements, "frame", app.title)
    x, y, w, h = _geometry(xvfb.display, app.window)
    assert tuple(frame.bounds) == (x, y, x + w, y + h)  # the tree's pixels are the screenshot's pixels
    name = next(e for e in elements if e.class_name == "text" and e.description == "Name")
    password = next(e for e in elements if e.class_name == "password text")
    assert password.password and password.description == "Password" and password.text == ""
    assert name.focusable and "editable" in name.states and not name.password
    remember = _one(elements, "check box", "Remember me")
    assert remember.checkable and remember.checked is False and remember.clickable
    assert _one(elements, "push button", "Delete").clickable
    assert all(e.package == "gtk_probe_app.py" for e in elements)
    assert [e.index for e in elements] == list(range(len(elements)))
    assert elements[0].class_name == "frame" and min(e.depth for e in elements) == 0
    status = device.info().extra["accessibility"]
    assert status["connected"] and status["mode"] == "required" and status["last_read"]["nodes"] >= len(elements)

    for label in ("Delete", "Save"):  # the centre of each element reaches that widget
        mark = app.mark()
        _click(device, _one(elements, "push button", label))
        app.wait_for(lambda e, want=label: e["event"] == "clicked" and e["name"] == want, since=mark)
    _click(device, remember)
    app.wait_for(lambda e: e["event"] == "toggled" and e["active"] is True)
    assert _one(device.ui_tree() or [], "check box", "Remember me").checked is True


def test_typed_text_shows_in_the_tree_but_a_password_never_does(open_device, gtk_probe) -> None:
    from screenpilot.actions import Type

    app = gtk_probe(geometry="+40+40")
    device = open_device(accessibility=True)
    elements = device.ui_tree() or []
    size = device.screenshot().size
    for field, text in (("Name", "Zoë Ångström"), ("Password", "hunter2-secret")):
        target = next(e for e in elements if e.description == field)
        _click(device, target)
        device.execute(DeviceAction(action=Type(text=text), size=size))
        app.wait_for(lambda e, f=field, t=text: e["event"] == "entry" and e["name"] == f and e["text"] == t)
    after = device.ui_tree() or []
    assert next(e for e in after if e.description == "Name").text == "Zoë Ångström"
    password = next(e for e in after if e.password)
    assert password.focused and password.text == ""
    assert "hunter2" not in repr([e.model_dump() for e in after])
    assert app.state()["entries"]["Password"] == "hunter2-secret"  # it was typed, only never read back


def test_a_window_on_the_right_monitor_is_in_that_monitors_pixels(open_device, gtk_probe, xvfb) -> None:
    app = gtk_probe(geometry=f"+{RIGHT_ORIGIN[0] + 30}+{RIGHT_ORIGIN[1] + 50}")
    right, left = open_device(monitor="RIGHT", accessibility=True), open_device(monitor="LEFT", accessibility=True)
    elements = right.ui_tree() or []
    frame = _one(elements, "frame", app.title)
    x, y, w, h = _geometry(xvfb.display, app.window)
    assert tuple(frame.bounds) == (x - RIGHT_ORIGIN[0], y - RIGHT_ORIGIN[1], x - RIGHT_ORIGIN[0] + w, y - RIGHT_ORIGIN[1] + h)
    assert not [e for e in left.ui_tree() or [] if e.label == app.title]
    nodes = [n for n in right.accessible_nodes() or [] if n.window == app.title]
    assert nodes and {n.monitor for n in nodes} == {"RIGHT"}
    assert nodes[0].bounds.left == x and nodes[0].bounds.top == y  # root pixels
    mark = app.mark()
    _click(right, _one(elements, "push button", "Save"))
    app.wait_for(lambda e: e["event"] == "clicked" and e["name"] == "Save", since=mark)


def test_a_gdk_scale_2_window_is_read_in_physical_pixels(open_device, gtk_probe, xvfb) -> None:
    app = gtk_probe(geometry="+50+30", env={"GDK_SCALE": "2"})  # logical +50+30 is physical +100+60
    device = open_device(accessibility=True)
    elements = device.ui_tree() or []
    frame = _one(elements, "frame", app.title)
    x, y, w, h = _geometry(xvfb.display, app.window)
    assert (x, y) == (100, 60)
    assert tuple(frame.bounds) == (x, y, x + w, y + h)
    assert {n.scale for n in device.accessible_nodes() or [] if n.window == app.title} == {2.0}
    for label in ("Delete", "Save"):
        mark = app.mark()
        _click(device, _one(elements, "push button", label))
        app.wait_for(lambda e, want=label: e["event"] == "clicked" and e["name"] == want, since=mark)


def test_a_window_on_top_hides_what_is_under_it(open_device, gtk_probe) -> None:
    app = gtk_probe(geometry="+40+40")
    device = open_device(accessibility=True)
    before = device.ui_tree() or []
    save = _one(before, "push button", "Save")
    app.send("dialog")
    app.wait_for(lambda e: e["event"] == "dialog")
    after = device.ui_tree() or []
    dialog = _one(after, "frame", "Confirm")
    under = [e for e in after if e.package and e.depth > 0 and e.bounds.left < dialog.bounds.right
             and dialog.bounds.left < e.bounds.right and e.bounds.top < dialog.bounds.bottom
             and dialog.bounds.top < e.bounds.bottom]
    inside = {id(e) for e in after if _inside(e, dialog)}
    assert all(id(e) in inside for e in under), [e.label for e in under if id(e) not in inside]
    assert not [e for e in after if e.label == "Save"], "Save is wholly under the dialog"
    delete = _one(after, "push button", "Delete")
    assert delete.bounds.right <= dialog.bounds.left  # what is left of a partly covered button
    # What a click at Save's old place hits is the dialog's, and sending it asks a person first.
    screen = Screen(kind="desktop", size=Size(1280, 1024), elements=tuple(after))
    hit = screen.element_at(save.bounds.center)
    assert hit is not None and _inside(hit, dialog)
    send = _one(after, "push button", "Send")
    assert validate(Click(point=send.bounds.center), screen).confirm


def _inside(e: Element, box: Element) -> bool:
    b = box.bounds
    return b.left <= e.bounds.left and e.bounds.right <= b.right and b.top <= e.bounds.top and e.bounds.bottom <= b.bottom


def test_rows_scrolled_out_of_a_list_are_not_on_screen(open_device, gtk_probe) -> None:
    gtk_probe(geometry="+40+40")
    device = open_device(accessibility=True)
    elements = device.ui_tree() or []
    pane = next(e for e in elements if e.class_name == "scroll pane")
    rows = [e.label for e in elements if e.class_name == "label" and e.label.startswith("Row ")]
    assert rows[0] == "Row 0" and len(rows) < 10
    device.execute(DeviceAction(action=Scroll(point=pane.bounds.center, dy=5), size=device.screenshot().size))
    device.settle()
    scrolled = device.ui_tree() or []
    later = [e.label for e in scrolled if e.class_name == "label" and e.label.startswith("Row ")]
    assert later and "Row 0" not in later and int(later[0].split()[1]) > 0
    inner = [e for e in scrolled if e.class_name == "list item" or e.label.startswith("Row ")]
    assert inner and all(pane.bounds.top <= e.bounds.top and e.bounds.bottom <= pane.bounds.bottom for e in inner)


def test_an_open_menu_is_on_top_and_its_items_are_clickable(open_device, gtk_probe) -> None:
    app = gtk_probe(geometry="+40+40")
    device = open_device(accessibility=True)
    _click(device, _one(device.ui_tree() or [], "menu", "File"))
    device.settle()
    elements = device.ui_tree() or []
    items = {e.label: e for e in elements if e.class_name == "menu item"}
    assert set(items) == {"New", "Open", "Quit"}
    screen = Screen(kind="desktop", size=Size(1280, 1024), elements=tuple(elements))
    assert screen.element_at(items["Open"].bounds.center) == items["Open"]  # not the widgets beneath
    mark = app.mark()
    _click(device, items["Open"])
    app.wait_for(lambda e: e["event"] == "menu" and e["item"] == "Open", since=mark)


def test_a_tooltip_hides_nothing_and_a_click_under_it_reaches_the_widget(open_device, gtk_probe) -> None:
    import time

    from screenpilot.actions import Move, Type

    app = gtk_probe(geometry="+40+40")
    device = open_device(accessibility=True)
    elements = device.ui_tree() or []
    name = next(e for e in elements if e.description == "Name")
    password = next(e for e in elements if e.password)
    device.execute(DeviceAction(action=Move(point=name.bounds.center), size=device.screenshot().size))
    deadline = time.monotonic() + 10
    while not (tips := [t for t in device._x.toplevels() if t.override_redirect]):  # GTK shows it after a delay
        assert time.monotonic() < deadline, "no tooltip appeared"
        time.sleep(0.05)
    tip = tips[0]
    assert tip.y < password.bounds.bottom and password.bounds.top < tip.y + tip.height  # it lies over Password
    after = device.ui_tree() or []
    assert next(e for e in after if e.password).bounds == password.bounds
    _click(device, password)
    device.execute(DeviceAction(action=Type(text="abc"), size=device.screenshot().size))
    app.wait_for(lambda e: e["event"] == "entry" and e["name"] == "Password" and e["text"] == "abc")


def test_reading_a_typical_window_takes_well_under_a_second(open_device, gtk_probe) -> None:
    gtk_probe(geometry="+40+40")
    device = open_device(accessibility=True)
    device.ui_tree()
    last = device.accessibility.last  # type: ignore[union-attr]
    assert last["nodes"] >= 20 and last["seconds"] < 1.0 and last["problems"] == []


# -- without the accessibility bus -----------------------------------------------------------------------


def test_no_d_bus_session_is_a_clear_error_or_pixels_alone(open_device, scratch_xvfb, monkeypatch, caplog) -> None:
    _proc, display = scratch_xvfb()
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    with pytest.raises(AccessibilityUnavailable, match=r"accessibility bus is not running.*DBUS_SESSION_BUS_ADDRESS is unset") as err:
        open_device(display, accessibility=True)
    assert "dbus-run-session" in (err.value.hint or "") and "at-spi2-core" in (err.value.hint or "")
    device = open_device(display)
    with caplog.at_level(logging.WARNING, logger="screenpilot.devices.desktop"):
        assert device.ui_tree() is None and device.ui_tree() is None
    assert len([r for r in caplog.records if "no accessibility tree" in r.getMessage()]) == 1  # said once
    status = device.info().extra["accessibility"]
    assert status["mode"] == "auto" and not status["connected"] and "DBUS_SESSION_BUS_ADDRESS" in status["problem"]
    assert open_device(display, accessibility=False).ui_tree() is None


def test_a_session_without_at_spi_names_what_is_missing(open_device, scratch_xvfb, monkeypatch, tmp_path) -> None:
    _proc, display = scratch_xvfb()
    config = tmp_path / "bare-session.conf"
    config.write_text(  # a session bus that can start no services: as if at-spi2-core were not installed
        "<!DOCTYPE busconfig PUBLIC '-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN'"
        " 'http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd'>\n"
        f"<busconfig><type>session</type><listen>unix:path={tmp_path}/bus</listen>"
        "<policy context='default'><allow send_destination='*' eavesdrop='true'/><allow eavesdrop='true'/>"
        "<allow own='*'/></policy></busconfig>\n")
    bus = subprocess.Popen(["dbus-daemon", f"--config-file={config}", "--nofork"], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    try:
        _wait_for_socket(tmp_path / "bus")
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path}/bus")
        with pytest.raises(AccessibilityUnavailable, match=r"the D-Bus session has no org\.a11y\.Bus") as err:
            open_device(display, accessibility=True)
        assert "at-spi2-core" in (err.value.hint or "")
    finally:
        bus.terminate()
        bus.wait(timeout=5)


def _wait_for_socket(path: Path) -> None:
    import socket
    import time

    deadline = time.monotonic() + 10
    while True:
        try:
            with socket.socket(socket.AF_UNIX) as s:
                s.connect(str(path))
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def test_the_accessibility_bus_going_away_mid_run(open_device, scratch_xvfb, monkeypatch, tmp_path) -> None:
    _proc, display = scratch_xvfb()
    session = start_a11y_session(display, tmp_path)
    try:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", session.address)
        required, auto = open_device(display, accessibility=True), open_device(display)
        assert required.ui_tree() == [] and auto.ui_tree() == []  # connected; nothing runs on this display
        pids = session.pids()
    finally:
        stop_a11y_session(session)
    assert pids and not any(alive(pid) for pid in pids)  # the fault happened
    with pytest.raises(AccessibilityUnavailable):
        required.ui_tree()
    assert auto.ui_tree() is None
    assert auto.info().extra["accessibility"]["problem"]
