"""Frames: one captured screen, kept as the bytes the device gave and decoded only when asked.

Keeping the capture's own bytes means the recorder can write them without re-encoding (a PNG
re-encode of a 1080x2400 screen costs tens of milliseconds) and the trajectory holds exactly what
the device produced.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from PIL import Image

from ..actions import Size

__all__ = ["Frame", "FrameFormat"]

FrameFormat = Literal["png", "jpeg", "webp", "rgba", "rgb", "bgra"]
"""Encoded formats, or raw pixel layouts (row-major, no padding)."""

_ENCODED = {"png", "jpeg", "webp"}
_RAW_MODES = {"rgba": ("RGBA", "RGBA"), "rgb": ("RGB", "RGB"), "bgra": ("RGB", "BGRX")}
_MAGIC = {b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpeg", b"RIFF": "webp"}


@dataclass(eq=False)
class Frame:
    """A screenshot: ``data`` as captured, its ``format`` and ``size``, and when it was taken."""

    data: bytes
    format: FrameFormat
    size: Size
    captured_at: float = field(default_factory=time.time)
    source: str = ""
    stream_pts_us: int | None = None  # a video stream's presentation time (scrcpy), for the record
    _image: Image.Image | None = field(default=None, repr=False)

    @classmethod
    def from_bytes(cls, data: bytes, *, captured_at: float | None = None, source: str = "") -> Frame:
        """An encoded image (PNG/JPEG/WebP); reads only the header to learn its size."""
        fmt = next((f for magic, f in _MAGIC.items() if data.startswith(magic)), None)
        if fmt is None:
            raise ValueError(f"not a PNG, JPEG or WebP image ({len(data)} bytes starting {data[:8]!r})")
        with Image.open(io.BytesIO(data)) as probe:
            size = Size(*probe.size)
        return cls(data, fmt, size, captured_at or time.time(), source)  # type: ignore[arg-type]

    @classmethod
    def from_raw(cls, data: bytes, size: Size, layout: Literal["rgba", "rgb", "bgra"], **kw: object) -> Frame:
        """Raw pixels (a framebuffer); checks the length so a truncated capture is caught here."""
        channels = 3 if layout == "rgb" else 4
        expected = size.width * size.height * channels
        if len(data) != expected:
            raise ValueError(f"raw {layout} frame of {size} needs {expected} bytes, got {len(data)}")
        return cls(data, layout, size, **kw)  # type: ignore[arg-type]

    @classmethod
    def from_image(cls, image: Image.Image, *, format: Literal["png", "jpeg"] = "png", **kw: object) -> Frame:
        """Encode a PIL image (for simulated screens and tests; drivers keep the device's bytes)."""
        buf = io.BytesIO()
        image.save(buf, format=format.upper(), compress_level=1) if format == "png" else image.save(buf, "JPEG")
        frame = cls(buf.getvalue(), format, Size(*image.size), **kw)  # type: ignore[arg-type]
        frame._image = image
        return frame

    @property
    def encoded(self) -> bool:
        return self.format in _ENCODED

    @property
    def image(self) -> Image.Image:
        """The decoded picture, RGB or RGBA; decoded once, on first use."""
        if self._image is None:
            if self.encoded:
                img = Image.open(io.BytesIO(self.data))
                img.load()
            else:
                mode, raw_mode = _RAW_MODES[self.format]
                img = Image.frombuffer(mode, self.size, self.data, "raw", raw_mode, 0, 1)
            self._image = img
        return self._image

    @property
    def suffix(self) -> str:
        """The file suffix :meth:`save` uses: the capture's own for encoded frames, else ``.png``."""
        return {"jpeg": ".jpg"}.get(self.format, f".{self.format}") if self.encoded else ".png"

    def to_png(self) -> bytes:
        """PNG bytes: the captured ones when the device sent PNG, else an encode."""
        if self.format == "png":
            return self.data
        buf = io.BytesIO()
        self.image.convert("RGB").save(buf, format="PNG", compress_level=1)
        return buf.getvalue()

    def save(self, path: Path | str) -> Path:
        """Write the frame; encoded captures go out byte-for-byte, raw ones as PNG."""
        path = Path(path)
        path.write_bytes(self.data if self.encoded else self.to_png())
        return path
