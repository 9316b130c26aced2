"""Screencap outputs as the driver reads them: kept bytes, raw headers of both lengths, and failures
(empty, truncated, not an image, all black) reported instead of turned into a black picture."""

from __future__ import annotations

import io
import struct

import pytest
from PIL import Image

from screenpilot.actions import Size
from screenpilot.devices import CaptureFailed
from screenpilot.devices.android import BlankScreen
from screenpilot.devices.android._capture import check_blank, decode_png, decode_raw


def png(image: Image.Image, level: int = 6) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "PNG", compress_level=level)
    return buf.getvalue()


def screen(size: tuple[int, int] = (108, 240)) -> Image.Image:
    image = Image.new("RGBA", size, (250, 250, 250, 255))
    for y in range(0, size[1], 7):
        for x in range(0, size[0], 5):
            image.putpixel((x, y), ((x * 7) % 256, (y * 3) % 256, 90, 255))
    return image


def test_png_is_kept_byte_for_byte_and_decoded_lazily() -> None:
    data = png(screen())
    frame = decode_png(data, source="test")
    assert frame.data == data and frame.format == "png" and frame.size == Size(108, 240)
    assert frame._image is None
    assert check_blank(frame) is frame and frame._image is None or frame.image.size == (108, 240)


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"", "returned nothing"),
        (b"/system/bin/sh: screencap: inaccessible or not found\n", "did not return a PNG"),
        (png(screen())[:-40], "truncated"),
    ],
)
def test_broken_png_output_is_a_capture_failure(data: bytes, match: str) -> None:
    with pytest.raises(CaptureFailed, match=match):
        decode_png(data)


@pytest.mark.parametrize("header_len", [12, 16])
@pytest.mark.parametrize(("fmt", "layout"), [(1, "rgba"), (5, "bgra")])
def test_raw_frames_with_either_header(header_len: int, fmt: int, layout: str) -> None:
    image = screen((30, 20))
    pixels = image.tobytes() if layout == "rgba" else image.tobytes("raw", "BGRA")
    header = struct.pack("<3I", 30, 20, fmt) + (struct.pack("<I", 1) if header_len == 16 else b"")
    frame = decode_raw(header + pixels)
    assert frame.size == Size(30, 20) and frame.format == layout
    assert frame.image.convert("RGB").tobytes() == image.convert("RGB").tobytes()


def test_raw_rgbx_and_rgb565_become_rgb() -> None:
    image = screen((8, 4)).convert("RGB")
    rgbx = image.convert("RGBA").tobytes()
    frame = decode_raw(struct.pack("<4I", 8, 4, 2, 1) + rgbx)
    assert frame.format == "rgb" and frame.image.tobytes() == image.tobytes()
    frame = decode_raw(struct.pack("<4I", 8, 4, 4, 1) + b"\x00\xf8" * 32)  # pure red in RGB565
    assert frame.image.getpixel((0, 0))[0] > 240


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"\x01\x00", "too short"),
        (struct.pack("<3I", 30, 20, 99) + b"\0" * 2400, "unknown raw header"),
        (struct.pack("<4I", 30, 20, 1, 1) + b"\0" * 100, "truncated"),
    ],
)
def test_broken_raw_output_is_a_capture_failure(data: bytes, match: str) -> None:
    with pytest.raises(CaptureFailed, match=match):
        decode_raw(data)


@pytest.mark.parametrize("level", [1, 6, 9])
def test_all_black_png_is_reported_with_its_frame(level: int) -> None:
    data = png(Image.new("RGBA", (1080, 2400), (0, 0, 0, 255)), level)
    with pytest.raises(BlankScreen, match="all black") as info:
        check_blank(decode_png(data))
    assert info.value.frame.data == data
    assert "secure window" in str(info.value)


def test_all_black_raw_is_reported_and_a_dark_screen_with_content_is_not() -> None:
    black = struct.pack("<4I", 40, 30, 1, 1) + b"\0\0\0\xff" * 1200
    with pytest.raises(BlankScreen):
        check_blank(decode_raw(black))
    dark = bytearray(b"\0\0\0\xff" * 1200)
    dark[4 * 600 : 4 * 600 + 3] = b"\xff\xff\xff"  # one lit pixel: a status-bar dot is content
    frame = decode_raw(struct.pack("<4I", 40, 30, 1, 1) + bytes(dark))
    assert check_blank(frame) is frame
    white = png(Image.new("RGB", (300, 600), (255, 255, 255)))
    assert check_blank(decode_png(white)).size == Size(300, 600)  # uniform but not black: a loading app
