"""Observing and acting through the scrcpy server: H.264 frames in, touches, keys and text out.

``ScrcpyStream.start()`` pushes the jar, ``adb forward``s a local port to the server's abstract socket,
starts the server with ``app_process`` over one adb shell (kept open: the server lives as long as it),
connects the video socket (waiting for the dummy byte that proves the server is there) and the control
socket, and starts three threads: the video reader (decodes every packet with PyAV, keeps the latest
frame), the control reader (device messages: clipboard replies) and the server's output reader.

Timestamps. The server stamps every frame with its PTS (microseconds, device clock). The host maps it
onto its own clock with the smallest (arrival - PTS) seen in the session: a frame's *production time*
estimate is then never earlier than the truth, and late by at most the quickest frame's transit.

Barriers. After an action the client asks for the clipboard (``GET_CLIPBOARD``, answered only with
``clipboard_autosync=false``, which this client sets): the server handles control messages one at a
time, in order, so the reply proves every event before it was injected. A control socket that closes
before the reply means the action's outcome is unknown (:class:`ActionOutcomeUnknown`); it is never
sent again. A phone whose clipboard has never held anything does not answer (Android returns null);
then the stream runs without barriers (``barriers=False``) and only socket errors reveal a lost action.
"""

from __future__ import annotations

import random
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...actions import Size
from ...perception import Frame
from .._errors import ActionOutcomeUnknown, DeviceError
from . import _scrcpy_wire as wire
from ._adb import AdbLink, _read_exact
from ._scrcpy_server import REMOTE_PATH, ServerJar, StreamUnavailable

__all__ = ["ScrcpyStream", "StreamFrame"]

_DEVICE_NAME = 64


@dataclass(frozen=True)
class StreamFrame:
    """One decoded frame, its PTS, and when it arrived / was (at the latest) produced, on the host clock."""

    video: Any  # av.VideoFrame
    pts_us: int
    arrived: float
    produced: float
    seq: int
    session: int

    @property
    def size(self) -> Size:
        return Size(self.video.width, self.video.height)


class ScrcpyStream:
    """A running scrcpy server on one phone and the client's two sockets to it."""

    def __init__(self, link: AdbLink, jar: ServerJar, *, max_fps: int = 60, max_size: int = 0,
                 bit_rate: int = 8_000_000, timeout: float = 10.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.link = link
        self.jar = jar
        self.max_fps = max_fps
        self.max_size = max_size
        self.bit_rate = bit_rate
        self.timeout = timeout
        self.clock = clock
        self.device_name = ""
        self.video_size: Size | None = None
        self.barriers = True
        self.started_s = 0.0
        self.frames_decoded = 0
        self.decode_s = 0.0
        self.error: str = ""
        self._port = 0
        self._video: socket.socket | None = None
        self._control: socket.socket | None = None
        self._shell: Any = None
        self._server_output = bytearray()
        self._server_exit: int | None = None
        self._cond = threading.Condition()
        self._latest: StreamFrame | None = None
        self._offset: float | None = None
        self._session = 0
        self._dead = threading.Event()
        self._closing = False
        self._clipboard_replies: list[str] = []
        self._acks: set[int] = set()
        self._sequence = random.randrange(1, 1 << 31)
        self._send_lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._gaps: list[float] = []

    # -- start and stop -------------------------------------------------------------------------------
    def start(self) -> ScrcpyStream:
        """Push, forward, launch, connect; StreamUnavailable (with the server's own words) when it fails."""
        t0 = self.clock()
        scid = random.randrange(0, 1 << 31)
        try:
            self._push()
            self._forward(f"localabstract:scrcpy_{scid:08x}")
            self._launch(scid)
            self._video = self._connect_first()
            self._control = self._connect()
            self.device_name = _exact(self._video, _DEVICE_NAME).rstrip(b"\0").decode("utf-8", "replace")
            header = _exact(self._video, self.jar.wire.video_header_size())
            codec = struct.unpack_from(">I", header)[0]
            if codec != 0x68323634:
                raise StreamUnavailable(f"the scrcpy server sends {wire.CODECS.get(codec, hex(codec))}, not H.264")
            if len(header) == 12:
                self.video_size = Size(*struct.unpack_from(">II", header, 4))
        except (OSError, EOFError, DeviceError) as exc:
            self.close()
            if isinstance(exc, StreamUnavailable):
                raise
            raise StreamUnavailable(f"the scrcpy server did not start: {self._why(exc)}",
                                    hint="see the server's output above; `--capture screencap` avoids the stream") from exc
        for target, name in ((self._read_video, "video"), (self._read_device_messages, "control")):
            t = threading.Thread(target=target, daemon=True, name=f"scrcpy-{name}-{self.link.serial}")
            t.start()
            self._threads.append(t)
        self.started_s = self.clock() - t0
        return self

    def _why(self, exc: BaseException) -> str:
        output = self._server_output.decode("utf-8", "replace").strip()
        return (output[-800:] if output else str(exc) or type(exc).__name__)

    def _push(self) -> None:
        device = self.link._adbutils_device()
        try:
            device.sync.push(self.jar.path.read_bytes(), REMOTE_PATH)
        except Exception as exc:
            raise StreamUnavailable(f"could not push {self.jar.path} to the phone: {exc}") from exc

    def _forward(self, remote: str) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self._port = probe.getsockname()[1]
        try:
            self.link._adbutils_device().forward(f"tcp:{self._port}", remote)
        except Exception as exc:
            self._port = 0
            raise StreamUnavailable(f"`adb forward tcp:... {remote}` failed: {exc}") from exc

    def _launch(self, scid: int) -> None:
        w = self.jar.wire
        args = " ".join(w.server_args(scid, max_size=self.max_size, max_fps=self.max_fps, bit_rate=self.bit_rate))
        command = f"CLASSPATH={REMOTE_PATH} app_process / com.genymobile.scrcpy.Server {args}"
        conn = self.link._open(self.timeout)
        conn.send_command(f"shell,v2,raw:{command}")
        conn.check_okay()
        conn.conn.settimeout(None)
        self._shell = conn
        t = threading.Thread(target=self._read_server_output, daemon=True, name=f"scrcpy-server-{self.link.serial}")
        t.start()
        self._threads.append(t)

    def _read_server_output(self) -> None:
        sock = self._shell.conn
        try:
            while True:
                kind, length = struct.unpack("<BI", bytes(_read_exact(sock, 5)))
                data = bytes(_read_exact(sock, length)) if length else b""
                if kind in (1, 2):
                    self._server_output += data
                elif kind == 3:
                    self._server_exit = data[0] if data else 255
                    break
        except (OSError, EOFError):
            pass
        finally:
            if self._server_exit is None:
                self._server_exit = -1
            self._mark_dead("the scrcpy server ended" + (f" (exit {self._server_exit})" if self._server_exit >= 0 else ""))

    def _connect(self) -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", self._port), timeout=self.timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    def _connect_first(self) -> socket.socket:
        """The forward port accepts even before the server listens; the dummy byte says it is there."""
        deadline = self.clock() + self.timeout
        delay = 0.01
        while True:
            sock = self._connect()
            try:
                if sock.recv(1) == b"\0":
                    return sock
            except OSError:
                pass
            sock.close()
            if self._server_exit is not None:
                raise StreamUnavailable(f"the scrcpy server exited (status {self._server_exit}): {self._why(EOFError())}")
            if self.clock() > deadline:
                raise StreamUnavailable(f"the scrcpy server did not open its socket within {self.timeout:g} s")
            time.sleep(delay)  # polling the port: the server gives no other sign that it listens
            delay = min(delay * 2, 0.2)

    def close(self) -> None:
        """Close the sockets, end the server's shell, remove the forward."""
        self._closing = True
        for sock in (self._video, self._control):
            if sock is not None:
                _shut(sock)
        if self._shell is not None:
            try:
                self._shell.close()
            except OSError:
                pass
        if self._port:
            try:
                c = self.link._client.make_connection(timeout=self.timeout)
                c.send_command(f"host-serial:{self.link.serial}:killforward:tcp:{self._port}")
                c.check_okay()
                c.close()
            except Exception:  # noqa: BLE001 - the forward dies with the adb server anyway
                pass
            self._port = 0
        self._mark_dead("closed")
        for t in self._threads:
            if t is not threading.current_thread():
                t.join(timeout=2)

    @property
    def alive(self) -> bool:
        return not self._dead.is_set()

    def _mark_dead(self, why: str) -> None:
        if not self._dead.is_set():
            self.error = self.error or why
            self._dead.set()
        with self._cond:
            self._cond.notify_all()

    # -- video -------------------------------------------------------------------------------------------
    def _read_video(self) -> None:
        import av  # the `stream` extra

        sock = self._video
        assert sock is not None
        decoder = av.CodecContext.create("h264", "r")
        config = b""
        try:
            while True:
                head = self.jar.wire.parse_header(_exact(sock, 12))
                if head.session:
                    with self._cond:
                        self._session += 1
                        self._offset = None
                        self.video_size = Size(head.width, head.height)
                    continue
                payload = _exact(sock, head.size)
                arrived = self.clock()
                if head.config:
                    config = payload
                    if self.jar.wire.major < 4:  # 3.x: a config packet starts a new capture session
                        with self._cond:
                            self._session += 1
                            self._offset = None
                    continue
                packet = av.Packet(config + payload)
                config = b""
                packet.pts = head.pts_us
                t = time.perf_counter()
                decoded = decoder.decode(packet)
                self.decode_s += time.perf_counter() - t
                for video in decoded:
                    self._publish(video, head.pts_us, arrived)
        except (OSError, EOFError, ValueError) as exc:
            self._mark_dead(f"the video socket closed ({exc})" if not self._closing else "closed")
        except Exception as exc:  # noqa: BLE001 - a decoder failure ends the stream, with its reason
            self._mark_dead(f"H.264 decoding failed: {exc}")

    def _publish(self, video: Any, pts_us: int, arrived: float) -> None:
        with self._cond:
            pts_s = pts_us / 1e6
            self._offset = arrived - pts_s if self._offset is None else min(self._offset, arrived - pts_s)
            seq = self._latest.seq + 1 if self._latest is not None else 1
            if self._latest is not None and self._latest.session == self._session:
                self._gaps = [*self._gaps[-19:], pts_s - self._latest.pts_us / 1e6]
            self._latest = StreamFrame(video, pts_us, arrived, pts_s + self._offset, seq, self._session)
            self.video_size = Size(video.width, video.height)
            self.frames_decoded += 1
            self._cond.notify_all()

    def frame_gap(self) -> float:
        """The median time between consecutive frames lately (0.0 before two frames): how long a silence
        must last before it says more than "the next frame is on its way"."""
        with self._cond:
            gaps = sorted(self._gaps)
        return gaps[len(gaps) // 2] if gaps else 0.0

    @property
    def session(self) -> int:
        """Capture sessions seen so far (a reset or a rotation starts one)."""
        with self._cond:
            return self._session

    def latest(self) -> StreamFrame | None:
        with self._cond:
            return self._latest

    def wait_frame(self, condition: Callable[[StreamFrame], bool], timeout: float) -> StreamFrame | None:
        """The first frame (the latest included) for which ``condition`` holds; None after ``timeout``."""
        deadline = self.clock() + timeout
        with self._cond:
            while True:
                if self._latest is not None and condition(self._latest):
                    return self._latest
                if self._dead.is_set():
                    raise StreamUnavailable(f"the scrcpy stream stopped: {self.error}")
                remaining = deadline - self.clock()
                if remaining <= 0:
                    return None
                self._cond.wait(remaining)

    def to_frame(self, sf: StreamFrame) -> Frame:
        """A Frame of the decoded pixels (RGB: stored losslessly as PNG) stamped with the stream's time."""
        image = sf.video.to_image()
        wall = time.time() - self.clock() + sf.produced
        frame = Frame.from_raw(image.tobytes(), Size(*image.size), "rgb", captured_at=wall,
                               source=f"scrcpy:{self.link.serial}:{self.jar.version}")
        frame.stream_pts_us = sf.pts_us
        frame._image = image
        return frame

    # -- control ------------------------------------------------------------------------------------------
    def _read_device_messages(self) -> None:
        sock = self._control
        assert sock is not None
        try:
            while True:
                kind = _exact(sock, 1)[0]
                if kind == wire.DEVICE_CLIPBOARD:
                    n = struct.unpack(">I", _exact(sock, 4))[0]
                    text = _exact(sock, n).decode("utf-8", "replace") if n else ""
                    with self._cond:
                        self._clipboard_replies.append(text)
                        self._cond.notify_all()
                elif kind == wire.DEVICE_ACK_CLIPBOARD:
                    seq = struct.unpack(">Q", _exact(sock, 8))[0]
                    with self._cond:
                        self._acks.add(seq)
                        self._cond.notify_all()
                elif kind == wire.DEVICE_UHID_OUTPUT:
                    _id, n = struct.unpack(">HH", _exact(sock, 4))
                    _exact(sock, n)
                else:
                    raise ValueError(f"unknown device message {kind}")
        except (OSError, EOFError, ValueError) as exc:
            self._mark_dead(f"the control socket closed ({exc})" if not self._closing else "closed")

    def send(self, data: bytes, what: str, *, barrier: bool = True) -> float:
        """Write control messages once; returns when the server has handled them (with a barrier).

        Before the write, a dead stream is StreamUnavailable (nothing was sent: the caller may restart
        and send). During or after it, a closed socket is ActionOutcomeUnknown: never re-sent.
        """
        if not self.alive or self._control is None:
            raise StreamUnavailable(f"the scrcpy stream stopped before `{what}` was sent: {self.error}")
        use_barrier = barrier and self.barriers
        with self._send_lock:
            with self._cond:
                replies = len(self._clipboard_replies)
            try:
                self._control.sendall(data + (wire.get_clipboard() if use_barrier else b""))
            except OSError as exc:
                self._mark_dead(f"the control socket failed ({exc})")
                raise self.unknown(what, str(exc)) from exc
            if not use_barrier:
                return self.clock()
            with self._cond:
                ok = self._cond.wait_for(lambda: len(self._clipboard_replies) > replies or self._dead.is_set(),
                                         self.timeout)
                if len(self._clipboard_replies) > replies:
                    return self.clock()
            raise self.unknown(what, self.error if not ok or self._dead.is_set() else "no reply")

    def unknown(self, what: str, why: str) -> ActionOutcomeUnknown:
        return ActionOutcomeUnknown(
            f"`{what}` was sent to {self.link.serial} on the scrcpy control socket but the stream stopped ({why}): "
            "it may or may not have run, so it was not sent again",
            hint="look at the screen again before deciding what to do next",
        )

    def probe_barrier(self) -> bool:
        """Whether the server answers GET_CLIPBOARD (not when the phone's clipboard has never held a clip)."""
        with self._cond:
            replies = len(self._clipboard_replies)
        assert self._control is not None
        self._control.sendall(wire.get_clipboard())
        with self._cond:
            self.barriers = self._cond.wait_for(lambda: len(self._clipboard_replies) > replies or self._dead.is_set(),
                                                min(self.timeout, 1.0)) and not self._dead.is_set()
        return self.barriers

    def clipboard(self) -> str | None:
        """The phone's clipboard text (None when the server does not answer)."""
        if not self.barriers:
            return None
        with self._cond:
            replies = len(self._clipboard_replies)
        assert self._control is not None
        with self._send_lock:
            self._control.sendall(wire.get_clipboard())
        with self._cond:
            self._cond.wait_for(lambda: len(self._clipboard_replies) > replies or self._dead.is_set(), self.timeout)
            return self._clipboard_replies[-1] if len(self._clipboard_replies) > replies else None

    def paste(self, text: str, what: str) -> None:
        """SET_CLIPBOARD with paste: the route for text no key can type; waits for the server's ACK."""
        self._sequence += 1
        seq = self._sequence
        self.send(wire.set_clipboard(text, sequence=seq, paste=True), what, barrier=False)
        with self._cond:
            if not self._cond.wait_for(lambda: seq in self._acks or self._dead.is_set(), self.timeout) or seq not in self._acks:
                raise self.unknown(what, self.error or "no acknowledgement")

    def restore_clipboard(self, text: str) -> None:
        self._sequence += 1
        self.send(wire.set_clipboard(text, sequence=self._sequence, paste=False), "restore the clipboard", barrier=False)


def _exact(sock: socket.socket, n: int) -> bytes:
    return bytes(_read_exact(sock, n)) if n else b""


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()
