"""adb's file sync protocol, version 1 (STAT, LIST, RECV, SEND, QUIT): what push and pull speak.

Requests are ``id(4) length(u32 LE) payload``; files travel as DATA chunks of at most 64 KiB and
end with DONE (carrying the mtime on SEND). Errors go back as FAIL with a message the host prints.
"""

from __future__ import annotations

import stat as st
import struct
from typing import TYPE_CHECKING

from ._services import StreamReader
from ._vfs import Dir, FsError, Link

if TYPE_CHECKING:
    from ._adbd import Stream
    from ._phone import VirtualPhone

__all__ = ["SYNC_DATA_MAX", "run_sync"]

SYNC_DATA_MAX = 64 * 1024
_MAX_PATH = 1024


def _fail(stream: Stream, message: str) -> None:
    data = message.encode()
    stream.write(b"FAIL" + struct.pack("<I", len(data)) + data)


def _stat(phone: VirtualPhone, path: str) -> tuple[int, int, int]:
    try:
        node = phone.fs.lookup(path, follow=path.endswith("/"))
    except FsError:
        return 0, 0, 0
    return node.mode, node.size & 0xFFFFFFFF, node.mtime & 0xFFFFFFFF


def run_sync(phone: VirtualPhone, stream: Stream) -> None:
    reader = StreamReader(stream)
    while True:
        header = reader.read_exact(8)
        if header is None:
            return
        ident, length = header[:4], struct.unpack("<I", header[4:])[0]
        if ident in (b"STAT", b"LIST", b"RECV", b"SEND") and length > _MAX_PATH:
            _fail(stream, f"path too long: {length}")
            return
        payload = reader.read_exact(length) if length else b""
        if payload is None:
            return
        path = payload.decode("utf-8", "surrogateescape")
        if ident == b"STAT":
            mode, size, mtime = _stat(phone, path)
            stream.write(b"STAT" + struct.pack("<III", mode, size, mtime))
        elif ident == b"LIST":
            _list(phone, stream, path)
        elif ident == b"RECV":
            _recv(phone, stream, path)
        elif ident == b"SEND":
            if not _send(phone, stream, reader, path):
                return
        elif ident == b"QUIT":
            return
        else:
            _fail(stream, f"unknown command {ident!r}")
            return


def _list(phone: VirtualPhone, stream: Stream, path: str) -> None:
    try:
        entries = phone.fs.listdir(path)
    except FsError:
        entries = []
    out = bytearray()
    for name, node in entries:
        raw = name.encode("utf-8", "surrogateescape")
        out += b"DENT" + struct.pack("<IIII", node.mode, node.size & 0xFFFFFFFF, node.mtime & 0xFFFFFFFF, len(raw)) + raw
        if len(out) > SYNC_DATA_MAX:
            stream.write(bytes(out))
            out.clear()
    out += b"DONE" + struct.pack("<IIII", 0, 0, 0, 0)
    stream.write(bytes(out))


def _recv(phone: VirtualPhone, stream: Stream, path: str) -> None:
    try:
        data = phone.fs.read(path)
    except FsError as e:
        _fail(stream, e.strerror or "failed")
        return
    view = memoryview(data)
    limit = min(SYNC_DATA_MAX, stream.conn.max_payload - 8)
    out = bytearray()
    for start in range(0, len(view), limit):
        chunk = view[start:start + limit]
        out += b"DATA" + struct.pack("<I", len(chunk)) + chunk
        if len(out) >= stream.conn.max_payload - limit - 16:
            stream.write(bytes(out))
            out.clear()
    out += b"DONE" + struct.pack("<I", 0)
    stream.write(bytes(out))


def _send(phone: VirtualPhone, stream: Stream, reader: StreamReader, spec: str) -> bool:
    path, _, mode_text = spec.rpartition(",")
    if not path:
        path, mode_text = spec, "33188"
    try:
        mode = int(mode_text)
    except ValueError:
        mode = 0o100644
    chunks: list[bytes] = []
    mtime = 0
    room = phone.fs.capacity - phone.fs.used()
    received = 0
    while True:
        header = reader.read_exact(8)
        if header is None:
            return False
        ident, length = header[:4], struct.unpack("<I", header[4:])[0]
        if ident == b"DATA":
            if length > SYNC_DATA_MAX:
                _fail(stream, f"data chunk of {length} bytes exceeds {SYNC_DATA_MAX}")
                return False
            data = reader.read_exact(length)
            if data is None:
                return False
            received += len(data)
            if received <= room:  # past the free space, keep reading to DONE but hold nothing
                chunks.append(data)
            else:
                chunks.clear()
        elif ident == b"DONE":
            mtime = length
            break
        else:
            _fail(stream, f"invalid data message {ident!r}")
            return False
    if received > room:
        _fail(stream, "couldn't create file: No space left on device")
        return True
    try:
        if st.S_ISLNK(mode):
            raise FsError(1, path)  # the shell user cannot create links: EPERM
        existing = None
        try:
            existing = phone.fs.lookup(path)
        except FsError:
            pass
        if isinstance(existing, Dir):
            raise FsError(21, path)
        if isinstance(existing, Link):
            existing = None
        phone.fs.write(path, b"".join(chunks), mode=mode & 0o7777, parents=True, mtime=mtime or None)
        phone.files_changed(path)
    except FsError as e:
        _fail(stream, f"couldn't create file: {e.strerror}")
        return True
    stream.write(b"OKAY" + struct.pack("<I", 0))
    return True
