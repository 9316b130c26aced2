"""toybox's file and text tools over the phone's virtual files (messages as toybox prints them)."""

from __future__ import annotations

import base64
import binascii
import fnmatch
import hashlib
import posixpath
import re
import stat as st
import time

from .._shell import CommandContext
from .._vfs import Dir, File, FsError, Link, Node
from ._registry import command

__all__: list[str] = []


def _flags(args: list[str], known: str, with_value: str = "") -> tuple[set[str], dict[str, str], list[str]]:
    """Short options the toybox way (``-rf``, ``-n 5``, ``-n5``); ``--`` ends them; ``-5`` is an operand."""
    flags: set[str] = set()
    values: dict[str, str] = {}
    rest: list[str] = []
    k = 0
    while k < len(args):
        a = args[k]
        if a == "--":
            rest.extend(args[k + 1:])
            break
        if a.startswith("-") and len(a) > 1 and not re.fullmatch(r"-\d+", a):
            body = a[1:]
            for j, ch in enumerate(body):
                if ch in with_value:
                    if j + 1 < len(body):
                        values[ch] = body[j + 1:]
                    elif k + 1 < len(args):
                        k += 1
                        values[ch] = args[k]
                    else:
                        raise ValueError(f"Missing argument to -{ch}")
                    break
                if ch not in known:
                    raise ValueError(f"Unknown option '{ch}'")
                flags.add(ch)
        else:
            rest.append(a)
        k += 1
    return flags, values, rest


def _bad_option(ctx: CommandContext, name: str, exc: ValueError) -> int:
    ctx.err(f"{name}: {exc} (see \"{name} --help\")\n")
    return 1


def _perm_string(mode: int) -> str:
    kind = "d" if st.S_ISDIR(mode) else "l" if st.S_ISLNK(mode) else "-"
    return kind + st.filemode(mode)[1:]


def _owner(path: str) -> tuple[str, str]:
    if path.startswith(("/storage/emulated/0", "/sdcard", "/storage/self")):
        return "u0_a99", "media_rw"
    if path.startswith("/data/local/tmp"):
        return "shell", "shell"
    return "root", "root"


def _long(path: str, name: str, node: Node) -> str:
    owner, group = _owner(path)
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(node.mtime))
    links = 2 + sum(isinstance(c, Dir) for c in node.entries.values()) if isinstance(node, Dir) else 1
    tail = f" -> {node.target}" if isinstance(node, Link) else ""
    return f"{_perm_string(node.mode)} {links:>2} {owner:<8} {group:<8} {node.size:>8} {when} {name}{tail}\n"


@command("ls")
def ls(ctx: CommandContext) -> int:
    try:
        flags, _, paths = _flags(ctx.argv[1:], "laA1dRhFtrsSn")
    except ValueError as e:
        return _bad_option(ctx, "ls", e)
    status = 0
    targets = paths or ["."]
    many = len(targets) > 1
    for i, p in enumerate(targets):
        full = ctx.path(p)
        try:
            node = ctx.fs.lookup(full, follow=not ("l" in flags and not p.endswith("/")) or "d" in flags)
            if isinstance(node, Link) and "l" in flags and not p.endswith("/"):
                ctx.out(_long(full, p, node))
                continue
            if not isinstance(node, Dir) or "d" in flags:
                ctx.out(_long(full, p, node) if "l" in flags else p + "\n")
                continue
            entries = ctx.fs.listdir(full)
        except FsError as e:
            ctx.err(f"ls: {p}: {e.strerror}\n")
            status = 1
            continue
        if many:
            ctx.out(("\n" if i else "") + f"{p}:\n")
        if "a" in flags:
            entries = [(".", node), ("..", node), *entries]
        elif "A" not in flags:
            entries = [(n, e) for n, e in entries if not n.startswith(".")]
        if "t" in flags:
            entries.sort(key=lambda e: -e[1].mtime)
        if "r" in flags:
            entries.reverse()
        if "l" in flags:
            total = sum((e.size + 4095) // 4096 * 4 for _, e in entries)
            ctx.out(f"total {total}\n")
            for n, e in entries:
                ctx.out(_long(posixpath.join(full, n), n, e))
        else:
            for n, _ in entries:
                ctx.out(n + "\n")
    return status


@command("cat")
def cat(ctx: CommandContext) -> int:
    status = 0
    paths = [a for a in ctx.argv[1:] if a != "-u"] or ["-"]
    for p in paths:
        if p == "-":
            ctx.out(ctx.stdin.read())
            continue
        try:
            ctx.out(ctx.fs.read(ctx.path(p)))
        except FsError as e:
            ctx.err(f"cat: {p}: {e.strerror}\n")
            status = 1
    return status


@command("rm")
def rm(ctx: CommandContext) -> int:
    try:
        flags, _, paths = _flags(ctx.argv[1:], "rRfiv")
    except ValueError as e:
        return _bad_option(ctx, "rm", e)
    if not paths:
        if "f" in flags:
            return 0
        ctx.err("rm: Needs 1 argument (see \"rm --help\")\n")
        return 1
    status = 0
    for p in paths:
        full = ctx.path(p)
        try:
            node = ctx.fs.lookup(full, follow=False)
            if isinstance(node, Dir) and not flags & {"r", "R"}:
                ctx.err(f"rm: {p}: Is a directory\n")
                status = 1
                continue
            ctx.fs.remove(full, recursive=True)
        except FsError as e:
            if "f" in flags and e.errno == 2:
                continue
            ctx.err(f"rm: {p}: {e.strerror}\n")
            status = 1
    return status


@command("rmdir")
def rmdir(ctx: CommandContext) -> int:
    status = 0
    for p in ctx.argv[1:]:
        try:
            ctx.fs.rmdir(ctx.path(p))
        except FsError as e:
            ctx.err(f"rmdir: {p}: {e.strerror}\n")
            status = 1
    return status


@command("mkdir")
def mkdir(ctx: CommandContext) -> int:
    try:
        flags, _, paths = _flags(ctx.argv[1:], "pv", "m")
    except ValueError as e:
        return _bad_option(ctx, "mkdir", e)
    status = 0
    for p in paths:
        try:
            if "p" in flags:
                ctx.fs.makedirs(ctx.path(p))
            else:
                ctx.fs.mkdir(ctx.path(p))
        except FsError as e:
            ctx.err(f"mkdir: '{p}': {e.strerror}\n")
            status = 1
    return status


@command("touch")
def touch(ctx: CommandContext) -> int:
    status = 0
    for p in [a for a in ctx.argv[1:] if not a.startswith("-")]:
        full = ctx.path(p)
        try:
            if ctx.fs.exists(full):
                node = ctx.fs.lookup(full)
                node.mtime = int(ctx.phone.clock.wall())
            else:
                ctx.fs.write(full, b"")
        except FsError as e:
            ctx.err(f"touch: '{p}': {e.strerror}\n")
            status = 1
    return status


def _copy(ctx: CommandContext, src: str, dst: str, recursive: bool) -> None:
    node = ctx.fs.lookup(src)
    if isinstance(node, Dir):
        if not recursive:
            raise FsError(21, src)
        ctx.fs.makedirs(dst)
        for name, _ in ctx.fs.listdir(src):
            _copy(ctx, posixpath.join(src, name), posixpath.join(dst, name), recursive)
        return
    ctx.fs.write(dst, ctx.fs.read(src), mode=node.mode & 0o7777)


@command("cp")
def cp(ctx: CommandContext) -> int:
    try:
        flags, _, paths = _flags(ctx.argv[1:], "rRfapv")
    except ValueError as e:
        return _bad_option(ctx, "cp", e)
    if len(paths) < 2:
        ctx.err("cp: Needs 2 arguments (see \"cp --help\")\n")
        return 1
    *srcs, dst = paths
    status = 0
    for s in srcs:
        target = ctx.path(dst)
        if ctx.fs.isdir(target):
            target = posixpath.join(target, posixpath.basename(ctx.path(s)))
        try:
            _copy(ctx, ctx.path(s), target, bool(flags & {"r", "R", "a"}))
        except FsError as e:
            ctx.err(f"cp: {s}: {e.strerror}\n" if e.errno != 21 else f"cp: Skipped dir '{s}'\n")
            status = 1
    return status


@command("mv")
def mv(ctx: CommandContext) -> int:
    paths = [a for a in ctx.argv[1:] if not a.startswith("-")]
    if len(paths) < 2:
        ctx.err("mv: Needs 2 arguments (see \"mv --help\")\n")
        return 1
    *srcs, dst = paths
    status = 0
    for s in srcs:
        try:
            ctx.fs.rename(ctx.path(s), ctx.path(dst))
        except FsError as e:
            ctx.err(f"mv: {s}: {e.strerror}\n")
            status = 1
    return status


@command("stat")
def stat_cmd(ctx: CommandContext) -> int:
    try:
        flags, values, paths = _flags(ctx.argv[1:], "Lft", "c")
    except ValueError as e:
        return _bad_option(ctx, "stat", e)
    status = 0
    for p in paths:
        full = ctx.path(p)
        try:
            node = ctx.fs.lookup(full, follow="L" in flags)
        except FsError as e:
            ctx.err(f"stat: '{p}': {e.strerror}\n")
            status = 1
            continue
        kind = ("directory" if isinstance(node, Dir) else "symbolic link" if isinstance(node, Link)
                else "regular file" if node.size else "regular empty file")
        if "c" in values:
            fmt = values["c"]
            subs = {"s": str(node.size), "n": p, "Y": str(node.mtime), "a": oct(node.mode & 0o7777)[2:],
                    "F": kind, "A": _perm_string(node.mode), "U": _owner(full)[0], "G": _owner(full)[1]}
            ctx.out(re.sub(r"%(.)", lambda m, subs=subs: subs.get(m.group(1), m.group(0)), fmt) + "\n")
            continue
        owner, group = _owner(full)
        when = time.strftime("%Y-%m-%d %H:%M:%S.000000000 +0000", time.gmtime(node.mtime))
        ctx.out(f"  File: {p}\n  Size: {node.size}\t Blocks: {(node.size + 511) // 512}\t IO Blocks: 4096\t{kind}\n"
                f"Access: ({oct(node.mode & 0o7777)[2:].zfill(4)}/{_perm_string(node.mode)})\tUid: ( 2000/{owner:>8})"
                f"\tGid: ( 2000/{group:>8})\nModify: {when}\n")
    return status


def _inputs(ctx: CommandContext, name: str, paths: list[str]) -> list[tuple[str, bytes | None]]:
    if not paths:
        return [("", ctx.stdin.read())]
    out: list[tuple[str, bytes | None]] = []
    for p in paths:
        if p == "-":
            out.append(("-", ctx.stdin.read()))
            continue
        try:
            out.append((p, ctx.fs.read(ctx.path(p))))
        except FsError as e:
            ctx.err(f"{name}: {p}: {e.strerror}\n")
            out.append((p, None))
    return out


@command("wc")
def wc(ctx: CommandContext) -> int:
    try:
        flags, _, paths = _flags(ctx.argv[1:], "lwcm")
    except ValueError as e:
        return _bad_option(ctx, "wc", e)
    flags = flags or {"l", "w", "c"}
    status = 0
    for name, data in _inputs(ctx, "wc", paths):
        if data is None:
            status = 1
            continue
        cols = []
        if "l" in flags:
            cols.append(str(data.count(b"\n")))
        if "w" in flags:
            cols.append(str(len(data.split())))
        if "c" in flags or "m" in flags:
            cols.append(str(len(data) if "c" in flags else len(data.decode("utf-8", "replace"))))
        ctx.out((" ".join(cols) if len(cols) == 1 else " ".join(c.rjust(7) for c in cols)) + (f" {name}" if name else "") + "\n")
    return status


def _head_tail(ctx: CommandContext, tail: bool) -> int:
    name = "tail" if tail else "head"
    args = ctx.argv[1:]
    args = [f"-n{a[1:]}" if re.fullmatch(r"-\d+", a) else a for a in args]
    try:
        _, values, paths = _flags(args, "qvf", "nc")
    except ValueError as e:
        return _bad_option(ctx, name, e)
    n = int(values.get("n", "10").lstrip("+") or 10)
    status = 0
    for _, data in _inputs(ctx, name, paths):
        if data is None:
            status = 1
            continue
        if "c" in values:
            c = int(values["c"])
            ctx.out(data[-c:] if tail else data[:c])
            continue
        lines = data.splitlines(keepends=True)
        ctx.out(b"".join(lines[-n:] if tail and n else [] if tail else lines[:n]))
    return status


@command("head")
def head(ctx: CommandContext) -> int:
    return _head_tail(ctx, tail=False)


@command("tail")
def tail(ctx: CommandContext) -> int:
    return _head_tail(ctx, tail=True)


@command("grep", "egrep", "fgrep")
def grep(ctx: CommandContext) -> int:
    try:
        flags, values, rest = _flags(ctx.argv[1:], "ivcEFqnolwhHsx", "e")
    except ValueError as e:
        return _bad_option(ctx, "grep", e)
    if "e" in values:
        pattern = values["e"]
    elif rest:
        pattern = rest.pop(0)
    else:
        ctx.err("grep: No 'PATTERN' (see \"grep --help\")\n")
        return 2
    fixed = "F" in flags or ctx.argv[0] == "fgrep"
    extended = "E" in flags or ctx.argv[0] == "egrep"
    regex = re.escape(pattern) if fixed else (pattern if extended else _bre_to_python(pattern))
    if "w" in flags:
        regex = rf"\b(?:{regex})\b"
    if "x" in flags:
        regex = rf"^(?:{regex})$"
    try:
        rx = re.compile(regex, re.IGNORECASE if "i" in flags else 0)
    except re.error:
        ctx.err(f"grep: bad regex '{pattern}'\n")
        return 2
    found = False
    status_err = False
    sources = _inputs(ctx, "grep", rest)
    show_names = (len(sources) > 1 or "H" in flags) and "h" not in flags
    for name, data in sources:
        if data is None:
            status_err = True
            continue
        count = 0
        for k, raw in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
            hit = rx.search(raw) is not None
            if hit == ("v" in flags):
                continue
            count += 1
            found = True
            if "q" in flags:
                return 0
            if "c" in flags or "l" in flags:
                continue
            prefix = (f"{name}:" if show_names else "") + (f"{k}:" if "n" in flags else "")
            if "o" in flags and "v" not in flags:
                for m in rx.finditer(raw):
                    ctx.out(f"{prefix}{m.group(0)}\n")
            else:
                ctx.out(f"{prefix}{raw}\n")
        if "c" in flags:
            ctx.out((f"{name}:" if show_names else "") + f"{count}\n")
        if "l" in flags and count:
            ctx.out(f"{name or '(standard input)'}\n")
    return 0 if found else (2 if status_err else 1)


def _bre_to_python(p: str) -> str:
    """Basic regular expressions: ``\\(``, ``\\|``, ``\\+`` are the operators; bare ones are literal."""
    out = []
    k = 0
    while k < len(p):
        c = p[k]
        if c == "\\" and k + 1 < len(p):
            n = p[k + 1]
            out.append(n if n in "(){}|+?" else "\\" + n)
            k += 2
            continue
        out.append("\\" + c if c in "(){}|+?" else c)
        k += 1
    return "".join(out)


@command("sort")
def sort(ctx: CommandContext) -> int:
    try:
        flags, _, paths = _flags(ctx.argv[1:], "rnuf")
    except ValueError as e:
        return _bad_option(ctx, "sort", e)
    lines: list[str] = []
    for _, data in _inputs(ctx, "sort", paths):
        if data is not None:
            lines += data.decode("utf-8", "replace").splitlines()

    def key(s: str) -> object:
        if "n" in flags:
            m = re.match(r"\s*(-?\d+(?:\.\d+)?)", s)
            return (float(m.group(1)) if m else 0.0, s)
        return s.lower() if "f" in flags else s

    lines.sort(key=key, reverse="r" in flags)  # type: ignore[arg-type]
    if "u" in flags:
        lines = list(dict.fromkeys(lines))
    ctx.out("".join(line + "\n" for line in lines))
    return 0


@command("uniq")
def uniq(ctx: CommandContext) -> int:
    data = _inputs(ctx, "uniq", [a for a in ctx.argv[1:] if not a.startswith("-")][:1])[0][1] or b""
    prev = None
    for line in data.decode("utf-8", "replace").splitlines():
        if line != prev:
            ctx.out(line + "\n")
        prev = line
    return 0


@command("base64")
def base64_cmd(ctx: CommandContext) -> int:
    args = ctx.argv[1:]
    decode = "-d" in args or "--decode" in args
    paths = [a for a in args if not a.startswith("-")]
    data = _inputs(ctx, "base64", paths[:1])[0][1]
    if data is None:
        return 1
    if decode:
        try:
            ctx.out(base64.b64decode(b"".join(data.split()), validate=True))
        except (binascii.Error, ValueError):
            ctx.err("base64: bad input\n")
            return 1
        return 0
    text = base64.b64encode(data).decode()
    wrap = 0 if "-w0" in args or "-w" in args and "0" in args else 76
    if wrap:
        text = "\n".join(text[i:i + wrap] for i in range(0, len(text), wrap))
    ctx.out(text + "\n")
    return 0


def _digest(algo: str):
    def run(ctx: CommandContext) -> int:
        status = 0
        for name, data in _inputs(ctx, ctx.argv[0], [a for a in ctx.argv[1:] if not a.startswith("-")]):
            if data is None:
                status = 1
                continue
            ctx.out(f"{hashlib.new(algo, data).hexdigest()}  {name or '-'}\n")
        return status
    return run


command("md5sum")(_digest("md5"))
command("sha1sum")(_digest("sha1"))
command("sha256sum")(_digest("sha256"))


@command("find")
def find(ctx: CommandContext) -> int:
    args = ctx.argv[1:]
    roots = []
    while args and not args[0].startswith("-"):
        roots.append(args.pop(0))
    name_pat: str | None = None
    kind: str | None = None
    icase = False
    maxdepth = None
    while args:
        a = args.pop(0)
        if a in ("-name", "-iname") and args:
            icase = a == "-iname"
            name_pat = args.pop(0).lower() if icase else args.pop(0)
        elif a == "-type" and args:
            kind = args.pop(0)
        elif a == "-maxdepth" and args:
            maxdepth = int(args.pop(0))
        else:
            ctx.err(f"find: Unknown option '{a}'\n")
            return 1
    status = 0
    for root in roots or ["."]:
        full = ctx.path(root)
        try:
            nodes = list(ctx.fs.iter_tree(full))
        except FsError as e:
            ctx.err(f"find: {root}: {e.strerror}\n")
            status = 1
            continue
        for path, node in nodes:
            rel = root.rstrip("/") + path[len(full):] if path != full else root
            depth = path[len(full):].count("/")
            if maxdepth is not None and depth > maxdepth:
                continue
            base = posixpath.basename(path) or path
            if name_pat and not fnmatch.fnmatchcase(base.lower() if icase else base, name_pat):
                continue
            if kind == "f" and not isinstance(node, File):
                continue
            if kind == "d" and not isinstance(node, Dir):
                continue
            ctx.out(rel + "\n")
    return status


@command("basename")
def basename(ctx: CommandContext) -> int:
    if len(ctx.argv) < 2:
        ctx.err("basename: Needs 1 argument\n")
        return 1
    name = posixpath.basename(ctx.argv[1].rstrip("/")) or "/"
    if len(ctx.argv) > 2 and name.endswith(ctx.argv[2]) and name != ctx.argv[2]:
        name = name[: -len(ctx.argv[2])]
    ctx.out(name + "\n")
    return 0


@command("dirname")
def dirname(ctx: CommandContext) -> int:
    if len(ctx.argv) < 2:
        ctx.err("dirname: Needs 1 argument\n")
        return 1
    ctx.out((posixpath.dirname(ctx.argv[1].rstrip("/")) or ".") + "\n")
    return 0


@command("readlink", "realpath")
def readlink(ctx: CommandContext) -> int:
    paths = [a for a in ctx.argv[1:] if not a.startswith("-")]
    resolve = ctx.argv[0] == "realpath" or any(a in ("-f", "-e") for a in ctx.argv[1:])
    status = 0
    for p in paths:
        try:
            if resolve:
                ctx.out(ctx.fs.realpath(ctx.path(p)) + "\n")
            else:
                node = ctx.fs.lookup(ctx.path(p), follow=False)
                if isinstance(node, Link):
                    ctx.out(node.target + "\n")
                else:
                    status = 1
        except FsError as e:
            if ctx.argv[0] == "realpath":
                ctx.err(f"realpath: {p}: {e.strerror}\n")
            status = 1
    return status


@command("chmod")
def chmod(ctx: CommandContext) -> int:
    args = [a for a in ctx.argv[1:] if a not in ("-R",)]
    if len(args) < 2:
        ctx.err("chmod: Needs 2 arguments\n")
        return 1
    mode, paths = args[0], args[1:]
    status = 0
    for p in paths:
        full = ctx.path(p)
        try:
            node = ctx.fs.lookup(full)
            if not ctx.fs.writable(ctx.fs.realpath(full)):
                raise FsError(1, p)
            if re.fullmatch(r"[0-7]{3,4}", mode):
                node.mode = (node.mode & ~0o7777) | int(mode, 8)
        except FsError as e:
            ctx.err(f"chmod: {p}: {e.strerror}\n")
            status = 1
    return status


@command("ln")
def ln(ctx: CommandContext) -> int:
    ctx.err("ln: cannot create links here: Operation not permitted\n")
    return 1


@command("df")
def df(ctx: CommandContext) -> int:
    total_k = ctx.fs.capacity // 1024
    used_k = ctx.fs.used() // 1024
    ctx.out("Filesystem       1K-blocks    Used Available Use% Mounted on\n")
    ctx.out(f"/dev/block/dm-5  {total_k:>9} {used_k:>7} {total_k - used_k:>9} {used_k * 100 // max(1, total_k):>3}% /data\n")
    ctx.out(f"/dev/fuse        {total_k:>9} {used_k:>7} {total_k - used_k:>9} {used_k * 100 // max(1, total_k):>3}% "
            "/storage/emulated\n")
    return 0


@command("tr")
def tr(ctx: CommandContext) -> int:
    args = ctx.argv[1:]
    delete = "-d" in args
    sets = [a for a in args if not a.startswith("-")]

    def expand(s: str) -> str:
        s = s.replace("\\n", "\n").replace("\\t", "\t")
        return re.sub(r"(.)-(.)", lambda m: "".join(chr(c) for c in range(ord(m.group(1)), ord(m.group(2)) + 1)), s)

    data = ctx.stdin.read().decode("utf-8", "replace")
    if delete and sets:
        table = {ord(c): None for c in expand(sets[0])}
    elif len(sets) >= 2:
        a, b = expand(sets[0]), expand(sets[1])
        b = b + b[-1:] * max(0, len(a) - len(b))
        table = {ord(x): y for x, y in zip(a, b, strict=False)}
    else:
        ctx.err("tr: Needs 1 argument\n")
        return 1
    ctx.out(data.translate(table))
    return 0


@command("cut")
def cut(ctx: CommandContext) -> int:
    try:
        _, values, paths = _flags(ctx.argv[1:], "s", "dfc")
    except ValueError as e:
        return _bad_option(ctx, "cut", e)
    delim = values.get("d", "\t")
    fields = values.get("f", "")
    wanted: set[int] = set()
    for part in fields.split(","):
        if "-" in part:
            a, _, b = part.partition("-")
            wanted.update(range(int(a or 1), int(b or 64) + 1))
        elif part.isdigit():
            wanted.add(int(part))
    for _, data in _inputs(ctx, "cut", paths):
        for line in (data or b"").decode("utf-8", "replace").splitlines():
            cols = line.split(delim)
            ctx.out(delim.join(c for k, c in enumerate(cols, 1) if k in wanted) + "\n")
    return 0


@command("seq")
def seq(ctx: CommandContext) -> int:
    nums = [int(a) for a in ctx.argv[1:] if re.fullmatch(r"-?\d+", a)]
    if not nums:
        ctx.err("seq: Needs 1 argument\n")
        return 1
    first, step, last = (1, 1, nums[0]) if len(nums) == 1 else (nums[0], 1, nums[1]) if len(nums) == 2 else nums[:3]
    values = range(first, last + (1 if step > 0 else -1), step) if step else []
    for v in list(values)[:100000]:
        ctx.out(f"{v}\n")
    return 0
