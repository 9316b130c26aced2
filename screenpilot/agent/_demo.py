"""The built-in demo: ``screenpilot run "Turn on Wi-Fi" --device sim`` with no model to download.

``scripted:demo`` is a scripted Qwen2.5-VL: the replies a capable model would give for this task on
the virtual phone, written in the dialect's own form with coordinates in the RESIZED image's pixels
(1092x2408 for the phone's 1080x2400), so the demo exercises the whole path: prompt, parse, mapping
to device pixels, validation, the driver over a real adb server, settle detection and recording.
The virtual phone ships with Wi-Fi on; the demo switches it off first, so the task has work to do.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from ..actions import Size, Tap, Terminate
from ..errors import ScreenPilotError
from ..planner import ScriptedBackend, dialect_for

__all__ = ["DEMO_SPEC", "DEMO_TASK", "demo_backend", "demo_from_spec", "demo_replies", "demo_targets", "prepare_demo_phone"]

DEMO_SPEC = "scripted:demo"
DEMO_TASK = "Turn on Wi-Fi"
_SCREEN = Size(1080, 2400)


def _center(bounds: Any) -> tuple[int, int]:
    return (bounds.left + bounds.right) // 2, (bounds.top + bounds.bottom) // 2


@cache
def demo_targets(width: int = _SCREEN.width, height: int = _SCREEN.height) -> dict[str, tuple[int, int]]:
    """Where, in device pixels, the demo's taps land: read from the virtual phone's own UI tree.

    A private phone of the same size is walked through the screens in-process (no adb), so the script
    follows the simulated apps' layout instead of hard-coding it.
    """
    from screenpilot_sim import PhoneConfig, VirtualPhone

    from ..perception import parse_uiautomator

    phone = VirtualPhone(PhoneConfig(width=width, height=height, animation_ms=0))

    def elements() -> list[Any]:
        _code, out, _err = phone.shell("uiautomator dump /data/local/tmp/demo.xml >/dev/null && "
                                       "cat /data/local/tmp/demo.xml")
        return parse_uiautomator(out[out.find("<"):]) or []

    def clickable_around(label: str, found: list[Any]) -> tuple[int, int]:
        title = next(e for e in found if e.label == label)
        point = title.bounds.center
        rows = [e for e in found if e.clickable and e.bounds.contains(point)]
        return _center(min(rows, key=lambda e: e.bounds.area).bounds)

    try:
        targets = {"settings_icon": clickable_around("Settings", elements())}
        phone.shell("am start -n com.android.settings/.Settings")
        targets["network_row"] = clickable_around("Network & internet", elements())
        phone.shell("am start -a android.settings.WIFI_SETTINGS")
        found = elements()
        row = next(e for e in found if e.resource_id.endswith("/wifi"))
        switch = next(e for e in found if e.checkable and e is not row and row.bounds.contains(e.bounds.center))
        targets["wifi_switch"] = _center(switch.bounds)
    except StopIteration:
        raise ScreenPilotError("the virtual phone's screens no longer show what the demo expects",
                               hint="this is a bug in the demo script: report it") from None
    finally:
        phone.db.close()
    return targets


def demo_replies() -> list[str]:
    """The demo's replies, coordinates mapped into Qwen2.5-VL's resized image (never device pixels)."""
    dialect = dialect_for("qwen2.5-vl", "phone")
    space = dialect.space(_SCREEN)
    where = demo_targets()
    steps = [
        (where["settings_icon"], "The home screen shows the Settings app. Wi-Fi is switched in Settings, so I open it.",
         "Opened Settings."),
        (where["network_row"], "Settings is open. Wi-Fi lives under 'Network & internet'.", "Opened Network & internet."),
        (where["wifi_switch"], "The Wi-Fi row says Off. I tap its switch to turn it on.", "Switched Wi-Fi on."),
    ]
    replies = [dialect.format(space.to_model(Tap(point=point), integral=True).action, thought=thought, summary=summary)
               for point, thought, summary in steps]
    replies.append(dialect.format(Terminate(status="success"), thought="The Wi-Fi switch shows On: the task is done.",
                                  summary="Wi-Fi is on."))
    return replies


def demo_backend() -> ScriptedBackend:
    return ScriptedBackend(demo_replies(), name=DEMO_SPEC)


def demo_from_spec(_rest: str, **options: Any) -> ScriptedBackend:
    """``scripted:demo`` as the backend table builds it."""
    return ScriptedBackend(demo_replies(), name=DEMO_SPEC, **options)


def check_demo(task: str, device: Any) -> None:
    """The demo knows one task on one phone; anything else gets a clear way forward."""
    if device != "sim":
        raise ScreenPilotError(
            f"{DEMO_SPEC} (the default model) is a built-in demo for the virtual phone only",
            hint="add --device sim to watch it, or choose a real model with --model local:PATH or openai:URL#MODEL",
        )
    if task.strip().rstrip(".").casefold() != DEMO_TASK.casefold():
        raise ScreenPilotError(
            f"{DEMO_SPEC} (the default model) only knows the task {DEMO_TASK!r}",
            hint=f'run screenpilot run "{DEMO_TASK}" --device sim, or choose a real model with --model',
        )


def prepare_demo_phone(phone: Any) -> None:
    """Switch the virtual phone's Wi-Fi off, so that turning it on is something to do."""
    phone.put_setting("global", "wifi_on", "0")
