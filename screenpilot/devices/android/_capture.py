"""Screenshots from ``screencap``: checked, kept as the device's bytes, and never a silent black image.

adbutils' ``screenshot()`` returns a black image of the screen's size when ``screencap`` fails; a model
shown that would act on a screen that does not exist. Here a failed capture is an error, and a capture
that worked but is all black (screen off, or a FLAG_SECURE window that screencap is not allowed to read)
is reported as :class:`BlankScreen`, carrying the frame in case the caller wants it anyway.

Two formats: ``screencap -p`` (PNG, kept byte-for-byte so the recorder writes it without re-encoding) and
plain ``screencap`` (a header then raw pixels: no encode on the phone, ~10 MB over the wire at 1080x2400).
"""

from __future__ import annotations

import struct

from ...actions import Size
from ...perception import Frame
from .._errors import CaptureFailed
from ._errors import BlankScreen

__all__ = ["BLANK_CHECK_BYTES_PER_PIXEL", "check_blank", "decode_png", "decode_raw"]

_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_PNG_END = b"IEND\xaeB`\x82"

# screencap's raw pixel formats (android PixelFormat / HAL_PIXEL_FORMAT): code -> (bytes per pixel, layout)
_RAW_FORMATS: dict[int, tuple[int, str]] = {1: (4, "rgba"), 2: (4, "rgbx"), 3: (3, "rgb"), 4: (2, "rgb565"), 5: (4, "bgra")}

BLANK_CHECK_BYTES_PER_PIXEL = 0.05
"""A PNG this small per pixel is decoded to check whether it is blank. A uniform 1080x2400 screen takes
~8-50 kB (0.003-0.02 bytes/pixel at zlib levels 6-1, measured with Pillow); screens with content take more."""

_BLANK_HINT = (
    "the screen is off, or a secure window (FLAG_SECURE: banking, passwords, DRM video) hides it; "
    "wake the phone (key 'wakeup') and unlock it, or navigate away from the secure screen"
)


def _failed(what: str, stderr: bytes = b"") -> CaptureFailed:
    err = stderr.decode("utf-8", "replace").strip()
    return CaptureFailed(
        f"screencap {what}" + (f": {err}" if err else ""),
        hint="check that the phone is awake and unlocked; retry, or switch capture mode (png/raw)",
    )


def decode_png(data: bytes, *, source: str = "", captured_at: float | None = None) -> Frame:
    """A ``screencap -p`` output as a Frame of the same bytes; truncated or non-PNG output is an error."""
    if not data:
        raise _failed("returned nothing")
    if not data.startswith(_PNG_MAGIC):
        raise _failed(f"did not return a PNG ({len(data)} bytes starting {data[:16]!r})")
    if not data.rstrip(b"\r\n").endswith(_PNG_END):
        raise _failed(f"returned a truncated PNG ({len(data)} bytes, no IEND chunk)")
    try:
        return Frame.from_bytes(data.rstrip(b"\r\n"), source=source, captured_at=captured_at)
    except (ValueError, OSError) as exc:
        raise _failed(f"returned an unreadable PNG: {exc}") from exc


def decode_raw(data: bytes, *, source: str = "", captured_at: float | None = None) -> Frame:
    """Plain ``screencap``: u32 width, height, format (Android 9+ adds a u32 colour space), then pixels.

    The header's length is not announced, so it is whichever of 12 or 16 bytes makes the pixel count
    come out exact.
    """
    if len(data) < 12:
        raise _failed(f"returned {len(data)} bytes, too short for a raw header")
    width, height, fmt = struct.unpack_from("<3I", data)
    if fmt not in _RAW_FORMATS or not (0 < width <= 16384 and 0 < height <= 16384):
        raise _failed(f"returned an unknown raw header ({width}x{height}, pixel format {fmt})")
    bpp, layout = _RAW_FORMATS[fmt]
    need = width * height * bpp
    header = next((h for h in (16, 12) if len(data) == h + need), None)
    if header is None:
        raise _failed(f"returned {len(data)} bytes for a {width}x{height} frame of {need} pixel bytes (truncated)")
    pixels, size = data[header:], Size(width, height)
    kw = {"source": source, **({"captured_at": captured_at} if captured_at else {})}
    if layout in ("rgba", "bgra", "rgb"):
        return Frame.from_raw(pixels, size, layout, **kw)  # type: ignore[arg-type]
    from PIL import Image  # rare formats: normalise to RGB once (padding byte / 16-bit pixels)

    mode = "RGBX" if layout == "rgbx" else "BGR;16"
    image = Image.frombytes("RGB", size, pixels, "raw", mode)
    return Frame.from_raw(image.tobytes(), size, "rgb", **kw)


def check_blank(frame: Frame, *, threshold: float = BLANK_CHECK_BYTES_PER_PIXEL) -> Frame:
    """Raise :class:`BlankScreen` if every pixel is black; otherwise hand the frame back untouched.

    Raw frames are compared byte-wise (a few ms); an encoded frame is decoded only when it is small
    enough per pixel to possibly be uniform, so ordinary screens stay undecoded (lazy).
    """
    w, h = frame.size
    if frame.encoded and len(frame.data) > threshold * w * h:
        return frame
    if frame.format in ("rgba", "bgra"):
        px = frame.data[:4]
        black = px[:3] == b"\0\0\0" and frame.data == px * (w * h)
    elif frame.format == "rgb":
        black = frame.data == b"\0" * len(frame.data)
    else:  # decoded once and cached on the frame: whoever looks at it next pays nothing more
        image = frame.image
        if image.mode not in ("RGB", "RGBA", "L", "LA"):
            image = image.convert("RGB")
        # a box-filtered thumbnail: any lit pixel keeps its cell above zero, at a tenth of the cost
        small = image.reduce(8) if min(image.size) >= 64 else image
        colour_bands = small.getextrema()[: 1 if image.mode in ("L", "LA") else 3]
        black = all(hi == 0 for _, hi in colour_bands)  # type: ignore[misc]
    if black:
        raise BlankScreen(f"the screenshot ({frame.size}) is all black", frame, hint=_BLANK_HINT)
    return frame
