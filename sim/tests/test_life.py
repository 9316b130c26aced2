"""The rest of a phone's life: screen timeout and keyguard, notifications, a runtime permission dialog,
the contacts provider, a browser for VIEW intents, realistic settings tables."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from phonehelp import content, find, focus, host_site, tap, tree
from screenpilot_sim.testing import AdbDevice, wait_for

LAUNCHER = "com.android.launcher3/com.android.launcher3.uioverrides.QuickstepLauncher"
BROWSER = "org.chromium.webview_shell"


def _asleep(dev: AdbDevice) -> bool:
    return b"mWakefulness=Asleep" in dev.shell("dumpsys power").stdout


def test_the_screen_times_out_locks_and_a_swipe_up_unlocks(adb_device: AdbDevice) -> None:
    dev, phone = adb_device, adb_device.phone
    phone.clock.rate = 20.0
    dev.shell("settings put system screen_off_timeout 3000")
    assert not _asleep(dev)
    wait_for(lambda: _asleep(dev), timeout=5, what="the screen to time out")  # 3 s of phone time
    assert dev.adbutils().is_screen_on() is False
    dev.shell("input keyevent KEYCODE_POWER")  # wakes onto the lock screen
    win = dev.shell("dumpsys window").stdout.decode()
    assert "isKeyguardShowing=true" in win and "NotificationShade" in win
    assert find(dev, text="Swipe up to unlock")
    dev.shell("input tap 540 1200")  # a tap does nothing on the lock screen
    assert phone.state().locked
    dev.shell("input swipe 540 2000 540 600 200")
    assert not phone.state().locked and focus(dev) == LAUNCHER


def test_stay_on_while_plugged_in_keeps_the_screen_awake(adb_device: AdbDevice) -> None:
    dev, phone = adb_device, adb_device.phone
    phone.clock.rate = 50.0
    dev.shell("settings put system screen_off_timeout 1000; svc power stayon usb")  # the phone is on USB
    start = phone.clock.uptime()
    wait_for(lambda: phone.clock.uptime() - start > 3, what="3 s of phone time")
    assert not _asleep(dev)
    dev.shell("svc power stayon ac")  # kept on for a charger it is not on: the timeout applies again
    wait_for(lambda: _asleep(dev), timeout=5, what="the screen to time out")
    assert dev.shell("svc power stayon sometimes").returncode == 1


def test_input_is_activity_and_the_keyguard_goes_with_menu_or_wm(adb_device: AdbDevice) -> None:
    dev, phone = adb_device, adb_device.phone
    phone.clock.rate = 20.0
    dev.shell("settings put system screen_off_timeout 3000")
    for _ in range(4):  # a tap every ~1.5 s of phone time keeps it awake for longer than the timeout
        start = phone.clock.uptime()
        wait_for(lambda start=start: phone.clock.uptime() - start > 1.5, what="1.5 s of phone time")
        dev.shell("input tap 1 1200")
        assert not _asleep(dev)
    dev.shell("input keyevent 26; input keyevent 26")  # off, then on: locked
    assert phone.state().locked
    dev.shell("input keyevent 82")  # MENU unlocks a swipe keyguard
    assert not phone.state().locked
    dev.shell("input keyevent 26; input keyevent 224; wm dismiss-keyguard")
    assert not phone.state().locked and phone.state().screen_on


def test_notifications_in_the_status_bar_the_shade_and_dumpsys(adb_device: AdbDevice) -> None:
    dev = adb_device
    dev.shell("cmd notification post -t 'Build done' build 'All 171 tests passed'")
    dev.shell("cmd notification post -t Reminder stretch 'Stand up'")
    assert [n["title"] for n in dev.phone.state().notifications] == ["Reminder", "Build done"]
    dump = dev.shell("dumpsys notification --noredact").stdout.decode()
    assert "android.title=String (Build done)" in dump and "pkg=com.android.shell" in dump
    dev.shell("cmd statusbar expand-notifications")
    assert find(dev, text="All 171 tests passed")
    tap(dev, find(dev, text="Stand up"))  # a tap opens (nothing, for the shell) and dismisses it
    assert [n["title"] for n in dev.phone.state().notifications] == ["Build done"]
    dev.shell("cmd statusbar expand-notifications")
    tap(dev, find(dev, text="Clear all"))
    assert dev.phone.state().notifications == () and dev.shell("cmd notification list").stdout == b""


def test_the_browser_asks_for_notifications_once(adb_device: AdbDevice) -> None:
    dev = adb_device
    dev.shell("am start -a android.intent.action.VIEW -d about:blank")
    assert focus(dev) == ("com.android.permissioncontroller/"
                          "com.android.permissioncontroller.permission.ui.GrantPermissionsActivity")
    assert find(dev, text="Allow WebView Browser to send you notifications?")
    tap(dev, find(dev, rid="permission_deny_button"))
    assert focus(dev) == f"{BROWSER}/{BROWSER}.WebViewBrowserActivity"
    dev.shell(f"am force-stop {BROWSER}; am start -a android.intent.action.VIEW -d about:blank")
    assert focus(dev).startswith(BROWSER)  # a refusal is remembered
    out = dev.shell(f"dumpsys package {BROWSER}").stdout.decode()
    assert "android.permission.POST_NOTIFICATIONS: granted=false" in out
    dev.shell(f"pm grant {BROWSER} android.permission.POST_NOTIFICATIONS")
    assert "granted=true" in dev.shell(f"dumpsys package {BROWSER}").stdout.decode()


@pytest.fixture
def site() -> Iterator[int]:
    pages = {"/": b"<html><title>Home</title><h1>Welcome home</h1><p>Pick one.</p><a href='/b'>Page B</a></html>",
             "/b": b"<h1>This is B</h1><ul><li>first</li><li>second</li></ul>"}
    with host_site(lambda path: (200, pages[path]) if path in pages else (404, b"<h1>Not found</h1>")) as port:
        yield port


def test_the_browser_shows_pages_through_adb_reverse_and_follows_links(adb_device: AdbDevice, site: int) -> None:
    dev = adb_device
    dev.shell(f"pm grant {BROWSER} android.permission.POST_NOTIFICATIONS")
    dev.adb("reverse", "tcp:8080", f"tcp:{site}")
    dev.adbutils().open_browser("http://localhost:8080/")  # am start -a VIEW -d URL
    wait_for(lambda: any(e.text == "Welcome home" for e in tree(dev)), what="the page through the tunnel")
    tap(dev, find(dev, text="Page B"))
    wait_for(lambda: any(e.text == "• second" for e in tree(dev)), what="the linked page")
    dev.shell("input keyevent BACK")
    wait_for(lambda: any(e.text == "Welcome home" for e in tree(dev)), what="back to the first page")
    url_bar = find(dev, rid="url_bar")
    tap(dev, url_bar)
    dev.shell("input text example.org; input keyevent ENTER")
    wait_for(lambda: any(e.text == "ERR_NAME_NOT_RESOLVED" for e in tree(dev)), what="no internet but adb")
    dev.shell("am start -a android.intent.action.VIEW -d http://127.0.0.1:9/")
    wait_for(lambda: any(e.text == "ERR_CONNECTION_REFUSED" for e in tree(dev)), what="nothing reversed on 9")


def test_the_contacts_provider_the_android_world_way(adb_device: AdbDevice) -> None:
    dev = adb_device
    rows = content(dev, "content://contacts/phones/", "")
    assert len(rows) == 40 and {"display_name", "number", "name"} <= set(rows[0])
    dev.shell("am start -a android.intent.action.INSERT -t vnd.android.cursor.dir/contact "
              "-e name 'Ada Lovelace' -e phone 5551234")
    assert dev.phone.state().draft == {"given": "Ada", "family": "Lovelace", "number": "5551234", "email": ""}
    tap(dev, find(dev, text="Save"))
    found = content(dev, "content://com.android.contacts/data/phones", "display_name='Ada Lovelace'")
    assert found and found[0]["number"] == "5551234"
    assert dev.shell("pm clear com.android.contacts").stdout == b"Success\n"  # the app, not where contacts live
    assert len(content(dev, "content://com.android.contacts/contacts")) == 41
    assert dev.shell("pm clear com.android.providers.contacts").stdout == b"Success\n"
    assert content(dev, "content://contacts/people") == []
    dev.shell("content insert --uri content://com.android.contacts/raw_contacts --bind account_type:s:x")
    raw = content(dev, "content://com.android.contacts/raw_contacts")[0]["_id"]
    dev.shell(f"content insert --uri content://com.android.contacts/data --bind raw_contact_id:i:{raw} "
              "--bind mimetype:s:vnd.android.cursor.item/name --bind data2:s:Grace --bind data3:s:Hopper")
    assert content(dev, "content://com.android.contacts/contacts")[0]["display_name"] == "Grace Hopper"


def test_settings_tables_hold_what_a_phone_holds(adb_device: AdbDevice) -> None:
    dev = adb_device
    for ns, key, value in (("secure", "zen_duration", "0"), ("global", "zen_mode", "0"),
                           ("secure", "long_press_timeout", "400"), ("system", "screen_off_timeout", "60000"),
                           ("global", "stay_on_while_plugged_in", "0"), ("system", "volume_ring", "5")):
        assert dev.shell(f"settings get {ns} {key}").stdout.decode().strip() == value
    for ns in ("system", "secure", "global"):
        assert len(dev.shell(f"settings list {ns}").stdout.splitlines()) >= 35
