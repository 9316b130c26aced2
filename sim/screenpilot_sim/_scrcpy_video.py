"""H.264 for the scrcpy video socket: the phone's frames through PyAV's libx264, packetised as MediaCodec does.

MediaCodec hands scrcpy a *config* buffer (SPS and PPS) before the first frame of each session, then one
buffer per frame. libx264 puts the parameter sets inside its first key frame instead, so they are cut
out here and sent first, flagged as config, as a phone's encoder would.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from PIL import Image

__all__ = ["EncodedFrame", "H264Encoder", "video_size"]

_CONFIG_NALS = {7, 8}  # SPS, PPS


def video_size(width: int, height: int, max_size: int) -> tuple[int, int]:
    """The size scrcpy encodes a screen at: ``max_size`` bounds the longer side (0: native), both sides
    rounded down to a multiple of 8 as the server does (encoders want aligned sizes)."""
    if max_size and max(width, height) > max_size:
        scale = max_size / max(width, height)
        width, height = round(width * scale), round(height * scale)
    return max(8, width & ~7), max(8, height & ~7)


def _nal_units(data: bytes) -> list[bytes]:
    """Annex-B NAL units, each with its start code."""
    starts: list[int] = []
    i = data.find(b"\x00\x00\x01")
    while i != -1:
        starts.append(i - 1 if i > 0 and data[i - 1] == 0 else i)
        i = data.find(b"\x00\x00\x01", i + 3)
    return [data[s:e] for s, e in zip(starts, [*starts[1:], len(data)], strict=True)]


def _nal_type(unit: bytes) -> int:
    offset = 4 if unit.startswith(b"\x00\x00\x00\x01") else 3
    return unit[offset] & 0x1F if len(unit) > offset else 0


class EncodedFrame:
    """One encoded frame: the parameter sets when this is a session's first frame, then the frame."""

    def __init__(self, config: bytes, payload: bytes, key: bool) -> None:
        self.config = config
        self.payload = payload
        self.key = key


class H264Encoder:
    """libx264 tuned as screen mirroring wants it: no B-frames, no lookahead, a key frame every 10 s."""

    def __init__(self, width: int, height: int, *, bit_rate: int = 8_000_000, fps: int = 60) -> None:
        import av  # the sim's `scrcpy` extra; imported only when a server starts

        self.size = (width, height)
        ctx: Any = av.CodecContext.create("libx264", "w")
        ctx.width, ctx.height, ctx.pix_fmt = width, height, "yuv420p"
        ctx.time_base = Fraction(1, 1_000_000)
        ctx.framerate = Fraction(fps, 1)
        ctx.gop_size = fps * 10
        # CRF keeps UI text sharp whatever the motion; bit_rate only caps what a burst may cost
        ctx.options = {"preset": "ultrafast", "tune": "zerolatency", "crf": "20",
                       "maxrate": str(bit_rate), "bufsize": str(bit_rate)}
        ctx.open()
        self._ctx = ctx
        self._first = True
        self._av = av

    def encode(self, image: Image.Image, pts_us: int) -> list[EncodedFrame]:
        if image.size != self.size:
            image = image.resize(self.size, Image.Resampling.BILINEAR)
        frame = self._av.VideoFrame.from_image(image.convert("RGB")).reformat(format="yuv420p")
        frame.pts = pts_us
        out = []
        for packet in self._ctx.encode(frame):
            data = bytes(packet)
            config = b""
            if self._first:
                units = _nal_units(data)
                config = b"".join(u for u in units if _nal_type(u) in _CONFIG_NALS)
                data = b"".join(u for u in units if _nal_type(u) not in _CONFIG_NALS)
                self._first = False
            out.append(EncodedFrame(config, data, bool(packet.is_keyframe)))
        return out
