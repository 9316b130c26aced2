"""The scrcpy protocol from the client's side, for the current major version (4.x) and the one before (3.x).

Source: scrcpy's doc/develop.md and the server's ``Streamer`` / ``ControlMessageReader`` /
``DeviceMessageWriter``. Client and server must be the exact same version (the server refuses any
other), so the version is read from the jar that will be pushed, and the wire follows it:

* after the dummy byte (forward tunnels) and the 64-byte device name on the first socket, the video
  socket starts with the codec id; 3.x adds width and height there, 4.x sends a 12-byte *session
  packet* (MSB set, then width and height) at the start of every capture session instead;
* each media packet has a 12-byte header: a 64-bit PTS in microseconds whose top bits are flags
  (3.x: config 63, key frame 62; 4.x: session 63, config 62, key frame 61), then a 32-bit size;
* control messages (client to device) are big-endian records led by a type byte; the ones used here
  (key, text, touch, back-or-screen-on, get/set clipboard) are the same in 3.x and 4.x.
"""

from __future__ import annotations

import re
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "ACTION_DOWN",
    "ACTION_MOVE",
    "ACTION_UP",
    "INJECT_TEXT_MAX_BYTES",
    "Header",
    "Wire",
    "read_jar_version",
    "wire_for",
]

ACTION_DOWN, ACTION_UP, ACTION_MOVE = 0, 1, 2
POINTER_FINGER = 0xFFFFFFFFFFFFFFFE  # POINTER_ID_GENERIC_FINGER
BUTTON_PRIMARY = 1
INJECT_TEXT_MAX_BYTES = 300  # the client truncates INJECT_TEXT there (ControlMessageReader.INJECT_TEXT_MAX_LENGTH)
CODECS = {0x68323634: "h264", 0x68323635: "h265", 0x00617631: "av1"}

MSG_KEYCODE, MSG_TEXT, MSG_TOUCH, MSG_BACK_OR_SCREEN_ON, MSG_GET_CLIPBOARD, MSG_SET_CLIPBOARD = 0, 1, 2, 4, 8, 9
MSG_RESET_VIDEO = 17
DEVICE_CLIPBOARD, DEVICE_ACK_CLIPBOARD, DEVICE_UHID_OUTPUT = 0, 1, 2


@dataclass(frozen=True)
class Header:
    """One 12-byte header off the video socket: a session start (4.x) or a media packet."""

    session: bool
    config: bool
    key: bool
    pts_us: int
    size: int  # payload bytes (media packets)
    width: int = 0  # session packets
    height: int = 0


@dataclass(frozen=True)
class Wire:
    """What differs between the major versions this client speaks."""

    version: str
    major: int

    @property
    def has_reset(self) -> bool:
        """RESET_VIDEO (type 17) exists since 3.1."""
        return (self.major, *(int(p) for p in self.version.split(".")[1:2])) >= (3, 1)

    @property
    def stream_meta_option(self) -> str:
        return "send_stream_meta" if self.major >= 4 else "send_codec_meta"

    def video_header_size(self) -> int:
        """Bytes after the device name: codec id (4.x), or codec id + width + height (3.x)."""
        return 4 if self.major >= 4 else 12

    def parse_header(self, raw: bytes) -> Header:
        if self.major >= 4 and raw[0] & 0x80:
            _flags, width, height = struct.unpack(">III", raw)
            return Header(True, False, False, 0, 0, width, height)
        value, size = struct.unpack(">QI", raw)
        if self.major >= 4:
            config, key, mask = bool(value >> 62 & 1), bool(value >> 61 & 1), (1 << 61) - 1
        else:
            config, key, mask = bool(value >> 63 & 1), bool(value >> 62 & 1), (1 << 62) - 1
        return Header(False, config, key, value & mask, size)

    def server_args(self, scid: int, *, max_size: int, max_fps: int, bit_rate: int) -> list[str]:
        """The server's ``key=value`` options for a forward tunnel, video + control, no audio."""
        return [self.version, f"scid={scid:08x}", "log_level=info", "tunnel_forward=true", "audio=false",
                "control=true", "video_codec=h264", f"max_size={max_size}", f"max_fps={max_fps}",
                f"video_bit_rate={bit_rate}", "clipboard_autosync=false", "cleanup=true", "power_on=true",
                "send_device_meta=true", "send_frame_meta=true", "send_dummy_byte=true",
                f"{self.stream_meta_option}=true"]


def wire_for(version: str) -> Wire:
    """The wire for a server version, or ValueError naming the versions this client speaks."""
    major = version.split(".", 1)[0]
    if major not in ("3", "4"):
        raise ValueError(f"scrcpy server {version}: this client speaks the 3.x and 4.x protocols")
    return Wire(version, int(major))


# -- control messages (client -> device) ----------------------------------------------------------------
def keycode(action: int, code: int, *, repeat: int = 0, meta: int = 0) -> bytes:
    return struct.pack(">BBIII", MSG_KEYCODE, action, code, repeat, meta)


def text(value: str) -> bytes:
    raw = value.encode("utf-8")
    return struct.pack(">BI", MSG_TEXT, len(raw)) + raw


def touch(action: int, x: int, y: int, width: int, height: int) -> bytes:
    """A finger at (x, y) in pixels of the video (its size goes along: stale sizes are ignored)."""
    pressure = 0 if action == ACTION_UP else 0xFFFF
    buttons = 0 if action == ACTION_UP else BUTTON_PRIMARY
    return struct.pack(">BBQiiHHHII", MSG_TOUCH, action, POINTER_FINGER, x, y, width, height, pressure,
                       BUTTON_PRIMARY if action != ACTION_MOVE else 0, buttons)


def reset_video() -> bytes:
    """A new capture session: its frames are captured after every message sent before this one."""
    return bytes([MSG_RESET_VIDEO])


def get_clipboard() -> bytes:
    return struct.pack(">BB", MSG_GET_CLIPBOARD, 0)  # COPY_KEY_NONE: read it, press nothing


def set_clipboard(value: str, *, sequence: int, paste: bool) -> bytes:
    raw = value.encode("utf-8")
    return struct.pack(">BQBI", MSG_SET_CLIPBOARD, sequence, int(paste), len(raw)) + raw


def text_chunks(value: str, limit: int = INJECT_TEXT_MAX_BYTES) -> list[str]:
    """``value`` cut on character boundaries into pieces of at most ``limit`` UTF-8 bytes."""
    chunks, current, size = [], [], 0
    for ch in value:
        n = len(ch.encode("utf-8"))
        if size + n > limit and current:
            chunks.append("".join(current))
            current, size = [], 0
        current.append(ch)
        size += n
    if current:
        chunks.append("".join(current))
    return chunks


# -- the jar ------------------------------------------------------------------------------------------------
_VERSION_IN_NAME = re.compile(r"scrcpy-server-v(\d+\.\d+(?:\.\d+)?)")
_VERSION_IN_DEX = re.compile(rb"(?<=[\x03-\x0a])\d{1,3}\.\d{1,3}(?:\.\d{1,3})?(?=\x00)")


def read_jar_version(path: Path) -> str | None:
    """The server version a jar was built as (``BuildConfig.VERSION_NAME``, a string in its dex), falling
    back to a ``scrcpy-server-vX.Y`` file name; None when neither says."""
    try:
        with zipfile.ZipFile(path) as jar:
            dex = jar.read("classes.dex")
        strings = {m.decode() for m in _VERSION_IN_DEX.findall(dex)
                   if dex[dex.index(m + b"\x00") - 1] == len(m)}
        if len(strings) == 1:
            return strings.pop()
    except (OSError, KeyError, zipfile.BadZipFile, ValueError):
        pass
    named = _VERSION_IN_NAME.search(path.name)
    return named[1] if named else None
