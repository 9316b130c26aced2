"""Snapshot and restore of the whole phone: Python API, file format, the admin channel and the CLI."""

from __future__ import annotations

import io
import json
import statistics
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import ImageChops
from screenpilot_sim import AdminClient, PhoneConfig, SimError, VirtualPhone, read_manifest
from screenpilot_sim.testing import AdbDevice

NOTES = "org.screenpilot.notes"


def _busy_phone() -> VirtualPhone:
    """A phone with state everywhere: a note being edited, a new contact, a setting, a file, time."""
    phone = VirtualPhone(PhoneConfig(clock="10:30", animation_ms=0))
    phone.clock.restore({"uptime": 3600.0, "wall": 1_700_000_000.0})
    phone.user_activity()  # an hour passed in no time: someone touched it just now
    phone.shell("content insert --uri content://com.android.contacts/contacts --bind display_name:s:Zoë_Quartz")
    phone.shell("settings put global wifi_on 0; settings put system font_scale 1.15")
    phone.shell("echo pushed > /sdcard/Download/a.txt; mkdir -p /data/local/tmp/d; echo x > /data/local/tmp/d/y")
    phone.shell("am start -n com.android.settings/.Settings")
    phone.frame()  # Overview keeps a thumbnail of Settings
    phone.shell(f"am start -n {NOTES}/.EditorActivity")
    body = phone.state().field("note_body_edit")
    assert body is not None
    phone.tap(*_center(body.bounds))
    phone.shell("input text half%swritten")
    return phone


def _center(box: tuple[int, int, int, int]) -> tuple[float, float]:
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


def test_restore_brings_back_apps_files_settings_screen_ime_and_time() -> None:
    phone = _busy_phone()
    before_frame = phone.frame().copy()
    before = phone.state()
    data = phone.snapshot()

    phone.shell("input text MORE; settings put global wifi_on 1; rm /sdcard/Download/a.txt; input keyevent 3")
    phone.shell("content delete --uri content://com.android.contacts/contacts")
    phone.clock.restore({"uptime": 9.0, "wall": 1_800_000_000.0})
    phone.user_activity()
    assert phone.state().foreground != before.foreground

    phone.restore(data)
    after = phone.state()
    assert after.draft == {"title": "", "body": "half written"}
    assert after.foreground == NOTES and after.page == "edit" and after.ime_shown
    assert after.focused_field is not None and after.focused_field.resource_id.endswith("note_body_edit")
    assert [t.package for t in after.tasks] == [NOTES, "com.android.settings"]
    assert after.setting("global", "wifi_on") == "0" and after.setting("system", "font_scale") == "1.15"
    assert phone.shell("cat /sdcard/Download/a.txt /data/local/tmp/d/y")[1] == "pushed\nx\n"
    assert "Zoë_Quartz" in phone.shell("content query --uri content://com.android.contacts/contacts "
                                       "--projection display_name --where \"display_name LIKE 'Zo%'\"")[1]
    assert abs(int(phone.shell("date +%s")[1]) - 1_700_000_000) < 5
    assert 3600 <= phone.clock.uptime() < 3700
    assert ImageChops.difference(phone.frame().convert("RGB"), before_frame.convert("RGB")).getbbox() is None
    phone.key(187)  # Overview still shows both tasks, with Settings' picture
    xml = phone.ui_xml()
    assert 'content-desc="Settings"' in xml and 'content-desc="Notes"' in xml


def test_a_new_phone_starts_from_a_snapshot_and_a_fork_is_independent() -> None:
    data = _busy_phone().snapshot()
    fork = VirtualPhone.from_snapshot(data)
    other = VirtualPhone.from_snapshot(data)
    fork.shell("input text !")
    assert fork.state().draft == {"title": "", "body": "half written!"}
    assert other.state().draft == {"title": "", "body": "half written"}
    assert fork.config.clock == "10:30"


def test_restoring_the_default_phone_takes_a_few_milliseconds() -> None:
    phone = VirtualPhone(PhoneConfig(clock="10:30"))
    data = phone.snapshot()
    times = []
    for _ in range(15):
        start = time.perf_counter()
        phone.restore(data)
        times.append(time.perf_counter() - start)
    assert statistics.median(times) < 0.050  # the fleet's reset target (measured: ~1 ms)


def test_the_format_is_a_zip_with_a_manifest_and_standard_parts(tmp_path: Path) -> None:
    phone = _busy_phone()
    path = tmp_path / "phone.snap"
    phone.save_snapshot(path)
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        manifest = json.loads(z.read("manifest.json"))
        state = json.loads(z.read("state.json"))
        import tarfile

        with tarfile.open(fileobj=io.BytesIO(z.read("files.tar"))) as tar:
            members = tar.getnames()
        db = z.read("database.sqlite")
    assert {"manifest.json", "state.json", "files.tar", "database.sqlite"} <= names
    assert any(n.startswith("thumbnails/") and n.endswith(".png") for n in names)
    assert manifest["format"] == "screenpilot-sim-snapshot" and manifest["version"] == 1
    assert manifest["config"]["width"] == 1080 and read_manifest(path.read_bytes()) == manifest
    assert state["settings"]["global"]["wifi_on"] == "0" and state["clock"]["wall"] >= 1_700_000_000
    assert "storage/emulated/0/Download/a.txt" in members and "data/local/tmp/d/y" in members
    assert db.startswith(b"SQLite format 3\x00")
    fresh = VirtualPhone(PhoneConfig(clock="10:30"))
    fresh.load_snapshot(path)
    assert fresh.state().draft == {"title": "", "body": "half written"}
    assert not list(tmp_path.glob("*.tmp"))  # written atomically


def test_bad_snapshots_are_refused_with_one_line() -> None:
    phone = VirtualPhone()
    with pytest.raises(SimError, match="not a phone snapshot"):
        phone.restore(b"hello")
    data = phone.snapshot()
    newer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(newer, "w") as dst:
        for item in src.infolist():
            content = src.read(item)
            if item.filename == "manifest.json":
                content = json.dumps({**json.loads(content), "version": 99}).encode()
            dst.writestr(item, content)
    with pytest.raises(SimError, match="newer"):
        phone.restore(newer.getvalue())
    small = VirtualPhone(PhoneConfig(width=720, height=1600))
    with pytest.raises(SimError, match="another screen"):
        small.restore(data)
    assert VirtualPhone.from_snapshot(data).config.width == 1080


def test_restore_keeps_the_adb_link_and_works_through_an_adb_server(adb_device: AdbDevice) -> None:
    phone = adb_device.phone
    data = phone.snapshot()
    adb_device.shell("settings put global wifi_on 0")
    with adb_device.adbutils().open_transport() as c:  # the admin services are reachable through adb too
        c.send_command("sim:snapshot")
        c.check_okay()
        served = c.read_until_close(encoding=None)
    assert read_manifest(served)["format"] == "screenpilot-sim-snapshot"
    phone.restore(data)
    assert adb_device.shell("settings get global wifi_on").stdout == b"1\n"
    phone.restore(served)
    assert adb_device.shell("settings get global wifi_on").stdout == b"0\n"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "screenpilot_sim", *args], capture_output=True, text=True,
                          timeout=60, check=False)


def test_cli_saves_and_loads_a_served_phone_and_serve_starts_from_a_file(
        phone_process: Callable[..., tuple[subprocess.Popen[bytes], list[int]]], tmp_path: Path) -> None:
    seed = _busy_phone()
    start_file = tmp_path / "start.snap"
    seed.save_snapshot(start_file)
    _proc, (port,) = phone_process("--snapshot", str(start_file))
    client = AdminClient(port=port)
    assert client.faults()["drop"] == 0.0
    saved = tmp_path / "saved.snap"
    r = _cli("snapshot", "save", str(saved), "--port", str(port))
    assert r.returncode == 0 and f"saved the phone on 127.0.0.1:{port}" in r.stdout
    served = VirtualPhone.from_snapshot(saved.read_bytes())
    assert served.state().draft == {"title": "", "body": "half written"}  # it started from start.snap

    fresh = tmp_path / "fresh.snap"
    VirtualPhone(PhoneConfig(clock="10:30")).save_snapshot(fresh)
    r = _cli("snapshot", "load", str(fresh), "--port", str(port))
    assert r.returncode == 0, r.stderr
    assert VirtualPhone.from_snapshot(client.snapshot()).state().task is None
    r = _cli("snapshot", "info", str(saved))
    assert r.returncode == 0 and "screenpilot-sim-snapshot version 1" in r.stdout and "1080x2400" in r.stdout

    junk = tmp_path / "junk.snap"
    junk.write_bytes(b"not a zip")
    r = _cli("snapshot", "load", str(junk), "--port", str(port))
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and "not a phone snapshot" in r.stderr
    r = _cli("snapshot", "save", str(tmp_path / "x.snap"), "--port", "1")
    assert r.returncode == 1 and r.stderr.startswith("screenpilot-sim: error: no phone answers on 127.0.0.1:1")
