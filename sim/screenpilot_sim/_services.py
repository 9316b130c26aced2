"""adbd's services: ``shell`` (v1 and v2, raw and pty), ``exec``, ``sync`` and the small fixed ones.

The service string arrives as adb sends it (``shell,v2,TERM=xterm,raw:CMD``, ``exec:CMD``,
``sync:``); each runs in its own thread over one :class:`Stream`.
"""

from __future__ import annotations

import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ._shio import CallbackOutput, PipeInput

if TYPE_CHECKING:
    from ._adbd import ServiceRunner, Stream
    from ._phone import VirtualPhone

__all__ = ["ShellRequest", "StreamReader", "parse_shell_service", "service_for"]

# shell protocol v2 packet ids
ID_STDIN, ID_STDOUT, ID_STDERR, ID_EXIT, ID_CLOSE_STDIN, ID_WINDOW_SIZE = 0, 1, 2, 3, 4, 5
_FLUSH_AT = 64 * 1024


@dataclass(frozen=True)
class ShellRequest:
    command: str
    v2: bool
    pty: bool
    term: str = ""


def parse_shell_service(service: str) -> ShellRequest | None:
    """``shell[,opt...]:CMD`` as adbd reads it; None when it is not a shell request."""
    head, sep, command = service.partition(":")
    if not sep:
        return None
    names = head.split(",")
    if names[0] != "shell":
        return None
    v2 = "v2" in names[1:]
    term = next((n[5:] for n in names if n.startswith("TERM=")), "")
    if "raw" in names:
        pty = False
    elif "pty" in names:
        pty = True
    else:  # adbd's default: a pty for an interactive shell, raw for a command
        pty = command == ""
    return ShellRequest(command=command, v2=v2, pty=pty, term=term)


class StreamReader:
    """Exact-length reads over a stream's chunks (sync requests and shell v2 packets cross them)."""

    def __init__(self, stream: Stream) -> None:
        self.stream = stream
        self.buf = bytearray()

    def read_exact(self, n: int) -> bytes | None:
        while len(self.buf) < n:
            chunk = self.stream.read()
            if chunk is None:
                return None
            self.buf += chunk
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out


class _Sink:
    """Buffers a shell's output and sends it in packets (framed for v2, CR-LF for a pty)."""

    def __init__(self, stream: Stream, packet_id: int | None, *, crlf: bool) -> None:
        self.stream = stream
        self.packet_id = packet_id
        self.crlf = crlf
        self.buf = bytearray()
        self.lock = threading.Lock()

    def write(self, data: bytes) -> None:
        if self.crlf:
            data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        with self.lock:
            self.buf += data
            if len(self.buf) >= _FLUSH_AT:
                self._flush()

    def flush(self) -> None:
        with self.lock:
            self._flush()

    def _flush(self) -> None:
        if not self.buf:
            return
        data = bytes(self.buf)
        self.buf.clear()
        if self.packet_id is None:
            self.stream.write(data)
            return
        limit = self.stream.conn.max_payload - 5
        for start in range(0, len(data), limit):
            piece = data[start:start + limit]
            self.stream.write(struct.pack("<BI", self.packet_id, len(piece)) + piece)


def _pump_stdin(stream: Stream, stdin: PipeInput, *, v2: bool) -> None:
    """Feed what the host types (or pipes) into the shell's stdin until it closes."""
    if not v2:
        while (chunk := stream.read()) is not None:
            stdin.feed(chunk)
        stdin.close()
        return
    reader = StreamReader(stream)
    while (header := reader.read_exact(5)) is not None:
        packet_id, length = struct.unpack("<BI", header)
        payload = reader.read_exact(length) if length else b""
        if payload is None:
            break
        if packet_id == ID_STDIN:
            stdin.feed(payload)
        elif packet_id == ID_CLOSE_STDIN:
            break
    stdin.close()


def run_shell(phone: VirtualPhone, stream: Stream, req: ShellRequest, *, exec_mode: bool = False) -> None:
    stdin = PipeInput()
    threading.Thread(target=_pump_stdin, args=(stream, stdin), kwargs={"v2": req.v2}, daemon=True,
                     name="adbd-stdin").start()
    out = _Sink(stream, ID_STDOUT if req.v2 else None, crlf=req.pty)
    err = out if (req.pty or not req.v2) else _Sink(stream, ID_STDERR, crlf=False)
    shell = phone.new_shell(service=stream.service, cancelled=stream.cancelled)
    stdout, stderr = CallbackOutput(out.write, out.flush), CallbackOutput(err.write, err.flush)
    if req.command:
        code = shell.run(req.command, stdin=stdin, stdout=stdout, stderr=stderr)
    else:
        code = _interactive(phone, shell, stdin, stdout, stderr, echo=req.pty)
    out.flush()
    if err is not out:
        err.flush()
    if req.v2:
        stream.write(struct.pack("<BIB", ID_EXIT, 1, code & 0xFF))


def _interactive(phone: VirtualPhone, shell: object, stdin: PipeInput, stdout: CallbackOutput,
                 stderr: CallbackOutput, *, echo: bool) -> int:
    """A line-at-a-time ``adb shell`` session: prompt, echo, run, until ``exit`` or end of input."""
    from ._shell import Interpreter

    assert isinstance(shell, Interpreter)
    line = bytearray()
    code = 0

    def prompt() -> None:  # mksh prompts only when it has a terminal (adb shell with a pty)
        if echo:
            stdout.write(f"{phone.config.device}:{shell.cwd} $ ")

    prompt()
    while not shell.cancelled.is_set():
        chunk = stdin.read_available(timeout=0.5)
        if chunk is None:
            return code
        for b in chunk:
            ch = bytes([b])
            if ch in (b"\r", b"\n"):
                if echo:
                    stdout.write(b"\n")
                text = line.decode("utf-8", "replace")
                line.clear()
                if text.strip() in ("exit", "logout"):
                    return code
                code = shell.run(text, stdout=stdout, stderr=stderr)
                if shell.status != code:
                    shell.status = code
                prompt()
            elif ch == b"\x04" and not line:
                return code
            elif ch in (b"\x7f", b"\x08"):
                if line:
                    line.pop()
                    if echo:
                        stdout.write(b"\b \b")
            elif ch == b"\x03":
                line.clear()
                if echo:
                    stdout.write(b"^C\n")
                prompt()
            else:
                line += ch
                if echo:
                    stdout.write(ch)
    return code


def _fixed(text: str) -> ServiceRunner:
    def runner(stream: Stream, service: str) -> None:
        stream.write(text.encode())

    return runner


def service_for(phone: VirtualPhone, service: str) -> ServiceRunner | None:
    """The runner for one OPEN, or None for a service this phone does not offer (adbd CLSEs it)."""
    from ._sync import run_sync

    shell_req = parse_shell_service(service)
    if shell_req is not None:
        return lambda stream, _s: run_shell(phone, stream, shell_req)
    if service.startswith("exec:"):
        req = ShellRequest(command=service[5:], v2=False, pty=False)
        return lambda stream, _s: run_shell(phone, stream, req, exec_mode=True)
    if service in ("sync:", "sync"):
        return lambda stream, _s: run_sync(phone, stream)
    if service.startswith("sim:"):
        from ._admin import run_admin

        return lambda stream, s: run_admin(phone, stream, s)
    if service.startswith("localabstract:"):  # what `adb forward ... localabstract:NAME` opens (scrcpy)
        from ._abstract import abstract_service

        return abstract_service(phone, service.partition(":")[2])
    if service in ("framebuffer:", "framebuffer") or service.startswith("reverse:"):
        from ._hostlink import hostlink_service

        return hostlink_service(phone, service)
    if service.startswith("reboot:"):
        return lambda stream, _s: phone.reboot(service[7:])
    fixed: dict[str, Callable[[], str]] = {
        "root:": lambda: "adbd cannot run as root in production builds\n",
        "unroot:": lambda: "adbd not running as root\n",
        "remount:": lambda: "remount is not supported: not running as root. Try 'adb root' first.\n",
        "usb:": lambda: "restarting in USB mode\n",
        "enable-verity:": lambda: "verity cannot be enabled - USER build\n",
        "disable-verity:": lambda: "verity cannot be disabled - USER build\n",
    }
    if service in fixed:
        return _fixed(fixed[service]())
    if service.startswith("tcpip:"):
        return _fixed(f"restarting in TCP mode port: {service[6:]}\n")
    return None
