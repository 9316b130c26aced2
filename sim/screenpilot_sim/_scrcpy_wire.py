"""The scrcpy wire as the SERVER speaks it, for the two major versions the phone serves (3.x and 4.x).

What changed between them (scrcpy's doc/develop.md and its server sources):

* video stream header: 3.x sends codec id, width and height (``send_codec_meta``) once; 4.x sends the
  codec id alone (``send_stream_meta``) and then a 12-byte *session packet* (MSB set, width, height)
  at the start of every capture session (rotation, reset);
* frame header flags in the top bits of the 64-bit PTS: 3.x config = bit 63, key frame = bit 62; 4.x
  session = bit 63, config = bit 62, key frame = bit 61;
* control messages 18-22 (camera torch/zoom, resize display, scan file) exist only in 4.x.

Everything else used here (dummy byte, 64-byte device name, control messages 0-17, device messages)
is the same in both.
"""

from __future__ import annotations

import re
import struct
import unicodedata
import zipfile
from dataclasses import dataclass
from io import BytesIO

__all__ = [
    "CODEC_H264",
    "DEVICE_NAME_LENGTH",
    "Family",
    "UnsupportedVersion",
    "family_for",
    "jar_version",
    "typable_char",
]

CODEC_H264 = 0x68323634  # "h264"
DEVICE_NAME_LENGTH = 64
DEVICE_MSG_CLIPBOARD = 0
DEVICE_MSG_ACK_CLIPBOARD = 1


class UnsupportedVersion(ValueError):
    """A server version whose protocol the virtual phone does not serve."""


@dataclass(frozen=True)
class Family:
    """One major version's wire details (see the module docstring)."""

    major: int
    session_packets: bool
    config_flag: int
    key_flag: int
    stream_meta_option: str
    last_control_type: int

    def video_header(self, width: int, height: int) -> bytes:
        if self.session_packets:
            return struct.pack(">I", CODEC_H264)
        return struct.pack(">III", CODEC_H264, width, height)

    def session_packet(self, width: int, height: int) -> bytes:
        """4.x only: a new capture session (empty for 3.x, whose clients learn the size from the SPS)."""
        return struct.pack(">III", 0x80000000, width, height) if self.session_packets else b""

    def frame_header(self, pts_us: int, size: int, *, config: bool = False, key: bool = False) -> bytes:
        value = (self.config_flag if config else pts_us & (self.key_flag - 1)) | (self.key_flag if key else 0)
        return struct.pack(">QI", value, size)


_V3 = Family(3, False, 1 << 63, 1 << 62, "send_codec_meta", 17)
_V4 = Family(4, True, 1 << 62, 1 << 61, "send_stream_meta", 22)


def family_for(version: str) -> Family:
    """The wire family of a server version string (``3.3.4``, ``4.1``)."""
    major = version.split(".", 1)[0]
    if major == "3":
        return _V3
    if major == "4":
        return _V4
    raise UnsupportedVersion(f"scrcpy server {version} is not served by the virtual phone (3.x and 4.x are)")


def jar_version(data: bytes) -> str | None:
    """The version a scrcpy server jar was built as: the one ``N.N[.N]`` string in its dex string pool.

    ``BuildConfig.VERSION_NAME`` is a compile-time constant, so the dex holds it as a plain string
    (uleb128 length, MUTF-8 bytes, NUL); real server jars (1.24, 3.3.4, 4.x) hold exactly one such string.
    """
    try:
        with zipfile.ZipFile(BytesIO(data)) as jar:
            dex = jar.read("classes.dex")
    except (zipfile.BadZipFile, KeyError, OSError):
        return None
    if not dex.startswith(b"dex\n"):
        return None
    found = {m[2].decode() for m in _DEX_VERSION.finditer(dex) if m[1][0] == len(m[2])}
    return found.pop() if len(found) == 1 else None


_DEX_VERSION = re.compile(rb"([\x03-\x0a])(\d{1,3}\.\d{1,3}(?:\.\d{1,3})?)\x00")

_ACCENTS = {"\u0300", "\u0301", "\u0302", "\u0303", "\u0308"}  # grave, acute, circumflex, tilde, diaeresis


def typable_char(ch: str) -> bool:
    """Whether scrcpy's INJECT_TEXT can type ``ch``: the virtual keyboard's characters (printable ASCII,
    newline, tab), or a letter its KeyComposition builds from a dead key (é = acute + e). Anything
    else (CJK, emoji, ...) is dropped by the server with a warning, as on a phone."""
    if ch in "\n\t" or " " <= ch <= "~":
        return True
    decomposed = unicodedata.normalize("NFD", ch)
    return len(decomposed) == 2 and decomposed[0].isascii() and decomposed[0].isalpha() and decomposed[1] in _ACCENTS
