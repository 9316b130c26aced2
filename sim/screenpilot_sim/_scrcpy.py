"""The scrcpy server, as the virtual phone runs it: ``app_process / com.genymobile.scrcpy.Server VERSION k=v...``.

What a client sees is what the real server (3.x and 4.x, ``_scrcpy_wire``) does over ``adb forward``:
the version check against the pushed jar, the abstract socket ``scrcpy_<scid>`` (``scrcpy`` without a
scid), the video / audio / control sockets accepted in that order, the dummy byte and the 64-byte
device name on the first one, an H.264 stream of the phone's own frames with 12-byte frame headers
(PTS in microseconds since the session began), and control messages injected as touches, keys and
text through the phone's injected-input entry points. Frames are sent when the screen changes (at
most ``max_fps``), and the last one once more 100 ms later, as MediaCodec's
``KEY_REPEAT_PREVIOUS_FRAME_AFTER`` does. Reverse tunnels and audio capture are not simulated (audio
gets the "disabled" codec id, as on a phone that cannot capture it).
"""

from __future__ import annotations

import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ._abstract import Accepted, AddressInUse, listen
from ._scrcpy_video import H264Encoder, video_size
from ._scrcpy_wire import (
    DEVICE_MSG_ACK_CLIPBOARD,
    DEVICE_MSG_CLIPBOARD,
    DEVICE_NAME_LENGTH,
    Family,
    typable_char,
)
from ._services import StreamReader

__all__ = ["ServerOptions", "run_server"]

SERVER_CLASS = "com.genymobile.scrcpy.Server"
REPEAT_AFTER_S = 0.1  # MediaCodec KEY_REPEAT_PREVIOUS_FRAME_AFTER as scrcpy sets it
MAX_FPS_CAP = 60  # a phone's display refresh: frames never come faster
_BOOL = {"true": True, "false": False}


class ServerFailure(Exception):
    """Ends the server with exit status 1 and scrcpy's ``[server] ERROR:`` line."""


@dataclass
class ServerOptions:
    """The ``key=value`` arguments the phone honours; others are accepted with scrcpy's warning."""

    scid: int = -1
    video: bool = True
    audio: bool = True
    control: bool = True
    tunnel_forward: bool = False
    max_size: int = 0
    max_fps: float = 0.0
    video_bit_rate: int = 8_000_000
    video_codec: str = "h264"
    send_device_meta: bool = True
    send_frame_meta: bool = True
    send_dummy_byte: bool = True
    send_stream_meta: bool = True
    clipboard_autosync: bool = True
    cleanup: bool = True
    warnings: list[str] = field(default_factory=list)

    @classmethod
    def parse(cls, family: Family, args: list[str]) -> ServerOptions:
        opts = cls()
        for arg in args:
            key, sep, value = arg.partition("=")
            if not sep:
                raise ServerFailure(f'Invalid key=value pair: "{arg}"')
            try:
                opts._set(family, key, value)
            except (ValueError, KeyError) as exc:
                raise ServerFailure(f"Invalid value for {key}: {value!r} ({exc})") from exc
        return opts

    def _set(self, family: Family, key: str, value: str) -> None:
        if key == "scid":
            self.scid = int(value, 16)
        elif key in ("video", "audio", "control", "tunnel_forward", "send_device_meta", "send_frame_meta",
                     "send_dummy_byte", "clipboard_autosync", "cleanup"):
            setattr(self, key, _BOOL[value])
        elif key == family.stream_meta_option:
            self.send_stream_meta = _BOOL[value]
        elif key == "raw_stream":
            if _BOOL[value]:
                self.send_device_meta = self.send_frame_meta = self.send_dummy_byte = self.send_stream_meta = False
        elif key in ("max_size", "video_bit_rate"):
            setattr(self, key, int(value))
        elif key == "max_fps":
            self.max_fps = float(value) if value else 0.0
        elif key == "video_codec":
            self.video_codec = value
        elif key not in _ACCEPTED:
            self.warnings.append(f"Unknown server option: {key}")

    @property
    def socket_name(self) -> str:
        return "scrcpy" if self.scid == -1 else f"scrcpy_{self.scid:08x}"


# options a phone's server understands and the virtual one has nothing to do for
_ACCEPTED = {"log_level", "display_id", "show_touches", "stay_awake", "power_off_on_close", "power_on",
             "downsize_on_error", "audio_codec", "audio_bit_rate", "audio_source", "audio_dup", "video_encoder",
             "audio_encoder", "video_codec_options", "audio_codec_options", "lock_video_orientation",
             "capture_orientation", "crop", "list_encoders", "list_displays", "list_cameras", "list_camera_sizes",
             "list_apps", "video_source", "camera_id", "camera_size", "camera_facing", "camera_ar", "camera_fps",
             "camera_high_speed", "new_display", "vd_destroy_content", "vd_system_decorations",
             "display_ime_policy", "screen_off_timeout", "angle", "min_size_alignment", "keep_active",
             "flex_display", "camera_zoom", "camera_torch", "ignore_video_encoder_constraints",
             "send_codec_meta", "send_stream_meta"}


class _Channel:
    """One accepted socket: exact reads, serialised writes, and a flag when the peer went away."""

    def __init__(self, conn: Accepted) -> None:
        self.conn = conn
        self.reader = StreamReader(conn.stream)
        self.lock = threading.Lock()

    def write(self, data: bytes) -> None:
        with self.lock:
            self.conn.stream.write(data)

    def read(self, n: int) -> bytes:
        data = self.reader.read_exact(n)
        if data is None:
            raise EOFError("the client closed the socket")
        return data

    @property
    def closed(self) -> bool:
        return self.conn.stream.closed

    def close(self) -> None:
        self.conn.close()


class ScrcpyServer:
    """One running server: its sockets, a video thread and a control thread."""

    def __init__(self, phone: Any, family: Family, opts: ServerOptions, log: Callable[[str, str], None]) -> None:
        self.phone = phone
        self.family = family
        self.opts = opts
        self.log = log
        self.stop = threading.Event()
        self.reset_video = threading.Event()
        self.video: _Channel | None = None
        self.control: _Channel | None = None
        self._clipboard_sent: str | None = None
        self._setting_clipboard = False

    # -- connection ------------------------------------------------------------------------------------
    def accept(self, cancelled: threading.Event) -> None:
        try:
            listener = listen(self.phone, self.opts.socket_name)
        except AddressInUse as exc:
            raise ServerFailure(f"java.io.IOException: {exc}") from exc
        accepted: list[Accepted] = []
        try:
            wanted = [self.opts.video, self.opts.audio, self.opts.control]
            for want in wanted:
                if not want:
                    accepted.append(None)  # type: ignore[arg-type]
                    continue
                conn = None
                while conn is None:
                    if cancelled.is_set():
                        raise ServerFailure("interrupted while waiting for the client")
                    conn = listener.accept(timeout=0.1)
                accepted.append(conn)
                if self.opts.send_dummy_byte and sum(1 for a in accepted if a is not None) == 1:
                    conn.stream.write(b"\x00")
        finally:
            listener.close()
        video, audio, control = accepted
        first = next(a for a in accepted if a is not None)
        if self.opts.send_device_meta:
            name = self.phone.props.get("ro.product.model", "").encode()[: DEVICE_NAME_LENGTH - 1]
            first.stream.write(name.ljust(DEVICE_NAME_LENGTH, b"\0"))
        if audio is not None:  # audio capture is not simulated: the "disabled" codec id, then the socket closes
            if self.opts.send_stream_meta:
                audio.stream.write(struct.pack(">I", 0))
            audio.close()
            self.log("WARN", "Audio capture is not supported by this device")
        self.video = _Channel(video) if video is not None else None
        self.control = _Channel(control) if control is not None else None

    def close(self) -> None:
        self.stop.set()
        for ch in (self.video, self.control):
            if ch is not None:
                ch.close()

    # -- video -----------------------------------------------------------------------------------------
    def stream_video(self) -> None:
        """Send a frame whenever the phone's screen is a new picture, at most ``max_fps`` a second."""
        ch = self.video
        phone, fam, opts = self.phone, self.family, self.opts
        fps = min(opts.max_fps or MAX_FPS_CAP, MAX_FPS_CAP)
        period = 1.0 / fps
        encoder: H264Encoder | None = None
        origin = 0.0
        last: Any = None
        last_sent = 0.0
        repeated = True
        try:
            if ch is not None and opts.send_stream_meta:
                w, h = video_size(*phone.display_size(), opts.max_size)
                ch.write(fam.video_header(w, h))
            while not self.stop.is_set():
                tick = time.monotonic()
                if ch is None:
                    self._sync_clipboard()
                    self.stop.wait(period)
                    continue
                image = phone.frame()
                size = video_size(*image.size, opts.max_size)
                new_session = encoder is None or encoder.size != size or self.reset_video.is_set()
                if new_session:
                    self.reset_video.clear()
                    encoder = H264Encoder(*size, bit_rate=opts.video_bit_rate, fps=round(fps))
                    if opts.send_stream_meta:
                        ch.write(fam.session_packet(*size))
                    origin = tick
                if new_session or image is not last or (not repeated and tick - last_sent >= REPEAT_AFTER_S):
                    repeated = image is last
                    assert encoder is not None
                    self._send_frame(ch, encoder, image, int((tick - origin) * 1_000_000))
                    last, last_sent = image, tick
                self._sync_clipboard()
                self.stop.wait(max(0.0, period - (time.monotonic() - tick)))
        except (EOFError, OSError, Exception) as exc:  # noqa: BLE001 - any end of the socket ends the server
            if not self.stop.is_set():
                self.log("DEBUG", f"video stopped: {exc}")
        finally:
            self.stop.set()

    def _send_frame(self, ch: _Channel, encoder: H264Encoder, image: Any, pts: int) -> None:
        fam, meta = self.family, self.opts.send_frame_meta
        for enc in encoder.encode(image, pts):
            if enc.config:
                ch.write((fam.frame_header(0, len(enc.config), config=True) if meta else b"") + enc.config)
            ch.write((fam.frame_header(pts, len(enc.payload), key=enc.key) if meta else b"") + enc.payload)

    # -- control -----------------------------------------------------------------------------------------
    def _device_message(self, data: bytes) -> None:
        if self.control is not None:
            self.control.write(data)

    def _sync_clipboard(self) -> None:
        """clipboard_autosync: the phone's clipboard goes to the client whenever it changes."""
        if not self.opts.clipboard_autosync or self.control is None or self._setting_clipboard:
            return
        text = self.phone.clipboard
        if self._clipboard_sent is None:
            self._clipboard_sent = text
        elif text != self._clipboard_sent:
            self._clipboard_sent = text
            self._send_clipboard(text)

    def _send_clipboard(self, text: str) -> None:
        raw = text.encode()
        self._device_message(struct.pack(">BI", DEVICE_MSG_CLIPBOARD, len(raw)) + raw)

    def run_control(self) -> None:
        ch = self.control
        if ch is None:
            return
        try:
            while not self.stop.is_set():
                kind = ch.read(1)[0]
                if kind > self.family.last_control_type:
                    self.log("ERROR", f"Control protocol error\ncom.genymobile.scrcpy.control.ControlProtocolException: "
                                      f"Unknown event type: {kind}")
                    return
                self._apply(kind, ch)
        except (EOFError, OSError):
            pass
        finally:
            self.stop.set()

    def _string(self, ch: _Channel, size_bytes: int = 4) -> str:
        n = int.from_bytes(ch.read(size_bytes), "big")
        return ch.read(n).decode("utf-8", "replace") if n else ""

    def _apply(self, kind: int, ch: _Channel) -> None:
        phone = self.phone
        if kind == 0:  # INJECT_KEYCODE: action u8, keycode, repeat, meta_state (i32)
            action, code, _repeat, _meta = struct.unpack(">BIII", ch.read(13))
            if action == 1:  # a whole press when the key comes up (BACK acts on up, as on Android)
                phone.key(code)
        elif kind == 1:  # INJECT_TEXT
            self._inject_text(self._string(ch))
        elif kind == 2:  # INJECT_TOUCH_EVENT
            action, _pointer, x, y, w, h, _pressure, _action_button, _buttons = struct.unpack(">BQiiHHHII", ch.read(31))
            self._touch(action, x, y, w, h)
        elif kind == 3:  # INJECT_SCROLL_EVENT: position, h/v scroll (i16 fixed point of [-16, 16]), buttons
            x, y, w, h, hs, vs, _buttons = struct.unpack(">iiHHhhI", ch.read(20))
            self._scroll(x, y, w, h, hs / 0x8000 * 16, vs / 0x8000 * 16)
        elif kind == 4:  # BACK_OR_SCREEN_ON
            action = ch.read(1)[0]
            if phone.screen_on and action == 1:
                phone.key(4)
            elif not phone.screen_on and action == 0:
                phone.key(26)
        elif kind in (5, 6, 7):
            phone.shell("cmd statusbar " + {5: "expand-notifications", 6: "expand-settings", 7: "collapse"}[kind])
        elif kind == 8:  # GET_CLIPBOARD: copy key u8 (no selection to copy on the virtual phone)
            ch.read(1)
            if not self.opts.clipboard_autosync:
                self._send_clipboard(phone.clipboard)
        elif kind == 9:  # SET_CLIPBOARD: sequence u64, paste u8, text
            sequence, paste = struct.unpack(">QB", ch.read(9))
            text = self._string(ch)
            self._setting_clipboard = True
            phone.clipboard = text
            self._clipboard_sent = text
            self._setting_clipboard = False
            if paste:
                phone.type_text(text)  # KEYCODE_PASTE: the focused field receives the clipboard
            if sequence:
                self._device_message(struct.pack(">BQ", DEVICE_MSG_ACK_CLIPBOARD, sequence))
        elif kind == 10:  # SET_DISPLAY_POWER
            self.log("INFO", f"Display power set to {'on' if ch.read(1)[0] else 'off'} (not simulated)")
        elif kind == 12:  # UHID_CREATE: id, vendor, product, name (u8 length), report descriptor (u16 length)
            ch.read(6)
            self._string(ch, 1)
            self._string(ch, 2)
        elif kind == 13:  # UHID_INPUT
            ch.read(2)
            self._string(ch, 2)
        elif kind == 14:  # UHID_DESTROY
            ch.read(2)
        elif kind == 16:  # START_APP: '+' forces a stop first; '?' would search labels (not simulated)
            name = self._string(ch, 1)
            package = name.lstrip("+?")
            if name.startswith("+"):
                phone.shell(f"am force-stop {package}")
            phone.shell(f"monkey -p {package} -c android.intent.category.LAUNCHER 1")
        elif kind == 17:  # RESET_VIDEO: a new capture session
            self.reset_video.set()
        elif kind == 18:  # 4.x CAMERA_SET_TORCH
            ch.read(1)
        elif kind == 21:  # 4.x RESIZE_DISPLAY
            ch.read(4)
        elif kind == 22:  # 4.x SCAN_FILE
            self._string(ch)
        # 11 ROTATE_DEVICE, 15 OPEN_HARD_KEYBOARD_SETTINGS, 19/20 camera zoom: no payload, nothing simulated

    def _inject_text(self, text: str) -> None:
        """As the server's injectText: character by character; ones no key can type are dropped."""
        run = []
        for ch in text:
            if typable_char(ch):
                run.append(ch)
                continue
            self.log("WARN", f"Could not inject char u+{ord(ch):04x}")
        if run:
            self.phone.type_text("".join(run))

    def _device_point(self, x: int, y: int, w: int, h: int) -> tuple[float, float] | None:
        """A position in video pixels on the device's screen; None when the client's size is stale."""
        dw, dh = self.phone.display_size()
        if (w, h) != video_size(dw, dh, self.opts.max_size):
            self.log("VERBOSE", f"Ignore positional event generated for size {w}x{h}")
            return None
        return x * dw / w, y * dh / h

    def _touch(self, action: int, x: int, y: int, w: int, h: int) -> None:
        point = self._device_point(x, y, w, h)
        if point is None:
            return
        name = {0: "DOWN", 1: "UP", 2: "MOVE", 3: "CANCEL"}.get(action)
        if name is not None:  # 5/6: a second finger (no multi-touch), 7: mouse hover
            self.phone.motion(name, *point)

    def _scroll(self, x: int, y: int, w: int, h: int, hscroll: float, vscroll: float) -> None:
        """A wheel notch scrolls a list by 64 dp, as Android's default scroll factor does."""
        point = self._device_point(x, y, w, h)
        if point is None or (not hscroll and not vscroll):
            return
        step = 64 * self.phone.density() / 160
        px, py = point
        self.phone.swipe(px, py, px + hscroll * step, py + vscroll * step, 100)


def run_server(phone: Any, family: Family, args: list[str], log: Callable[[str, str], None],
               cancelled: threading.Event) -> int:
    """Serve one client until a socket closes or the shell that started the server goes away."""
    try:
        opts = ServerOptions.parse(family, args)
        for warning in opts.warnings:
            log("WARN", warning)
        if opts.video_codec != "h264":
            raise ServerFailure(f"Video codec {opts.video_codec} is not supported by the virtual phone")
        if not opts.tunnel_forward:
            raise ServerFailure("java.io.IOException: Connection refused (reverse tunnels are not simulated: "
                                "start the server with tunnel_forward=true and `adb forward`)")
        if not (opts.video or opts.audio or opts.control):
            raise ServerFailure("java.lang.IllegalArgumentException: Nothing to do: video, audio and control are disabled")
        model = phone.props.get("ro.product.model", "")
        props = phone.props
        log("INFO", f"Device: [{props.get('ro.product.manufacturer', '')}] {props.get('ro.product.brand', '')} "
                    f"{model} (Android {props.get('ro.build.version.release', '')})")
        server = ScrcpyServer(phone, family, opts, log)
        server.accept(cancelled)
    except ServerFailure as exc:
        log("ERROR", str(exc))
        return 1
    threads = [threading.Thread(target=server.stream_video, daemon=True, name="scrcpy-video"),
               threading.Thread(target=server.run_control, daemon=True, name="scrcpy-control")]
    for t in threads:
        t.start()
    while not server.stop.wait(0.1):
        if cancelled.is_set():
            break
    server.close()
    for t in threads:
        t.join(timeout=5)
    return 0
