"""The android driver against the virtual phone through a real adb server: connecting, looking, acting.

Every check reads the phone's own state (or its UI tree, or adb's view of it), not the driver's word.
"""

from __future__ import annotations

import io

import pytest
from PIL import Image
from screenpilot_sim.testing import free_port, wait_for

from screenpilot.actions import (
    Answer,
    Key,
    LongPress,
    OpenApp,
    Point,
    Size,
    Swipe,
    SystemButton,
    Tap,
    Terminate,
    Wait,
)
from screenpilot.devices import (
    AndroidDevice,
    CaptureFailed,
    DeviceNotFound,
    DeviceUnauthorized,
    ServerUnavailable,
    UnsupportedAction,
)
from screenpilot.devices.android import Backoff, BlankScreen, ScreenChanged
from screenpilot.perception import DeviceAction, SettleOptions

PORTRAIT = Size(1080, 2400)


def act(device: AndroidDevice, action: object, size: Size = PORTRAIT):
    return device.execute(DeviceAction(action=action, size=size))


@pytest.fixture
def android(adb_device):
    return AndroidDevice(adb_device.serial, port=adb_device.server.port, backoff=Backoff(total=3.0))


def icon(device: AndroidDevice, label: str):
    return next(e for e in device.ui_tree() or [] if e.label == label and e.clickable)


# -- connecting ------------------------------------------------------------------------------------------


def test_connects_by_serial_and_to_the_only_device(adb_device, android) -> None:
    assert android.serial == adb_device.serial
    only = AndroidDevice(port=adb_device.server.port)
    assert only.serial == adb_device.serial


def test_no_adb_server_is_a_clear_error() -> None:
    with pytest.raises(ServerUnavailable, match="no adb server") as info:
        AndroidDevice(host="127.0.0.1", port=free_port())
    assert "start-server" in str(info.value)


def test_an_unknown_serial_lists_what_is_attached(adb_device) -> None:
    with pytest.raises(DeviceNotFound) as info:
        AndroidDevice("R58M00NOPE", port=adb_device.server.port, backoff=Backoff(total=0.2))
    assert "R58M00NOPE" in str(info.value) and adb_device.serial in str(info.value)


def test_no_device_and_several_devices_are_clear_errors(adb_device, adb_server_factory) -> None:
    empty = adb_server_factory()
    with pytest.raises(DeviceNotFound, match="no Android device is ready") as info:
        AndroidDevice(port=empty.port)
    assert "adb connect" in str(info.value)

    from screenpilot_sim import AdbdEndpoint, PhoneConfig, VirtualPhone

    second = AdbdEndpoint(VirtualPhone(PhoneConfig(model="Second Phone")), port=free_port()).start()
    try:
        adb_device.server.connect(second.serial)
        with pytest.raises(DeviceNotFound, match="2 devices are attached") as info:
            AndroidDevice(port=adb_device.server.port)
        assert adb_device.serial in str(info.value) and second.serial in str(info.value)
        assert "serial=" in str(info.value)
    finally:
        adb_device.server.run("disconnect", second.serial)
        second.stop()


def test_an_unauthorized_phone_says_to_accept_the_prompt(adb_device) -> None:
    from screenpilot_sim import AdbdEndpoint, PhoneConfig, VirtualPhone

    phone = VirtualPhone(PhoneConfig(require_auth=True))
    endpoint = AdbdEndpoint(phone, port=free_port()).start()
    try:
        adb_device.server.run("connect", endpoint.serial)
        adb_device.server.wait_state(endpoint.serial, "unauthorized")
        with pytest.raises(DeviceUnauthorized, match="accept the prompt on the phone") as info:
            AndroidDevice(endpoint.serial, port=adb_device.server.port, backoff=Backoff(total=0.2))
        assert "Always allow" in str(info.value)
        phone.auth.authorize()  # the person taps Allow
        adb_device.server.wait_state(endpoint.serial, "device")
        assert AndroidDevice(endpoint.serial, port=adb_device.server.port).info().model == "Virtual Phone"
    finally:
        adb_device.server.run("disconnect", endpoint.serial)
        endpoint.stop()


# -- device info -------------------------------------------------------------------------------------------


def test_info_reports_what_the_phone_is(adb_device, android) -> None:
    info = android.info()
    assert info.kind == "phone" and info.serial == adb_device.serial
    assert info.physical_size == Size(1080, 2400) and info.logical_size == Size(1080, 2400)
    assert info.density == 420 and info.rotation == 0
    assert info.model == "Virtual Phone" and info.manufacturer == "ScreenPilot"
    assert info.os == "Android 14 (SDK 34)"
    package = adb_device.phone.state().foreground
    assert info.foreground.startswith(package + "/")


def test_info_follows_overrides_and_rotation(adb_device, android) -> None:
    adb_device.shell("wm size 720x1600 && wm density 320")
    info = android.info()
    assert info.physical_size == Size(1080, 2400) and info.logical_size == Size(720, 1600)
    assert info.density == 320 and info.extra["physical_density"] == 420
    adb_device.shell("settings put system user_rotation 1")
    info = android.info()
    assert info.rotation == 1 and info.logical_size == Size(1600, 720)
    assert android.screenshot().size == Size(1600, 720)


def test_foreground_follows_the_app_in_front(adb_device, android) -> None:
    act(android, OpenApp(app="com.android.settings"))
    assert android.info().foreground.startswith("com.android.settings/")
    assert android.foreground().package == "com.android.settings"


# -- observation -------------------------------------------------------------------------------------------


def test_png_screenshot_keeps_the_devices_bytes(adb_device, android) -> None:
    android.capture = "png"
    frame = android.screenshot()
    assert frame.format == "png" and frame.size == PORTRAIT
    assert frame.data == adb_device.adb("exec-out", "screencap -p").stdout  # byte for byte, no re-encode
    assert frame.source.endswith("screencap -p")


def test_raw_and_png_captures_show_the_same_pixels(android) -> None:
    android.capture = "png"
    png = android.screenshot()
    android.capture = "raw"
    raw = android.screenshot()
    assert raw.format == "rgba" and raw.size == png.size
    assert raw.image.convert("RGB").tobytes() == png.image.convert("RGB").tobytes()


def test_auto_capture_times_both_and_keeps_the_faster(android) -> None:
    assert android.capture == "auto"
    frame = android.screenshot()
    assert set(android.capture_timings) == {"png", "raw"}
    assert android.capture == min(android.capture_timings, key=android.capture_timings.__getitem__)
    assert frame.format == ("png" if android.capture == "png" else "rgba")


def test_a_failing_screencap_is_an_error_not_a_black_picture(adb_device, android) -> None:
    adb_device.phone.faults.screencap_fails = True
    black = adb_device.adbutils().screenshot()  # what adbutils hands back for the same failure
    assert black.getextrema() == ((0, 0), (0, 0), (0, 0))
    for mode in ("png", "raw", "auto"):
        android.capture = mode
        with pytest.raises(CaptureFailed, match="screencap"):
            android.screenshot()


def test_a_black_screen_is_reported_with_its_frame(adb_device, android) -> None:
    act(android, Key(key="power"))  # screen off: screencap works and shows nothing
    for mode in ("png", "raw"):
        android.capture = mode
        with pytest.raises(BlankScreen, match="all black") as info:
            android.screenshot()
        assert "secure window" in str(info.value) and info.value.frame.size == PORTRAIT
    act(android, Key(key="wakeup"))
    assert android.screenshot().size == PORTRAIT


def test_ui_tree_elements_have_bounds_on_screen(android) -> None:
    tree = android.ui_tree()
    assert tree
    settings = icon(android, "Settings")
    assert 0 <= settings.bounds.left < settings.bounds.right <= 1080
    assert 0 <= settings.bounds.top < settings.bounds.bottom <= 2400
    png = Image.open(io.BytesIO(android.screenshot().to_png()))
    assert png.size == (1080, 2400)


# -- actions ---------------------------------------------------------------------------------------------------


def test_tap_lands_on_the_icon(adb_device, android) -> None:
    settings = icon(android, "Settings")
    result = act(android, Tap(point=settings.bounds.center))
    x, y = (round(v) for v in settings.bounds.center)
    assert result.ok and result.commands == [f"input tap {x} {y}"]
    assert adb_device.phone.state().foreground == "com.android.settings"


def test_a_tap_off_the_icon_opens_nothing(adb_device, android) -> None:
    settings = icon(android, "Settings")
    act(android, Tap(point=Point(settings.bounds.right + 200, settings.bounds.top - 40)))
    assert adb_device.phone.state().task is None


def test_keys_by_name_and_system_buttons(adb_device, android) -> None:
    phone = adb_device.phone
    before = int(phone.settings["system"]["volume_music"])
    act(android, Key(key="volume_up"))
    act(android, Key(key="KEYCODE_VOLUME_UP"))
    assert int(phone.settings["system"]["volume_music"]) == before + 2
    act(android, OpenApp(app="Settings"))
    assert phone.state().task is not None
    act(android, SystemButton(button="back"))
    assert phone.state().task is None
    act(android, OpenApp(app="Settings"))
    act(android, SystemButton(button="home"))
    assert phone.state().task is None
    with pytest.raises(UnsupportedAction, match="did you mean"):
        act(android, Key(key="volume_upp"))


def test_swipe_scrolls_the_list(adb_device, android) -> None:
    act(android, OpenApp(app="com.android.settings"))
    first = [e.label for e in android.ui_tree() or [] if e.clickable]
    result = act(android, Swipe(start=Point(540, 1900), end=Point(540, 700), duration_ms=200))
    assert result.commands == ["input swipe 540 1900 540 700 200"]
    after = [e.label for e in android.ui_tree() or [] if e.clickable]
    assert after != first


def test_long_press_is_a_held_swipe_on_one_point(adb_device, android) -> None:
    settings = icon(android, "Settings")
    result = act(android, LongPress(point=settings.bounds.center, duration_ms=600))
    x, y = (round(v) for v in settings.bounds.center)
    assert result.commands == [f"input swipe {x} {y} {x} {y} 600"]
    assert result.duration_s >= 0.6
    # as on Android, a held press on a launcher icon opens its shortcut menu, not the app
    assert adb_device.phone.state().foreground == "com.android.launcher3"
    assert any(e.label == "App info" for e in android.ui_tree() or [])


def test_open_app_by_package_and_label_and_a_clear_error_for_unknown(adb_device, android) -> None:
    phone = adb_device.phone
    assert "launched com.android.settings" in act(android, OpenApp(app="com.android.settings")).detail
    assert phone.state().foreground == "com.android.settings"
    act(android, SystemButton(button="home"))
    act(android, OpenApp(app="settings"))
    assert phone.state().foreground == "com.android.settings"
    with pytest.raises(UnsupportedAction, match="no app called 'Setings'") as info:
        act(android, OpenApp(app="Setings"))
    assert "Settings" in str(info.value)
    with pytest.raises(UnsupportedAction, match="com.example.nothere"):
        act(android, OpenApp(app="com.example.nothere"))


def test_wait_terminate_and_answer_send_nothing(adb_device, android) -> None:
    adb_device.records.clear()
    assert act(android, Wait(seconds=0.05)).commands == []
    for action in (Terminate(status="success"), Answer(text="42")):
        result = act(android, action)
        assert result.ends_episode and result.commands == []
    assert adb_device.records.lines() == []


def test_desktop_actions_are_refused_with_the_phone_equivalent(android) -> None:
    from screenpilot.actions import Click

    with pytest.raises(UnsupportedAction, match="use 'tap'"):
        act(android, Click(point=Point(10, 10)))


def test_actions_follow_rotation(adb_device, android) -> None:
    adb_device.shell("settings put system user_rotation 1")
    landscape = android.screenshot().size
    assert landscape == Size(2400, 1080)
    settings = icon(android, "Settings")
    assert settings.bounds.right <= 2400 and settings.bounds.bottom <= 1080
    act(android, Tap(point=settings.bounds.center), size=landscape)
    assert adb_device.phone.state().foreground == "com.android.settings"
    with pytest.raises(ScreenChanged, match="rotated"):
        act(android, Tap(point=Point(500, 2000)), size=PORTRAIT)


def test_commands_sent_are_recorded_and_none_is_unknown(adb_device, android) -> None:
    adb_device.records.clear()
    android.info()
    android.screenshot()
    android.ui_tree()
    act(android, Key(key="home"))
    assert adb_device.records.unknown == [] and adb_device.records.substitutions == []
    wait_for(lambda: any("input keyevent 3" in line for line in adb_device.records.lines()))


def test_open_app_by_a_label_only_the_launcher_knows(adb_device, android) -> None:
    """'Notes' is in no table of known apps: the driver finds its icon on the home screen and taps it."""
    result = act(android, OpenApp(app="notes"))
    assert "launcher icon 'Notes'" in result.detail
    assert adb_device.phone.state().foreground == "org.screenpilot.notes"


def test_open_app_through_the_callers_own_names(adb_device) -> None:
    device = AndroidDevice(adb_device.serial, port=adb_device.server.port, apps={"My Jotter": "org.screenpilot.notes"})
    assert "launched org.screenpilot.notes" in act(device, OpenApp(app="my jotter")).detail
    assert adb_device.phone.state().foreground == "org.screenpilot.notes"


def test_settle_waits_for_the_transition_to_end(adb_device, android) -> None:  # noqa: ANN001
    """What settle() hands back looks like the screen once the transition is over (to the comparison's
    tolerance: the last steps of an ease-out change less than it), and there was a change to wait for."""
    from screenpilot.perception import frame_difference

    phone = adb_device.phone
    phone.config.animation_ms = 400.0
    settings = icon(android, "Settings")
    android.screenshot()  # what the screen showed: the transition fades from it
    act(android, Tap(point=settings.bounds.center))
    assert not phone.settled()  # the transition is running: frames really change
    result = android.settle(SettleOptions(timeout_s=5, interval_s=0, stable_frames=1))
    assert result.settled and result.frame is not None and result.frame.size == PORTRAIT
    wait_for(phone.settled, what="the transition to end")
    final = android.screenshot()
    assert frame_difference(result.frame, final) == 0.0

    android.screenshot()
    act(android, SystemButton(button="back"))
    moving = android._settle_capture()  # a frame taken mid-transition differs from where it ends
    android.settle(SettleOptions(timeout_s=5, interval_s=0, stable_frames=1))
    wait_for(phone.settled, what="the transition to end")
    assert frame_difference(moving, android.screenshot()) > 0.0


def test_settle_gives_up_at_its_deadline_on_a_screen_that_keeps_moving(adb_device, android) -> None:
    adb_device.phone.config.animation_ms = 1500.0
    android.screenshot()
    act(android, Tap(point=icon(android, "Settings").bounds.center))
    # captures 0.1 s apart: a slow fade changes too little between back-to-back ones (see docs/android.md)
    result = android.settle(SettleOptions(timeout_s=0.4, interval_s=0.1, stable_frames=1))
    assert not result.settled and 0.4 <= result.waited_s < 1.5
    assert not adb_device.phone.settled()


def test_shell_v1_devices_still_get_exit_codes_and_exact_bytes(adb_device, android) -> None:
    """Phones whose adbd lacks shell_v2 (before Android 7): exit status through an appended `echo $?`."""
    assert android.link.shell_v2  # the virtual phone announces shell_v2, like Android 7+
    android.link.shell_v2 = False
    from screenpilot.devices.android import CommandFailed

    with pytest.raises(CommandFailed, match="exit 1"):
        android.shell("ls /no/such/dir")
    android.capture = "png"
    assert android.screenshot().data == adb_device.adb("exec-out", "screencap -p").stdout
    act(android, OpenApp(app="com.android.settings"))
    assert adb_device.phone.state().foreground == "com.android.settings"
