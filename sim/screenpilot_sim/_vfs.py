"""The phone's files: an in-memory POSIX-like tree with Android's layout and the shell user's rights.

Push/pull, ``ls``/``cat``/``rm`` and apps that keep their data in files all share this tree, so a
file pushed over sync is what the Notes app shows and what ``cat`` prints. Only the shell user's
writable places (``/sdcard`` and ``/data/local/tmp``) can be changed, as on a production phone.
"""

from __future__ import annotations

import errno
import functools
import os
import posixpath
import stat as st
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

__all__ = ["Dir", "File", "FsError", "Link", "Node", "VirtualFS", "android_tree"]

_T = TypeVar("_T")

_WRITABLE = ("/storage/emulated/0", "/data/local/tmp")
_MAX_LINKS = 8


class FsError(OSError):
    """A file operation failed the way it fails on a phone (``No such file or directory``...)."""

    def __init__(self, code: int, path: str) -> None:
        super().__init__(code, os.strerror(code), path)
        self.path = path

    def __str__(self) -> str:
        return f"{self.path}: {self.strerror}"


@dataclass(eq=False)
class Node:
    mode: int
    mtime: int
    readable: bool = True

    @property
    def size(self) -> int:
        return 0


@dataclass(eq=False)
class File(Node):
    data: bytearray = field(default_factory=bytearray)

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(eq=False)
class Dir(Node):
    entries: dict[str, Node] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return 4096 if self.mode else 0


@dataclass(eq=False)
class Link(Node):
    target: str = ""

    @property
    def size(self) -> int:
        return len(self.target)


def _locked(fn: Callable[..., _T]) -> Callable[..., _T]:
    """Run a tree operation atomically; change notifications go out after the lock is released, so a
    listener may take other locks (the phone's) without an ordering deadlock."""

    @functools.wraps(fn)
    def wrapper(self: VirtualFS, *args: Any, **kwargs: Any) -> _T:
        with self._lock:
            self._depth += 1
            try:
                return fn(self, *args, **kwargs)
            finally:
                self._depth -= 1
                pending: list[str] = []
                if self._depth == 0:
                    pending, self._pending = self._pending, []
        for path in pending:
            if self.on_change is not None:
                self.on_change(path)

    return wrapper


class VirtualFS:
    """The tree plus the rules: path resolution with symlinks, permissions and a capacity. Every
    operation is atomic: adb streams read and write the tree from several threads at once."""

    def __init__(self, *, clock: Callable[[], float] = time.time, capacity: int = 1 << 30) -> None:
        self.clock = clock
        self.capacity = capacity
        self.root = Dir(mode=st.S_IFDIR | 0o755, mtime=int(clock()))
        self.on_change: Callable[[str], None] | None = None
        self._lock = threading.RLock()
        self._depth = 0
        self._pending: list[str] = []

    def _changed(self, path: str) -> None:
        self._pending.append(path)

    # -- paths ---------------------------------------------------------------------------------
    @staticmethod
    def absolute(path: str, cwd: str = "/") -> str:
        """Normalize ``path`` against ``cwd`` without touching links (like the shell's string view)."""
        if not path.startswith("/"):
            path = posixpath.join(cwd, path)
        norm = posixpath.normpath(path)
        return "/" if norm.startswith("//") else norm

    def _walk(self, path: str, *, follow_last: bool, depth: int = 0) -> tuple[str, Node]:
        """(the real path, its node) with every link on the way resolved."""
        if depth > _MAX_LINKS:
            raise FsError(errno.ELOOP, path)
        parts = [p for p in self.absolute(path).split("/") if p]
        node: Node = self.root
        real = "/"
        for i, name in enumerate(parts):
            if not isinstance(node, Dir):
                raise FsError(errno.ENOTDIR, path)
            child = node.entries.get(name)
            if child is None:
                raise FsError(errno.ENOENT, path)
            last = i == len(parts) - 1
            if isinstance(child, Link) and (follow_last or not last):
                target = child.target if child.target.startswith("/") else posixpath.join(real, child.target)
                real, child = self._walk(target, follow_last=True, depth=depth + 1)
            else:
                real = posixpath.join(real, name)
            node = child
        return real, node

    @_locked
    def realpath(self, path: str) -> str:
        return self._walk(path, follow_last=True)[0]

    @_locked
    def lookup(self, path: str, *, follow: bool = True) -> Node:
        return self._walk(path, follow_last=follow)[1]

    @_locked
    def exists(self, path: str) -> bool:
        try:
            self.lookup(path)
        except FsError:
            return False
        return True

    @_locked
    def isdir(self, path: str) -> bool:
        try:
            return isinstance(self.lookup(path), Dir)
        except FsError:
            return False

    def _parent(self, path: str) -> tuple[Dir, str, str]:
        """(parent dir node, its real path, the last name) for creating or removing ``path``."""
        path = self.absolute(path)
        head, name = posixpath.split(path)
        if not name:
            raise FsError(errno.EISDIR, path)
        real, parent = self._walk(head, follow_last=True)
        if not isinstance(parent, Dir):
            raise FsError(errno.ENOTDIR, path)
        return parent, real, name

    @staticmethod
    def writable(real_path: str) -> bool:
        return any(real_path == w or real_path.startswith(w + "/") for w in _WRITABLE)

    def _check_writable(self, real_dir: str, path: str) -> None:
        if not self.writable(real_dir):
            code = errno.EROFS if real_dir == "/" or real_dir.startswith(("/system", "/vendor", "/product")) else errno.EACCES
            raise FsError(code, path)

    @_locked
    def used(self) -> int:
        return sum(n.size for _, n in self.iter_tree() if isinstance(n, File))

    # -- reading -------------------------------------------------------------------------------
    @_locked
    def read(self, path: str) -> bytes:
        node = self.lookup(path)
        if isinstance(node, Dir):
            raise FsError(errno.EISDIR, path)
        if not node.readable:
            raise FsError(errno.EACCES, path)
        assert isinstance(node, File)
        return bytes(node.data)

    @_locked
    def listdir(self, path: str) -> list[tuple[str, Node]]:
        node = self.lookup(path)
        if not isinstance(node, Dir):
            raise FsError(errno.ENOTDIR, path)
        if not node.readable:
            raise FsError(errno.EACCES, path)
        return sorted(node.entries.items())

    @_locked
    def iter_tree(self, path: str = "/") -> list[tuple[str, Node]]:
        """Every (real path, node) under ``path``, depth first, links not followed."""
        start = self.lookup(path)
        stack = [(self.absolute(path), start)]
        out = []
        while stack:
            p, node = stack.pop()
            out.append((p, node))
            if isinstance(node, Dir) and node.readable:
                for name, child in sorted(node.entries.items(), reverse=True):
                    stack.append((posixpath.join(p, name), child))
        return out

    # -- writing -------------------------------------------------------------------------------
    @_locked
    def write(self, path: str, data: bytes, *, mode: int = 0o644, append: bool = False,
              parents: bool = False, mtime: int | None = None) -> None:
        """Create or replace (or append to) a file; ``parents`` makes missing directories like adbd does."""
        if parents:
            self.makedirs(posixpath.dirname(self.absolute(path)))
        parent, real, name = self._parent(path)
        self._check_writable(real, path)
        existing = parent.entries.get(name)
        if isinstance(existing, Link):
            target = existing.target
            return self.write(target, data, mode=mode, append=append, mtime=mtime)
        if isinstance(existing, Dir):
            raise FsError(errno.EISDIR, path)
        grow = len(data) - (0 if append or existing is None else existing.size)
        if self.used() + grow > self.capacity:
            raise FsError(errno.ENOSPC, path)
        when = int(self.clock()) if mtime is None else mtime
        if isinstance(existing, File):
            if append:
                existing.data += data
            else:
                existing.data = bytearray(data)
            existing.mtime = when
        else:
            parent.entries[name] = File(mode=st.S_IFREG | (mode & 0o7777), mtime=when, data=bytearray(data))
        parent.mtime = when
        self._changed(real + "/" + name)

    @_locked
    def mkdir(self, path: str, *, exist_ok: bool = False) -> None:
        parent, real, name = self._parent(path)
        if name in parent.entries:
            if exist_ok and isinstance(self.lookup(path), Dir):
                return
            raise FsError(errno.EEXIST, path)
        self._check_writable(real, path)
        parent.entries[name] = Dir(mode=st.S_IFDIR | 0o771, mtime=int(self.clock()))
        self._changed(real + "/" + name)

    @_locked
    def makedirs(self, path: str) -> None:
        path = self.absolute(path)
        if self.isdir(path):
            return
        self.makedirs(posixpath.dirname(path))
        self.mkdir(path, exist_ok=True)

    @_locked
    def remove(self, path: str, *, recursive: bool = False) -> None:
        parent, real, name = self._parent(path)
        node = parent.entries.get(name)
        if node is None:
            raise FsError(errno.ENOENT, path)
        if isinstance(node, Dir) and not recursive:
            raise FsError(errno.EISDIR, path)
        self._check_writable(real, path)
        del parent.entries[name]
        parent.mtime = int(self.clock())
        self._changed(real + "/" + name)

    @_locked
    def rmdir(self, path: str) -> None:
        node = self.lookup(path, follow=False)
        if not isinstance(node, Dir):
            raise FsError(errno.ENOTDIR, path)
        if node.entries:
            raise FsError(errno.ENOTEMPTY, path)
        self.remove(path, recursive=True)

    @_locked
    def rename(self, src: str, dst: str) -> None:
        sparent, sreal, sname = self._parent(src)
        node = sparent.entries.get(sname)
        if node is None:
            raise FsError(errno.ENOENT, src)
        if self.isdir(dst):
            dst = posixpath.join(self.absolute(dst), sname)
        dparent, dreal, dname = self._parent(dst)
        self._check_writable(sreal, src)
        self._check_writable(dreal, dst)
        del sparent.entries[sname]
        dparent.entries[dname] = node
        self._changed(dreal + "/" + dname)

    @_locked
    def symlink(self, target: str, path: str) -> None:
        """Used to build the tree (the shell user cannot make links outside its own places)."""
        parent, _, name = self._parent(path)
        parent.entries[name] = Link(mode=st.S_IFLNK | 0o777, mtime=int(self.clock()), target=target)

    def _force_dir(self, path: str, mode: int = 0o755, readable: bool = True) -> Dir:
        node: Dir = self.root
        for name in [p for p in path.split("/") if p]:
            child = node.entries.get(name)
            if not isinstance(child, Dir):
                child = node.entries[name] = Dir(mode=st.S_IFDIR | mode, mtime=int(self.clock()))
            node = child
        node.readable = readable
        return node

    @_locked
    def restore_node(self, path: str, node: Node) -> None:
        """Put a saved node back (a snapshot being restored): parents are made, nothing is checked."""
        parent = self._force_dir(posixpath.dirname(path))
        name = posixpath.basename(path)
        existing = parent.entries.get(name)
        if isinstance(existing, Dir) and isinstance(node, Dir):
            existing.mode, existing.mtime = node.mode, node.mtime
            return
        parent.entries[name] = node

    @_locked
    def install(self, path: str, data: bytes = b"", mode: int = 0o644) -> None:
        """Place a system file regardless of rights (the phone's own image, not the shell user)."""
        parent = self._force_dir(posixpath.dirname(path))
        parent.entries[posixpath.basename(path)] = File(mode=st.S_IFREG | mode, mtime=int(self.clock()),
                                                        data=bytearray(data))


def android_tree(fs: VirtualFS, *, build_prop: str, binaries: list[str]) -> VirtualFS:
    """Lay out the directories an Android 14 phone shows to the shell user."""
    for d in ("/system/bin", "/system/app", "/system/priv-app", "/vendor/bin", "/product/app", "/proc", "/sys",
              "/etc", "/mnt", "/apex", "/storage/self"):
        fs._force_dir(d)
    fs._force_dir("/data", mode=0o771, readable=False)
    fs._force_dir("/data/local", mode=0o751, readable=False)
    fs._force_dir("/data/local/tmp", mode=0o771)
    fs._force_dir("/storage/emulated", mode=0o711, readable=False)
    fs._force_dir("/storage/emulated/0", mode=0o770)
    for d in ("Alarms", "DCIM", "Documents", "Download", "Movies", "Music", "Notifications", "Pictures",
              "Podcasts", "Ringtones"):
        fs._force_dir(f"/storage/emulated/0/{d}", mode=0o770)
    fs.symlink("/storage/emulated/0", "/storage/self/primary")
    fs.symlink("/storage/self/primary", "/sdcard")
    fs._force_dir("/dev")
    fs.install("/dev/null", b"", 0o666)
    fs.install("/system/build.prop", build_prop.encode())
    for name in binaries:
        fs.install(f"/system/bin/{name}", b"\x7fELF", 0o755)
    return fs
