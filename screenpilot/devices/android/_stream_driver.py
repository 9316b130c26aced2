"""The Android driver's stream path: when to use the scrcpy stream, and looking, settling and acting through it.

``StreamDriver.active()`` starts the stream on first use (``capture="stream"`` or ``"auto"``); ``auto``
falls back to screencap and ``input`` when the server cannot start, ``stream`` raises. A server that
dies between steps is restarted once; if that fails the driver goes on with screencap and ``input``.
Either way the next action's result says what happened (``take_note``).

Freshness. Every action is followed on the control socket by ``RESET_VIDEO``: the server handles
messages in order, so the capture session that reset starts began after the action was injected, and
the next observation waits for a frame of that session (4.x marks it with a session packet, 3.x with
a config packet). A buffered frame from before the action can never be returned.
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING, Any

from PIL import Image

from ...actions import Key, LongPress, Point, SecretText, Size, Swipe, SystemButton, Tap, Type
from ...perception import DeviceAction, Frame, SettleOptions, SettleResult, frame_difference
from . import _scrcpy_wire as wire
from ._scrcpy_server import StreamUnavailable, find_server_jar
from ._stream import ScrcpyStream, StreamFrame
from ._text import typable_by_input_text

if TYPE_CHECKING:
    from ._device import AndroidDevice

__all__ = ["StreamDriver"]

_BUTTON_KEYS = {"back": 4, "home": 3, "menu": 82, "enter": 66}


class StreamDriver:
    """Holds one device's scrcpy stream (or the decision not to use one)."""

    def __init__(self, device: AndroidDevice, capture: str, *, scrcpy_server: str | os.PathLike[str] | None,
                 max_fps: int = 30) -> None:
        self.device = device
        self.mode = capture
        self.server = scrcpy_server
        self.max_fps = max_fps
        self.path = "screencap" if capture in ("screencap", "png", "raw") else "undecided"
        self.fallback = ""  # why ``auto`` is not streaming
        self.restarts = 0
        self._stream: ScrcpyStream | None = None
        self._off = capture in ("screencap", "png", "raw")
        self._note = ""
        self._fence: int | None = None  # the capture session the next observation must come from

    # -- lifecycle ------------------------------------------------------------------------------------
    def active(self) -> ScrcpyStream | None:
        """The running stream, started or restarted as needed; None when screencap and ``input`` are used."""
        if self._off or self.device.capture not in ("auto", "stream"):
            return None
        s = self._stream
        if s is not None and s.alive:
            return s
        if s is not None:  # it died since the last step
            why = s.error
            s.close()
            self._stream = None
            try:
                started = self._start()
            except StreamUnavailable as exc:
                self._go_off(exc.message)
                self._note = (f"the scrcpy server had stopped ({why}) and could not be restarted ({exc.message}): "
                              "screencap and input from now on")
                return None
            self.restarts += 1
            self._note = f"the scrcpy server had stopped ({why}): restarted it in {started.started_s:.2f} s"
            return started
        try:
            return self._start()
        except StreamUnavailable as exc:
            if self.device.capture == "stream":
                raise
            self._go_off(exc.message)
            return None

    def _go_off(self, why: str) -> None:
        self._off = True
        self.path = "screencap"
        self.fallback = why

    def _start(self) -> ScrcpyStream:
        try:
            import av  # noqa: F401 - the `stream` extra
        except ImportError as exc:
            raise StreamUnavailable("PyAV is not installed", hint="pip install 'screenpilot[stream]'") from exc
        jar = find_server_jar(self.server)
        d = self.device
        s = ScrcpyStream(d.link, jar, max_fps=self.max_fps, timeout=min(d.timeout, 15.0)).start()
        try:
            s.probe_barrier()
            if s.wait_frame(lambda f: True, s.timeout) is None:
                raise StreamUnavailable(f"the scrcpy server sent no video frame within {s.timeout:g} s")
        except (StreamUnavailable, OSError) as exc:
            s.close()
            if isinstance(exc, StreamUnavailable):
                raise
            raise StreamUnavailable(f"the scrcpy stream failed at start: {exc}") from exc
        self._stream = s
        self.path = "stream"
        self._fence = None
        return s

    def take_note(self) -> str:
        note, self._note = self._note, ""
        return note

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None

    # -- looking --------------------------------------------------------------------------------------
    def _fresh(self, s: ScrcpyStream) -> StreamFrame:
        """The latest frame, or, after an action, the first frame captured after it (see the module doc)."""
        fence = self._fence
        sf = s.wait_frame(lambda f: fence is None or f.session >= fence, s.timeout)
        if sf is None:
            raise StreamUnavailable(f"no frame from the scrcpy stream within {s.timeout:g} s after the action")
        self._fence = None
        return sf

    def _frame(self, s: ScrcpyStream, sf: StreamFrame) -> Frame:
        frame = s.to_frame(sf)
        self.device._screen = self._device_size(s)
        return frame

    def screenshot(self, s: ScrcpyStream) -> Frame:
        return self._frame(s, self._fresh(s))

    def settle(self, s: ScrcpyStream, opts: SettleOptions) -> SettleResult:
        """Watch the stream: a still sample is a quiet period in which every frame that came (the server
        sends frames only when the screen changes, so often none) stayed within ``threshold`` of the frame
        that began the still run; ``stable_frames`` such samples in a row are settled.

        Each frame is compared with the start of the run, not the frame before it: at 60 frames a second
        the last steps of an ease-out each change less than the tolerance while their sum does not.
        """
        clock = s.clock
        start = clock()
        sf = self._fresh(s)
        if not opts.enabled:
            return SettleResult(True, clock() - start, 1, 0.0, self._frame(s, sf), opts, "stream")
        # a silence means "still" only when it is longer than the gaps between frames of a moving screen,
        # which a busy phone (or the virtual one encoding in software) makes longer than 1 / max_fps
        quiet = max(opts.interval_s, 2.0 / self.max_fps, 1.5 * min(s.frame_gap(), 0.25))
        deadline = start + opts.timeout_s
        tree = self._tree() if opts.with_ui_tree else None
        anchor = _luma(sf)
        frames, stable, difference = 1, 0, 0.0
        sample_start = clock()
        while True:
            now = clock()
            if stable >= opts.stable_frames or now >= deadline - 1e-9:
                settled = stable >= opts.stable_frames
                return SettleResult(settled, now - start, frames, difference, self._frame(s, sf), opts, "stream")
            sample_end = sample_start + quiet
            if now >= sample_end - 1e-3:  # a whole quiet period without a change beyond the threshold
                still = True
                if opts.with_ui_tree:
                    new_tree = self._tree()
                    still = new_tree == tree
                    tree = new_tree
                stable = stable + 1 if still else 0
                sample_start = now
                continue
            seq = sf.seq
            new = s.wait_frame(lambda f, seq=seq: f.seq > seq, min(sample_end, deadline) - now)
            if new is None:
                continue  # the period ran out (or a wake without a frame): the top of the loop decides
            frames += 1
            current = _luma(new)
            difference = frame_difference(anchor, current)
            if difference > opts.threshold:  # it moved: the still run starts again from this frame
                quiet = max(quiet, 1.5 * min(new.produced - sf.produced, 0.25))
                anchor, stable, sample_start = current, 0, clock()
            sf = new

    def _tree(self) -> tuple[Any, ...]:
        return tuple(self.device.ui_tree() or ())

    # -- acting -----------------------------------------------------------------------------------------
    def _device_size(self, s: ScrcpyStream) -> Size:
        return s.video_size or self.device._screen or self.device.info().logical_size

    def _video_point(self, s: ScrcpyStream, point: Point, size: Size) -> tuple[int, int]:
        """Device pixels of the planned screen -> pixels of the video (the same unless ``max_size`` shrinks it)."""
        x, y = self.device._to_screen(point, size)
        video = s.video_size or size
        screen = self.device._screen or video
        return round(x * video.width / screen.width), round(y * video.height / screen.height)

    def execute(self, s: ScrcpyStream, action: DeviceAction, record: list[str]) -> tuple[str | None, str]:
        """One action on the control socket; if the stream was found dead before anything was sent, once
        more on a restarted stream, or through adb when it could not be restarted."""
        try:
            return self._execute(s, action, record)
        except StreamUnavailable as exc:
            if record:  # part of the action went out (a finger is down): its outcome is unknown
                raise s.unknown(", ".join(record), exc.message) from exc
            again = self.active()
            if again is None:
                text_after, detail, _ends = self.device._execute_adb(action, record)
                return text_after, detail
            return self._execute(again, action, record)

    def _send(self, s: ScrcpyStream, data: bytes, what: str, record: list[str], *, last: bool) -> None:
        """Control messages once; the last one of an action also resets the video (the freshness fence)."""
        record.append(f"scrcpy {what}")
        if last and s.jar.wire.has_reset:
            session = s.session
            s.send(data + wire.reset_video(), what)
            self._fence = session + 1
        else:
            s.send(data, what, barrier=last)
            self._fence = None
        self.device._accepted += 1

    def _execute(self, s: ScrcpyStream, action: DeviceAction, record: list[str]) -> tuple[str | None, str]:
        a = action.action
        vw, vh = s.video_size or action.size
        match a:
            case Tap(point=p):
                x, y = self._video_point(s, p, action.size)
                self._send(s, wire.touch(wire.ACTION_DOWN, x, y, vw, vh) + wire.touch(wire.ACTION_UP, x, y, vw, vh),
                           f"tap {x} {y}", record, last=True)
            case LongPress(point=p, duration_ms=ms):
                x, y = self._video_point(s, p, action.size)
                self._gesture(s, [(x, y)], ms, record, "long_press")
            case Swipe(start=p, end=q, duration_ms=ms):
                x1, y1 = self._video_point(s, p, action.size)
                x2, y2 = self._video_point(s, q, action.size)
                steps = max(1, round(ms / 1000 * 60))  # a finger reports its position at ~60 Hz
                path = [(round(x1 + (x2 - x1) * k / steps), round(y1 + (y2 - y1) * k / steps)) for k in range(steps + 1)]
                self._gesture(s, path, ms, record, "swipe")
            case Key(key=name):
                self._key(s, self.device._keycode(name), record)
            case SystemButton(button=button):
                self._key(s, _BUTTON_KEYS[button], record)
            case Type(text=text):
                return self._type(s, SecretText.of(text, action.secrets), record)
        return None, ""

    def _gesture(self, s: ScrcpyStream, path: list[tuple[int, int]], ms: int, record: list[str], name: str) -> None:
        """A finger down at the first point, moved along the path over ``ms``, lifted at the last point."""
        vw, vh = s.video_size or Size(1, 1)
        (x0, y0), (xn, yn) = path[0], path[-1]
        self._send(s, wire.touch(wire.ACTION_DOWN, x0, y0, vw, vh), f"{name} down {x0} {y0}", record, last=False)
        t0 = time.monotonic()
        moves = path[1:-1] if len(path) > 2 else []
        for k, (x, y) in enumerate(moves, 1):
            _sleep_until(t0 + ms / 1000 * k / (len(moves) + 1))  # the gesture's own timing, as a finger moves
            s.send(wire.touch(wire.ACTION_MOVE, x, y, vw, vh), f"{name} move", barrier=False)
        _sleep_until(t0 + ms / 1000)
        self._send(s, wire.touch(wire.ACTION_UP, xn, yn, vw, vh), f"{name} up {xn} {yn} after {ms} ms", record, last=True)

    def _key(self, s: ScrcpyStream, code: int, record: list[str]) -> None:
        self._send(s, wire.keycode(wire.ACTION_DOWN, code) + wire.keycode(wire.ACTION_UP, code), f"key {code}", record,
                   last=True)

    def _type(self, s: ScrcpyStream, text: SecretText, record: list[str]) -> tuple[str | None, str]:
        """ASCII through INJECT_TEXT (chunks of 300 bytes); text no key can type (CJK, emoji, most accents)
        through SET_CLIPBOARD with paste, the clipboard put back as it was afterwards. A text with secrets
        is recorded and named by its length only."""
        runs = _runs(text.real)
        pasted = 0
        saved: str | None = None
        for i, (keys, run) in enumerate(runs):
            last = i == len(runs) - 1
            if keys:
                chunks = wire.text_chunks(run)
                for k, chunk in enumerate(chunks):
                    what = f"text ({len(chunk)} characters of a text with secrets)" if text.secret else f"text {chunk!r}"
                    self._send(s, wire.text(chunk), what, record, last=last and k == len(chunks) - 1)
                continue
            if saved is None:
                saved = s.clipboard() or ""
            record.append(f"scrcpy paste {len(run)} characters")
            s.paste(run, f"paste {len(run)} characters")
            pasted += len(run)
            if last:
                self._send(s, b"", "after the paste", record, last=True)
        if saved is not None:
            s.restore_clipboard(saved)
            record.append("scrcpy restore the clipboard")
        route = "the scrcpy control socket (text injection" + (f", clipboard paste for {pasted}" if pasted else "") + ")"
        what = f"typed {len(text.real)} characters through {route}" + (" (secrets shown by name)" if text.secret else "")
        if self.device.read_back:
            self._fresh(s)  # the UI tree is read after the phone has handled the text
        return self.device._read_back(text, what)


def _runs(text: str) -> list[tuple[bool, str]]:
    """(typable with keys, run) pieces: printable ASCII, newline and tab go through INJECT_TEXT."""
    runs: list[tuple[bool, str]] = []
    for ch in text:
        keys = ch in "\n\t" or typable_by_input_text(ch)
        if runs and runs[-1][0] == keys:
            runs[-1] = (keys, runs[-1][1] + ch)
        else:
            runs.append((keys, ch))
    return runs


def _luma(sf: StreamFrame) -> Image.Image:
    """The decoded frame's Y plane as a grey image: what settle compares, without a colour conversion."""
    plane = sf.video.planes[0]
    return Image.frombuffer("L", (sf.video.width, sf.video.height), bytes(plane), "raw", "L", plane.line_size, 1)


def _sleep_until(t: float) -> None:
    delay = t - time.monotonic()
    if delay > 0:
        time.sleep(delay)
