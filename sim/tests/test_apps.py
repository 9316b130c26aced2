"""The simulated apps driven as an agent drives a phone: adb input, screencap, uiautomator dump."""

from __future__ import annotations

import base64
import shlex

import pytest
from phonehelp import content, find, focus, screenshot, tap, tree
from PIL import ImageStat
from screenpilot_sim.testing import AdbDevice, wait_for


def test_launcher_icons_are_labelled_and_open_their_apps(adb_device: AdbDevice) -> None:
    labels = {e.description for e in tree(adb_device) if e.clickable and e.description}
    assert {"Settings", "Contacts", "Notes", "Clock"} <= labels
    tap(adb_device, find(adb_device, desc="Clock"))
    assert focus(adb_device) == "com.android.deskclock/com.android.deskclock.DeskClock"


def test_every_labelled_element_is_drawn_where_the_tree_says(adb_device: AdbDevice) -> None:
    """The dump and the pixels come from the same views: every text element covers drawn ink."""
    for package in ("com.android.settings", "com.android.contacts", "com.android.deskclock"):
        adb_device.adbutils().app_start(package)
        img = screenshot(adb_device)
        for e in tree(adb_device):
            if not e.text or e.bounds.area == 0:
                continue
            crop = img.crop(e.bounds)
            low, high = (min(b[0] for b in crop.getextrema()), max(b[1] for b in crop.getextrema()))
            assert high - low > 60, f"{package}: {e.text!r} at {e.bounds} shows no text"


def test_settings_list_scrolls_to_about_phone(adb_device: AdbDevice) -> None:
    dev = adb_device
    dev.adbutils().app_start("com.android.settings")
    assert not any(e.text == "About phone" for e in tree(dev))
    lst = next(e for e in tree(dev) if e.scrollable)
    x, top, bottom = int(lst.bounds.center.x), lst.bounds.top, lst.bounds.bottom
    for _ in range(4):
        dev.shell(f"input swipe {x} {bottom - 100} {x} {top + 100} 100")
        if any(e.text == "About phone" for e in tree(dev)):
            break
    tap(dev, find(dev, text="About phone"))
    assert find(dev, text="Virtual Phone").text == "Virtual Phone"
    assert focus(dev) == "com.android.settings/com.android.settings.SubSettings"
    dev.shell("input keyevent KEYCODE_BACK")
    assert focus(dev) == "com.android.settings/com.android.settings.Settings"


def test_wifi_and_airplane_toggles_change_settings_and_the_status_bar(adb_device: AdbDevice) -> None:
    dev = adb_device
    dev.shell("am start -a android.settings.WIFI_SETTINGS")
    before = screenshot(dev)
    wifi = find(dev, rid="wifi")
    assert wifi.checked is True
    tap(dev, wifi)
    assert dev.shell("settings get global wifi_on").stdout == b"0\n"
    assert find(dev, rid="wifi").checked is False
    after = screenshot(dev)
    status = (0, 0, 1080, 74)
    assert before.crop(status).tobytes() != after.crop(status).tobytes(), "the Wi-Fi icon left the status bar"
    tap(dev, find(dev, rid="airplane_mode"))
    assert dev.shell("settings get global airplane_mode_on").stdout == b"1\n"


def test_dark_theme_changes_the_rendering(adb_device: AdbDevice) -> None:
    dev = adb_device
    dev.shell("am start -n com.android.settings/.Settings\\$DisplaySettingsActivity")
    light = ImageStat.Stat(screenshot(dev).convert("L")).mean[0]
    tap(dev, find(dev, rid="dark_ui_mode"))
    assert dev.shell("settings get secure ui_night_mode").stdout == b"2\n"
    dark = ImageStat.Stat(screenshot(dev).convert("L")).mean[0]
    assert light > 200 and dark < 60


def test_brightness_slider_sets_screen_brightness(adb_device: AdbDevice) -> None:
    dev = adb_device
    dev.shell("am start -a android.settings.DISPLAY_SETTINGS")
    slider = find(dev, desc="Brightness level")
    b = slider.bounds
    dev.shell(f"input tap {b.left + (b.right - b.left) * 3 // 4} {b.center.y}")
    assert int(dev.shell("settings get system screen_brightness").stdout) == pytest.approx(191, abs=3)
    dev.shell(f"input swipe {b.left + 20} {b.center.y} {b.left + (b.right - b.left) // 4} {b.center.y} 100")
    assert int(dev.shell("settings get system screen_brightness").stdout) == pytest.approx(64, abs=4)


def test_soft_keyboard_appears_for_a_focused_field_and_back_hides_it(adb_device: AdbDevice) -> None:
    dev = adb_device
    dev.adbutils().app_start("org.screenpilot.notes")
    tap(dev, find(dev, desc="New note"))
    no_kbd = screenshot(dev)
    assert b"mInputShown=false" in dev.shell("dumpsys input_method").stdout
    tap(dev, find(dev, rid="note_body_edit"))
    assert b"mInputShown=true" in dev.shell("dumpsys input_method").stdout
    kbd = screenshot(dev)
    region = (0, 1500, 1080, 2200)
    assert no_kbd.crop(region).tobytes() != kbd.crop(region).tobytes()
    assert find(dev, rid="note_body_edit").focused
    dev.shell("input keyevent 4")
    assert b"mInputShown=false" in dev.shell("dumpsys input_method").stdout
    assert focus(dev) == "org.screenpilot.notes/org.screenpilot.notes.EditorActivity"


def test_tapping_keyboard_keys_types(adb_device: AdbDevice) -> None:
    dev = adb_device
    dev.shell("am start -n org.screenpilot.notes/.EditorActivity")
    tap(dev, find(dev, rid="note_title_edit"))
    phone = dev.phone
    keys = {v.desc: v for w in phone.windows() for v in w.walk() if v.package == "com.android.inputmethod.latin"}
    for ch in "hi":
        l, t, r, b = keys[ch].box
        dev.shell(f"input tap {(l + r) // 2} {(t + b) // 2}")
    assert find(dev, rid="note_title_edit").text == "hi"


def test_notes_multi_line_note_is_saved_as_a_file(adb_device: AdbDevice) -> None:
    dev = adb_device
    dev.adbutils().app_start("org.screenpilot.notes")
    tap(dev, find(dev, desc="New note"))
    tap(dev, find(dev, rid="note_title_edit"))
    dev.shell("input text 'Trip'")
    tap(dev, find(dev, rid="note_body_edit"))
    dev.shell("input text 'Passport' && input keyevent ENTER && input text 'Tickets%sand%scash'")
    tap(dev, find(dev, desc="Save"))
    assert dev.shell("cat /sdcard/Documents/Notes/Trip.txt").stdout == b"Passport\nTickets and cash"
    dev.shell("input keyevent BACK")
    assert find(dev, text="Trip").text == "Trip"


def test_a_pushed_note_shows_up_in_the_list(adb_device: AdbDevice, tmp_path: object) -> None:
    from pathlib import Path

    src = Path(str(tmp_path)) / "Pushed.txt"
    src.write_text("from the host")
    assert adb_device.adb("push", str(src), "/sdcard/Documents/Notes/Pushed.txt").returncode == 0
    adb_device.adbutils().app_start("org.screenpilot.notes")
    assert find(adb_device, text="Pushed").text == "Pushed"
    assert find(adb_device, text="from the host").text == "from the host"


def test_contacts_add_through_the_form(adb_device: AdbDevice) -> None:
    dev = adb_device
    dev.adbutils().app_start("com.android.contacts")
    tap(dev, find(dev, desc="Create contact"))
    for rid, text in (("given_name", "Zoe"), ("family_name", "Zimmer"), ("number", "+1%s555%s0199")):
        tap(dev, find(dev, rid=rid))
        dev.shell(f"input text {shlex.quote(text)}")
    tap(dev, find(dev, text="Save"))
    assert find(dev, text="Zoe Zimmer").text == "Zoe Zimmer"
    [row] = content(dev, "content://com.android.contacts/contacts", "given_name='Zoe'")
    assert row["number"] == "+1 555 0199" and row["display_name"] == "Zoe Zimmer"


def test_contact_delete_needs_the_confirmation(adb_device: AdbDevice) -> None:
    dev = adb_device
    dev.adbutils().app_start("com.android.contacts")
    tap(dev, find(dev, desc="Alice Dubois"))
    tap(dev, find(dev, desc="Delete"))
    assert find(dev, text="Delete this contact?")
    tap(dev, find(dev, text="Cancel"))
    assert content(dev, "content://com.android.contacts/contacts", "display_name='Alice Dubois'")
    tap(dev, find(dev, desc="Delete"))
    tap(dev, find(dev, text="Delete"))
    assert content(dev, "content://com.android.contacts/contacts", "display_name='Alice Dubois'") == []
    assert not any(e.description == "Alice Dubois" for e in tree(dev))
    assert len(content(dev, "content://com.android.contacts/contacts")) == 39


def test_contacts_list_is_long_and_scrolls(adb_device: AdbDevice) -> None:
    dev = adb_device
    dev.adbutils().app_start("com.android.contacts")
    def names() -> list[str]:
        return [e.description for e in tree(dev) if e.resource_id.endswith("cliv_name_textview_container")]

    first = names()
    dev.adbutils().swipe(540, 1900, 540, 500, 0.1)
    later = names()
    assert later and later != first
    assert sorted(later, key=str.lower) == later


def test_clock_alarm_switch_and_add_dialog(adb_device: AdbDevice) -> None:
    dev = adb_device
    dev.adbutils().app_start("com.android.deskclock")
    six_thirty = next(e for e in tree(dev) if e.class_name == "android.widget.Switch" and e.description == "6:30 alarm")
    assert six_thirty.checked is False
    tap(dev, six_thirty)
    assert content(dev, "content://com.android.deskclock/alarms", "hour=6 AND minutes=30")[0]["enabled"] == "1"
    tap(dev, find(dev, desc="Add alarm"))
    tap(dev, find(dev, rid="hour"))
    dev.shell("input text 9")
    tap(dev, find(dev, rid="minute"))
    dev.shell("input text 45")
    tap(dev, find(dev, text="OK"))
    assert find(dev, text="9:45").text == "9:45"
    assert content(dev, "content://com.android.deskclock/alarms", "hour=9")[0]["minutes"] == "45"


def test_navigation_bar_back_home_and_recents(adb_device: AdbDevice) -> None:
    dev = adb_device
    client = dev.adbutils()
    client.app_start("com.android.settings")
    client.app_start("com.android.contacts")
    dev.shell("input keyevent KEYCODE_APP_SWITCH")
    assert "com.android.launcher3" in focus(dev)
    cards = [e for e in tree(dev) if e.resource_id.endswith("snapshot")]
    assert [c.description for c in cards] == ["Contacts", "Settings"]
    tap(dev, cards[1])
    assert focus(dev).startswith("com.android.settings/")
    phone = dev.phone
    nav = {v.desc: v for w in phone.windows() for v in w.walk() if v.desc in ("Back", "Home", "Overview")}
    l, t, r, b = nav["Home"].box
    dev.shell(f"input tap {(l + r) // 2} {(t + b) // 2}")
    assert focus(dev).startswith("com.android.launcher3/")
    client.app_start("com.android.settings")
    l, t, r, b = nav["Back"].box
    dev.shell(f"input tap {(l + r) // 2} {(t + b) // 2}")
    assert focus(dev).startswith("com.android.launcher3/")


def test_state_is_settable_by_adb_and_the_ui_follows(adb_device: AdbDevice) -> None:
    dev = adb_device
    dev.shell("settings put global bluetooth_on 1")
    dev.shell("am start -a android.settings.BLUETOOTH_SETTINGS")
    assert find(dev, rid="bluetooth").checked is True
    dev.shell("content insert --uri content://com.android.contacts/contacts --bind given_name:s:Aaron "
              "--bind family_name:s:Aardvark")
    dev.adbutils().app_start("com.android.contacts")
    assert find(dev, desc="Aaron Aardvark")
    dev.shell("content update --uri content://com.android.deskclock/alarms --bind label:s:Changed --where _id=2")
    dev.adbutils().app_start("com.android.deskclock")
    assert any("Changed" in e.text for e in tree(dev))


def test_reset_brings_back_the_known_state(adb_device: AdbDevice) -> None:
    dev = adb_device
    dev.shell("settings put global wifi_on 0; rm /sdcard/Documents/Notes/Ideas.txt; "
              "content delete --uri content://com.android.contacts/contacts")
    dev.adbutils().app_start("com.android.settings")
    dev.phone.reset()
    assert dev.shell("settings get global wifi_on").stdout == b"1\n"
    assert dev.shell("cat /sdcard/Documents/Notes/Ideas.txt").returncode == 0
    assert len(content(dev, "content://com.android.contacts/contacts")) == 40
    assert focus(dev).startswith("com.android.launcher3/")
    assert dev.phone.records.commands == type(dev.phone.records.commands)() or all(
        "wifi_on 0" not in c.line for c in dev.phone.records.commands)


def test_pm_clear_resets_one_app_s_data(adb_device: AdbDevice) -> None:
    dev = adb_device
    dev.shell("content delete --uri content://com.android.deskclock/alarms")
    assert content(dev, "content://com.android.deskclock/alarms") == []
    assert dev.shell("pm clear com.android.deskclock").stdout == b"Success\n"
    assert len(content(dev, "content://com.android.deskclock/alarms")) == 3


def test_rotation_and_size_override_change_what_screencap_and_adbutils_see(adb_device: AdbDevice) -> None:
    dev = adb_device
    client = dev.adbutils()
    dev.shell("settings put system user_rotation 1")
    assert screenshot(dev).size == (2400, 1080)
    assert tuple(client.window_size()) == (2400, 1080)
    assert client.rotation() == 1
    dev.shell("settings put system user_rotation 0; wm size 720x1600")
    assert dev.shell("wm size").stdout == b"Physical size: 1080x2400\nOverride size: 720x1600\n"
    assert screenshot(dev).size == (720, 1600)
    dev.shell("wm size reset")
    assert screenshot(dev).size == (1080, 2400)


def test_adbkeyboard_types_non_ascii_only_when_selected(adb_device: AdbDevice) -> None:
    dev = adb_device
    dev.shell("am start -n org.screenpilot.notes/.EditorActivity")
    tap(dev, find(dev, rid="note_body_edit"))
    text = "Grüße, 東京 ✓"
    b64 = base64.b64encode(text.encode()).decode()
    dev.shell(f"am broadcast -a ADB_INPUT_B64 --es msg {b64}")
    assert find(dev, rid="note_body_edit").text == "", "nobody receives the broadcast before the IME is selected"
    assert dev.shell("ime enable com.android.adbkeyboard/.AdbIME").stdout == (
        b"Input method com.android.adbkeyboard/.AdbIME: now enabled for user #0\n")
    assert dev.shell("ime set com.android.adbkeyboard/.AdbIME").stdout == (
        b"Input method com.android.adbkeyboard/.AdbIME selected for user #0\n")
    r = dev.shell(f"am broadcast -a ADB_INPUT_B64 --es msg {b64}")
    assert r.stdout.endswith(b"Broadcast completed: result=0\n")
    assert find(dev, rid="note_body_edit").text == text
    dev.shell("am broadcast -a ADB_INPUT_TEXT --es msg ' ok'")
    dev.shell("am broadcast -a ADB_INPUT_CODE --ei code 67")
    assert find(dev, rid="note_body_edit").text == text + " o"
    assert dev.shell("ime list -s").stdout == b"com.android.inputmethod.latin/.LatinIME\ncom.android.adbkeyboard/.AdbIME\n"


def test_adbutils_verbs_work_unchanged(adb_device: AdbDevice, tmp_path: object) -> None:
    from pathlib import Path

    d = adb_device.adbutils()
    assert d.shell("echo hello") == "hello"
    assert tuple(d.window_size()) == (1080, 2400)
    assert d.screenshot().size == (1080, 2400)
    d.app_start("com.android.settings")
    assert d.app_current().package == "com.android.settings"
    d.click(540, 1200)
    d.swipe(540, 1800, 540, 900, 0.1)
    d.app_start("org.screenpilot.notes")
    tap(adb_device, find(adb_device, desc="New note"))
    tap(adb_device, find(adb_device, rid="note_title_edit"))
    d.send_keys("typed")
    assert find(adb_device, rid="note_title_edit").text == "typed"
    assert d.dump_hierarchy().startswith("<?xml")
    src = Path(str(tmp_path)) / "f.txt"
    src.write_text("payload")
    d.sync.push(str(src), "/data/local/tmp/f.txt")
    d.sync.pull("/data/local/tmp/f.txt", str(Path(str(tmp_path)) / "g.txt"))
    assert (Path(str(tmp_path)) / "g.txt").read_text() == "payload"
    d.app_stop("org.screenpilot.notes")
    assert d.app_current().package == "com.android.launcher3"
    wait_for(lambda: d.shell("getprop sys.boot_completed") == "1", what="boot completed")


def test_contact_edit_changes_the_stored_contact(adb_device: AdbDevice) -> None:
    dev = adb_device
    dev.adbutils().app_start("com.android.contacts")
    tap(dev, find(dev, desc="Bruno Kowalski"))
    tap(dev, find(dev, desc="Edit contact"))
    number = find(dev, rid="number")
    assert number.text == "+1 555 0101"
    tap(dev, number)
    dev.shell("input keyevent DEL DEL DEL DEL && input text 9999")
    tap(dev, find(dev, text="Save"))
    assert find(dev, text="+1 555 9999").text == "+1 555 9999"
    assert content(dev, "content://com.android.contacts/contacts", "display_name='Bruno Kowalski'")[0]["number"] == (
        "+1 555 9999")


def test_leaving_an_edited_form_asks_to_discard(adb_device: AdbDevice) -> None:
    dev = adb_device
    dev.shell("am start -a android.intent.action.INSERT -n com.android.contacts/.activities.ContactEditorActivity")
    tap(dev, find(dev, rid="given_name"))
    dev.shell("input text Draft")
    dev.shell("input keyevent BACK")  # hides the keyboard
    dev.shell("input keyevent BACK")  # asks
    assert find(dev, text="Discard changes?")
    tap(dev, find(dev, text="Discard"))
    assert content(dev, "content://com.android.contacts/contacts", "given_name='Draft'") == []


def test_notes_discard_dialog_keeps_editing_or_drops_the_draft(adb_device: AdbDevice) -> None:
    dev = adb_device
    dev.adbutils().app_start("org.screenpilot.notes")
    tap(dev, find(dev, desc="New note"))
    tap(dev, find(dev, rid="note_title_edit"))
    dev.shell("input text Draft")
    dev.shell("input keyevent BACK")  # hides the keyboard
    dev.shell("input keyevent BACK")  # asks
    assert find(dev, text="Discard changes?")
    tap(dev, find(dev, text="Keep editing"))
    assert find(dev, rid="note_title_edit").text == "Draft"
    dev.shell("input keyevent BACK")
    tap(dev, find(dev, text="Discard"))
    assert focus(dev) == "org.screenpilot.notes/org.screenpilot.notes.NotesActivity"
    assert dev.shell("ls /sdcard/Documents/Notes/Draft.txt").returncode != 0


def test_draganddrop_and_motionevents_are_gestures_too(adb_device: AdbDevice) -> None:
    dev = adb_device
    dev.shell("am start -a android.settings.DISPLAY_SETTINGS")
    b = find(dev, desc="Brightness level").bounds
    y = b.center.y
    dev.shell(f"input draganddrop {b.left + 30} {y} {b.right - 1} {y} 50")
    assert int(dev.shell("settings get system screen_brightness").stdout) >= 250
    dev.shell(f"input motionevent DOWN {b.left + 30} {y}; input motionevent UP {b.left + 1} {y}")
    assert int(dev.shell("settings get system screen_brightness").stdout) <= 5


HOSTILE_TEXT = ["$(reboot)", "`id`", "a;reboot", "a|reboot", "it's", 'say"hi"', "$HOME", "a&&b", "x\\y", "*?[a]",
                "{a,b}", "~root", "#hash", "a>b<c"]


def test_hostile_text_typed_through_a_quoted_command_arrives_literally(adb_device: AdbDevice) -> None:
    """What a correct driver does (quote for sh, spaces as %s): the field gets exactly the text."""
    dev = adb_device
    dev.shell("am start -n org.screenpilot.notes/.EditorActivity")
    body = find(dev, rid="note_body_edit")
    tap(dev, body)
    for text in HOSTILE_TEXT:
        dev.phone.clear_text()
        dev.phone.records.clear()
        r = dev.shell(f"input text {shlex.quote(text)}")
        assert r.returncode == 0, r.stderr
        assert dev.phone.focused_field().text == text
        assert dev.phone.records.substitutions == [] and dev.phone.records.unknown == []


def test_notification_shade_quick_settings(adb_device: AdbDevice) -> None:
    dev = adb_device
    dev.adbutils().app_start("com.android.settings")
    dev.shell("input swipe 540 10 540 1400 150")  # pull down from the status bar
    assert b"mCurrentFocus=Window{" in dev.shell("dumpsys window").stdout
    assert b"u0 NotificationShade}" in dev.shell("dumpsys window | grep mCurrentFocus").stdout
    tiles = {e.text: e for e in tree(dev) if e.class_name == "android.widget.Switch"}
    assert set(tiles) == {"Internet", "Bluetooth", "Airplane mode", "Dark theme"}
    assert tiles["Internet"].checked and not tiles["Bluetooth"].checked
    tap(dev, tiles["Bluetooth"])
    assert dev.shell("settings get global bluetooth_on").stdout == b"1\n"
    assert find(dev, text="Bluetooth").checked is True
    dev.shell("input keyevent BACK")
    assert focus(dev) == "com.android.settings/com.android.settings.Settings"
    dev.shell("cmd statusbar expand-settings")
    tap(dev, find(dev, text="Dark theme"))
    assert dev.adbutils().shell("cmd uimode night") == "Night mode: yes"
    dev.shell("input swipe 540 1800 540 300 150")  # push it back up
    assert focus(dev) == "com.android.settings/com.android.settings.Settings"
