"""Scripted Qwen2.5-VL replies for agent tests: coordinates in the RESIZED image, as the model writes them.

The virtual phone is 1080x2400; Qwen2.5-VL sees it as 1092x2408, so a model that wants the device
pixel (970, 336) writes [981, 337]. ``tap`` does that mapping with the dialect's own space, so a test
names targets in device pixels and the reply carries what a real model would say.
"""

from __future__ import annotations

from typing import Any

from screenpilot.actions import Size, Tap, Terminate, Type
from screenpilot.agent._demo import demo_targets
from screenpilot.planner import dialect_for

DIALECT = dialect_for("qwen2.5-vl", "phone")
SCREEN = Size(1080, 2400)
SPACE = DIALECT.space(SCREEN)  # absolute pixels of the 1092x2408 resized image

# Targets on the virtual phone, in device pixels, read from its own UI tree (as the built-in demo does).
_TARGETS = demo_targets(SCREEN.width, SCREEN.height)
SETTINGS_ICON = _TARGETS["settings_icon"]  # launcher
NETWORK_ROW = _TARGETS["network_row"]  # Settings > Network & internet
WIFI_SWITCH = _TARGETS["wifi_switch"]  # Network & internet > Wi-Fi switch
EMPTY_AREA = (540, 1600)  # Network & internet: nothing there


def resized(x: float, y: float) -> tuple[int, int]:
    p = SPACE.to_model_point(Tap(point=(x, y)).point, integral=True)
    return int(p.x), int(p.y)


def tap(target: tuple[int, int], thought: str | None = None) -> str:
    x, y = resized(*target)
    head = f"<thinking>\n{thought}\n</thinking>\n" if thought else ""
    return head + f'<tool_call>\n{{"name": "mobile_use", "arguments": {{"action": "click", "coordinate": [{x}, {y}]}}}}\n</tool_call>'


def typing(text: str) -> str:
    return DIALECT.format(Type(text=text))


def done(status: str = "success") -> str:
    return DIALECT.format(Terminate(status=status))  # type: ignore[arg-type]


WIFI_ON = [tap(SETTINGS_ICON, "Open Settings."), tap(NETWORK_ROW, "Open Network & internet."),
           tap(WIFI_SWITCH, "Flip the Wi-Fi switch."), done()]


def taps(phone: Any) -> list[str]:
    """The ``input tap`` command lines the virtual phone has run, in order."""
    return [line for line in phone.records.lines() if line.startswith("input tap")]
