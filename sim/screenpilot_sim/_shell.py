"""The phone's ``/system/bin/sh``: POSIX parsing (bashlex) and our own interpreter, no host process ever.

adbd hands every command line to ``sh -c``, so a driver's quoting mistakes change what runs on a
phone. This interpreter applies the same rules (quotes, backslashes, ``;`` ``&&`` ``||`` ``|``,
parameters, ``$(...)`` and backticks, redirections) and runs only the phone's simulated commands.
Every command substitution and every command the phone does not have is written to
:class:`ShellRecords`, so a test can prove that hostile text stayed text.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import bashlex
import bashlex.errors

from ._procs import CancelScope
from ._shio import BufferOutput, BytesInput, FileOutput, Input, NullOutput, Output
from ._vfs import FsError, VirtualFS

__all__ = [
    "BUILTIN_NAMES",
    "SH",
    "CommandContext",
    "CommandFn",
    "CommandLine",
    "Interpreter",
    "ShellError",
    "ShellRecords",
    "Substitution",
    "SyntaxFailure",
    "UnknownCommand",
]

SH = "/system/bin/sh"
_MAX_DEPTH = 40
_MAX_LOOP = 100_000
_BIN_DIRS = ("/system/bin", "/system/xbin", "/vendor/bin", "/product/bin", "/apex/com.android.runtime/bin")


@dataclass(frozen=True)
class Substitution:
    """A ``$(...)`` or backtick the shell expanded: its text and the command line it was in."""

    text: str
    command_line: str
    service: str = ""


@dataclass(frozen=True)
class UnknownCommand:
    """A command the phone does not have (exit 127), with its arguments and command line."""

    name: str
    argv: tuple[str, ...]
    command_line: str


@dataclass(frozen=True)
class SyntaxFailure:
    command_line: str
    message: str


@dataclass(frozen=True)
class CommandLine:
    """One command line the phone's shell was given, and how it ended."""

    service: str
    line: str
    exit_code: int | None
    at: float


class ShellRecords:
    """What every shell on one phone saw; thread-safe because several adb streams run at once."""

    def __init__(self, keep: int = 5000) -> None:
        self._lock = threading.Lock()
        self.commands: deque[CommandLine] = deque(maxlen=keep)
        self.substitutions: list[Substitution] = []
        self.unknown: list[UnknownCommand] = []
        self.syntax_errors: list[SyntaxFailure] = []

    def add(self, kind: str, record: Any) -> None:
        with self._lock:
            getattr(self, kind).append(record)

    def clear(self) -> None:
        with self._lock:
            self.commands.clear()
            self.substitutions.clear()
            self.unknown.clear()
            self.syntax_errors.clear()

    def lines(self) -> list[str]:
        with self._lock:
            return [c.line for c in self.commands]


class _Exit(Exception):
    def __init__(self, code: int) -> None:
        self.code = code


class _Return(Exception):
    def __init__(self, code: int) -> None:
        self.code = code


class _LoopControl(Exception):
    def __init__(self, kind: str, levels: int) -> None:
        self.kind = kind
        self.levels = levels


class ShellError(Exception):
    """An error the shell reports on stderr (``sh: ...``) with an exit status."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class CommandContext:
    """What a simulated command gets: its argv, its three streams and the shell it runs in."""

    argv: list[str]
    stdin: Input
    stdout: Output
    stderr: Output
    env: dict[str, str]
    shell: Interpreter
    scope: threading.Event | None = None  # this command's own cancel scope (a signal to its pid sets it)

    @property
    def phone(self) -> Any:
        return self.shell.phone

    @property
    def fs(self) -> VirtualFS:
        return self.shell.fs

    @property
    def cwd(self) -> str:
        return self.shell.cwd

    @property
    def cancelled(self) -> threading.Event:
        return self.scope if self.scope is not None else self.shell.cancelled

    def derived(self, argv: list[str], **streams: Any) -> CommandContext:
        """The same command's context with another argv (or streams): delegation keeps the process."""
        return CommandContext(argv=argv, stdin=streams.get("stdin", self.stdin), stdout=streams.get("stdout", self.stdout),
                              stderr=streams.get("stderr", self.stderr), env=self.env, shell=self.shell, scope=self.scope)

    def out(self, data: bytes | str) -> None:
        self.stdout.write(data)

    def err(self, data: bytes | str) -> None:
        self.stderr.write(data)

    def path(self, p: str) -> str:
        return VirtualFS.absolute(p, self.shell.cwd)


CommandFn = Callable[[CommandContext], int]


@dataclass
class _Field:
    chars: list[tuple[str, bool]] = field(default_factory=list)  # (char, glob-active)
    real: bool = False  # holds quoted or literal content, so it survives even when empty

    def text(self) -> str:
        return "".join(c for c, _ in self.chars)


class Interpreter:
    """One shell process: variables, functions, cwd and the last status, over a shared phone."""

    def __init__(
        self,
        *,
        commands: Mapping[str, CommandFn],
        fs: VirtualFS,
        records: ShellRecords,
        phone: Any = None,
        env: dict[str, str] | None = None,
        service: str = "",
        cancelled: threading.Event | None = None,
    ) -> None:
        self.commands = commands
        self.fs = fs
        self.records = records
        self.phone = phone
        self.service = service
        self.cancelled: threading.Event = cancelled or CancelScope()
        self.job_proc: Any = None  # the process a background job runs as (its commands share its pid)
        self.last_job: int | None = None  # $!
        self.jobs: dict[int, threading.Thread] = {}
        self.vars: dict[str, str] = dict(env or {})
        self.exported: set[str] = set(self.vars)
        self.functions: dict[str, Any] = {}
        self.positional: list[str] = []
        self.argv0 = SH
        self.status = 0
        self.cwd = "/"
        self.depth = 0
        self.line = ""
        self.src = ""

    # -- entry points ----------------------------------------------------------------------
    def run(self, line: str, *, stdin: Input | None = None, stdout: Output | None = None,
            stderr: Output | None = None, record: bool = True) -> int:
        """Parse and run one ``sh -c`` string; returns the exit status (0-255)."""
        stdin = stdin or BytesInput()
        stdout = stdout or NullOutput()
        stderr = stderr or NullOutput()
        code = self._run_source(line, stdin, stdout, stderr, top=True)
        self.wait_jobs()  # adbd keeps the stream until every process holding its output is done
        if record:
            self.records.add("commands", CommandLine(self.service, line, code, time.time()))
        return code

    def wait_jobs(self, pids: list[int] | None = None) -> int:
        """``wait``: until the background jobs (all, or ``pids``) are done; the last one's status."""
        status = 0
        for pid in list(self.jobs) if pids is None else pids:
            thread = self.jobs.pop(pid, None)
            if thread is None:
                status = 127
                continue
            while thread.is_alive() and not self.cancelled.is_set():
                thread.join(0.1)
            status = getattr(thread, "status", 0)
        return status

    def _spawn(self, node: Any, stdout: Output, stderr: Output) -> None:
        """``CMD &``: a background job with its own pid (``$!``) and cancel scope; stdin is /dev/null."""
        sub = self.subshell()
        sub.src = self.src
        procs = getattr(self.phone, "procs", None)
        words = [p.word for p in getattr(node, "parts", []) if getattr(p, "kind", "") == "word"]
        if procs is not None and isinstance(self.cancelled, CancelScope):
            sub.job_proc = procs.start(words[:1] or ["sh"], self.cancelled)  # exists at once: $! can be killed
            sub.cancelled = sub.job_proc.scope
            pid = sub.job_proc.pid
        else:
            pid = 30000 + len(self.jobs)

        def run() -> None:
            try:
                thread.status = sub._exec(node, BytesInput(), stdout, stderr)  # type: ignore[attr-defined]
            except (_Exit, _Return, _LoopControl):
                thread.status = sub.status  # type: ignore[attr-defined]
            finally:
                if sub.job_proc is not None and procs is not None:
                    procs.end(sub.job_proc)

        thread = threading.Thread(target=run, daemon=True, name=f"sh-job-{pid}")
        self.jobs[pid] = thread
        self.last_job = pid
        thread.start()

    def subshell(self) -> Interpreter:
        """A copy for ``( ... )``, ``$(...)`` and ``sh -c``: changes inside do not leak out."""
        sub = Interpreter(commands=self.commands, fs=self.fs, records=self.records, phone=self.phone,
                          env=dict(self.vars), service=self.service, cancelled=self.cancelled)
        sub.exported = set(self.exported)
        sub.functions = dict(self.functions)
        sub.positional = list(self.positional)
        sub.argv0 = self.argv0
        sub.status = self.status
        sub.cwd = self.cwd
        sub.depth = self.depth + 1
        sub.line = self.line
        return sub

    def _run_source(self, src: str, stdin: Input, stdout: Output, stderr: Output, *, top: bool = False) -> int:
        if self.depth > _MAX_DEPTH:
            stderr.write(f"{SH}: recursion too deep\n")
            return 2
        saved_src, saved_line = self.src, self.line
        self.src = src
        if top:
            self.line = src
        try:
            nodes = self._parse(src, stderr)
            if nodes is None:
                self.status = 2 if "$((" in src else 1
                return self.status
            for node in nodes:
                self.status = self._exec(node, stdin, stdout, stderr)
            return self.status
        except _Exit as e:
            self.status = e.code & 0xFF
            return self.status
        except _Return as e:
            self.status = e.code & 0xFF
            return self.status
        except _LoopControl:
            return self.status
        finally:
            self.src, self.line = saved_src, saved_line

    def _parse(self, src: str, stderr: Output) -> list[Any] | None:
        if not src.strip() or src.lstrip().startswith("#") and "\n" not in src.strip():
            return []
        try:
            return list(bashlex.parse(src))
        except bashlex.errors.ParsingError as e:
            message = _mksh_syntax_message(e)
        except NotImplementedError as e:
            message = f"{_unsupported_construct(e)} is not supported by the virtual phone's shell"
        except Exception as e:  # noqa: BLE001 - bashlex fails on some malformed input with internal errors
            message = f"syntax error: cannot parse ({type(e).__name__})"
        self.records.add("syntax_errors", SyntaxFailure(self.line or src, message))
        stderr.write(f"{SH}: {message}\n")
        return None

    # -- nodes -------------------------------------------------------------------------------
    def _check_cancel(self) -> None:
        if self.cancelled.is_set():
            raise _Exit(130)

    def _exec(self, node: Any, stdin: Input, stdout: Output, stderr: Output) -> int:
        self._check_cancel()
        kind = node.kind
        if kind == "list":
            return self._exec_list(node.parts, stdin, stdout, stderr)
        if kind == "pipeline":
            return self._exec_pipeline(node, stdin, stdout, stderr)
        if kind == "command":
            return self._exec_command(node, stdin, stdout, stderr)
        if kind == "compound":
            return self._exec_compound(node, stdin, stdout, stderr)
        if kind == "if":
            return self._exec_if(node, stdin, stdout, stderr)
        if kind == "for":
            return self._exec_for(node, stdin, stdout, stderr)
        if kind in ("while", "until"):
            return self._exec_while(node, stdin, stdout, stderr, until=kind == "until")
        if kind == "function":
            name = node.parts[0].word
            self.functions[name] = node.parts[-1]
            return 0
        if kind in ("operator", "reservedword", "pipe"):
            return self.status
        stderr.write(f"{SH}: {kind}: not supported by the virtual phone's shell\n")
        return 2

    def _exec_list(self, parts: list[Any], stdin: Input, stdout: Output, stderr: Output) -> int:
        status = self.status
        op = None
        for k, part in enumerate(parts):
            if part.kind == "operator":
                op = part.op
                continue
            if (op == "&&" and status != 0) or (op == "||" and status == 0):
                continue
            nxt = parts[k + 1] if k + 1 < len(parts) else None
            if nxt is not None and nxt.kind == "operator" and nxt.op == "&":
                self._spawn(part, stdout, stderr)
                status = 0
            else:
                status = self._exec(part, stdin, stdout, stderr)
            self.status = status
        return status

    def _exec_pipeline(self, node: Any, stdin: Input, stdout: Output, stderr: Output) -> int:
        negate = False
        commands = []
        for part in node.parts:
            if part.kind == "reservedword" and part.word == "!":
                negate = not negate
            elif part.kind != "pipe":
                commands.append(part)
        data_in: Input = stdin
        status = 0
        for i, cmd in enumerate(commands):
            last = i == len(commands) - 1
            sink: Output = stdout if last else BufferOutput()
            status = self._exec(cmd, data_in, sink, stderr)
            if not last:
                assert isinstance(sink, BufferOutput)
                data_in = BytesInput(sink.getvalue())
        if negate:
            status = 0 if status else 1
        return status

    def _exec_compound(self, node: Any, stdin: Input, stdout: Output, stderr: Output) -> int:
        inner = [p for p in node.list if p.kind != "reservedword"]
        opener = node.list[0].word if node.list and node.list[0].kind == "reservedword" else "{"
        try:
            stdin, stdout, stderr = self._redirect(getattr(node, "redirects", []), stdin, stdout, stderr)
        except ShellError as e:
            stderr.write(f"{SH}: {e}\n")
            return e.code
        if opener == "(":
            sub = self.subshell()
            sub.src = self.src
            status = 0
            try:
                for part in inner:
                    status = sub._exec(part, stdin, stdout, stderr)
                    sub.status = status
            except _Exit as e:
                status = e.code
            return status
        status = self.status
        for part in inner:
            status = self._exec(part, stdin, stdout, stderr)
            self.status = status
        return status

    def _exec_if(self, node: Any, stdin: Input, stdout: Output, stderr: Output) -> int:
        parts = node.parts
        i = 0
        while i < len(parts):
            word = parts[i].word if parts[i].kind == "reservedword" else None
            if word in ("if", "elif"):
                cond = self._exec(parts[i + 1], stdin, stdout, stderr)
                if cond == 0:
                    return self._exec(parts[i + 3], stdin, stdout, stderr)
                i += 4
            elif word == "else":
                return self._exec(parts[i + 1], stdin, stdout, stderr)
            else:
                i += 1
        return 0

    def _exec_for(self, node: Any, stdin: Input, stdout: Output, stderr: Output) -> int:
        parts = node.parts
        name = parts[1].word
        words: list[str] = []
        body = None
        in_words = False
        explicit_in = False
        for p in parts[2:]:
            if p.kind == "reservedword" and p.word == "in":
                in_words = explicit_in = True
            elif p.kind == "reservedword" and p.word in (";", "do", "\n"):
                in_words = False
            elif p.kind == "word" and in_words:
                words.extend(self._expand_word(p))
            elif p.kind not in ("reservedword",):
                body = p
        if not explicit_in:
            words = list(self.positional)
        status = 0
        for n, value in enumerate(words):
            if n >= _MAX_LOOP:
                break
            self.vars[name] = value
            try:
                status = self._exec(body, stdin, stdout, stderr) if body is not None else 0
            except _LoopControl as c:
                if c.levels > 1:
                    raise _LoopControl(c.kind, c.levels - 1) from None
                if c.kind == "break":
                    break
        return status

    def _exec_while(self, node: Any, stdin: Input, stdout: Output, stderr: Output, *, until: bool) -> int:
        parts = [p for p in node.parts if p.kind != "reservedword"]
        cond, body = parts[0], parts[1]
        status = 0
        for _ in range(_MAX_LOOP):
            c = self._exec(cond, stdin, stdout, stderr)
            if (c == 0) == until:
                return status
            try:
                status = self._exec(body, stdin, stdout, stderr)
            except _LoopControl as lc:
                if lc.levels > 1:
                    raise _LoopControl(lc.kind, lc.levels - 1) from None
                if lc.kind == "break":
                    return status
        stderr.write(f"{SH}: loop stopped after {_MAX_LOOP} rounds (a limit of the virtual phone)\n")
        return 1

    # -- simple commands -------------------------------------------------------------------------
    def _exec_command(self, node: Any, stdin: Input, stdout: Output, stderr: Output) -> int:
        assignments: list[tuple[str, str]] = []
        argv: list[str] = []
        redirects: list[Any] = []
        self._subst_status: int | None = None
        try:
            for part in node.parts:
                if part.kind == "assignment" and not argv:
                    name, _, _ = part.word.partition("=")
                    start = part.pos[0] + len(name) + 1
                    assignments.append((name, self._expand_range(start, part.pos[1], part, split=False)))
                elif part.kind in ("word", "assignment"):
                    argv.extend(self._expand_word(part))
                elif part.kind == "redirect":
                    redirects.append(part)
            stdin, stdout, stderr = self._redirect(redirects, stdin, stdout, stderr)
        except ShellError as e:
            stderr.write(f"{SH}: {e}\n")
            return e.code
        if not argv:
            for name, value in assignments:
                self.vars[name] = value
            return self._subst_status if self._subst_status is not None else 0
        env = {k: v for k, v in self.vars.items() if k in self.exported}
        env.update(assignments)
        return self.call(argv, stdin, stdout, stderr, env=env)

    def call(self, argv: list[str], stdin: Input, stdout: Output, stderr: Output, *,
             env: dict[str, str] | None = None) -> int:
        """Run one command by name: a function, a builtin, or one of the phone's commands."""
        self._check_cancel()
        name = argv[0]
        if name in self.functions:
            return self._call_function(name, argv, stdin, stdout, stderr)
        builtin = _BUILTINS.get(name)
        if builtin is not None:
            return builtin(self, argv, stdin, stdout, stderr)
        fn = self._lookup(argv, stderr)
        if fn is None:
            return 126 if "/" in name and self.fs.exists(VirtualFS.absolute(name, self.cwd)) else 127
        if self.phone is not None and self.phone.charge_command(posixpath.basename(name), self.cancelled):
            return 130
        procs = getattr(self.phone, "procs", None)
        own = self.job_proc is None and procs is not None and isinstance(self.cancelled, CancelScope)
        proc = procs.start(argv, self.cancelled) if own else self.job_proc
        if proc is not None and not own:
            proc.name, proc.argv = posixpath.basename(argv[0]), tuple(argv)
        ctx = CommandContext(argv=argv, stdin=stdin, stdout=stdout, stderr=stderr,
                             env=env if env is not None else dict(self.vars), shell=self,
                             scope=proc.scope if proc is not None else None)
        try:
            code = int(fn(ctx)) & 0xFF
            if proc is not None and proc.signal is not None and code == 130:
                code = 128 + proc.signal  # ended by a signal: the shell reports 128 + its number
            return code
        except (_Exit, _Return, _LoopControl):
            raise
        except FsError as e:
            stderr.write(f"{posixpath.basename(name)}: {e}\n")
            return 1
        except ShellError as e:
            stderr.write(f"{e}\n")
            return e.code
        finally:
            if own and proc is not None:
                procs.end(proc)

    def _lookup(self, argv: list[str], stderr: Output) -> CommandFn | None:
        name = argv[0]
        if "/" in name:
            path = VirtualFS.absolute(name, self.cwd)
            base = posixpath.basename(path)
            if posixpath.dirname(path) in _BIN_DIRS and base in self.commands and self.fs.exists(path):
                return self.commands[base]
            if self.fs.exists(path):
                stderr.write(f"{SH}: {name}: can't execute: Permission denied\n")
                self.records.add("unknown", UnknownCommand(name, tuple(argv), self.line))
                return None
        elif name in self.commands:
            return self.commands[name]
        self.records.add("unknown", UnknownCommand(name, tuple(argv), self.line))
        stderr.write(f"{SH}: {name}: inaccessible or not found\n")
        return None

    def _call_function(self, name: str, argv: list[str], stdin: Input, stdout: Output, stderr: Output) -> int:
        if self.depth > _MAX_DEPTH:
            stderr.write(f"{SH}: {name}: recursion too deep\n")
            return 2
        saved = self.positional
        self.positional = argv[1:]
        self.depth += 1
        try:
            return self._exec(self.functions[name], stdin, stdout, stderr)
        except _Return as r:
            return r.code & 0xFF
        finally:
            self.depth -= 1
            self.positional = saved

    def _redirect(self, redirects: list[Any], stdin: Input, stdout: Output, stderr: Output
                  ) -> tuple[Input, Output, Output]:
        fds: dict[int, Any] = {0: stdin, 1: stdout, 2: stderr}
        for r in redirects:
            rtype = r.type
            if rtype in ("<<", "<<-"):
                body = r.heredoc.value
                body = body.rsplit("\n", 1)[0] + "\n" if "\n" in body else ""
                delimiter = self.src[r.output.pos[0]:r.output.pos[1]]
                if not any(q in delimiter for q in "'\"\\"):  # an unquoted delimiter expands the body
                    body = self._expand_text('"' + _heredoc_as_dq(body) + '"', True)
                fds[0] = BytesInput(body.encode())
                continue
            target = r.output
            if isinstance(target, int):
                fd = r.input if isinstance(r.input, int) else (0 if rtype.startswith("<") else 1)
                if target not in fds:
                    raise ShellError(f"{target}: bad file descriptor")
                fds[fd] = fds[target]
                continue
            words = self._expand_word(target)
            if len(words) != 1:
                raise ShellError(f"{target.word}: ambiguous redirect")
            path = words[0]
            fd = r.input if isinstance(r.input, int) else (0 if rtype.startswith("<") else 1)
            if rtype in (">&", "&>") and path == "-":
                fds[fd] = NullOutput()
                continue
            if rtype == "&>":
                sink = self._open_out(path, append=False)
                fds[1] = fds[2] = sink
                continue
            if rtype.startswith("<"):
                fds[fd] = self._open_in(path)
            else:
                fds[fd] = self._open_out(path, append=rtype == ">>")
        return fds[0], fds[1], fds[2]

    def _open_out(self, path: str, *, append: bool) -> Output:
        full = VirtualFS.absolute(path, self.cwd)
        if full in ("/dev/null", "/dev/zero"):
            return NullOutput()
        if full in ("/dev/tty", "/dev/stdout", "/proc/self/fd/1"):
            raise ShellError(f"can't create {path}: No such device or address")
        try:
            return FileOutput(self.fs, full, append=append)
        except FsError as e:
            raise ShellError(f"can't create {path}: {e.strerror}") from None

    def _open_in(self, path: str) -> Input:
        full = VirtualFS.absolute(path, self.cwd)
        if full == "/dev/null":
            return BytesInput(b"")
        try:
            return BytesInput(self.fs.read(full))
        except FsError as e:
            raise ShellError(f"can't open {path}: {e.strerror}") from None

    # -- expansion ---------------------------------------------------------------------------------
    def _expand_word(self, node: Any, *, split: bool = True) -> list[str]:
        return self._fields(self._segments(node.pos[0], node.pos[1], node), split=split)

    def _expand_range(self, start: int, end: int, node: Any, *, split: bool) -> str:
        return " ".join(self._fields(self._segments(start, end, node), split=split, glob=False))

    def _segments(self, start: int, end: int, node: Any) -> list[tuple[str, bool, bool]]:
        """The word as (text, quoted, from-an-expansion) pieces, quotes removed."""
        src = self.src
        parts = {p.pos[0]: p for p in _word_parts(node)}
        segs: list[tuple[str, bool, bool]] = []
        i = start
        while i < end:
            c = src[i]
            if c == "'":
                j = src.find("'", i + 1)
                j = end if j < 0 else j
                segs.append((src[i + 1:j], True, False))
                i = j + 1
            elif c == '"':
                i = self._double_quoted(i + 1, end, parts, segs)
            elif c == "\\":
                if i + 1 < end and src[i + 1] != "\n":
                    segs.append((src[i + 1], True, False))
                i += 2
            elif c in "$`":
                i = self._expansion(i, end, parts, segs, quoted=False)
            elif c == "~" and i == start and i in parts:
                segs.append((self.vars.get("HOME", "/"), True, False))
                i = parts[i].pos[1]
            else:
                segs.append((c, False, False))
                i += 1
        return segs

    def _double_quoted(self, i: int, end: int, parts: dict[int, Any], segs: list[tuple[str, bool, bool]]) -> int:
        src = self.src
        segs.append(("", True, False))  # "" is an (empty) argument of its own
        while i < end and src[i] != '"':
            c = src[i]
            if c == "\\" and i + 1 < end and src[i + 1] in '$`"\\\n':
                if src[i + 1] != "\n":
                    segs.append((src[i + 1], True, False))
                i += 2
            elif c in "$`":
                i = self._expansion(i, end, parts, segs, quoted=True)
            else:
                segs.append((c, True, False))
                i += 1
        return i + 1

    def _expansion(self, i: int, end: int, parts: dict[int, Any], segs: list[tuple[str, bool, bool]], *,
                   quoted: bool) -> int:
        src = self.src
        part = parts.get(i)
        if src.startswith("$'", i) and not quoted:
            j, text = _ansi_c(src, i + 2, end)
            segs.append((text, True, False))
            return j
        if part is None or getattr(part, "value", None) is None and part.kind == "parameter":
            segs.append((src[i], quoted, False))
            return i + 1
        if part.kind == "commandsubstitution":
            text = self._substitute(part)
            segs.append((text, quoted, True))
            return part.pos[1]
        if part.kind == "parameter":
            if part.value == "@" and quoted:
                segs.append(("\0@".join(self.positional) if self.positional else "", True, True))
            else:
                segs.append((self._parameter(part, src[i:part.pos[1]], quoted), quoted, True))
            return part.pos[1]
        segs.append((src[i:part.pos[1]], quoted, False))
        return part.pos[1]

    def _substitute(self, part: Any) -> str:
        text = self.src[part.pos[0]:part.pos[1]]
        self.records.add("substitutions", Substitution(text, self.line, self.service))
        sub = self.subshell()
        sub.src = self.src
        out = BufferOutput()
        try:
            status = sub._exec(part.command, BytesInput(), out, NullOutput())
        except _Exit as e:
            status = e.code
        self._subst_status = status
        self.status = status
        return out.getvalue().decode("utf-8", "replace").rstrip("\n")

    def _parameter(self, part: Any, raw: str, quoted: bool) -> str:
        value: str = part.value
        special = self._special(value)
        if special is not None:
            return special
        if not raw.startswith("${"):
            return self.vars.get(value, "")
        if value.startswith("#") and len(value) > 1:
            return str(len(self._get(value[1:]) or ""))
        m = re.match(r"([A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*#?$!-])(:?[-=+?]|##?|%%?)?(.*)$", value, re.DOTALL)
        if not m:
            raise ShellError(f"{raw}: bad substitution")
        name, op, word = m.group(1), m.group(2), m.group(3)
        current = self._get(name)
        if op is None:
            if word:
                raise ShellError(f"{raw}: bad substitution")
            return current or ""
        if op in ("#", "##", "%", "%%"):
            return _strip_pattern(current or "", self._expand_text(word, quoted=True), op)
        unset_or_empty = current is None or (op.startswith(":") and current == "")
        if op.endswith("-"):
            return self._expand_text(word, quoted) if unset_or_empty else current or ""
        if op.endswith("="):
            if unset_or_empty:
                self.vars[name] = self._expand_text(word, quoted)
            return self.vars.get(name, "")
        if op.endswith("+"):
            return "" if unset_or_empty else self._expand_text(word, quoted)
        if unset_or_empty:
            raise ShellError(f"{name}: {self._expand_text(word, quoted) or 'parameter null or not set'}")
        return current or ""

    def _expand_text(self, text: str, quoted: bool) -> str:
        """Expand a fragment (the word of ``${X:-word}``) by parsing it on its own."""
        if not any(ch in text for ch in "$`'\"\\~"):
            return text
        sub = self.subshell()
        sub.line = self.line
        sub.src = ": " + text
        try:
            nodes = list(bashlex.parse(sub.src))
        except Exception:  # noqa: BLE001 - fall back to the literal text, as a failed expansion would show
            return text
        words = [p for p in nodes[0].parts if p.kind == "word"][1:] if nodes and nodes[0].kind == "command" else []
        out = []
        for w in words:
            out.extend(sub._expand_word(w, split=not quoted))
        self._subst_status = sub._subst_status if hasattr(sub, "_subst_status") else None
        return " ".join(out)

    def _get(self, name: str) -> str | None:
        special = self._special(name)
        if special is not None:
            return special
        return self.vars.get(name)

    def _special(self, name: str) -> str | None:
        if name == "?":
            return str(self.status)
        if name == "$":
            return str(getattr(self.phone, "shell_pid", 4242))
        if name == "#":
            return str(len(self.positional))
        if name in ("@", "*"):
            return " ".join(self.positional)
        if name == "0":
            return self.argv0
        if name.isdigit():
            n = int(name)
            return self.positional[n - 1] if n <= len(self.positional) else ""
        if name == "!":
            return str(self.last_job) if self.last_job is not None else ""
        if name == "-":
            return "hB"
        return None

    def _fields(self, segs: list[tuple[str, bool, bool]], *, split: bool = True, glob: bool = True) -> list[str]:
        ifs = self.vars.get("IFS", " \t\n")
        fields = [_Field()]
        for text, quoted, expanded in segs:
            if "\0@" in text:  # "$@": one field per positional parameter
                pieces = text.split("\0@")
                for k, piece in enumerate(pieces):
                    if k:
                        fields.append(_Field())
                    fields[-1].chars.extend((ch, False) for ch in piece)
                    fields[-1].real = True
                continue
            if expanded and not quoted and split:
                for ch in text:
                    if ch in ifs:
                        if fields[-1].chars or fields[-1].real:
                            fields.append(_Field())
                    else:
                        fields[-1].chars.append((ch, False))
                        fields[-1].real = True
                continue
            fields[-1].chars.extend((ch, not quoted and not expanded) for ch in text)
            if quoted or text:
                fields[-1].real = True
        out: list[str] = []
        for f in fields:
            if not f.real and not f.chars:
                continue
            if glob and any(active and ch in "*?[" for ch, active in f.chars):
                matches = self._glob(f)
                if matches:
                    out.extend(matches)
                    continue
            out.append(f.text())
        return out

    def _glob(self, f: _Field) -> list[str]:
        pattern = "".join(ch if active else _glob_escape(ch) for ch, active in f.chars)
        absolute = pattern.startswith("/")
        base = "/" if absolute else self.cwd
        comps = [c for c in pattern.split("/") if c]
        results = [""]
        for comp in comps:
            nxt = []
            for r in results:
                d = VirtualFS.absolute(r or ".", base) if r else base
                if not any(ch in comp for ch in "*?["):
                    lit = _glob_unescape(comp)
                    cand = posixpath.join(r, lit) if r else lit
                    if self.fs.exists(VirtualFS.absolute(cand, base)):
                        nxt.append(cand)
                    continue
                try:
                    names = [n for n, _ in self.fs.listdir(d)]
                except FsError:
                    continue
                for n in names:
                    if n.startswith(".") and not comp.startswith("."):
                        continue
                    if fnmatch.fnmatchcase(n, comp):
                        nxt.append(posixpath.join(r, n) if r else n)
            results = nxt
        if absolute:
            results = ["/" + r for r in results]
        return sorted(results)


def _heredoc_as_dq(body: str) -> str:
    """A here-document body is expanded like a double-quoted word in which ``"`` is not special:
    a bare ``"`` becomes ``\"``, and a ``\"`` (a literal backslash before it) becomes ``\\\"``."""
    out: list[str] = []
    for k, ch in enumerate(body):
        if ch == '"':
            if k and body[k - 1] == "\\":
                out[-1] = "\\\\"  # the backslash before it stays a literal backslash
            out.append('\\"')
        else:
            out.append(ch)
    return "".join(out)


def _glob_escape(ch: str) -> str:
    return f"[{ch}]" if ch in "*?[" else ch


def _glob_unescape(comp: str) -> str:
    return re.sub(r"\[([*?\[])\]", r"\1", comp)


def _strip_pattern(value: str, pattern: str, op: str) -> str:
    indices = range(len(value) + 1)
    if op in ("#", "##"):
        order = reversed(indices) if op == "##" else indices
        for k in order:
            if fnmatch.fnmatchcase(value[:k], pattern):
                return value[k:]
    else:
        order = indices if op == "%%" else reversed(indices)
        for k in order:
            if fnmatch.fnmatchcase(value[k:], pattern):
                return value[:k]
    return value


def _word_parts(node: Any) -> Iterator[Any]:
    for p in getattr(node, "parts", []) or []:
        if p.kind in ("parameter", "commandsubstitution", "tilde", "processsubstitution"):
            yield p


_ANSI = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "e": "\x1b", "E": "\x1b", "f": "\f", "v": "\v",
         "\\": "\\", "'": "'", '"': '"', "?": "?"}


def _ansi_c(src: str, i: int, end: int) -> tuple[int, str]:
    out = []
    while i < end and src[i] != "'":
        c = src[i]
        if c == "\\" and i + 1 < end:
            n = src[i + 1]
            if n in _ANSI:
                out.append(_ANSI[n])
                i += 2
                continue
            m = re.match(r"x([0-9A-Fa-f]{1,2})|([0-7]{1,3})", src[i + 1:i + 4])
            if m:
                out.append(chr(int(m.group(1), 16) if m.group(1) else int(m.group(2), 8)))
                i += 1 + len(m.group(0))
                continue
        out.append(c)
        i += 1
    return i + 1, "".join(out)


_UNSUPPORTED = {"case command": "case ... esac", "case clause": "case ... esac", "pattern list": "case ... esac",
                "pattern": "case ... esac", "arithmetic for": "for ((...))", "select command": "select",
                "coproc": "coproc", "arithmetic command": "((...))", "cond command": "[[ ... ]]", "time command": "time"}
"""bashlex's grammar rules it has no parser for, as a person writes the construct."""


def _unsupported_construct(e: NotImplementedError) -> str:
    """What the person wrote, not bashlex's own words for it ("type = {pattern}, token = {a}")."""
    m = re.match(r"type = \{([^}]*)\}", str(e))
    return _UNSUPPORTED.get(m.group(1) if m else "", "this construct")


def _mksh_syntax_message(e: Exception) -> str:
    text = str(e)
    m = re.match(r"unexpected token '(.*)' \(position", text)
    if m:
        return f"syntax error: '{m.group(1)}' unexpected"
    if "matching" in text and "'" in text:
        return "syntax error: no closing quote"
    if text.startswith("unexpected EOF"):
        return "syntax error: unexpected end of file"
    return "syntax error: " + re.sub(r" [(]position \d+[)]", "", text)


# -- builtins: what mksh does itself rather than through toybox -------------------------------------
Builtin = Callable[[Interpreter, list[str], Input, Output, Output], int]


def _b_true(sh: Interpreter, argv: list[str], i: Input, o: Output, e: Output) -> int:
    return 0


def _b_false(sh: Interpreter, argv: list[str], i: Input, o: Output, e: Output) -> int:
    return 1


def _b_echo(sh: Interpreter, argv: list[str], i: Input, o: Output, e: Output) -> int:
    args = argv[1:]
    newline = True
    escapes = False
    while args and re.fullmatch(r"-[neE]+", args[0]):
        flags = args.pop(0)
        newline = newline and "n" not in flags
        escapes = "e" in flags or (escapes and "E" not in flags)
    text = " ".join(args)
    if escapes:
        text, stop = _echo_escapes(text)
        newline = newline and not stop
    o.write(text + ("\n" if newline else ""))
    return 0


def _echo_escapes(text: str) -> tuple[str, bool]:
    out = []
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            n = text[i + 1]
            if n == "c":
                return "".join(out), True
            if n in _ANSI:
                out.append(_ANSI[n])
                i += 2
                continue
            m = re.match(r"0([0-7]{0,3})", text[i + 1:i + 5])
            if m:
                out.append(chr(int(m.group(1) or "0", 8)))
                i += 1 + len(m.group(0))
                continue
        out.append(c)
        i += 1
    return "".join(out), False


def _b_printf(sh: Interpreter, argv: list[str], i: Input, o: Output, e: Output) -> int:
    if len(argv) < 2:
        e.write("printf: Needs 1 argument\n")
        return 1
    fmt, args = argv[1], argv[2:]
    out: list[str] = []
    while True:
        consumed = 0
        k = 0
        while k < len(fmt):
            c = fmt[k]
            if c == "\\" and k + 1 < len(fmt):
                text, _stop = _echo_escapes(fmt[k:k + 2] if fmt[k + 1] != "0" else fmt[k:k + 5])
                if fmt[k + 1] == "0":
                    m = re.match(r"0[0-7]{0,3}", fmt[k + 1:])
                    k += 1 + len(m.group(0)) if m else 2
                else:
                    k += 2
                out.append(text)
                continue
            if c == "%" and k + 1 < len(fmt):
                m = re.match(r"%([-+ #0]*)(\d*)(?:\.(\d+))?([sdiouxXcbf%])", fmt[k:])
                if not m:
                    out.append(c)
                    k += 1
                    continue
                k += len(m.group(0))
                conv = m.group(4)
                if conv == "%":
                    out.append("%")
                    continue
                arg = args[consumed] if consumed < len(args) else ""
                consumed += 1
                spec = "%" + m.group(1) + m.group(2) + (("." + m.group(3)) if m.group(3) else "")
                try:
                    if conv in "diouxX":
                        py = conv if conv != "u" else "d"
                        out.append((spec + py) % int(arg or "0", 0))
                    elif conv == "f":
                        out.append((spec + "f") % float(arg or "0"))
                    elif conv == "c":
                        out.append(arg[:1])
                    elif conv == "b":
                        out.append(_echo_escapes(arg)[0])
                    else:
                        out.append((spec + "s") % arg)
                except ValueError:
                    e.write(f"printf: invalid number '{arg}'\n")
                    out.append("0")
                continue
            out.append(c)
            k += 1
        args = args[consumed:]
        if not args or consumed == 0:
            break
    o.write("".join(out))
    return 0


def _b_cd(sh: Interpreter, argv: list[str], i: Input, o: Output, e: Output) -> int:
    target = argv[1] if len(argv) > 1 else sh.vars.get("HOME", "/")
    path = VirtualFS.absolute(target, sh.cwd)
    if not sh.fs.exists(path):
        e.write(f"{SH}: cd: {path}: No such file or directory\n")
        return 2
    if not sh.fs.isdir(path):
        e.write(f"{SH}: cd: {path}: Not a directory\n")
        return 2
    sh.cwd = path
    sh.vars["PWD"] = path
    return 0


def _b_pwd(sh: Interpreter, argv: list[str], i: Input, o: Output, e: Output) -> int:
    o.write(sh.cwd + "\n")
    return 0


def _b_export(sh: Interpreter, argv: list[str], i: Input, o: Output, e: Output) -> int:
    args = [a for a in argv[1:] if a != "-p"]
    if not args:
        for k in sorted(sh.exported):
            if k in sh.vars:
                o.write(f"export {k}={_sh_quote(sh.vars[k])}\n")
        return 0
    for a in args:
        name, eq, value = a.partition("=")
        if eq:
            sh.vars[name] = value
        sh.exported.add(name)
    return 0


def _b_unset(sh: Interpreter, argv: list[str], i: Input, o: Output, e: Output) -> int:
    for a in argv[1:]:
        if a in ("-v", "-f"):
            continue
        sh.vars.pop(a, None)
        sh.functions.pop(a, None)
        sh.exported.discard(a)
    return 0


def _b_set(sh: Interpreter, argv: list[str], i: Input, o: Output, e: Output) -> int:
    args = argv[1:]
    if not args:
        for k in sorted(sh.vars):
            o.write(f"{k}={_sh_quote(sh.vars[k])}\n")
        return 0
    if args[0] == "--":
        sh.positional = args[1:]
    elif not args[0].startswith(("-", "+")):
        sh.positional = args
    return 0


def _b_shift(sh: Interpreter, argv: list[str], i: Input, o: Output, e: Output) -> int:
    n = int(argv[1]) if len(argv) > 1 and argv[1].isdigit() else 1
    if n > len(sh.positional):
        e.write(f"{SH}: shift: nothing to shift\n")
        return 1
    sh.positional = sh.positional[n:]
    return 0


def _b_exit(sh: Interpreter, argv: list[str], i: Input, o: Output, e: Output) -> int:
    code = sh.status
    if len(argv) > 1:
        try:
            code = int(argv[1])
        except ValueError:
            e.write(f"{SH}: exit: {argv[1]}: bad number\n")
            code = 1
    raise _Exit(code & 0xFF)


def _b_return(sh: Interpreter, argv: list[str], i: Input, o: Output, e: Output) -> int:
    raise _Return(int(argv[1]) if len(argv) > 1 and argv[1].lstrip("-").isdigit() else sh.status)


def _b_break(sh: Interpreter, argv: list[str], i: Input, o: Output, e: Output) -> int:
    raise _LoopControl(argv[0], int(argv[1]) if len(argv) > 1 and argv[1].isdigit() else 1)


def _b_read(sh: Interpreter, argv: list[str], i: Input, o: Output, e: Output) -> int:
    names = [a for a in argv[1:] if not a.startswith("-")] or ["REPLY"]
    raw = "-r" in argv
    line = i.readline().decode("utf-8", "replace")
    if not line:
        for n in names:
            sh.vars[n] = ""
        return 1
    line = line.rstrip("\n")
    if not raw:
        line = re.sub(r"\\(.)", r"\1", line)
    pieces = line.split(None, len(names) - 1) if line.strip() else []
    for k, n in enumerate(names):
        sh.vars[n] = pieces[k] if k < len(pieces) else ""
    return 0


def _b_test(sh: Interpreter, argv: list[str], i: Input, o: Output, e: Output) -> int:
    args = argv[1:]
    if argv[0] == "[":
        if not args or args[-1] != "]":
            e.write("[: missing ]\n")
            return 2
        args = args[:-1]
    try:
        return 0 if _test_expr(sh, args) else 1
    except ValueError as exc:
        e.write(f"{argv[0]}: {exc}\n")
        return 2


def _test_expr(sh: Interpreter, args: list[str]) -> bool:
    if not args:
        return False
    if args[0] == "!":
        return not _test_expr(sh, args[1:])
    for op in ("-o", "-a"):
        if op in args:
            k = args.index(op)
            left, right = _test_expr(sh, args[:k]), _test_expr(sh, args[k + 1:])
            return (left or right) if op == "-o" else (left and right)
    if len(args) == 1:
        return args[0] != ""
    if len(args) == 2:
        op, x = args
        if op == "-z":
            return x == ""
        if op == "-n":
            return x != ""
        path = VirtualFS.absolute(x, sh.cwd)
        if op in ("-e", "-f", "-d", "-r", "-w", "-x", "-s", "-L", "-h"):
            try:
                node = sh.fs.lookup(path, follow=op not in ("-L", "-h"))
            except FsError:
                return False
            from ._vfs import Dir, File, Link
            return {
                "-e": True, "-f": isinstance(node, File), "-d": isinstance(node, Dir), "-r": node.readable,
                "-w": sh.fs.writable(sh.fs.realpath(path)), "-x": bool(node.mode & 0o111),
                "-s": node.size > 0, "-L": isinstance(node, Link), "-h": isinstance(node, Link),
            }[op]
        raise ValueError(f"unknown operator {op}")
    if len(args) == 3:
        a, op, b = args
        if op in ("=", "=="):
            return a == b
        if op == "!=":
            return a != b
        if op in ("-eq", "-ne", "-lt", "-le", "-gt", "-ge"):
            try:
                x, y = int(a), int(b)
            except ValueError:
                raise ValueError("bad number") from None
            return {"-eq": x == y, "-ne": x != y, "-lt": x < y, "-le": x <= y, "-gt": x > y, "-ge": x >= y}[op]
    raise ValueError("syntax error")


def _b_type(sh: Interpreter, argv: list[str], i: Input, o: Output, e: Output) -> int:
    quiet = argv[0] == "command"
    names = [a for a in argv[1:] if not a.startswith("-")]
    if quiet and "-v" not in argv and "-V" not in argv:
        return sh.call(names, i, o, e) if names else 0
    status = 0
    for n in names:
        if n in _BUILTINS or n in sh.functions:
            o.write(f"{n}\n" if quiet else f"{n} is a shell builtin\n")
        elif n in sh.commands:
            o.write(f"/system/bin/{n}\n" if quiet else f"{n} is a tracked alias for /system/bin/{n}\n")
        else:
            if not quiet:
                e.write(f"{n} not found\n")
            status = 1
    return status


def _b_eval(sh: Interpreter, argv: list[str], i: Input, o: Output, e: Output) -> int:
    text = " ".join(argv[1:])
    saved = sh.src
    try:
        return sh._run_source(text, i, o, e)
    finally:
        sh.src = saved


def _b_source(sh: Interpreter, argv: list[str], i: Input, o: Output, e: Output) -> int:
    if len(argv) < 2:
        e.write(f"{SH}: {argv[0]}: filename argument required\n")
        return 2
    try:
        text = sh.fs.read(VirtualFS.absolute(argv[1], sh.cwd)).decode("utf-8", "replace")
    except FsError as exc:
        e.write(f"{SH}: {argv[0]}: {exc}\n")
        return 1
    saved = sh.src
    try:
        return sh._run_source(text, i, o, e)
    finally:
        sh.src = saved


def _b_exec(sh: Interpreter, argv: list[str], i: Input, o: Output, e: Output) -> int:
    if len(argv) < 2:
        return 0
    raise _Exit(sh.call(argv[1:], i, o, e))


def _b_local(sh: Interpreter, argv: list[str], i: Input, o: Output, e: Output) -> int:
    for a in argv[1:]:
        name, _, value = a.partition("=")
        sh.vars[name] = value
    return 0


def _b_noop(sh: Interpreter, argv: list[str], i: Input, o: Output, e: Output) -> int:
    return 0


def _b_wait(sh: Interpreter, argv: list[str], i: Input, o: Output, e: Output) -> int:
    pids = [int(a) for a in argv[1:] if a.isdigit()]
    return sh.wait_jobs(pids or None)


def _b_kill(sh: Interpreter, argv: list[str], i: Input, o: Output, e: Output) -> int:
    """mksh's kill: ``kill [-SIG | -s SIG | -NUM] PID...``, ``kill -l``."""
    from ._procs import SIGNALS

    args = argv[1:]
    if args[:1] == ["-l"]:
        o.write(" ".join(SIGNALS) + "\n")
        return 0
    sig = SIGNALS["TERM"]
    if args[:1] == ["-s"] and len(args) > 1:
        spec, args = args[1], args[2:]
    elif args and args[0].startswith("-") and len(args[0]) > 1:
        spec, args = args[0][1:], args[1:]
    else:
        spec = ""
    if spec:
        name = spec.upper().removeprefix("SIG")
        if name.isdigit():
            sig = int(name)
        elif name in SIGNALS:
            sig = SIGNALS[name]
        else:
            e.write(f"{SH}: kill: {spec}: bad signal\n")
            return 1
    if not args:
        e.write(f"{SH}: kill: usage: kill [-s signame | -signum | -signame] {{ job | pid | pgrp }} ...\n")
        return 1
    procs = getattr(sh.phone, "procs", None)
    status = 0
    for a in args:
        if not a.lstrip("-").isdigit() or procs is None or not procs.signal(int(a), sig):
            e.write(f"{SH}: kill: {a}: No such process\n")
            status = 1
    return status


def _sh_quote(s: str) -> str:
    return s if re.fullmatch(r"[A-Za-z0-9_@%+=:,./-]+", s) else "'" + s.replace("'", "'\\''") + "'"


_BUILTINS: dict[str, Builtin] = {
    ":": _b_true, "true": _b_true, "false": _b_false, "echo": _b_echo, "printf": _b_printf,
    "cd": _b_cd, "pwd": _b_pwd, "export": _b_export, "readonly": _b_export, "unset": _b_unset,
    "set": _b_set, "shift": _b_shift, "exit": _b_exit, "return": _b_return, "break": _b_break,
    "continue": _b_break, "read": _b_read, "test": _b_test, "[": _b_test, "type": _b_type,
    "command": _b_type, "eval": _b_eval, ".": _b_source, "source": _b_source, "exec": _b_exec,
    "trap": _b_noop, "wait": _b_wait, "kill": _b_kill, "umask": _b_noop, "local": _b_local, "alias": _b_noop,
    "ulimit": _b_noop,
}
BUILTIN_NAMES = frozenset(_BUILTINS)
