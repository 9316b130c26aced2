"""Formats and services as Android 14 prints them: task stacks, input and window state, framebuffer,
reverse tunnels, streaming logcat, screenrecord, processes, the clipboard."""

from __future__ import annotations

import io
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from phonehelp import focus, host_site
from screenpilot_sim.testing import AdbDevice, wait_for


def test_am_stack_list_has_root_tasks_the_home_task_and_top_activities(adb_device: AdbDevice) -> None:
    dev = adb_device
    dev.shell("am start -n com.android.settings/.Settings; am start -a android.settings.WIFI_SETTINGS")
    dev.shell("input keyevent HOME; am start -n com.android.contacts/.activities.PeopleActivity")
    out = dev.shell("am stack list").stdout.decode()
    headers = re.findall(r"^RootTask id=(\d+) bounds=\[0,0\]\[1080,2400\] displayId=0 userId=0$", out, re.MULTILINE)
    assert len(headers) == 3
    # android_env's parser: the one visible task and its top activity
    visible = re.compile(r"^\ *taskId=(?P<id>[0-9]*): (?P<base>[^\s]*) .*visible=true"
                         r".*topActivity=ComponentInfo{(?P<top>[^\s]*)}$")
    rows = [m for line in dev.shell("am stack list | grep -E visible=true").stdout.decode().splitlines()
            if (m := visible.search(line))]
    assert [m["top"] for m in rows] == ["com.android.contacts/com.android.contacts.activities.PeopleActivity"]
    assert "taskId=1: com.android.launcher3/.uioverrides.QuickstepLauncher" in out  # the home task
    settings = re.search(r"taskId=(\d+): com.android.settings/.Settings .*topActivity=ComponentInfo\{([^}]+)\}", out)
    assert settings and settings[2] == "com.android.settings/com.android.settings.SubSettings"


def test_recents_have_ids_and_am_stack_remove_closes_them(adb_device: AdbDevice) -> None:
    dev = adb_device
    for pkg in ("com.android.settings", "com.android.contacts", "com.android.deskclock"):
        dev.shell(f"monkey -p {pkg} -c android.intent.category.LAUNCHER 1")
    out = dev.shell("dumpsys activity recents").stdout.decode()
    for recent_id in re.findall(r"id=(\d+)", out):  # android_world's close_recents, as it is written
        dev.shell(f"am stack remove {recent_id}")
    assert dev.phone.state().tasks == ()
    assert focus(dev) == "com.android.launcher3/com.android.launcher3.uioverrides.QuickstepLauncher"


def test_dumpsys_input_and_window_report_frames_and_rotation(adb_device: AdbDevice) -> None:
    dev = adb_device
    dev.shell("wm size 720x1600; settings put system user_rotation 1")
    inp = dev.shell("dumpsys input").stdout.decode()
    assert "logicalFrame=[0, 0, 1600, 720], physicalFrame=[0, 0, 1600, 720], deviceSize=[1080, 2400]" in inp
    assert re.search(r"^\s+InputDeviceOrientation:\s+1$", inp, re.MULTILINE)
    assert re.search(r"^\s+PhysicalWidth:\s+1600px$", inp, re.MULTILINE)
    win = dev.shell("dumpsys window | grep mCurrentRotation").stdout.decode()
    assert re.findall(r"mCurrentRotation=ROTATION_(\d+)", win) == ["90"]


def test_framebuffer_service_through_adbutils(adb_device: AdbDevice) -> None:
    img = adb_device.adbutils().framebuffer()
    assert img.size == (1080, 2400) and img.mode == "RGBA"
    assert img.convert("RGB").getpixel((540, 1200)) == adb_device.phone.frame().getpixel((540, 1200))


@pytest.fixture
def host_http() -> Iterator[int]:
    def page(path: str) -> tuple[int, bytes]:
        return 200, f"<html><title>Host page</title><h1>From the host</h1><p>path {path}</p></html>".encode()

    with host_site(page) as port:
        yield port


def test_reverse_forward_list_remove_and_a_real_tunnel(adb_device: AdbDevice, host_http: int) -> None:
    dev = adb_device
    d = dev.adbutils()
    d.reverse("tcp:12345", "tcp:4000")
    assert [(r.remote, r.local) for r in d.reverse_list()] == [("tcp:12345", "tcp:4000")]
    assert dev.adb("reverse", "tcp:8080", f"tcp:{host_http}").returncode == 0  # the stock adb client too
    assert f"tcp:8080 tcp:{host_http}" in dev.adb("reverse", "--list").stdout.decode()
    tunnel = dev.phone.reverses.connect(8080)
    assert tunnel is not None
    tunnel.write(b"GET /x HTTP/1.0\r\nHost: localhost\r\n\r\n")
    data = b""
    while (chunk := tunnel.read(timeout=10)) is not None:
        data += chunk
    assert data.startswith(b"HTTP/1.0 200") and b"path /x" in data
    d.reverse_remove("tcp:12345")
    assert [r.remote for r in d.reverse_list()] == ["tcp:8080"]
    d.reverse_remove_all()
    assert d.reverse_list() == [] and dev.phone.reverses.connect(8080) is None


def test_logcat_streams_what_log_writes_in_adbutils_format(adb_device: AdbDevice, tmp_path: Path) -> None:
    d = adb_device.adbutils()
    path = tmp_path / "logcat.txt"
    stop = d.logcat(path, clear=True, command="logcat -v time", re_filter="I/TAG")  # adbutils' own e2e test
    d.shell(["log", "-p", "i", "-t", "TAG", "hello"])
    wait_for(lambda: "hello" in path.read_text(), timeout=10, what="the line to stream in")
    stop.stop(timeout=10)  # a quiet phone still logs, so the reader wakes up and stops
    assert re.search(r"^\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} I/TAG\( *\d+\): hello$", path.read_text(), re.MULTILINE)
    out = adb_device.shell("log -p w -t Probe watch; logcat -d -s Probe:W").stdout.decode()
    assert re.search(r"^\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} +\d+ +\d+ W Probe +: watch$", out, re.MULTILINE)
    assert adb_device.shell("logcat -c; logcat -d -s Probe").stdout == b"--------- beginning of main\n"


def test_screenrecord_the_way_adbutils_drives_it(adb_device: AdbDevice, tmp_path: Path) -> None:
    av = pytest.importorskip("av")
    dev = adb_device
    dev.phone.clock.rate = 4.0
    dev.phone.config.animation_ms = 400
    d = dev.adbutils()
    script = "screenrecord --size 540x1200 \"$1\" &\nPID=$!\nread ANY\nkill -INT $PID\nwait\n"
    d.sync.push(script.encode(), "/sdcard/rec.sh")
    stream = d.shell(["sh", "/sdcard/rec.sh", "/sdcard/video.mp4"], stream=True)
    wait_for(lambda: "screenrecord" in dev.shell("pgrep -l screenrecord").stdout.decode(), what="recording")
    dev.shell("am start -n com.android.settings/.Settings")
    time.sleep(0.3)
    stream.send(b"\n")
    stream.read_until_close()
    stream.close()
    local = tmp_path / "video.mp4"
    d.sync.pull("/sdcard/video.mp4", local)
    with av.open(str(local)) as container:
        assert container.format.name.startswith("mov,mp4")
        frames = list(container.decode(video=0))
    assert len(frames) >= 2 and (frames[0].width, frames[0].height) == (540, 1200)
    assert frames[0].to_image().getpixel((270, 900)) != frames[-1].to_image().getpixel((270, 900))
    assert dev.shell("pgrep screenrecord").returncode == 1  # it ended with the signal


def test_pkill_stops_a_stream_from_another_shell_and_spares_apps(adb_device: AdbDevice) -> None:
    dev = adb_device
    result: dict[str, object] = {}
    reader = threading.Thread(target=lambda: result.setdefault("r", dev.shell("logcat -v brief", timeout=30)))
    reader.start()
    wait_for(lambda: dev.shell("pidof logcat").returncode == 0, what="logcat to run")
    assert dev.shell("pkill -2 logcat").returncode == 0
    reader.join(10)
    assert not reader.is_alive() and result["r"].returncode == 130  # type: ignore[attr-defined]
    dev.shell("am start -n com.android.settings/.Settings")
    r = dev.shell("pkill com.android.settings")
    assert r.returncode == 1 and b"Operation not permitted" in r.stderr
    assert dev.phone.state().foreground == "com.android.settings"


def test_the_clipboard_is_not_a_shell_command_but_clipper_reaches_it(adb_device: AdbDevice) -> None:
    dev = adb_device
    r = dev.shell("cmd clipboard get-primary-clip")
    assert r.returncode == 255 and r.stderr == b"No shell command implementation.\n"  # as stock Android 14
    dev.shell("pm install-existing ca.zgrs.clipper")
    out = dev.shell("am broadcast -a clipper.set -e text 'hello there'").stdout.decode()
    assert 'Broadcast completed: result=-1, data="Text is copied into clipboard."' in out
    assert dev.phone.state().clipboard == "hello there"
    assert 'data="hello there"' in dev.shell("am broadcast -a clipper.get").stdout.decode()


def test_a_snapshot_of_the_log_keeps_its_lines(adb_device: AdbDevice) -> None:
    phone = adb_device.phone
    phone.shell("log -t Keep kept")
    data = phone.snapshot()
    phone.shell("logcat -c")
    phone.restore(data)
    assert "kept" in phone.shell("logcat -d -s Keep")[1]
    assert io.BytesIO(data).read(2) == b"PK"
