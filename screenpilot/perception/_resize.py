"""Qwen-VL's ``smart_resize``: the image size the model actually sees, hence its coordinate space.

Bit-for-bit the rule of qwen-vl-utils (``round`` is Python's, half to even). Defaults scale with the
factor as there: min 4·f² and max 16384·f² pixels (28 → 3136 / 12,845,056; 32 → 4096 / 16,777,216).
"""

from __future__ import annotations

import math

__all__ = ["MAX_RATIO", "QWEN25_FACTOR", "QWEN3_FACTOR", "image_tokens", "smart_resize"]

MAX_RATIO = 200
QWEN25_FACTOR = 28  # patch 14 x merge 2
QWEN3_FACTOR = 32  # patch 16 x merge 2


def smart_resize(
    height: int,
    width: int,
    factor: int = QWEN25_FACTOR,
    min_pixels: int | None = None,
    max_pixels: int | None = None,
) -> tuple[int, int]:
    """Return ``(height, width)`` rounded to multiples of ``factor`` within the pixel limits.

    Raises ValueError for a non-positive size, an aspect ratio over 200, or limits that leave no
    room for one patch (where qwen-vl-utils would hand back a zero-sized image).
    """
    if height <= 0 or width <= 0:
        raise ValueError(f"image size must be positive, got {width}x{height}")
    min_pixels = 4 * factor * factor if min_pixels is None else min_pixels
    max_pixels = 16384 * factor * factor if max_pixels is None else max_pixels
    if max(height, width) / min(height, width) > MAX_RATIO:
        raise ValueError(
            f"absolute aspect ratio must be smaller than {MAX_RATIO}, got {max(height, width) / min(height, width)}"
        )
    h_bar = max(factor, round(height / factor) * factor)
    w_bar = max(factor, round(width / factor) * factor)
    if h_bar * w_bar > max_pixels:
        beta = math.sqrt((height * width) / max_pixels)
        h_bar = math.floor(height / beta / factor) * factor
        w_bar = math.floor(width / beta / factor) * factor
    elif h_bar * w_bar < min_pixels:
        beta = math.sqrt(min_pixels / (height * width))
        h_bar = math.ceil(height * beta / factor) * factor
        w_bar = math.ceil(width * beta / factor) * factor
    if h_bar <= 0 or w_bar <= 0:
        raise ValueError(f"max_pixels={max_pixels} leaves no {factor}x{factor} patch for a {width}x{height} image")
    return h_bar, w_bar


def image_tokens(height: int, width: int, factor: int = QWEN25_FACTOR, **limits: int | None) -> int:
    """Visual tokens the model spends on one image: one per ``factor``×``factor`` block after resizing."""
    h, w = smart_resize(height, width, factor, **limits)
    return (h // factor) * (w // factor)
