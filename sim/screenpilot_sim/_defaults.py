"""A fresh phone's system properties and settings (the values an Android 14 device reports)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._config import PhoneConfig

__all__ = ["default_props", "default_settings"]


def default_props(c: PhoneConfig) -> dict[str, str]:
    build_id = "UP1A.231105.001"
    fingerprint = f"{c.manufacturer.lower()}/{c.product}/{c.device}:{c.android}/{build_id}/10817346:user/release-keys"
    return {
        "ro.product.name": c.product,
        "ro.product.model": c.model,
        "ro.product.device": c.device,
        "ro.product.brand": c.manufacturer.lower(),
        "ro.product.manufacturer": c.manufacturer,
        "ro.product.board": c.device,
        "ro.product.cpu.abi": "x86_64",
        "ro.product.cpu.abilist": "x86_64,arm64-v8a",
        "ro.product.locale": "en-US",
        "ro.build.version.release": c.android,
        "ro.build.version.release_or_codename": c.android,
        "ro.build.version.sdk": str(c.sdk),
        "ro.build.version.security_patch": "2023-11-05",
        "ro.build.id": build_id,
        "ro.build.display.id": build_id,
        "ro.build.type": "user",
        "ro.build.tags": "release-keys",
        "ro.build.fingerprint": fingerprint,
        "ro.build.characteristics": "default",
        "ro.serialno": c.serialno,
        "ro.boot.serialno": c.serialno,
        "ro.secure": "1",
        "ro.debuggable": "0",
        "ro.adb.secure": "1" if c.require_auth else "0",
        "ro.sf.lcd_density": str(c.density),
        "ro.hardware": c.device,
        "ro.kernel.qemu": "0",
        "sys.boot_completed": "1",
        "dev.bootcomplete": "1",
        "init.svc.adbd": "running",
        "service.adb.tcp.port": "5555",
        "persist.sys.locale": "en-US",
        "persist.sys.timezone": "UTC",
        "gsm.operator.alpha": "Virtual",
        "net.hostname": c.device,
    }


def default_settings(c: PhoneConfig) -> dict[str, dict[str, str]]:
    from ._apps.keyboard import LATIN_IME

    return {
        "system": {
            "screen_brightness": "102",
            "screen_brightness_mode": "0",
            "screen_off_timeout": "60000",
            "accelerometer_rotation": "0",
            "user_rotation": str(c.rotation),
            "font_scale": "1.0",
            "haptic_feedback_enabled": "1",
            "sound_effects_enabled": "1",
            "volume_music": "7",
            "time_12_24": "24",
        },
        "secure": {
            "android_id": "5d1e2c3b4a596877",
            "default_input_method": LATIN_IME,
            "enabled_input_methods": LATIN_IME,
            "selected_input_method_subtype": "-1",
            "ui_night_mode": "1",
            "location_mode": "3",
            "bluetooth_name": c.model,
            "show_ime_with_hard_keyboard": "0",
            "user_setup_complete": "1",
        },
        "global": {
            "airplane_mode_on": "0",
            "wifi_on": "1",
            "bluetooth_on": "0",
            "mobile_data": "1",
            "adb_enabled": "1",
            "development_settings_enabled": "1",
            "device_provisioned": "1",
            "device_name": c.model,
            "window_animation_scale": "1.0",
            "transition_animation_scale": "1.0",
            "animator_duration_scale": "1.0",
            "stay_on_while_plugged_in": "0",
            "auto_time": "1",
            "auto_time_zone": "1",
        },
    }
