"""Gestures with Android's timeouts: long press, slow taps, double taps, drags; and the touchscreen as
``getevent`` reads it."""

from __future__ import annotations

import re
import threading

from phonehelp import content, find, focus, tap, tree
from screenpilot_sim import PhoneConfig, VirtualPhone
from screenpilot_sim.testing import AdbDevice, wait_for

LAUNCHER = "com.android.launcher3/com.android.launcher3.uioverrides.QuickstepLauncher"


def _hold(dev: AdbDevice, x: float, y: float, ms: int) -> None:
    r = dev.shell(f"input swipe {int(x)} {int(y)} {int(x)} {int(y)} {ms}")
    assert r.returncode == 0, r.stderr


def test_a_long_press_on_a_launcher_icon_opens_its_menu_not_the_app(adb_device: AdbDevice) -> None:
    dev = adb_device
    icon = find(dev, desc="Settings")
    _hold(dev, *icon.bounds.center, 1000)  # what android_world's long_press sends
    assert focus(dev) == LAUNCHER
    info = find(dev, text="App info")
    tap(dev, info)
    assert focus(dev) == "com.android.settings/com.android.settings.applications.InstalledAppDetails"
    assert any(e.text == "Settings" and e.resource_id.endswith("entity_header_title") for e in tree(dev))


def test_a_slow_tap_is_still_a_tap(adb_device: AdbDevice) -> None:
    dev = adb_device
    icon = find(dev, desc="Contacts")
    _hold(dev, *icon.bounds.center, 300)  # under the 400 ms long-press timeout
    assert focus(dev) == "com.android.contacts/com.android.contacts.activities.PeopleActivity"


def test_the_long_press_timeout_is_the_setting(adb_device: AdbDevice) -> None:
    dev = adb_device
    dev.shell("settings put secure long_press_timeout 1500")  # Accessibility > Touch & hold delay: long
    icon = find(dev, desc="Clock")
    _hold(dev, *icon.bounds.center, 1000)
    assert focus(dev) == "com.android.deskclock/com.android.deskclock.DeskClock"


def test_the_long_press_fires_while_the_finger_is_still_down(adb_device: AdbDevice) -> None:
    dev = adb_device
    x, y = (int(v) for v in find(dev, desc="Notes").bounds.center)
    dev.shell(f"input motionevent DOWN {x} {y}")
    wait_for(lambda: "App info" in dev.adbutils().dump_hierarchy(), timeout=5, what="the menu while held")
    dev.shell(f"input motionevent UP {x} {y}")
    assert focus(dev) == LAUNCHER  # lifting after a long press does not click


def test_a_drag_is_a_scroll_never_a_long_press(adb_device: AdbDevice) -> None:
    dev = adb_device
    dev.shell("am start -n com.android.contacts/.activities.PeopleActivity")
    first = tree(dev)
    dev.shell("input swipe 540 1800 540 900 1200")  # slow, but it leaves the touch slop at once
    assert not any(e.text.endswith(" selected") for e in tree(dev))
    assert [e.description for e in tree(dev) if e.long_clickable] != [e.description for e in first if e.long_clickable]


def test_a_long_press_on_a_word_selects_it_and_the_toolbar_copies_and_pastes(adb_device: AdbDevice) -> None:
    dev, phone = adb_device, adb_device.phone
    dev.shell("am start -n org.screenpilot.notes/.EditorActivity")
    body = find(dev, rid="note_body_edit")
    tap(dev, body)
    dev.shell("input text hello%sbrave%snew%sworld")
    field = phone.state().field("note_body_edit")
    assert field is not None
    from screenpilot_sim._ui import text_width

    x = field.bounds[0] + 26 + text_width("hello br", 44)  # inside "brave"
    y = field.bounds[1] + 50
    _hold(dev, x, y, 800)
    view = phone.state()
    assert view.focused_field is not None and view.focused_field.selection == (6, 11)
    assert [e.text for e in tree(dev) if e.resource_id == "android:id/floating_toolbar_menu_item_text"] == [
        "Cut", "Copy", "Select all"]
    tap(dev, find(dev, text="Copy"))
    assert phone.state().clipboard == "brave"
    tap(dev, find(dev, rid="note_title_edit"))
    _hold(dev, *find(dev, rid="note_title_edit").bounds.center, 700)  # an empty field offers Paste
    tap(dev, find(dev, text="Paste"))
    assert phone.state().draft == {"title": "brave", "body": "hello brave new world"}
    dev.shell(f"input tap {x} {y}; sleep 0.1; input tap {x} {y}")  # a double tap on a word selects it too
    assert phone.state().focused_field.selection == (6, 11)
    dev.shell("input text bold")  # typing replaces the selection
    assert phone.state().draft["body"] == "hello bold new world"


def test_a_long_press_on_a_contact_starts_selection_and_deletes_after_asking(adb_device: AdbDevice) -> None:
    dev = adb_device
    dev.shell("am start -n com.android.contacts/.activities.PeopleActivity")
    rows = [e for e in tree(dev) if e.long_clickable and e.description]
    first, second = rows[0], rows[1]
    _hold(dev, *first.bounds.center, 700)
    assert find(dev, text="1 selected")
    tap(dev, second)  # in selection mode a tap adds, never opens
    assert find(dev, text="2 selected") and focus(dev).endswith("PeopleActivity")
    tap(dev, find(dev, desc="Delete"))
    tap(dev, find(dev, text="Delete", rid="android:id/button1"))
    names = {r["display_name"] for r in content(dev, "content://com.android.contacts/contacts")}
    assert len(names) == 38 and first.description not in names and second.description not in names


def test_the_touchscreen_is_logged_for_getevent_and_injections_are_not() -> None:
    phone = VirtualPhone(PhoneConfig(animation_ms=0, clock_rate=4.0))
    result: dict[str, tuple[int, str, str]] = {}
    reader = threading.Thread(target=lambda: result.setdefault("out", phone.shell("getevent -lt", timeout=2.0)))
    reader.start()
    wait_for(lambda: "getevent" in phone.shell("pgrep -l getevent")[1], what="getevent to start")
    phone.shell("input tap 100 100; input swipe 500 500 500 900 100")  # injected: never in the kernel's log
    x, y = _icon_center(phone, "Settings")
    phone.touch_down(x, y)
    wait_for(lambda: "App info" in phone.ui_xml(), timeout=5, what="the long press of a held finger")
    phone.touch_up()
    assert phone.state().foreground == "com.android.launcher3"  # the lift after a long press does not open it
    reader.join()
    out = result["out"][1]
    lines = [line for line in out.splitlines() if line.startswith("[")]
    assert len(lines) == 11  # down: 8 events, up: 3
    assert all(" /dev/input/event2: " in line for line in lines)
    ax = int(re.search(r"ABS_MT_POSITION_X\s+([0-9a-f]{8})", out)[1], 16)
    ay = int(re.search(r"ABS_MT_POSITION_Y\s+([0-9a-f]{8})", out)[1], 16)
    assert abs(ax / 4095 * 1080 - x) < 2 and abs(ay / 4095 * 2400 - y) < 2  # scaled by the -lp ranges
    assert "BTN_TOUCH            DOWN" in out and "BTN_TOUCH            UP" in out
    assert "max 4095" in phone.shell("getevent -lp /dev/input/event2")[1]


def _icon_center(phone: VirtualPhone, label: str) -> tuple[float, float]:
    m = re.search(rf'content-desc="{label}"[^>]*bounds="\[(\d+),(\d+)\]\[(\d+),(\d+)\]"', phone.ui_xml())
    assert m
    l, t, r, b = (int(v) for v in m.groups())
    return (l + r) / 2, (t + b) / 2


def test_the_touchscreen_axes_stay_in_the_panel_orientation() -> None:
    phone = VirtualPhone(PhoneConfig(animation_ms=0))
    phone.shell("settings put system user_rotation 1")  # landscape: 2400x1080 on screen
    phone.touch_down(2400 * 0.25, 1080 * 0.1)
    phone.touch_up()
    events = phone.evdev.since(0)[0]
    x = next(e.value for e in events if e.code == 0x35)
    y = next(e.value for e in events if e.code == 0x36)
    assert (round(x / 4095, 2), round(y / 4095, 2)) == (0.9, 0.25)  # natural portrait axes



def test_back_closes_the_launcher_menu_and_stays_home(adb_device: AdbDevice) -> None:
    dev = adb_device
    _hold(dev, *find(dev, desc="Clock").bounds.center, 1000)
    assert "App info" in dev.phone.ui_xml()
    assert dev.shell("input keyevent KEYCODE_BACK").returncode == 0
    assert "App info" not in dev.phone.ui_xml() and focus(dev) == LAUNCHER  # closed, as Launcher3 does
