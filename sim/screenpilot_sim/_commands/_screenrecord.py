"""``screenrecord``: the screen to an H.264 MP4 on the phone, as Android 14's tool records it.

``screenrecord [--size WxH] [--bit-rate N] [--time-limit S] [--verbose] FILE`` records until the time
limit (180 s at most, as on a phone), or until it is interrupted (``kill -INT``, ``pkill -2
screenrecord``, Ctrl+C of ``adb shell``), and then finishes the file. Frames are variable-rate: a new
one is encoded only when the screen changed, as a phone's virtual display delivers them. Encoding uses
PyAV's libx264 (the ``scrcpy`` extra); the time base is the phone's clock.
"""

from __future__ import annotations

import io
import re
from fractions import Fraction
from typing import Any

from .._shell import CommandContext
from .._vfs import FsError
from ._registry import command

__all__: list[str] = []

_MAX_SECONDS = 180
_TICK_S = 1 / 30  # how often the screen is looked at (phone seconds)
_USAGE = ("Usage: screenrecord [options] <filename>\n\nAndroid screenrecord v1.4.  Records the device's display "
          "to a .mp4 file.\n\nOptions:\n--size WIDTHxHEIGHT\n    Set the video size, e.g. \"1280x720\".  Default is "
          "the device's main display resolution (if supported), 1280x720 if not.  For best results, use a size "
          "supported by the AVC encoder.\n--bit-rate RATE\n    Set the video bit rate, in bits per second.  Value "
          "may be specified as bits or megabits, e.g. '4000000' is equivalent to '4M'.  Default 20Mbps.\n"
          "--time-limit TIME\n    Set the maximum recording time, in seconds.  Default is 180. Set to 0 to "
          "remove the time limit.\n--verbose\n    Display interesting information on stdout.\n--help\n    Show "
          "this message.\n\nRecording continues until Ctrl-C is hit or the time limit is reached.\n")


def _bit_rate(text: str) -> int:
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([mM]?)", text)
    if not m:
        raise ValueError(text)
    return int(float(m[1]) * (1_000_000 if m[2] else 1))


@command("screenrecord")
def screenrecord(ctx: CommandContext) -> int:
    phone = ctx.phone
    args = ctx.argv[1:]
    size: tuple[int, int] | None = None
    bit_rate, limit, verbose, path = 20_000_000, float(_MAX_SECONDS), False, None
    k = 0
    try:
        while k < len(args):
            a = args[k]
            if a in ("--size", "--bit-rate", "--time-limit", "--output-format", "--rotate") and k + 1 < len(args):
                value = args[k + 1]
                if a == "--size":
                    m = re.fullmatch(r"(\d+)x(\d+)", value)
                    if not m:
                        raise ValueError(value)
                    size = (int(m[1]), int(m[2]))
                elif a == "--bit-rate":
                    bit_rate = _bit_rate(value)
                elif a == "--time-limit":
                    limit = float(value)
                    if limit < 0 or limit > _MAX_SECONDS:
                        ctx.err(f"Time limit {value} seconds outside bounds (1-{_MAX_SECONDS})\n")
                        return 2
                    limit = limit or float("inf")
                k += 2
                continue
            if a == "--verbose":
                verbose = True
            elif a in ("--help", "-h"):
                ctx.err(_USAGE)
                return 0
            elif a.startswith("-"):
                ctx.err(f"Unknown option '{a}'\n{_USAGE}")
                return 2
            else:
                path = a
            k += 1
    except ValueError as e:
        ctx.err(f"Invalid value '{e}'\n")
        return 2
    if path is None:
        ctx.err("Must specify output file (see --help).\n")
        return 2
    try:
        import av
    except ImportError:
        ctx.err("ERROR: no AVC encoder (the virtual phone records with PyAV: pip install 'screenpilot-sim[scrcpy]')\n")
        return 1
    w, h = size or phone.display_size()
    w, h = max(2, w & ~1), max(2, h & ~1)
    try:
        ctx.fs.write(ctx.path(path), b"")  # the file exists (and can be written) from the start, as on a phone
    except FsError as e:
        ctx.err(f"Unable to open '{path}': {e.strerror}\n")
        return 1
    if verbose:
        dw, dh = phone.display_size()
        ctx.out(f"Main display is {dw}x{dh} @60.00fps (orientation=ROTATION_{phone.rotation() * 90})\n"
                f"Configured video size {w}x{h}\nContent area is {w}x{h} at offset x=0 y=0\n")
        ctx.stdout.flush()
    data, frames, seconds = _record(phone, ctx.cancelled, av, (w, h), bit_rate, limit)
    try:
        ctx.fs.write(ctx.path(path), data)
    except FsError as e:
        ctx.err(f"Unable to write '{path}': {e.strerror}\n")
        return 1
    if verbose:
        ctx.out(f"Encoder stopping; recorded {frames} frames in {int(seconds)} seconds\n")
    return 0


def _record(phone: Any, cancelled: Any, av: Any, size: tuple[int, int], bit_rate: int,
            limit: float) -> tuple[bytes, int, float]:
    """Encode frames until the limit or a signal: the finished MP4, its frames and its length (s)."""
    from PIL import Image

    buf = io.BytesIO()
    container = av.open(buf, "w", format="mp4")
    stream = container.add_stream("libx264", rate=60)
    stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
    stream.time_base = Fraction(1, 1000)
    stream.codec_context.time_base = Fraction(1, 1000)
    stream.bit_rate = bit_rate
    stream.options = {"preset": "ultrafast", "crf": "23"}
    clock = phone.clock
    start = clock.uptime()
    last_key: Any = None
    last_pts = -1
    frames = 0
    while True:
        now = clock.uptime()
        elapsed = now - start
        with phone.lock:
            key = (phone._version, phone.screen_on, phone.settled())
            moving = not key[2]
            img = phone.frame() if key != last_key or moving else None
        if img is not None:
            last_key = key
            pts = max(last_pts + 1, int(elapsed * 1000))
            picture = img if img.size == size else img.resize(size, Image.Resampling.BILINEAR)
            frame = av.VideoFrame.from_image(picture.convert("RGB")).reformat(format="yuv420p")
            frame.pts = pts
            for packet in stream.encode(frame):
                container.mux(packet)
            last_pts = pts
            frames += 1
        if elapsed >= limit or clock.sleep(min(_TICK_S, max(0.0, limit - elapsed)), cancelled):
            break
    for packet in stream.encode():
        container.mux(packet)
    container.close()
    return buf.getvalue(), frames, clock.uptime() - start
