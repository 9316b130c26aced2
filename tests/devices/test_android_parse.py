"""Readers of Android's shell output, fed the formats real phones print (Android 9-15, several OEMs).

The samples are trimmed to the lines that matter plus the neighbours that could confuse a reader."""

from __future__ import annotations

import pytest

from screenpilot.actions import Size
from screenpilot.devices.android._parse import (
    parse_focus,
    parse_getprop,
    parse_ime_list,
    parse_packages,
    parse_rotation,
    parse_wm_density,
    parse_wm_size,
)


def test_wm_size_with_and_without_override() -> None:
    plain = parse_wm_size("Physical size: 1080x2400\n")
    assert plain and plain.physical == Size(1080, 2400) and plain.override is None and plain.effective == Size(1080, 2400)
    over = parse_wm_size("Physical size: 1440x3200\nOverride size: 1080x2400\n")  # Samsung "FHD+" setting
    assert over and over.physical == Size(1440, 3200) and over.effective == Size(1080, 2400)
    same = parse_wm_size("Physical size: 1080x2400\r\nOverride size: 1080x2400\r\n")
    assert same and same.override is None
    assert parse_wm_size("Error: Unknown command") is None


def test_wm_density() -> None:
    d = parse_wm_density("Physical density: 420\nOverride density: 360\n")
    assert d and d.physical == 420 and d.effective == 360
    d = parse_wm_density("Physical density: 560")
    assert d and d.effective == 560 and d.override is None
    assert parse_wm_density("") is None


ANDROID_9_DISPLAY = """DISPLAY MANAGER (dumpsys display)
  mOnlyCode=false
  mGlobalDisplayState=ON
  mDefaultViewport=DisplayViewport{valid=true, displayId=0, uniqueId='local:0', orientation=1, logicalFrame=Rect(0, 0 - 2160, 1080), physicalFrame=Rect(0, 0 - 2160, 1080), deviceWidth=2160, deviceHeight=1080}
  mExternalTouchViewport=DisplayViewport{valid=false, displayId=0, uniqueId='null', orientation=0, logicalFrame=Rect(0, 0 - 0, 0), physicalFrame=Rect(0, 0 - 0, 0), deviceWidth=0, deviceHeight=0}
  Display Devices: size=1
  DisplayDeviceInfo{"Built-in Screen": uniqueId="local:0", 1080 x 2160, modeId 1, defaultModeId 1, density 440, 442.451 x 443.345 dpi, touch INTERNAL, rotation 0, type BUILT_IN, state ON, FLAG_DEFAULT_DISPLAY}
  Logical Displays: size=1
  Display 0:
    mBaseDisplayInfo=DisplayInfo{"Built-in Screen, displayId 0", uniqueId "local:0", app 1080 x 2160, real 1080 x 2160, rotation 0, density 440 (442.451 x 443.345) dpi, layerStack 0, type BUILT_IN, state ON}
    mOverrideDisplayInfo=DisplayInfo{"Built-in Screen, displayId 0", uniqueId "local:0", app 2160 x 1004, real 2160 x 1080, rotation 1, density 440 (442.451 x 443.345) dpi, layerStack 0, type BUILT_IN, state ON}
"""

ANDROID_14_DISPLAY = """DISPLAY MANAGER (dumpsys display)
  mSafeMode=false
  mViewports=[DisplayViewport{type=INTERNAL, valid=true, isActive=true, displayId=0, uniqueId='local:4619827259835644672', physicalPort=0, orientation=3, logicalFrame=Rect(0, 0 - 2400, 1080), physicalFrame=Rect(0, 0 - 2400, 1080), deviceWidth=2400, deviceHeight=1080}]
  DisplayDeviceInfo{"Built-in Screen": uniqueId="local:4619827259835644672", 1080 x 2400, modeId 1, renderFrameRate 60.000004, defaultModeId 1, HdrCapabilities{mSupportedHdrTypes=[], mMaxLuminance=500.0}, density 420, 409.432 x 411.891 dpi, touch INTERNAL, rotation 0, type INTERNAL, installOrientation ROTATION_0, state ON}
    mBaseDisplayInfo=DisplayInfo{"Built-in Screen", displayId 0, displayGroupId 0, FLAG_SECURE, real 1080 x 2400, hdrCapabilities HdrCapabilities{mSupportedHdrTypes=[], mMaxLuminance=500.0}, rotation 0, state ON, type INTERNAL, uniqueId "local:4619827259835644672", app 1080 x 2274, density 420 (409.432 x 411.891) dpi, installOrientation ROTATION_0}
    mOverrideDisplayInfo=DisplayInfo{"Built-in Screen", displayId 0, displayGroupId 0, FLAG_SECURE, real 2400 x 1080, hdrCapabilities HdrCapabilities{mSupportedHdrTypes=[], mMaxLuminance=500.0}, rotation 3, state ON, type INTERNAL, uniqueId "local:4619827259835644672", app 2274 x 1080, density 420 (409.432 x 411.891) dpi, installOrientation ROTATION_0}
"""

ANDROID_11_NO_LOGICAL = """  mViewports=[DisplayViewport{type=INTERNAL, valid=true, isActive=true, displayId=0, uniqueId='local:0', physicalPort=0, orientation=2, logicalFrame=Rect(0, 0 - 1080, 2340), deviceWidth=1080, deviceHeight=2340}, DisplayViewport{type=VIRTUAL, valid=true, displayId=2, uniqueId='virtual:com.android.systemui', orientation=0}]
  DisplayDeviceInfo{"Built-in Screen": uniqueId="local:0", 1080 x 2340, rotation 0, type INTERNAL}
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (ANDROID_9_DISPLAY, 1),
        (ANDROID_14_DISPLAY, 3),
        (ANDROID_11_NO_LOGICAL, 2),
        ("  SurfaceOrientation: 1\n", 1),  # dumpsys input, older builds
        ("  mRotation=2 mAltOrientation=false\n", 2),  # dumpsys window displays
        ("mCurrentRotation=ROTATION_270\n", 3),
        ("nothing here", None),
    ],
)
def test_rotation_from_each_format(text: str, expected: int | None) -> None:
    assert parse_rotation(text) == expected


FOCUS_9 = """WINDOW MANAGER WINDOWS (dumpsys window windows)
  mCurrentFocus=Window{5b1c4d8 u0 com.android.settings/com.android.settings.Settings}
  mFocusedApp=AppWindowToken{9f0e7 token=Token{3e2b1a6 ActivityRecord{a4f8401 u0 com.android.settings/.Settings t21}}}
"""
FOCUS_12 = """  mCurrentFocus=Window{1c2e3f4 u0 com.google.android.apps.nexuslauncher/com.google.android.apps.nexuslauncher.NexusLauncherActivity}
  mFocusedApp=ActivityRecord{b7e2a1d u0 com.google.android.apps.nexuslauncher/.NexusLauncherActivity t12}
"""
FOCUS_SHADE_14 = """  mCurrentFocus=Window{8fa1b2 u0 NotificationShade}
  mFocusedApp=ActivityRecord{6c0f6b4 u0 com.android.chrome/com.google.android.apps.chrome.Main t34}
"""
FOCUS_NULL_15 = """  mCurrentFocus=null
  mFocusedApp=ActivityRecord{6c0f6b4 u10 com.android.chrome/com.google.android.apps.chrome.Main t34}
"""
FOCUS_TWO_DISPLAYS = """  mCurrentFocus=Window{11 u0 com.example/com.example.ui.MainActivity$Inner}
  mFocusedApp=ActivityRecord{22 u0 com.example/.ui.MainActivity t3}
  mCurrentFocus=Window{33 u0 com.other/com.other.Cast}
"""


@pytest.mark.parametrize(
    ("text", "package", "activity", "window"),
    [
        (FOCUS_9, "com.android.settings", "com.android.settings.Settings", "com.android.settings/com.android.settings.Settings"),
        (
            FOCUS_12,
            "com.google.android.apps.nexuslauncher",
            "com.google.android.apps.nexuslauncher.NexusLauncherActivity",
            "com.google.android.apps.nexuslauncher/com.google.android.apps.nexuslauncher.NexusLauncherActivity",
        ),
        (FOCUS_SHADE_14, "com.android.chrome", "com.google.android.apps.chrome.Main", "NotificationShade"),
        (FOCUS_NULL_15, "com.android.chrome", "com.google.android.apps.chrome.Main", ""),
        (FOCUS_TWO_DISPLAYS, "com.example", "com.example.ui.MainActivity$Inner", "com.example/com.example.ui.MainActivity$Inner"),
        ("  mCurrentFocus=Window{44 u0 Application Not Responding: com.foo}\n", "", "", "Application Not Responding: com.foo"),
        ("mResumedActivity: ActivityRecord{5 u0 com.x/.Main t9}\n", "com.x", "com.x.Main", ""),
    ],
)
def test_focus_from_each_format(text: str, package: str, activity: str, window: str) -> None:
    focus = parse_focus(text)
    assert (focus.package, focus.activity, focus.window) == (package, activity, window)


def test_getprop_listing_and_ordered_values() -> None:
    listing = "[ro.build.version.release]: [14]\n[ro.build.version.sdk]: [34]\n[ro.product.model]: [Pixel 7]\n[empty]: []\n"
    assert parse_getprop(listing) == {
        "ro.build.version.release": "14",
        "ro.build.version.sdk": "34",
        "ro.product.model": "Pixel 7",
        "empty": "",
    }
    names = ["ro.build.version.release", "ro.build.version.sdk", "ro.product.model", "ro.product.manufacturer"]
    assert parse_getprop("9\n28\nSM-G960F\n\n", names) == dict(zip(names, ["9", "28", "SM-G960F", ""], strict=True))
    assert parse_getprop("15\n", names)["ro.product.model"] == ""


def test_packages_and_ime_lists() -> None:
    assert parse_packages("package:com.android.settings\npackage:com.foo.bar\n\n") == ["com.android.settings", "com.foo.bar"]
    assert parse_packages("package:/data/app/~~x==/com.foo-1/base.apk=com.foo\n") == ["com.foo"]
    assert parse_ime_list("com.android.adbkeyboard/.AdbIME\ncom.google.android.inputmethod.latin/com.android.inputmethod.latin.LatinIME\n") == [
        "com.android.adbkeyboard/.AdbIME",
        "com.google.android.inputmethod.latin/com.android.inputmethod.latin.LatinIME",
    ]
    long_form = "com.android.adbkeyboard/.AdbIME:\n  mId=com.android.adbkeyboard/.AdbIME mSettingsActivityName=null\n"
    assert parse_ime_list(long_form) == ["com.android.adbkeyboard/.AdbIME"]
