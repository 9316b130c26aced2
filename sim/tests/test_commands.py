"""Android commands with the output formats and exit codes real phones give (through the real adb server)."""

from __future__ import annotations

import re

import pytest

from screenpilot_sim.testing import AdbDevice


def sh(dev: AdbDevice, command: str) -> tuple[int, str, str]:
    r = dev.shell(command)
    return r.returncode, r.stdout.decode(), r.stderr.decode()


def test_wm_size_and_density_with_overrides(adb_device: AdbDevice) -> None:
    assert sh(adb_device, "wm size") == (0, "Physical size: 1080x2400\n", "")
    assert sh(adb_device, "wm density") == (0, "Physical density: 420\n", "")
    sh(adb_device, "wm density 480")
    assert sh(adb_device, "wm density")[1] == "Physical density: 420\nOverride density: 480\n"
    assert sh(adb_device, "wm size 12x") == (255, "", "Error: bad size 12x\n")
    sh(adb_device, "wm density reset")
    assert sh(adb_device, "wm density")[1] == "Physical density: 420\n"


def test_dumpsys_display_reports_the_orientation(adb_device: AdbDevice) -> None:
    out = sh(adb_device, "dumpsys display")[1]
    assert re.search(r"orientation=0", out)
    sh(adb_device, "settings put system user_rotation 3")
    out = sh(adb_device, "dumpsys display")[1]
    assert next(m.group(1) for line in out.splitlines() if (m := re.search(r"orientation=(\d+)", line))) == "3"
    assert "real 2400 x 1080" in out


def test_dumpsys_window_reports_focus_and_activity(adb_device: AdbDevice) -> None:
    sh(adb_device, "am start -n com.android.settings/.Settings")
    out = sh(adb_device, "dumpsys window windows")[1]
    assert re.search(r"mCurrentFocus=Window\{\w+ u0 com\.android\.settings/com\.android\.settings\.Settings\}", out)
    assert re.search(r"mFocusedApp=ActivityRecord\{\w+ u0 com\.android\.settings/\.Settings t\d+\}", out)
    top = sh(adb_device, "dumpsys activity top")[1]
    assert re.search(r"ACTIVITY com\.android\.settings/\.Settings \w+ pid=\d+", top)


@pytest.mark.parametrize(("command", "code", "stderr_has"), [
    ("input tap 100", 255, 'java.lang.IllegalArgumentException: Argument expected after "100"'),
    ("input tap abc 5", 255, "Error: Invalid arguments for command: tap"),
    ("input swipe 1 2 3", 255, 'Argument expected after "3"'),
    ("input text", 255, 'Argument expected after "text"'),
    ("input text 'naïve'", 255, "java.lang.NullPointerException: Attempt to get length of null array"),
    ("input -d x tap 1 1", 255, "Error: Invalid arguments for display ID."),
])
def test_input_errors_are_java_exceptions_with_exit_255(adb_device: AdbDevice, command: str, code: int,
                                                       stderr_has: str) -> None:
    rc, _out, err = sh(adb_device, command)
    assert rc == code
    assert stderr_has in err
    assert err.startswith("\nException occurred while executing ")


def test_input_without_arguments_prints_usage_and_unknown_subcommands_say_so(adb_device: AdbDevice) -> None:
    rc, out, _ = sh(adb_device, "input")
    assert rc == 0 and out.startswith("Usage: input [<source>] [-d DISPLAY_ID] <command> [<arg>...]")
    assert sh(adb_device, "input wiggle") == (0, "Unknown command: wiggle\n", "")


def test_input_text_takes_one_argument_and_turns_percent_s_into_spaces(adb_device: AdbDevice) -> None:
    sh(adb_device, "am start -n org.screenpilot.notes/.EditorActivity")
    phone = adb_device.phone
    body = next(v for v in phone.windows()[0].walk() if v.rid.endswith("note_body_edit"))
    phone.tap(*((body.box[0] + body.box[2]) / 2, (body.box[1] + body.box[3]) / 2))
    sh(adb_device, "input text first second")  # two arguments: only the first is typed
    sh(adb_device, "input text '%s100%%s%%%sx'")
    field = phone.focused_field()
    assert field is not None and field.text == "first 100% %% x"  # AOSP: "%%s" -> "% ", "%%%s" -> "%% "


def test_input_keyevent_names_are_case_sensitive(adb_device: AdbDevice) -> None:
    sh(adb_device, "am start -n com.android.settings/.Settings")
    assert sh(adb_device, "input keyevent home") == (0, "", "")  # KEYCODE_UNKNOWN: nothing happens
    assert adb_device.phone.focused_component()[0] == "com.android.settings"
    sh(adb_device, "input keyevent KEYCODE_HOME")
    assert adb_device.phone.focused_component()[0] == "com.android.launcher3"


def test_am_start_force_stop_and_errors(adb_device: AdbDevice) -> None:
    rc, out, err = sh(adb_device, "am start -n com.android.contacts/.activities.PeopleActivity")
    assert (rc, out) == (0, "Starting: Intent { cmp=com.android.contacts/.activities.PeopleActivity }\n")
    rc, out, err = sh(adb_device, "am start -n com.nope/.Main")
    assert out == "Starting: Intent { cmp=com.nope/.Main }\n"
    assert err == "Error type 3\nError: Activity class {com.nope/com.nope.Main} does not exist.\n"
    rc, out, _ = sh(adb_device, "am start -W -n com.android.settings/.Settings")
    assert "Status: ok" in out and "Activity: com.android.settings/.Settings" in out and out.endswith("Complete\n")
    assert sh(adb_device, "am force-stop com.android.settings") == (0, "", "")
    assert adb_device.phone.focused_component()[0] == "com.android.launcher3"  # the stopped app was on top


def test_monkey_launches_and_reports(adb_device: AdbDevice) -> None:
    rc, out, _ = sh(adb_device, "monkey -p com.android.deskclock -c android.intent.category.LAUNCHER 1")
    assert rc == 0
    assert out.startswith("  bash arg: -p\n  bash arg: com.android.deskclock\n")
    assert "Events injected: 1\n" in out
    assert adb_device.phone.focused_component()[0] == "com.android.deskclock"
    rc, out, _ = sh(adb_device, "monkey -p com.nope -c android.intent.category.LAUNCHER 1")
    assert rc == 252 and out.endswith("** No activities found to run, monkey aborted.\n")


def test_pm_list_path_and_uninstall(adb_device: AdbDevice) -> None:
    out = sh(adb_device, "pm list packages")[1]
    assert "package:com.android.settings\n" in out and "package:org.screenpilot.notes\n" in out
    assert sh(adb_device, "pm list packages -3")[1] == "package:com.android.adbkeyboard\npackage:org.screenpilot.notes\n"
    assert sh(adb_device, "pm path com.android.settings")[1].startswith("package:/system/priv-app/")
    assert sh(adb_device, "pm path com.nope") == (1, "", "")
    assert sh(adb_device, "pm uninstall com.android.settings") == (1, "Failure [DELETE_FAILED_INTERNAL_ERROR]\n", "")
    assert sh(adb_device, "pm uninstall org.screenpilot.notes") == (0, "Success\n", "")
    assert "notes" not in sh(adb_device, "pm list packages")[1]


def test_settings_get_put_list_delete_and_bad_namespace(adb_device: AdbDevice) -> None:
    assert sh(adb_device, "settings get global wifi_on") == (0, "1\n", "")
    assert sh(adb_device, "settings get system no_such_key") == (0, "null\n", "")
    assert sh(adb_device, "settings put system my_key 'a value'") == (0, "", "")
    assert "my_key=a value\n" in sh(adb_device, "settings list system")[1]
    assert sh(adb_device, "settings delete system my_key") == (0, "Deleted 1 rows\n", "")
    assert sh(adb_device, "settings get nowhere x") == (255, "", "Invalid namespace 'nowhere'\n")


def test_getprop(adb_device: AdbDevice) -> None:
    assert sh(adb_device, "getprop ro.build.version.sdk") == (0, "34\n", "")
    assert sh(adb_device, "getprop no.such.prop") == (0, "\n", "")
    out = sh(adb_device, "getprop")[1]
    assert "[ro.product.model]: [Virtual Phone]\n" in out
    assert sh(adb_device, "setprop ro.secure 0")[0] == 1


def test_uiautomator_dump_to_file_and_tty(adb_device: AdbDevice) -> None:
    assert sh(adb_device, "uiautomator dump") == (0, "UI hierchary dumped to: /sdcard/window_dump.xml\n", "")
    xml = sh(adb_device, "cat /sdcard/window_dump.xml")[1]
    assert xml.startswith("<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation=\"0\">")
    for attr in ("bounds=", "text=", "content-desc=", "resource-id=", "class=", "package=", "clickable=", "focused=",
                 "checked=", "scrollable="):
        assert attr in xml
    tty = sh(adb_device, "uiautomator dump /dev/tty")[1]
    assert tty.startswith("<?xml") and tty.endswith("UI hierchary dumped to: /dev/tty\n")


def test_files_ls_cat_rm_with_toybox_messages(adb_device: AdbDevice) -> None:
    assert sh(adb_device, "ls /sdcard/Documents/Notes") == (0, "Ideas.txt\nShopping list.txt\n", "")
    assert sh(adb_device, "cat /nope") == (1, "", "cat: /nope: No such file or directory\n")
    assert sh(adb_device, "ls /data") == (1, "", "ls: /data: Permission denied\n")
    assert sh(adb_device, "rm /sdcard/Documents") == (1, "", "rm: /sdcard/Documents: Is a directory\n")
    assert sh(adb_device, "rm -f /sdcard/nothing; echo $?") == (0, "0\n", "")
    assert sh(adb_device, "touch /system/x") == (1, "", "touch: '/system/x': Read-only file system\n")
    assert sh(adb_device, "echo hi > /sdcard/a.txt && cat /sdcard/a.txt && rm /sdcard/a.txt && ls /sdcard/a.txt") == (
        1, "hi\n", "ls: /sdcard/a.txt: No such file or directory\n")


def test_content_query_format_and_errors(adb_device: AdbDevice) -> None:
    rc, out, _ = sh(adb_device, "content query --uri content://settings/global --where \"name='wifi_on'\"")
    assert rc == 0 and re.fullmatch(r"Row: 0 _id=\d+, name=wifi_on, value=1\n", out)
    assert sh(adb_device, "content query --uri content://com.android.contacts/contacts --where _id=999") == (
        0, "No result found.\n", "")
    rc, _, err = sh(adb_device, "content query --uri content://nope/x")
    assert rc == 1 and err.startswith("Error while accessing provider:nope\n")
    rc, _, err = sh(adb_device, "content query --uri content://com.android.contacts/contacts --where 'nonsense ='")
    assert rc == 1 and "SQLiteException" in err


def test_ime_list_and_errors(adb_device: AdbDevice) -> None:
    assert sh(adb_device, "ime list -s") == (0, "com.android.inputmethod.latin/.LatinIME\n", "")
    assert sh(adb_device, "ime list -a -s")[1].endswith("com.android.adbkeyboard/.AdbIME\n")
    assert sh(adb_device, "ime set com.nope/.Ime")[0] == 255


def test_cmd_and_svc(adb_device: AdbDevice) -> None:
    assert sh(adb_device, "cmd uimode night yes") == (0, "Night mode: yes\n", "")
    assert adb_device.phone.dark
    assert sh(adb_device, "svc wifi disable") == (0, "", "")
    assert sh(adb_device, "settings get global wifi_on")[1] == "0\n"
    assert sh(adb_device, "cmd nosuchservice") == (20, "", "cmd: Can't find service: nosuchservice\n")


def test_service_level_fixed_answers(adb_device: AdbDevice) -> None:
    r = adb_device.adb("root")
    assert b"adbd cannot run as root in production builds" in r.stdout + r.stderr


def test_power_key_turns_the_screen_off_and_on(adb_device: AdbDevice) -> None:
    import io

    from PIL import Image

    sh(adb_device, "input keyevent POWER")
    assert "mWakefulness=Asleep" in sh(adb_device, "dumpsys power")[1]
    img = Image.open(io.BytesIO(adb_device.adb("exec-out", "screencap -p").stdout))
    assert img.getextrema() == ((0, 0), (0, 0), (0, 0))
    sh(adb_device, "input keyevent KEYCODE_WAKEUP")
    assert "mHoldingDisplaySuspendBlocker=true" in sh(adb_device, "dumpsys power")[1]
    assert adb_device.adbutils().is_screen_on()


def test_adb_install_streams_the_apk_and_recognizes_adbkeyboard(adb_device: AdbDevice, tmp_path: object) -> None:
    import zipfile
    from pathlib import Path

    base = Path(str(tmp_path))
    assert adb_device.shell("pm uninstall com.android.adbkeyboard").stdout == b"Success\n"
    good = base / "ADBKeyboard.apk"
    with zipfile.ZipFile(good, "w") as z:  # the manifest holds the package name as UTF-16, as AXML does
        z.writestr("AndroidManifest.xml", b"\x03\x00\x08\x00" + "com.android.adbkeyboard".encode("utf-16-le"))
        z.writestr("classes.dex", b"dex\n035\0")
    r = adb_device.adb("install", str(good))
    assert r.returncode == 0 and b"Success" in r.stdout, r.stdout + r.stderr
    assert "package:com.android.adbkeyboard\n" in sh(adb_device, "pm list packages -3")[1]
    bad = base / "random.apk"
    bad.write_bytes(b"PK\x03\x04" + b"\0" * 100)
    r = adb_device.adb("install", str(bad))
    assert r.returncode != 0 and b"INSTALL_PARSE_FAILED_NOT_APK" in r.stdout + r.stderr
