"""``input``: AOSP's InputShellCommand, quirks included.

``input text`` takes ONE argument (the rest are ignored); every ``%s`` becomes a space and there is
no escape for it; a character outside the virtual keyboard's map (anything non-ASCII) fails with a
NullPointerException and exit 255. Gestures take the time they say (``swipe ... 1000`` lasts 1 s),
key names are case-sensitive (``HOME`` or ``KEYCODE_HOME`` or ``3``; ``home`` is KEYCODE_UNKNOWN).
"""

from __future__ import annotations

import re

from .._keycodes import KEYCODES
from .._shell import CommandContext
from .._touch import MOVE_INTERVAL_MS
from ._registry import command, java_exception

__all__ = ["KEYCODES", "keycode_from_string"]

_MAX_KEYCODE = 316
_SOURCES = {"keyboard", "dpad", "gamepad", "touchscreen", "mouse", "stylus", "trackball", "touchpad",
            "touchnavigation", "joystick", "rotaryencoder"}
_JAVA_FLOAT = re.compile(r"\s*[+-]?(NaN|Infinity|((\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)[fFdD]?)\s*")
_VIRTUAL_KEYBOARD = {chr(c) for c in range(0x20, 0x7F)} | {"\n", "\t"}
_PREFIX = "com.android.server.input.InputShellCommand"

USAGE = """Usage: input [<source>] [-d DISPLAY_ID] <command> [<arg>...]

The sources are: 
      keyboard
      dpad
      gamepad
      touchscreen
      mouse
      stylus
      trackball
      touchpad
      touchnavigation
      joystick
      rotaryencoder
-d: specify the display ID.
      (Default: -1 for key event, 0 for motion event if not specified.)
The commands and default sources are:
      text <string> (Default: keyboard)
      keyevent [--longpress|--doubletap|--async|--delay <duration between keycodes in ms>] <key code number or name> ... (Default: keyboard)
      tap <x> <y> (Default: touchscreen)
      swipe <x1> <y1> <x2> <y2> [duration(ms)] (Default: touchscreen)
      draganddrop <x1> <y1> <x2> <y2> [duration(ms)] (Default: touchscreen)
      press (Default: trackball)
      roll <dx> <dy> (Default: trackball)
      motionevent <DOWN|UP|MOVE|CANCEL> <x> <y> (Default: touchscreen)
      scroll (Default: rotaryencoder). Has the following syntax:
            scroll <x> <y> [axis_value] (for pointer-based sources)
            scroll [axis_value] (for non-pointer-based sources)
            Axis options: SCROLL, HSCROLL, VSCROLL
            None or one or multiple axis value options can be specified.
            To specify multiple axes, use one axis option for per axis.
            Example: `scroll --axis VSCROLL,2 --axis SCROLL,-2.4`
      keycombination [-t duration(ms)] <key code 1> <key code 2> ... (Default: keyboard, the key order is important here.)
"""


class _JavaError(Exception):
    def __init__(self, exception: str, frame: str) -> None:
        super().__init__(exception)
        self.exception = exception
        self.frame = frame


class _Args:
    def __init__(self, args: list[str]) -> None:
        self.args = args
        self.pos = 0

    def next(self) -> str | None:
        if self.pos >= len(self.args):
            return None
        self.pos += 1
        return self.args[self.pos - 1]

    def required(self) -> str:
        arg = self.next()
        if arg is None:
            prev = self.args[self.pos - 1] if self.pos else "input"
            raise _JavaError(f'java.lang.IllegalArgumentException: Argument expected after "{prev}"',
                             "com.android.modules.utils.BasicShellCommandHandler.getNextArgRequired"
                             "(BasicShellCommandHandler.java:295)")
        return arg


class _NumberFormat(Exception):
    pass


def _float(text: str) -> float:
    if not _JAVA_FLOAT.fullmatch(text):
        raise _NumberFormat(text)
    t = text.strip().rstrip("fFdD")
    return float("nan") if t.endswith("NaN") else float(t.replace("Infinity", "inf"))


def _int(text: str) -> int:
    if not re.fullmatch(r"[+-]?\d+", text):
        raise _NumberFormat(text)
    value = int(text)
    if not -(2**31) <= value < 2**31:
        raise _NumberFormat(text)
    return value


def keycode_from_string(name: str) -> int:
    """KeyEvent.keyCodeFromString: a number first, then a name (case-sensitive), else 0 (UNKNOWN)."""
    try:
        code = _int(name)
        if 0 <= code <= _MAX_KEYCODE:
            return code
    except _NumberFormat:
        pass
    return KEYCODES.get(name.removeprefix("KEYCODE_"), 0)


def _percent_s(text: str) -> str:
    """AOSP's sendText: every ``%s`` becomes a space; there is no way to escape it."""
    out: list[str] = []
    escape = False
    for ch in text:
        if escape:
            escape = False
            if ch == "s":
                out[-1] = " "
                continue
        out.append(ch)
        if ch == "%":
            escape = True
    return "".join(out)


def _wait(ctx: CommandContext, ms: float) -> bool:
    """Sleep as the gesture lasts (phone time); True when the client went away meanwhile."""
    return ms > 0 and ctx.phone.clock.sleep(ms / 1000.0, ctx.cancelled)


def _stroke(ctx: CommandContext, x1: float, y1: float, x2: float, y2: float, duration_ms: int, *,
            hold_first: bool) -> int:
    """InputShellCommand's swipe: DOWN, MOVEs along the line for the duration (one per frame), UP; a
    drag-and-drop first holds still for the long-press timeout. Each event happens when it says, so a
    long press fires while the finger is still down."""
    phone = ctx.phone
    clock = phone.clock
    phone.motion("DOWN", x1, y1)
    if hold_first and clock.sleep(phone.touch.long_press_timeout(), ctx.cancelled):
        phone.motion("CANCEL", x1, y1)
        return 130
    start = clock.uptime()
    end = start + duration_ms / 1000.0
    while (now := clock.uptime()) < end:
        a = (now - start) / max(1e-9, end - start)
        phone.motion("MOVE", x1 + (x2 - x1) * a, y1 + (y2 - y1) * a)
        if clock.sleep(min(MOVE_INTERVAL_MS / 1000.0, end - now), ctx.cancelled):
            phone.motion("CANCEL", x2, y2)
            return 130
    phone.motion("UP", x2, y2)
    return 0


@command("input")
def input_cmd(ctx: CommandContext) -> int:
    args = _Args(ctx.argv[1:])
    first = args.next()
    if first is None:
        ctx.out(USAGE)
        return 0
    mcmd = first
    arg: str = first
    display = 0
    try:
        if arg in _SOURCES:
            arg = args.required()
        if arg == "-d":
            d = args.required()
            if d.upper() not in ("INVALID_DISPLAY", "DEFAULT_DISPLAY") and not re.fullmatch(r"[+-]?\d+", d):
                raise _JavaError("java.lang.IllegalArgumentException: Error: Invalid arguments for display ID.",
                                 f"{_PREFIX}.getDisplayId(InputShellCommand.java:164)")
            display = 0 if d.upper() in ("INVALID_DISPLAY", "DEFAULT_DISPLAY") else max(0, int(d))
            arg = args.required()
        try:
            return _run(ctx, arg, args, display)
        except _NumberFormat:
            raise _JavaError(f"java.lang.IllegalArgumentException: Error: Invalid arguments for command: {arg}",
                             f"{_PREFIX}.onCommand(InputShellCommand.java:292)") from None
    except _JavaError as e:
        return java_exception(ctx, mcmd, e.exception, [e.frame, f"{_PREFIX}.onCommand(InputShellCommand.java:292)"])


def _run(ctx: CommandContext, arg: str, args: _Args, display: int) -> int:
    phone = ctx.phone
    on_screen = display == 0
    if arg == "text":
        text = _percent_s(args.required())
        if any(ch not in _VIRTUAL_KEYBOARD for ch in text):
            raise _JavaError("java.lang.NullPointerException: Attempt to get length of null array",
                             f"{_PREFIX}.sendText(InputShellCommand.java:228)")
        if on_screen:
            phone.type_text(text)
        return 0
    if arg == "keyevent":
        longpress = False
        delay = 0
        k = args.required()
        while k is not None and k.startswith("--"):
            longpress = longpress or k == "--longpress"
            if k == "--delay":
                delay = _int(args.required())
            k = args.next()  # type: ignore[assignment]
        first = True
        while k is not None:
            if not first and _wait(ctx, delay):
                return 130
            first = False
            code = keycode_from_string(k)
            if longpress and _wait(ctx, 500):
                return 130
            if on_screen and code:
                phone.key(code, longpress=longpress)
            k = args.next()  # type: ignore[assignment]
        return 0
    if arg == "tap":
        x, y = _float(args.required()), _float(args.required())
        if on_screen:
            phone.tap(x, y)
        return 0
    if arg in ("swipe", "draganddrop"):
        x1, y1 = _float(args.required()), _float(args.required())
        x2, y2 = _float(args.required()), _float(args.required())
        d = args.next()
        duration = _int(d) if d is not None else -1
        if duration < 0:
            duration = 300
        if not on_screen:
            return 130 if _wait(ctx, duration) else 0
        return _stroke(ctx, x1, y1, x2, y2, duration, hold_first=arg == "draganddrop")
    if arg == "motionevent":
        action = args.required().upper()
        if action not in ("DOWN", "UP", "MOVE", "CANCEL"):
            raise _JavaError(f"java.lang.IllegalArgumentException: Unknown action: {action}",
                             f"{_PREFIX}.getAction(InputShellCommand.java:480)")
        if action != "CANCEL":
            x, y = _float(args.required()), _float(args.required())
            if on_screen:
                phone.motion(action, x, y)
        elif on_screen:
            phone.motion("CANCEL", 0, 0)
        return 0
    if arg in ("press", "roll", "scroll", "keycombination"):
        while args.next() is not None:
            pass
        return 0
    ctx.out(f"Unknown command: {arg}\n")
    return 0
