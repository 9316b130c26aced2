"""Driver logic that needs no phone: rotation-aware mapping, error translation, backoff, app names."""

from __future__ import annotations

import pytest
from adbutils.errors import AdbConnectionError, AdbError, AdbTimeout

from screenpilot.actions import Point, Size
from screenpilot.devices import (
    DeviceError,
    DeviceNotFound,
    DeviceOffline,
    DeviceTimeout,
    DeviceUnauthorized,
    ServerUnavailable,
)
from screenpilot.devices.android import Backoff, ScreenChanged
from screenpilot.devices.android._apps import close_matches, looks_like_package, resolve_label
from screenpilot.devices.android._errors import translate
from screenpilot.devices.android._screen import input_point, logical_size


def test_rotation_swaps_the_natural_size() -> None:
    assert logical_size(Size(1080, 2400), 0) == Size(1080, 2400)
    assert logical_size(Size(1080, 2400), 1) == Size(2400, 1080)
    assert logical_size(Size(1080, 2400), 2) == Size(1080, 2400)
    assert logical_size(Size(1080, 2400), 3) == Size(2400, 1080)


def test_points_pass_through_on_the_same_screen_and_round() -> None:
    assert input_point(Point(539.6, 1200.2), Size(1080, 2400), Size(1080, 2400)) == (540, 1200)
    assert input_point(Point(2399, 0), Size(2400, 1080), Size(2400, 1080)) == (2399, 0)


def test_points_scale_to_an_override_resolution_of_the_same_shape() -> None:
    assert input_point(Point(1080, 2400), Size(1440, 3200), Size(1080, 2400)) == (810, 1800)
    assert input_point(Point(1439, 3199), Size(1440, 3200), Size(1080, 2400)) == (1079, 2399)


def test_a_point_planned_before_the_phone_turned_is_refused() -> None:
    with pytest.raises(ScreenChanged, match="rotated") as info:
        input_point(Point(100, 2000), Size(1080, 2400), Size(2400, 1080))
    assert "new screenshot" in str(info.value)


SERVER = "127.0.0.1:5037"


@pytest.mark.parametrize(
    ("exc", "kind", "words"),
    [
        (AdbConnectionError("connect to adb server failed: [Errno 111] Connection refused"), ServerUnavailable, "no adb server"),
        (ConnectionRefusedError(111, "Connection refused"), ServerUnavailable, "start-server"),
        (AdbTimeout("adb read timeout"), DeviceTimeout, "did not answer in time"),
        (TimeoutError("timed out"), DeviceTimeout, "did not answer in time"),
        (
            AdbError("device unauthorized.\nThis adb server's $ADB_VENDOR_KEYS is not set\nTry 'adb kill-server' if that seems wrong.\nOtherwise check for a confirmation dialog on your device."),
            DeviceUnauthorized,
            "device 'X1' unauthorized: accept the prompt on the phone",
        ),
        (AdbError("device offline"), DeviceOffline, "offline"),
        (AdbError("device still authorizing"), DeviceOffline, "still connecting"),
        (AdbError("device 'X1' not found"), DeviceNotFound, "not attached"),
        (AdbError("Unknown data: b''"), DeviceOffline, "dropped"),
        (EOFError("Expected 5 bytes, got 0"), DeviceOffline, "dropped"),
        (ConnectionResetError(104, "Connection reset by peer"), DeviceOffline, "dropped"),
        (AdbError("closed"), DeviceOffline, "dropped"),
        (AdbError("something new"), DeviceError, "adb: something new"),
    ],
)
def test_adbutils_failures_become_our_errors_with_a_hint(exc: BaseException, kind: type, words: str) -> None:
    err = translate(exc, serial="X1", server=SERVER)
    assert type(err) is kind
    assert words in str(err)
    assert err.hint


def test_backoff_doubles_up_to_its_cap_within_its_total() -> None:
    assert Backoff(first=0.1, cap=0.4, total=1.5).delays() == [0.1, 0.2, 0.4, 0.4, 0.4]
    assert sum(Backoff().delays()) <= Backoff().total


def test_app_labels_resolve_to_installed_packages() -> None:
    installed = {"com.google.android.deskclock", "com.android.settings", "org.example.notes"}
    assert resolve_label("Clock", installed) == "com.google.android.deskclock"
    assert resolve_label("  SETTINGS ", installed) == "com.android.settings"
    assert resolve_label("My Notes", installed, {"my notes": "org.example.notes"}) == "org.example.notes"
    assert resolve_label("Camera", installed) is None
    assert looks_like_package("com.android.settings") and not looks_like_package("Play Store")


def test_close_matches_name_labels_and_packages() -> None:
    near = close_matches("Setings", ["Settings", "Contacts"], ["com.android.settings", "com.foo.contacts"])
    assert near[0] == "Settings" and "com.android.settings" in near
    assert "com.foo.contacts" in close_matches("contact", [], ["com.android.settings", "com.foo.contacts"])


def test_importing_the_driver_loads_no_adbutils_and_starts_nothing() -> None:
    import subprocess
    import sys

    code = "import sys, screenpilot.devices.android, screenpilot.devices; print('adbutils' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert out.returncode == 0 and out.stdout.strip() == "False", out.stderr
