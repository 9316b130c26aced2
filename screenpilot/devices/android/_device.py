"""The Android driver: the Device protocol over adb, for real phones (Android 9-15) and the virtual one.

Every command goes through :class:`AdbLink` (exit codes checked, reconnects with backoff, actions never
re-sent after an unknown outcome); what the commands print is read by ``_parse``; text is planned by
``_text``; captures are checked by ``_capture``. This module decides what to run, in what order.
"""

from __future__ import annotations

import difflib
import os
import re
import shlex
import time
from collections.abc import Callable
from typing import Literal, Self

from ...actions import (
    ANDROID_KEYCODES,
    Answer,
    Element,
    Key,
    LongPress,
    OpenApp,
    Point,
    SecretText,
    Size,
    Swipe,
    SystemButton,
    Tap,
    Terminate,
    Type,
    Wait,
    normalize_phone_key,
)
from ...errors import InfraFault, ModelFault, OutcomeUnknown
from ...perception import DeviceAction, Frame, SettleOptions, SettleResult, parse_uiautomator, settle_screen
from .._errors import (
    ActionOutcomeUnknown,
    CaptureFailed,
    DeviceError,
    DeviceNotFound,
    UnsupportedAction,
)
from .._protocol import ActionResult, DeviceInfo
from . import _apps
from ._adb import AdbLink, Backoff, ShellResult, is_network_serial, start_server
from ._capture import check_blank, decode_png, decode_raw
from ._errors import CommandFailed, translate
from ._parse import (
    Focus,
    parse_focus,
    parse_getprop,
    parse_ime_list,
    parse_packages,
    parse_rotation,
    parse_wm_density,
    parse_wm_size,
)
from ._restore import Restorer
from ._screen import input_point, logical_size
from ._stream_driver import StreamDriver
from ._text import ADB_KEYBOARD, ime_commands, input_text_commands, join_commands, typable_by_input_text

__all__ = ["AndroidDevice", "CaptureMode"]

CaptureMode = Literal["auto", "stream", "screencap", "png", "raw"]

_BUTTONS = {"back": 4, "home": 3, "menu": 82, "enter": 66}
_PROPS = ["ro.build.version.release", "ro.build.version.sdk", "ro.product.model", "ro.product.manufacturer"]
_SECTION = "--sp-section--"
_UI_DUMP = "/data/local/tmp/screenpilot_ui.xml"
_STREAMED = {"tap", "long_press", "swipe", "key", "system_button", "type"}  # what the scrcpy control socket does
_DESKTOP_ONLY = {"click": "tap", "move": "tap", "drag": "swipe", "scroll": "swipe", "hotkey": "key"}


def _env_port() -> int:
    try:
        return int(os.environ.get("ANDROID_ADB_SERVER_PORT", "5037"))
    except ValueError:
        return 5037


class AndroidDevice:
    """A phone reached through an adb server: look at it (screenshot, UI tree) and act on it.

    ``serial`` picks the device (default: ``$ANDROID_SERIAL``, else the only one attached); ``host`` /
    ``port`` pick the adb server (default: ``$ANDROID_ADB_SERVER_HOST`` / ``PORT``, else 127.0.0.1:5037).
    ``capture`` is ``stream`` (the scrcpy server: H.264 frames in, touches, keys and text on its control
    socket; ``scrcpy_server`` or ``$SCRCPY_SERVER_PATH`` names the jar, else scrcpy's install locations),
    ``screencap`` (``screencap -p`` and raw ``screencap`` timed on the first screenshot, the faster kept;
    actions through ``input``), ``png`` / ``raw`` (that capture only), or ``auto``: the stream when its
    server starts, else ``screencap``.
    """

    kind: Literal["phone"] = "phone"
    default_settle = SettleOptions(interval_s=0.0)
    """What ``settle()`` holds to when asked with no options: captures back to back (a phone's capture
    already takes tens to hundreds of milliseconds, the finest its changes can be seen), 2 alike in a row."""

    def __init__(
        self,
        serial: str | None = None,
        *,
        host: str | None = None,
        port: int | None = None,
        timeout: float = 30.0,
        capture: CaptureMode = "auto",
        read_back: bool = True,
        read_back_budget_s: float = 3.0,
        apps: dict[str, str] | None = None,
        backoff: Backoff | None = None,
        start_server_if_needed: bool = False,
        clock: Callable[[], float] = time.perf_counter,
        scrcpy_server: str | os.PathLike[str] | None = None,
        max_fps: int = 60,
    ) -> None:
        self.host = host or os.environ.get("ANDROID_ADB_SERVER_HOST", "127.0.0.1")
        self.port = port or _env_port()
        self.timeout = timeout
        if capture not in ("auto", "stream", "screencap", "png", "raw"):
            raise ValueError(f"capture must be auto, stream, screencap, png or raw; got {capture!r}")
        self.capture: CaptureMode = capture  # becomes png or raw once screencap timing has chosen
        self.read_back = read_back
        self.apps = dict(apps or {})
        self.capture_timings: dict[str, float] = {}
        self._clock = clock
        self._backoff = backoff or Backoff()
        self._props: dict[str, str] | None = None
        self._screen: Size | None = None
        self._packages: list[str] | None = None
        self._launcher_labels: list[str] = []
        probe = AdbLink("", self.host, self.port, timeout=timeout, backoff=self._backoff)
        try:
            self.server_version = probe.server_version()
        except DeviceError:
            if not start_server_if_needed or self.host not in ("127.0.0.1", "localhost"):
                raise
            start_server(self.port)
            self.server_version = probe.server_version()
        self.serial = self._choose(serial or os.environ.get("ANDROID_SERIAL") or None, probe)
        self.link = probe.for_serial(self.serial)
        # Android 7+ adbd speaks shell v2 (separate stderr, a real exit status); older ones get v1 + `echo $?`
        self.link.shell_v2 = "shell_v2" in self.link.features()
        self._accepted = 0  # commands of the action in progress the phone accepted (see execute)
        self.last_dump_s = 0.0  # how long the last UI dump took (inf: it failed); see _read_back
        self.read_back_budget_s = read_back_budget_s
        self._restorer = Restorer(lambda command: self.shell(command, check=False).text)
        self.restored = self.restore_phone()  # what an earlier run, killed mid-change, had left changed
        self.stream = StreamDriver(self, capture, scrcpy_server=scrcpy_server, max_fps=max_fps)

    # -- choosing the device -----------------------------------------------------------------------

    def _choose(self, serial: str | None, probe: AdbLink) -> str:
        server = f"{self.host}:{self.port}"
        devices = probe.devices()
        if serial is None:
            ready = [d for d in devices if d[1] == "device"]
            if len(ready) == 1:
                return ready[0][0]
            listing = _listing(devices)
            if not ready:
                unauthorized = [d for d in devices if d[1] == "unauthorized"]
                if len(unauthorized) == 1 and len(devices) == 1:
                    raise translate(Exception("device unauthorized"), serial=unauthorized[0][0], server=server)
                raise DeviceNotFound(
                    f"no Android device is ready on the adb server at {server}" + (f" ({listing})" if devices else ""),
                    hint="plug in a phone with USB debugging on (Developer options), or `adb connect HOST:PORT` "
                    "for a network device or the virtual phone",
                )
            raise DeviceNotFound(
                f"{len(ready)} devices are attached ({listing}): say which one",
                hint="pass serial=... (or set ANDROID_SERIAL)",
            )
        delays = iter(self._backoff.delays())
        reply = ""
        while True:
            state = next((d[1] for d in devices if d[0] == serial), "absent")
            if state == "device":
                return serial
            if state == "unauthorized":
                raise translate(Exception("device unauthorized"), serial=serial, server=server)
            delay = next(delays, None)
            if delay is None or (state == "absent" and not is_network_serial(serial)):
                if state == "absent":
                    raise DeviceNotFound(
                        f"no device {serial!r} on the adb server at {server}"
                        + (f"; attached: {_listing(devices)}" if devices else "; none attached")
                        + (f"; the server tried to connect: {reply.strip()}" if reply.strip() else ""),
                        hint="check the serial with `adb devices -l`, and that the device listens on that port",
                    )
                raise translate(Exception(f"device {state}"), serial=serial, server=server)
            if is_network_serial(serial) and state in ("absent", "offline"):
                reply = probe.for_serial(serial).reconnect()
            time.sleep(delay)
            devices = probe.devices()

    # -- commands ------------------------------------------------------------------------------------

    def shell(self, command: str, *, timeout: float | None = None, action: bool = False, check: bool = True) -> ShellResult:
        """Run one shell command on the phone; a non-zero exit is :class:`CommandFailed` when ``check``."""
        result = self.link.run(command, timeout=timeout, action=action)
        if check and result.exit_code != 0:
            raise CommandFailed(command, result.exit_code, result.output)
        return result

    def _act(self, command: str, record: list[str], *, timeout: float | None = None,
             secret: SecretText | None = None, shown: str | None = None) -> ShellResult:
        """An action command: recorded, sent once, and failed on Android's error text as on exit codes.

        With ``secret``, the command carries secret values: it is recorded and named in errors as
        ``shown`` (the same command built from the placeholders), and what the phone says is scrubbed.
        """
        said = shown if secret is not None and shown is not None else command
        scrub = secret.scrub if secret is not None else str
        record.append(said)
        try:
            result = self.link.run(command, timeout=timeout, action=True, shown=said)
        except (InfraFault, OutcomeUnknown) as exc:
            exc.message = scrub(exc.message)
            raise
        out = result.output
        if result.exit_code != 0 or "Exception" in out or re.search(r"^Error:", out, re.MULTILINE):
            raise CommandFailed(said, result.exit_code, scrub(out))
        self._accepted += 1
        return result

    # -- observing -------------------------------------------------------------------------------------

    def _sections(self, *commands: str) -> list[str]:
        joined = f"; echo {_SECTION}; ".join(commands)
        text = self.shell(joined, check=False).text
        parts = text.split(_SECTION + "\n")
        return [p.strip("\n") for p in parts] + [""] * (len(commands) - len(parts))

    def info(self) -> DeviceInfo:
        """Size (physical and override), density, rotation, model, Android version and foreground app."""
        props_cmd = "; ".join(f"getprop {p}" for p in _PROPS)
        wm_size, wm_density, display, window, props = self._sections(
            "wm size", "wm density", "dumpsys display", "dumpsys window", props_cmd
        )
        size = parse_wm_size(wm_size)
        if size is None:
            raise DeviceError(f"cannot read the screen size from `wm size`: {wm_size[:200]!r}")
        density = parse_wm_density(wm_density)
        rotation = parse_rotation(display)
        if rotation is None:
            rotation = 0
        self._props = parse_getprop(props, _PROPS)
        focus = parse_focus(window)
        natural = size.effective
        logical = logical_size(natural, rotation)
        self._screen = logical
        release, sdk = self._props["ro.build.version.release"], self._props["ro.build.version.sdk"]
        return DeviceInfo(
            kind="phone",
            serial=self.serial,
            physical_size=size.physical,
            logical_size=logical,
            scale=round(logical.width / (size.physical.height if rotation % 2 else size.physical.width), 6),
            rotation=rotation,
            density=density.effective if density else None,
            model=self._props["ro.product.model"],
            manufacturer=self._props["ro.product.manufacturer"],
            os=f"Android {release} (SDK {sdk})" if release else "Android",
            foreground=str(focus),
            extra={
                "physical_density": density.physical if density else None,
                "override_size": str(size.override) if size.override else None,
                "focused_window": focus.window,
                "adb_server": f"{self.host}:{self.port}",
                "capture": self.capture,
                "observing": self.stream.path,
            },
        )

    def foreground(self) -> Focus:
        """The focused window and its activity (``dumpsys window``)."""
        return parse_focus(self.shell("dumpsys window", check=False).text)

    def _capture_once(self, mode: Literal["png", "raw"]) -> Frame:
        command = "screencap -p" if mode == "png" else "screencap"
        at = time.time()
        result = self.shell(command, check=False)  # a lost link or server stays what it is, not a capture fault
        if result.exit_code != 0:
            err = result.stderr or result.stdout[-300:]
            raise CaptureFailed(
                f"screencap failed on the device (exit {result.exit_code}): "
                + err.decode("utf-8", "replace").strip(),
                hint="check that the phone is awake and unlocked, then retry",
            )
        source = f"adb:{self.serial}:{command}"
        decode = decode_png if mode == "png" else decode_raw
        return decode(result.stdout, source=source, captured_at=at)

    def screenshot(self) -> Frame:
        """The screen as captured; failed captures raise CaptureFailed, all-black ones BlankScreen."""
        stream = self.stream.active()
        if stream is not None:
            frame = self.stream.screenshot(stream)
        elif self.capture not in ("png", "raw"):
            frame = self._choose_capture()
        else:
            frame = self._capture_once(self.capture)
        self._screen = frame.size
        return check_blank(frame)

    def _choose_capture(self) -> Frame:
        """Time both capture paths and keep the faster (USB, Wi-Fi and phones differ a lot).

        Each path runs twice, in the order png, raw, raw, png, and keeps its best time, so a first
        capture that also paid for waking the screen's renderer does not decide the matter.
        """
        frames: dict[str, Frame] = {}
        best: dict[str, float] = {}
        for mode in ("png", "raw", "raw", "png"):
            start = self._clock()
            try:
                frames[mode] = self._capture_once(mode)  # type: ignore[arg-type]
            except CaptureFailed:
                continue
            best[mode] = min(best.get(mode, float("inf")), self._clock() - start)
        if not frames:
            return self._capture_once("png")  # raises the real reason
        self.capture_timings = best
        self.capture = min(best, key=best.__getitem__)  # type: ignore[assignment]
        return frames[self.capture]

    def settle(self, options: SettleOptions | None = None) -> SettleResult:
        """Wait until the screen stops changing, as ``options`` say (``perception.settle_screen``).

        Captures take the fastest path (the raw framebuffer when ``auto`` has not chosen yet): on a
        phone one capture already takes tens to hundreds of milliseconds. ``input`` returns only after
        the app has handled the event (AOSP injects with WAIT_FOR_FINISH), so the change has begun
        before the first capture. ``with_ui_tree`` also requires the UI tree to repeat (a dump is slow
        on real phones). With the stream, the frames it sends are watched instead (``source="stream"``).
        """
        stream = self.stream.active()
        if stream is not None:
            return self.stream.settle(stream, options or self.default_settle)
        return settle_screen(self._settle_capture, options or self.default_settle, ui_tree=lambda: tuple(self.ui_tree() or ()),
                             source="screencap")

    def _settle_capture(self) -> Frame:
        mode = self.capture if self.capture in ("png", "raw") else "raw"
        frame = self._capture_once(mode)
        self._screen = frame.size
        return frame

    def ui_tree(self) -> list[Element] | None:
        """Elements of the current screen from ``uiautomator dump``, with bounds in device pixels."""
        xml = self.ui_xml()
        try:
            return parse_uiautomator(xml)
        except ValueError as exc:  # a dump cut short by a dropped link, or an OEM's broken XML
            raise DeviceError(
                f"the phone's UI tree could not be read: {exc}", hint="retry; if it persists, the dump is malformed"
            ) from exc

    def ui_xml(self) -> str:
        """The raw ``uiautomator dump`` XML (retried while the screen is too busy to go idle); how long it
        took is kept in ``last_dump_s`` (inf after a failure), which decides whether typing reads back."""
        command = f"uiautomator dump {_UI_DUMP} && cat {_UI_DUMP}"
        last = ""
        started = time.perf_counter()
        self.last_dump_s = float("inf")
        for delay in (0.0, *self._backoff.delays()[:5]):
            if delay:
                time.sleep(delay)
            result = self.shell(command, check=False, timeout=max(self.timeout, 30.0))
            text = result.text
            start = text.find("<?xml")
            if start < 0:
                start = text.find("<hierarchy")
            if result.exit_code == 0 and start >= 0:
                self.last_dump_s = time.perf_counter() - started
                return text[start:]
            last = result.output.strip()
            if "could not get idle state" not in last and "null root node" not in last:
                break
        raise CommandFailed(
            command,
            result.exit_code,
            last,
            hint="the screen may be animating without pause, or another UiAutomation client "
            "(uiautomator2, Appium) holds the service; stop it and retry",
        )

    def installed_packages(self, *, refresh: bool = False) -> list[str]:
        if self._packages is None or refresh:
            self._packages = parse_packages(self.shell("pm list packages").text)
        return self._packages

    # -- acting ----------------------------------------------------------------------------------------

    def _to_screen(self, point: Point, size: Size) -> tuple[int, int]:
        return input_point(point, size, self._screen or self.info().logical_size)

    def execute(self, action: DeviceAction) -> ActionResult:
        """Carry out one action in device pixels.

        Faults before any of the action's commands was accepted are what they are (infrastructure, or
        the model's); an infrastructure failure after one was accepted (a read-back, restoring the
        keyboard, reading the launcher after Home) is :class:`ActionOutcomeUnknown`: the action ran at
        least in part, so it must never be sent again blindly. The model's fault after commands ran (no
        icon with that name after Home) stays the model's, asking it to look at the screen again.
        """
        start = self._clock()
        record: list[str] = []
        ends = False
        self._accepted = 0
        try:
            stream = self.stream.active() if action.action.action in _STREAMED else None
            if stream is not None:
                text_after, detail = self.stream.execute(stream, action, record)
            else:
                text_after, detail, ends = self._execute_adb(action, record)
        except ModelFault as exc:  # the model's to fix; if commands already ran, the screen it planned on is gone
            if self._accepted:
                exc.message += f" ({self._accepted} command(s) had run on the way, e.g. Home: look at the screen again)"
                exc.reobserve = True
            raise
        except InfraFault as exc:
            if not self._accepted:
                raise
            raise ActionOutcomeUnknown(
                f"{self._accepted} command(s) of this action had run when it failed: {exc.message}",
                hint="look at the screen before deciding what to do next; it was not sent again",
            ) from exc
        detail = "; ".join(d for d in (self.stream.take_note(), detail) if d)
        return ActionResult(
            ok=True,
            detail=detail,
            duration_s=self._clock() - start,
            text_after=text_after,
            ends_episode=ends,
            commands=record,
        )

    def _execute_adb(self, action: DeviceAction, record: list[str]) -> tuple[str | None, str, bool]:
        """An action through adb shell commands (``input``, ``monkey``): (text read back, detail, ends episode)."""
        a = action.action
        text_after: str | None = None
        detail = ""
        ends = False
        match a:
            case Tap(point=p):
                x, y = self._to_screen(p, action.size)
                self._act(f"input tap {x} {y}", record)
            case LongPress(point=p, duration_ms=ms):
                x, y = self._to_screen(p, action.size)
                self._act(f"input swipe {x} {y} {x} {y} {ms}", record, timeout=self.timeout + ms / 1000)
            case Swipe(start=p, end=q, duration_ms=ms):
                x1, y1 = self._to_screen(p, action.size)
                x2, y2 = self._to_screen(q, action.size)
                self._act(f"input swipe {x1} {y1} {x2} {y2} {ms}", record, timeout=self.timeout + ms / 1000)
            case Key(key=name):
                self._act(f"input keyevent {self._keycode(name)}", record)
            case SystemButton(button=button):
                self._act(f"input keyevent {_BUTTONS[button]}", record)
            case Type(text=text):
                text_after, detail = self._type(SecretText.of(text, action.secrets), record)
            case OpenApp(app=app):
                detail = self._open_app(app, record)
            case Wait(seconds=seconds):
                time.sleep(seconds)  # the model asked for time to pass; there is no condition to wait on
            case Terminate() | Answer():
                ends = True
            case _:
                instead = _DESKTOP_ONLY.get(a.action)
                raise UnsupportedAction(
                    f"a phone cannot do {a.action!r}" + (f": use {instead!r}" if instead else ""),
                    hint="phone actions: tap, long_press, swipe, type, key, system_button, open_app, wait, "
                    "terminate, answer",
                )
        return text_after, detail, ends

    def _keycode(self, name: str) -> int:
        key = normalize_phone_key(name)
        if key in ANDROID_KEYCODES:
            return ANDROID_KEYCODES[key]
        near = difflib.get_close_matches(key, list(ANDROID_KEYCODES), n=4, cutoff=0.6)
        raise UnsupportedAction(
            f"unknown phone key {name!r}" + (f"; did you mean {', '.join(near)}?" if near else ""),
            hint="use an Android key name such as enter, del, tab, back, home, dpad_up, volume_up",
        )

    # -- text ------------------------------------------------------------------------------------------

    def _type(self, text: SecretText, record: list[str]) -> tuple[str | None, str]:
        """Type ``text.real``; everything recorded, read back or said is in terms of ``text.shown``."""
        if typable_by_input_text(text.real):
            route = "input text"
            lines = join_commands(input_text_commands(text.real))
            shown = join_commands(input_text_commands(text.shown)) if text.secret else lines
            self._run_all(lines, record, text, shown)
        else:
            route = "ADBKeyBoard"
            self._type_with_ime(text, record)
        what = f"typed {len(text.real)} characters through {route}" + (" (secrets shown by name)" if text.secret else "")
        return self._read_back(text, what)

    def _read_back(self, text: SecretText, what: str) -> tuple[str | None, str]:
        """The focused field's text after typing, unless UI dumps are slow or failing on this phone just
        now (a real phone's dump takes seconds while it animates): then it is skipped, and says so."""
        if not self.read_back:
            return None, what
        if self.last_dump_s > self.read_back_budget_s:
            took = "failed" if self.last_dump_s == float("inf") else f"took {self.last_dump_s:.1f} s"
            return None, f"{what}; not read back (the last UI dump {took}, over {self.read_back_budget_s:g} s)"
        t0 = time.perf_counter()
        focused = self._focused_element()
        cost = f" (read back in {time.perf_counter() - t0:.2f} s)"
        if focused is None:
            return None, f"{what}; no focused field to read back{cost}"
        got = focused.text
        verdict = "reads back exactly" if got == text.real else ("ends with it" if got.endswith(text.real) else "differs")
        return text.scrub(got), f"{what}; the focused field {verdict}{cost}"

    def _run_all(self, lines: list[str], record: list[str], text: SecretText, shown: list[str]) -> None:
        """Send command lines in order; a line that carries a secret is recorded as its ``shown`` twin
        (the placeholder text encoded the same way; when the counts differ, the first few stand for all)."""
        for i, line in enumerate(lines):
            said = shown[min(i, len(shown) - 1)] if text.secret else line
            try:
                # a phone injects key events one by one: long lines get longer to finish
                self._act(line, record, timeout=self.timeout + 0.01 * len(line), secret=text if text.secret else None,
                          shown=said)
            except ActionOutcomeUnknown as exc:
                raise ActionOutcomeUnknown(
                    f"{exc.message} ({i} of {len(lines)} command lines had finished)", hint=exc.hint
                ) from exc

    def _focused_element(self) -> Element | None:
        tree = self.ui_tree() or []
        focused = [e for e in tree if e.focused]
        return max(focused, key=lambda e: e.depth) if focused else None

    def ime_available(self) -> bool:
        """Whether ADBKeyBoard is installed (the route for text ``input text`` cannot type)."""
        return ADB_KEYBOARD in parse_ime_list(self.shell("ime list -s -a", check=False).text)

    def _setting(self, name: str) -> str:
        value = self.shell(f"settings get secure {name}").text.strip()
        return "" if value == "null" else value

    def _type_with_ime(self, text: SecretText, record: list[str]) -> None:
        if not self.ime_available():
            bad = next(c for c in text.real if not typable_by_input_text(c))
            which = "a character of a secret" if text.secret else f"{bad!r} (U+{ord(bad):04X})"
            raise UnsupportedAction(
                f"cannot type {which}: `input text` types only ASCII and ADBKeyBoard is not installed on the phone",
                hint="install ADBKeyBoard (com.android.adbkeyboard) on the phone, or type ASCII only",
            )
        previous = self._setting("default_input_method")
        enabled = self._setting("enabled_input_methods").split(":")
        switched = previous != ADB_KEYBOARD
        enabled_here = ADB_KEYBOARD not in enabled
        if switched:  # written down on the phone before the switch: a kill now leaves a way back
            self._restorer.note("ime", previous)
        if enabled_here:
            self._restorer.note("ime_disable", "1")
        try:
            if enabled_here:
                record.append(f"ime enable {ADB_KEYBOARD}")
                self.shell(f"ime enable {ADB_KEYBOARD}")
            if switched:
                record.append(f"ime set {ADB_KEYBOARD}")
                self.shell(f"ime set {ADB_KEYBOARD}")
                self._wait_ime(ADB_KEYBOARD)
            lines = join_commands(ime_commands(text.real))
            self._run_all(lines, record, text, join_commands(ime_commands(text.shown)) if text.secret else lines)
        except (InfraFault, OutcomeUnknown) as exc:
            # restore what we can, but the first failure is the one to report (it may be an unknown outcome)
            problems = self._restore_ime(previous if switched else None, enabled_here, record)
            if problems:
                exc.message += f"; the keyboard could not be restored either ({problems})"
            raise
        problems = self._restore_ime(previous if switched else None, enabled_here, record)
        if problems:
            raise DeviceError(
                f"typed, but could not restore the keyboard: {problems}",
                hint=f"run `screenpilot doctor --restore android:{self.serial}`, or select your keyboard again in "
                f"the phone's settings (it was {previous or 'the default'})",
            )
        self._restorer.done("ime", "ime_disable")

    def _wait_ime(self, ime: str, deadline_s: float = 5.0) -> None:
        """Until the IME is the selected one (and bound, where ``dumpsys input_method`` says so)."""
        end = time.monotonic() + deadline_s
        delays = iter(Backoff(first=0.02, cap=0.25, total=deadline_s).delays())
        while True:
            dump = self.shell("dumpsys input_method", check=False).text
            cur = re.search(r"mCurMethodId=(\S+)", dump) or re.search(r"mCurId=(\S+)", dump)
            current = cur[1] if cur else self._setting("default_input_method")
            if current == ime:
                return
            delay = next(delays, None)
            if delay is None or time.monotonic() > end:
                raise DeviceError(f"the phone did not switch to the {ime} keyboard (still {current or 'none'})")
            time.sleep(delay)

    def _restore_ime(self, previous: str | None, disable: bool, record: list[str]) -> str:
        """Put the user's keyboard back; returns what could not be done ('' when all went well)."""
        problems = []
        commands = ([f"ime set {previous}" if previous else "ime reset"] if previous is not None else []) + (
            [f"ime disable {ADB_KEYBOARD}"] if disable else []
        )
        for command in commands:
            record.append(command)
            try:
                self.shell(command)
            except DeviceError as exc:
                problems.append(f"{command}: {exc}")
        return "; ".join(problems)

    # -- apps ------------------------------------------------------------------------------------------

    def _open_app(self, app: str, record: list[str]) -> str:
        name = app.strip()
        installed = set(self.installed_packages())
        package = name if name in installed else _apps.resolve_label(name, installed, self.apps)
        if package is None:  # maybe installed since we last looked
            installed = set(self.installed_packages(refresh=True))
            package = name if name in installed else _apps.resolve_label(name, installed, self.apps)
        if package is not None:
            self._launch(package, record)
            return f"launched {package}"
        if not _apps.looks_like_package(name):
            element = self._launcher_icon(name, record)
            if element is not None:
                center = element.bounds.center  # UI-tree bounds are the screen as it is now
                self._act(f"input tap {round(center.x)} {round(center.y)}", record)
                return f"tapped the launcher icon {element.label!r}"
        labels = list(self.apps) + [k.title() for k, v in _apps.KNOWN_LABELS.items() if set(v) & installed]
        near = _apps.close_matches(name, labels + self._launcher_labels, sorted(installed))
        raise UnsupportedAction(
            f"no app called {name!r} is installed" + (f"; close matches: {', '.join(near)}" if near else ""),
            hint="name the app as its launcher label shows it, or give its package (see `pm list packages`)",
        )

    def _launch(self, package: str, record: list[str]) -> None:
        command = f"monkey -p {package} -c android.intent.category.LAUNCHER 1"
        record.append(command)
        result = self.shell(command, action=True, check=False)
        out = result.output
        if "No activities found" in out or "aborted" in out or result.exit_code != 0:
            raise CommandFailed(command, result.exit_code, out, hint=f"{package} has no launcher activity to open")

    def _launcher_icon(self, label: str, record: list[str]) -> Element | None:
        """Go home and find the icon whose text (or description) is the label."""
        self._act(f"input keyevent {_BUTTONS['home']}", record)
        want = _apps.normalize_label(label)
        tree = self.ui_tree() or []
        self._launcher_labels = sorted({e.label for e in tree if e.label and (e.clickable or e.text)})
        for e in tree:
            if want in (_apps.normalize_label(e.text), _apps.normalize_label(e.description)) and e.bounds.area:
                return e
        return None

    # -- lifecycle -------------------------------------------------------------------------------------

    # -- what a run changes, put back ------------------------------------------------------------------

    def restore_phone(self) -> list[str]:
        """Undo what a run noted on the phone before changing it (the keyboard, the screen staying on) and
        did not get to undo itself; returns what was put back."""
        notes = self._restorer.notes()
        done: list[str] = []
        if "ime" in notes or "ime_disable" in notes:
            problems = self._restore_ime(notes["ime"] if "ime" in notes else None, notes.get("ime_disable") == "1", [])
            if problems:
                raise DeviceError(f"could not put the keyboard back: {problems}",
                                  hint="select your keyboard in the phone's settings")
            self._restorer.done("ime", "ime_disable")
            done.append(f"keyboard {notes.get('ime') or 'reset'}")
        if "stay_on" in notes:
            self.shell(f"settings put global stay_on_while_plugged_in {shlex.quote(notes['stay_on'] or '0')}")
            self._restorer.done("stay_on")
            done.append(f"stay_on_while_plugged_in {notes['stay_on'] or '0'}")
        return done

    def keep_awake(self) -> None:
        """For the length of a run: the screen stays on (``svc power stayon true``), is woken and unlocked
        (a keyguard without a secure lock). The previous setting is noted on the phone first."""
        previous = self.shell("settings get global stay_on_while_plugged_in", check=False).text.strip()
        self._restorer.note("stay_on", "0" if previous in ("", "null") else previous)
        self.shell("svc power stayon true")
        self.shell("input keyevent KEYCODE_WAKEUP", check=False)
        self.shell("wm dismiss-keyguard", check=False)

    def release_awake(self) -> None:
        """Put the stay-on setting back as ``keep_awake`` found it."""
        previous = self._restorer.notes().get("stay_on")
        if previous is not None:
            self.shell(f"settings put global stay_on_while_plugged_in {shlex.quote(previous)}")
            self._restorer.done("stay_on")

    def close(self) -> None:
        """Stop the scrcpy stream if one runs, and put back what a cut-short change left."""
        self.stream.close()
        try:
            self.restore_phone()
        except (InfraFault, OutcomeUnknown):  # the phone went away: the note stays on it for next time
            pass

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"AndroidDevice({self.serial!r}, server={self.host}:{self.port})"


def _listing(devices: list[tuple[str, str, dict[str, str]]]) -> str:
    out = []
    for serial, state, tags in devices:
        model = tags.get("model", "")
        out.append(f"{serial} [{state}]" + (f" {model}" if model else ""))
    return ", ".join(out)

