"""Recording people: demonstrations (``screenpilot record``) and the person's side of a takeover.

A person's actions are read from the device itself (a phone's touchscreen through ``getevent``, the X
server's input through XRecord), named as actions of the one vocabulary, and recorded as steps with
``actor: person`` through the same step runner as a model's (docs/record.md).
"""

from ._android import GeteventStream, PhoneChannel, key_action, typing_actions
from ._channel import DEFAULT_TYPING_PAUSE_S, ChannelBase
from ._desktop import DOUBLE_CLICK_S, DesktopChannel, XRecordStream
from ._gestures import DEFAULT_LONG_PRESS_MS, TOUCH_SLOP_DP, GestureRules, PanelMap, classify
from ._getevent import (
    AxisRange,
    InputDevice,
    KeyPress,
    RawEvent,
    Stroke,
    TouchTracker,
    parse_devices,
    parse_event_line,
    touchscreen,
)
from ._phone_screen import PhoneScreen, nav_button, parse_insets
from ._session import Demonstration, RecordResult, open_channel, record

__all__ = [
    "DEFAULT_LONG_PRESS_MS",
    "DOUBLE_CLICK_S",
    "DEFAULT_TYPING_PAUSE_S",
    "TOUCH_SLOP_DP",
    "AxisRange",
    "ChannelBase",
    "Demonstration",
    "DesktopChannel",
    "GestureRules",
    "GeteventStream",
    "InputDevice",
    "KeyPress",
    "PanelMap",
    "PhoneChannel",
    "PhoneScreen",
    "RawEvent",
    "RecordResult",
    "Stroke",
    "TouchTracker",
    "XRecordStream",
    "classify",
    "key_action",
    "nav_button",
    "open_channel",
    "parse_devices",
    "parse_event_line",
    "parse_insets",
    "record",
    "touchscreen",
    "typing_actions",
]
