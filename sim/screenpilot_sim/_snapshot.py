"""A whole phone saved as bytes and put back: resume a run, reset between episodes, fork an episode.

The format is a ZIP archive (entries stored, not deflated: restoring must take milliseconds) that any
zip tool can list. Version 1 holds:

``manifest.json``
    ``{"format": "screenpilot-sim-snapshot", "version": 1, "created": <phone wall time>,
    "config": {PhoneConfig fields}}``.
``state.json``
    The phone's plain state: properties, the three settings tables, installed packages, tasks with
    their pages, focus and keyboard, screen power and lock, notifications, permissions, clipboard,
    logs and the clock (``{"uptime": s, "wall": epoch s}``). Transient animation values are left
    out: a restored screen is settled.
``files.tar``
    A POSIX tar of the shell user's writable trees (``storage/emulated/0`` = ``/sdcard`` and
    ``data/local/tmp``) with modes and mtimes. The read-only system image is rebuilt from the config.
``database.sqlite``
    The content providers' database (a SQLite file: ``sqlite3 database.sqlite .tables`` reads it).
``thumbnails/<task id>.png``
    What Overview shows for each task (scaled to a quarter).

A reader must refuse a ``format`` it does not know and a ``version`` newer than its own.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import sqlite3
import stat as st
import tarfile
import tempfile
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PIL import Image

from ._errors import SimError

if TYPE_CHECKING:
    from ._config import PhoneConfig
    from ._phone import VirtualPhone

__all__ = ["FORMAT", "VERSION", "WRITABLE_TREES", "read_manifest", "restore", "snapshot", "write_atomic"]

FORMAT = "screenpilot-sim-snapshot"
VERSION = 1
WRITABLE_TREES = ("/storage/emulated/0", "/data/local/tmp")
_SCREEN_FIELDS = ("width", "height", "density")


def snapshot(phone: VirtualPhone) -> bytes:
    """The phone's whole state as the bytes of a version-1 snapshot."""
    from ._vfs import Dir, File

    with phone.lock:
        state = phone._plain_state()
        tar_buf = io.BytesIO()
        with tarfile.open(fileobj=tar_buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
            for top in WRITABLE_TREES:
                for path, node in phone.fs.iter_tree(top):
                    info = tarfile.TarInfo(path.lstrip("/"))
                    info.mode = st.S_IMODE(node.mode)
                    info.mtime = node.mtime
                    if isinstance(node, Dir):
                        info.type = tarfile.DIRTYPE
                        tar.addfile(info)
                    elif isinstance(node, File):
                        info.size = len(node.data)
                        tar.addfile(info, io.BytesIO(bytes(node.data)))
        database = phone.db.serialize()
        thumbs = dict(phone.thumbnails)
        manifest = {"format": FORMAT, "version": VERSION, "created": phone.clock.wall(),
                    "config": dataclasses.asdict(phone.config)}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as z:
        z.writestr("manifest.json", json.dumps(manifest, indent=1, sort_keys=True))
        z.writestr("state.json", json.dumps(state, sort_keys=True, ensure_ascii=False))
        z.writestr("files.tar", tar_buf.getvalue())
        z.writestr("database.sqlite", database)
        for task_id, img in sorted(thumbs.items()):
            small = img.reduce(4) if min(img.size) >= 8 else img
            buf = io.BytesIO()
            small.save(buf, "PNG", compress_level=1)
            z.writestr(f"thumbnails/{task_id}.png", buf.getvalue())
    return out.getvalue()


def _open(data: bytes) -> tuple[zipfile.ZipFile, dict[str, Any]]:
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        manifest = json.loads(z.read("manifest.json"))
    except (zipfile.BadZipFile, KeyError, ValueError) as e:
        raise SimError(f"not a phone snapshot ({e})", hint="snapshots come from phone.snapshot() or "
                                                           "`screenpilot-sim snapshot save`") from None
    if manifest.get("format") != FORMAT:
        raise SimError(f"not a phone snapshot (format {manifest.get('format')!r})")
    version = manifest.get("version")
    if not isinstance(version, int) or version > VERSION:
        raise SimError(f"snapshot version {version!r} is newer than this phone reads ({VERSION})",
                       hint="upgrade screenpilot-sim")
    return z, manifest


def read_manifest(data: bytes) -> dict[str, Any]:
    """The manifest of a snapshot (format, version, creation time, config); SimError if it is not one."""
    return _open(data)[1]


def config_of(data: bytes) -> PhoneConfig:
    """The PhoneConfig a snapshot was taken with (for a new phone that starts from it)."""
    from ._config import PhoneConfig

    saved = read_manifest(data)["config"]
    known = {f.name for f in dataclasses.fields(PhoneConfig)}
    return PhoneConfig(**{k: v for k, v in saved.items() if k in known})


def restore(phone: VirtualPhone, data: bytes) -> None:
    """Put the phone back into the state ``data`` holds (SimError if it is no snapshot, or one of a
    phone with another screen)."""
    from ._vfs import Dir, File

    z, manifest = _open(data)
    saved = manifest.get("config", {})
    mismatch = [f"{k} {saved.get(k)} != {getattr(phone.config, k)}" for k in _SCREEN_FIELDS
                if saved.get(k) != getattr(phone.config, k)]
    if mismatch:
        raise SimError(f"the snapshot is of another screen ({', '.join(mismatch)})",
                       hint="start a phone from it with VirtualPhone.from_snapshot()")
    try:
        state = json.loads(z.read("state.json"))
        files = z.read("files.tar")
        database = z.read("database.sqlite")
        thumbs = {int(Path(n).stem): Image.open(io.BytesIO(z.read(n))).convert("RGB")
                  for n in z.namelist() if n.startswith("thumbnails/") and n.endswith(".png")}
    except (KeyError, ValueError, OSError) as e:
        raise SimError(f"the snapshot is damaged ({e})") from None
    db = sqlite3.connect(":memory:", check_same_thread=False)
    db.deserialize(database)
    with phone.lock:
        fs = phone._fresh_fs()
        with tarfile.open(fileobj=io.BytesIO(files), mode="r") as tar:
            for member in tar.getmembers():
                path = "/" + member.name.lstrip("/")
                if not any(path == t or path.startswith(t + "/") for t in WRITABLE_TREES):
                    continue
                if member.isdir():
                    fs.restore_node(path, Dir(mode=st.S_IFDIR | member.mode, mtime=int(member.mtime)))
                elif member.isfile():
                    handle = tar.extractfile(member)
                    content = handle.read() if handle is not None else b""
                    fs.restore_node(path, File(mode=st.S_IFREG | member.mode, mtime=int(member.mtime),
                                               data=bytearray(content)))
        phone._install_state(state, fs=fs, db=db, thumbnails=thumbs)


def write_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write a file so that a crash leaves either the old one or the new one, never half of one."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=target.name + ".", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
