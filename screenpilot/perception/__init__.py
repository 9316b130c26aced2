"""Perception: frames, coordinate spaces and the model's image geometry (UI trees and settle land here too)."""

from ._coords import Convention, CoordinateSpace, DeviceAction, ModelAction
from ._frame import Frame, FrameFormat
from ._resize import MAX_RATIO, QWEN3_FACTOR, QWEN25_FACTOR, image_tokens, smart_resize
from ._settle import SettleOptions, SettleResult, frame_difference, settle_screen, wait_until_settled
from ._uitree import parse_uiautomator

__all__ = [
    "MAX_RATIO",
    "QWEN25_FACTOR",
    "QWEN3_FACTOR",
    "Convention",
    "CoordinateSpace",
    "DeviceAction",
    "Frame",
    "FrameFormat",
    "ModelAction",
    "SettleOptions",
    "SettleResult",
    "frame_difference",
    "image_tokens",
    "parse_uiautomator",
    "settle_screen",
    "smart_resize",
    "wait_until_settled",
]
