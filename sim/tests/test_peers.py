"""Peers' device control against the virtual phone, through a real adb server, as each peer drives a phone.

Three families, written here from what each peer sends to a phone and reads back (none of their code):

* adbutils' device API end to end, the calls its own end-to-end tests make (framebuffer, reverse and
  logcat among them);
* android_world's adb utilities (through android_env's call shapes): the foreground activity from
  ``am stack list``, orientation and logical size from ``dumpsys``, closing recents, contacts, Clipper;
* the Mobile-Agent and AppAgent controllers: ``screencap`` to /sdcard and ``adb pull``, ``uiautomator
  dump`` and parse, ``input tap/swipe/text/keyevent`` with their own quoting.

Each check is one parametrized case, so the count of peer functions that work is the test count.
"""

from __future__ import annotations

import io
import re
import shlex
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from screenpilot_sim.testing import AdbDevice, wait_for

Check = Callable[[Any, AdbDevice, Path], None]


def _icon(dev: AdbDevice, label: str, attr: str = "content-desc") -> tuple[int, int]:
    """The center of the node whose ``attr`` is ``label`` (or whose resource-id ends with it)."""
    pattern = (rf'resource-id="[^"]*{re.escape(label)}"' if attr == "resource-id" else rf'{attr}="{re.escape(label)}"')
    m = re.search(pattern + r'[^>]*bounds="\[(\d+),(\d+)\]\[(\d+),(\d+)\]"', dev.adbutils().dump_hierarchy())
    assert m, label
    l, t, r, b = (int(v) for v in m.groups())
    return (l + r) // 2, (t + b) // 2


# -- adbutils ---------------------------------------------------------------------------------------------
def _shell(d: Any, dev: AdbDevice, tmp: Path) -> None:
    for text in ("foo", "?", "&", "but    123"):
        assert d.shell(["echo", "-n", text]) == text
    assert d.shell("pwd", rstrip=False) in ("/\n", "/\r\n")
    assert d.shell(["echo", "-n", "hello world"], stream=True).read_until_close() == "hello world"


def _shell_timeout(d: Any, dev: AdbDevice, tmp: Path) -> None:
    import adbutils

    with pytest.raises(adbutils.AdbTimeout):
        d.shell("sleep 10", timeout=1.0)


def _shell2(d: Any, dev: AdbDevice, tmp: Path) -> None:
    res = d.shell2("echo -n 'hello'; false")
    assert res.output == "hello" and res.returncode == 1


def _identity(d: Any, dev: AdbDevice, tmp: Path) -> None:
    assert d.get_serialno() == dev.serial and d.get_state() == "device"  # the transport's name over TCP
    assert d.shell("getprop ro.serialno") == "SPVIRT0001"
    assert d.prop.model == "Virtual Phone" and d.getprop("ro.build.version.sdk") == "34"


def _switches(d: Any, dev: AdbDevice, tmp: Path) -> None:
    d.switch_airplane(True)
    assert dev.shell("settings get global airplane_mode_on").stdout == b"1\n"
    d.switch_airplane(False)
    d.switch_wifi(False)
    assert dev.shell("settings get global wifi_on").stdout == b"0\n"
    d.switch_wifi(True)
    d.switch_screen(False)
    assert d.is_screen_on() is False
    d.switch_screen(True)
    assert d.is_screen_on() is True


def _gestures(d: Any, dev: AdbDevice, tmp: Path) -> None:
    d.keyevent(4)
    x, y = _icon(dev, "Settings")
    d.click(x, y)
    assert d.app_current().package == "com.android.settings"
    d.swipe(540, 1900, 540, 700, 0.3)
    d.keyevent("HOME")
    assert d.app_current().package == "com.android.launcher3"


def _send_keys(d: Any, dev: AdbDevice, tmp: Path) -> None:
    d.shell("am start -n org.screenpilot.notes/.EditorActivity")
    d.click(*_icon(dev, "note_body_edit", "resource-id"))
    d.send_keys("1234")
    assert (dev.phone.state().draft or {}).get("body") == "1234"


def _wlan_ip(d: Any, dev: AdbDevice, tmp: Path) -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+\.\d+", d.wlan_ip())


def _apps(d: Any, dev: AdbDevice, tmp: Path) -> None:
    assert "com.android.deskclock" in d.list_packages()
    d.app_start("com.android.deskclock")
    assert d.app_current().package == "com.android.deskclock"
    d.app_stop("com.android.deskclock")
    assert d.app_current().package != "com.android.deskclock"
    info = d.app_info("org.screenpilot.notes")
    assert info is not None and info.version_name == "1.0" and info.path.endswith("base.apk")
    d.app_clear("com.android.deskclock")


def _sync(d: Any, dev: AdbDevice, tmp: Path) -> None:
    target = "/data/local/tmp/hi.txt"
    d.sync.push(io.BytesIO(b"Hello 1"), target)
    assert d.sync.read_bytes(target) == b"Hello 1"
    local = tmp / "hi.txt"
    local.write_text("Hello Android")
    d.sync.push(local, target)
    assert d.sync.read_text(target) == "Hello Android"
    d.sync.pull(target, tmp / "dst.txt")
    assert (tmp / "dst.txt").read_text() == "Hello Android"
    assert b"".join(d.sync.iter_content(target)) == b"Hello Android"
    d.shell(["touch", "/data/local/tmp/touch.txt"])
    assert d.sync.exists("/data/local/tmp/touch.txt")
    d.remove("/data/local/tmp/touch.txt")
    assert not d.sync.exists("/data/local/tmp/touch.txt")


def _push_pull_dirs(d: Any, dev: AdbDevice, tmp: Path) -> None:
    src = tmp / "src"
    (src / "a" / "aa").mkdir(parents=True)
    (src / "a" / "aa" / "aa1.txt").write_text("aa1")
    (src / "b.txt").write_text("b")
    assert dev.adb("push", str(src), "/data/local/tmp/tree").returncode == 0  # adb push of a folder
    d.sync.pull_dir("/data/local/tmp/tree", tmp / "out")
    assert (tmp / "out" / "a" / "aa" / "aa1.txt").read_text() == "aa1" and (tmp / "out" / "b.txt").read_text() == "b"


def _screens(d: Any, dev: AdbDevice, tmp: Path) -> None:
    im = d.screenshot()
    assert im.mode == "RGB" and im.size == (1080, 2400)
    assert d.window_size() == (1080, 2400) and d.rotation() == 0
    fb = d.framebuffer()
    assert fb.size == (1080, 2400)
    xml = d.dump_hierarchy()
    assert xml.startswith("<?xml") and xml.rstrip().endswith("</hierarchy>")


def _brightness(d: Any, dev: AdbDevice, tmp: Path) -> None:
    d.brightness_value = 200
    assert d.brightness_value == 200


def _browser(d: Any, dev: AdbDevice, tmp: Path) -> None:
    d.open_browser("https://example.org")
    assert dev.phone.state().foreground in ("org.chromium.webview_shell", "com.android.permissioncontroller")


def _forward_reverse(d: Any, dev: AdbDevice, tmp: Path) -> None:
    d.forward("tcp:11221", "tcp:7912")
    assert any(i.local == "tcp:11221" and i.remote == "tcp:7912" and i.serial == d.serial for i in d.forward_list())
    assert isinstance(d.forward_port("tcp:7912"), int)
    d.reverse("tcp:12345", "tcp:4000")
    assert any(i.remote == "tcp:12345" and i.local == "tcp:4000" for i in d.reverse_list())
    d.forward_remove_all()


def _logcat(d: Any, dev: AdbDevice, tmp: Path) -> None:
    path = tmp / "logcat.txt"
    stop = d.logcat(path, clear=True, command="logcat -v time", re_filter="I/TAG")
    d.shell(["log", "-p", "i", "-t", "TAG", "hello"])
    wait_for(lambda: "hello" in path.read_text(), timeout=10, what="the log line")
    stop.stop(timeout=10)
    assert re.search(r"I/TAG.*hello", path.read_text())


def _screenrecord(d: Any, dev: AdbDevice, tmp: Path) -> None:
    pytest.importorskip("av")
    dev.phone.clock.rate = 8.0
    d.start_recording(str(tmp / "video.mp4"))
    time.sleep(0.3)
    d.stop_recording()
    assert (tmp / "video.mp4").read_bytes()[4:8] == b"ftyp"


ADBUTILS: dict[str, Check] = {
    "shell": _shell, "shell_timeout": _shell_timeout, "shell2": _shell2, "identity": _identity,
    "switch_airplane_wifi_screen": _switches, "keyevent_click_swipe_app_current": _gestures,
    "send_keys": _send_keys, "wlan_ip": _wlan_ip, "app_start_stop_info_clear": _apps, "sync": _sync,
    "push_pull_dirs": _push_pull_dirs, "screenshot_window_rotation_framebuffer_dump": _screens,
    "brightness": _brightness, "open_browser": _browser, "forward_reverse": _forward_reverse, "logcat": _logcat,
    "screenrecord": _screenrecord,
}


@pytest.mark.parametrize("name", list(ADBUTILS))
def test_adbutils(name: str, adb_device: AdbDevice, tmp_path: Path) -> None:
    ADBUTILS[name](adb_device.adbutils(), adb_device, tmp_path)


# -- android_world (adb calls as android_env issues them: one argv, joined by adb) ----------------------------
def _aw(dev: AdbDevice, *args: str) -> str:
    """android_env's generic request: ``adb shell ARG ARG ...`` (a '|' among them is the phone's pipe)."""
    r = dev.adb(*args)
    assert r.returncode == 0, r.stderr
    return r.stdout.decode()


def _aw_current_activity(dev: AdbDevice) -> None:
    dev.shell("am start -n com.android.settings/.Settings")
    visible = _aw(dev, "shell", "am", "stack", "list", "|", "grep", "-E", "visible=true")
    m = re.search(r".*\{(.*)\}", visible)
    assert m and m[1] == "com.android.settings/com.android.settings.Settings"


def _aw_orientation_and_size(dev: AdbDevice) -> None:
    dev.shell("settings put system accelerometer_rotation 0; settings put system user_rotation 1")
    rot = re.findall(r"mCurrentRotation=ROTATION_(\d+)", _aw(dev, "shell", "dumpsys window | grep mCurrentRotation"))
    assert int(rot[0]) // 90 == 1
    size = re.findall(r"logicalFrame=\[0, 0, (\d+), (\d+)\]", _aw(dev, "shell", "dumpsys input | grep logicalFrame"))
    assert (int(size[0][0]), int(size[0][1])) == (2400, 1080)
    frame = re.findall(r"physicalFrame=\[(\d+), (\d+), (\d+), (\d+)\]",
                       _aw(dev, "shell", "dumpsys input | grep physicalFrame"))
    assert frame and int(frame[0][2]) == 2400
    assert re.search(r"Physical size: (\d+)x(\d+)", _aw(dev, "shell", "wm size"))


def _aw_close_recents(dev: AdbDevice) -> None:
    for pkg in ("com.android.settings", "com.android.deskclock"):
        _aw(dev, "shell", "monkey", "-p", pkg, "1")
    for recent in re.findall(r"id=(\d+)", _aw(dev, "shell", "dumpsys", "activity", "recents")):
        _aw(dev, "shell", "am", "stack", "remove", recent)
    assert dev.phone.state().tasks == ()


def _aw_contacts(dev: AdbDevice) -> None:
    rows = _aw(dev, "shell", "content", "query", "--uri", "content://contacts/phones/", "--projection",
               "display_name:number")
    assert rows.count("Row:") == 40 and "display_name=Alice" in rows
    _aw(dev, "shell", "pm", "clear", "com.android.providers.contacts")
    assert "No result found." in _aw(dev, "shell", "content", "query", "--uri", "content://contacts/phones/")


def _aw_clipboard(dev: AdbDevice) -> None:
    _aw(dev, "shell", "pm", "install-existing", "ca.zgrs.clipper")
    _aw(dev, "shell", "am", "start", "-n", "ca.zgrs.clipper/ca.zgrs.clipper.Main")
    out = _aw(dev, "shell", "am", "broadcast", "-a", "clipper.set", "-e", "text", r"hello\ world")
    assert "Broadcast completed: result=-1, data=" in out
    got = _aw(dev, "shell", "am", "broadcast", "-a", "clipper.get")
    assert got.split("data=")[1].strip('"\n') == "hello world"


def _aw_long_press_and_text(dev: AdbDevice) -> None:
    x, y = _icon(dev, "Notes")
    _aw(dev, "shell", "input", "swipe", str(x), str(y), str(x), str(y), "1000")  # android_world's long_press
    assert "App info" in dev.adbutils().dump_hierarchy()
    dev.shell("input keyevent BACK; am start -n org.screenpilot.notes/.EditorActivity")
    _aw(dev, "shell", "input", "tap", *(str(v) for v in _icon(dev, "note_body_edit", "resource-id")))
    for word in ("it", "%s", "works"):  # type_text: word by word, spaces as %s, shell characters escaped
        _aw(dev, "shell", "input", "text", word.replace("'", "\\'"))
    assert (dev.phone.state().draft or {}).get("body") == "it works"


ANDROID_WORLD: dict[str, Callable[[AdbDevice], None]] = {
    "get_current_activity": _aw_current_activity, "orientation_logical_size_physical_frame": _aw_orientation_and_size,
    "close_recents": _aw_close_recents, "contacts": _aw_contacts, "clipboard_via_clipper": _aw_clipboard,
    "long_press_and_type_text": _aw_long_press_and_text,
}


@pytest.mark.parametrize("name", list(ANDROID_WORLD))
def test_android_world(name: str, adb_device: AdbDevice) -> None:
    ANDROID_WORLD[name](adb_device)


# -- Mobile-Agent and AppAgent (the adb CLI, one command per action, files through /sdcard) --------------------
class Controller:
    """What both controllers do on a phone, by the same commands: screenshots saved on the phone and
    pulled, UI XML dumped and pulled, input commands with their own text quoting."""

    def __init__(self, dev: AdbDevice, work: Path) -> None:
        self.dev = dev
        self.work = work

    def adb(self, command: str) -> str:
        r = self.dev.server.run("-s", self.dev.serial, *shlex.split(command))
        return r.stdout.decode()

    def screenshot(self, name: str) -> Path:
        self.adb(f"shell rm /sdcard/{name}.png")
        self.adb(f"shell screencap -p /sdcard/{name}.png")
        self.adb(f"pull /sdcard/{name}.png {self.work}")
        return self.work / f"{name}.png"

    def xml(self, name: str) -> Path:
        self.adb(f"shell uiautomator dump /sdcard/{name}.xml")
        self.adb(f"pull /sdcard/{name}.xml {self.work}")
        return self.work / f"{name}.xml"

    def elements(self, name: str) -> list[tuple[str, str, tuple[int, int]]]:
        """(resource-id, text or desc, center) of every clickable or focusable node (AppAgent's way)."""
        out = []
        for node in ET.parse(self.xml(name)).iter("node"):
            if node.get("clickable") == "true" or node.get("focusable") == "true":
                l, t, r, b = (int(v) for v in re.findall(r"\d+", node.get("bounds", "")))
                out.append((node.get("resource-id", ""), node.get("text") or node.get("content-desc", ""),
                            ((l + r) // 2, (t + b) // 2)))
        return out

    def size(self) -> tuple[int, int]:
        w, h = re.findall(r"Physical size: (\d+)x(\d+)", self.adb("shell wm size"))[0]
        return int(w), int(h)

    def tap(self, x: int, y: int) -> None:
        self.adb(f"shell input tap {x} {y}")

    def text(self, s: str) -> None:  # AppAgent: spaces as %s, apostrophes dropped
        self.adb(f"shell input text {s.replace(' ', '%s').replace(chr(39), '')}")

    def long_press(self, x: int, y: int, ms: int = 1000) -> None:
        self.adb(f"shell input swipe {x} {y} {x} {y} {ms}")

    def swipe(self, x: int, y: int, dx: int, dy: int, quick: bool = False) -> None:
        self.adb(f"shell input swipe {x} {y} {x + dx} {y + dy} {100 if quick else 400}")

    def back(self) -> None:
        self.adb("shell input keyevent KEYCODE_BACK")

    def home(self) -> None:  # Mobile-Agent's way home
        self.adb("shell am start -a android.intent.action.MAIN -c android.intent.category.HOME")


def _c_screenshot_and_size(c: Controller) -> None:
    path = c.screenshot("screenshot")
    assert Image.open(path).size == c.size() == (1080, 2400)


def _c_xml_tap_open_app(c: Controller) -> None:
    x, y = next(center for _rid, label, center in c.elements("home") if label == "Contacts")
    c.tap(x, y)
    assert any(rid.endswith("floating_action_button") for rid, _l, _c in c.elements("contacts"))


def _c_type_into_a_field(c: Controller) -> None:
    c.adb("shell am start -n org.screenpilot.notes/.EditorActivity")
    _rid, _label, (x, y) = next(e for e in c.elements("editor") if e[0].endswith("note_body_edit"))
    c.tap(x, y)
    c.text("buy oat milk, don't forget")
    assert (c.dev.phone.state().draft or {}).get("body") == "buy oat milk, dont forget"


def _c_swipe_scrolls(c: Controller) -> None:
    c.adb("shell am start -n com.android.contacts/.activities.PeopleActivity")
    before = [label for _r, label, _c in c.elements("a")]
    c.swipe(540, 1800, 0, -1000)
    assert [label for _r, label, _c in c.elements("b")] != before


def _c_long_press_back_home(c: Controller) -> None:
    x, y = next(center for _rid, label, center in c.elements("home") if label == "Clock")
    c.long_press(x, y)
    assert any(label == "App info" for _r, label, _c in c.elements("menu"))
    c.back()
    c.adb("shell am start -n com.android.settings/.Settings")
    c.home()
    assert c.dev.phone.state().task is None


CONTROLLERS: dict[str, Callable[[Controller], None]] = {
    "screenshot_pull_and_size": _c_screenshot_and_size, "xml_dump_parse_tap": _c_xml_tap_open_app,
    "input_text_quoting": _c_type_into_a_field, "swipe": _c_swipe_scrolls, "long_press_back_home": _c_long_press_back_home,
}


@pytest.mark.parametrize("name", list(CONTROLLERS))
def test_mobile_agent_and_appagent_controllers(name: str, adb_device: AdbDevice, tmp_path: Path) -> None:
    CONTROLLERS[name](Controller(adb_device, tmp_path))
