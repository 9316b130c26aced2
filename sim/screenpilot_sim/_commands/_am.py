"""``am``, ``monkey``, ``cmd`` and ``svc``: starting and stopping apps, broadcasts, service shortcuts.

Broadcasts for ADBKeyBoard (``ADB_INPUT_TEXT``, ``ADB_INPUT_B64``, ``ADB_INPUT_CODE``,
``ADB_EDITOR_CODE``, ``ADB_CLEAR_TEXT``) type into the focused field when that keyboard is installed
and selected, as the real IME's receiver does; otherwise nobody receives them.
"""

from __future__ import annotations

import base64
import binascii
import time
from dataclasses import dataclass, field
from typing import Any

from .._shell import CommandContext
from ._registry import COMMANDS, command, java_exception

__all__ = ["Intent", "parse_intent"]

ADB_IME_PACKAGE = "com.android.adbkeyboard"
CLIPPER = "ca.zgrs.clipper"
_AM = "com.android.server.am.ActivityManagerShellCommand"


@dataclass
class Intent:
    action: str | None = None
    data: str | None = None
    mime: str | None = None
    categories: list[str] = field(default_factory=list)
    component: tuple[str, str] | None = None  # (package, class as given)
    package: str | None = None
    extras: dict[str, Any] = field(default_factory=dict)
    flags: int = 0
    wait: bool = False
    stop_first: bool = False

    def describe(self, phone: Any, *, broadcast: bool = False) -> str:
        parts = []
        if self.action:
            parts.append(f"act={self.action}")
        if self.categories:
            parts.append(f"cat=[{','.join(self.categories)}]")
        if self.data:
            parts.append(f"dat={self.data}")
        if self.mime:
            parts.append(f"typ={self.mime}")
        flags = self.flags | (0x400000 if broadcast else 0)
        if flags:
            parts.append(f"flg=0x{flags:x}")
        if self.package:
            parts.append(f"pkg={self.package}")
        if self.component:
            pkg, cls = self.component
            full = pkg + cls if cls.startswith(".") else cls
            short = full[len(pkg):] if full.startswith(pkg + ".") else full
            parts.append(f"cmp={pkg}/{short}")
        if self.extras:
            parts.append("(has extras)")
        return "Intent { " + " ".join(parts) + " }"


class _BadArgs(Exception):
    pass


def parse_intent(args: list[str]) -> Intent:
    """``am``'s intent options (``-a -d -t -c -n -p -f --es --ei --ez ...``) plus a trailing component/URI."""
    it = Intent()
    k = 0

    def value() -> str:
        nonlocal k
        k += 1
        if k >= len(args):
            raise _BadArgs(f'Argument expected after "{args[k - 1]}"')
        return args[k]

    while k < len(args):
        a = args[k]
        if a == "-a":
            it.action = value()
        elif a == "-d":
            it.data = value()
        elif a == "-t":
            it.mime = value()
        elif a == "-c":
            it.categories.append(value())
        elif a == "-n":
            comp = value()
            pkg, sep, cls = comp.partition("/")
            if not sep or not pkg or not cls:
                raise _BadArgs(f"Bad component name: {comp}")
            it.component = (pkg, cls)
        elif a == "-p":
            it.package = value()
        elif a == "-f":
            text = value()
            it.flags = int(text, 16) if text.lower().startswith("0x") else int(text)
        elif a in ("-e", "--es"):
            key = value()
            it.extras[key] = value()
        elif a == "--esn":
            it.extras[value()] = None
        elif a == "--ez":
            key = value()
            it.extras[key] = value().lower() in ("true", "t", "1")
        elif a in ("--ei", "--el"):
            key = value()
            text = value()
            try:
                it.extras[key] = int(text)
            except ValueError:
                raise _BadArgs(f'For input string: "{text}"') from None
        elif a == "--ef":
            key = value()
            it.extras[key] = float(value())
        elif a in ("--eu", "--ecn"):
            key = value()
            it.extras[key] = value()
        elif a in ("--esa", "--eia", "--ela"):
            key = value()
            it.extras[key] = value().split(",")
        elif a == "-W":
            it.wait = True
        elif a == "-S":
            it.stop_first = True
        elif a in ("--user", "-R", "--display", "--windowingMode", "--activityType", "-P", "--start-profiler",
                   "--sampling", "--receiver-permission"):
            value()
        elif a.startswith("--activity-") or a in ("--receiver-foreground", "--include-stopped-packages",
                                                  "--grant-read-uri-permission", "-D", "-N", "--streaming",
                                                  "--track-allocation", "--task-overlay", "--lock-task"):
            it.flags |= 0x10000000 if a == "--activity-new-task" else 0
        elif a.startswith("-"):
            raise _BadArgs(f"Unknown option: {a}")
        else:
            target = a
            if "/" in target and "://" not in target and ":" not in target.split("/")[0]:
                pkg, _, cls = target.partition("/")
                it.component = (pkg, cls)
            else:
                it.data = target
        k += 1
    return it


def _resolve(ctx: CommandContext, it: Intent) -> tuple[str, str | None, str | None] | None:
    """(package, activity class, page) the intent opens, or None when nothing handles it."""
    phone = ctx.phone
    if it.component:
        pkg, cls = it.component
        return pkg, cls, None
    if it.action == "android.intent.action.MAIN" and "android.intent.category.HOME" in it.categories:
        return "com.android.launcher3", None, "home"
    if it.data and it.action in (None, "android.intent.action.VIEW"):
        for pkg, app in phone.apps.items():
            page = app.view_page(it.data)
            if page is not None and pkg in phone.installed and (it.package is None or it.package == pkg):
                it.extras.setdefault("url", it.data)
                return pkg, None, page
    if it.action:
        for pkg, app in phone.apps.items():
            if (it.package is None or it.package == pkg) and it.action in app.actions and pkg in phone.installed:
                if it.action == "android.intent.action.MAIN" and it.package is None:
                    continue
                return pkg, None, app.actions[it.action]
    if it.package and it.package in phone.installed:
        app = phone.apps[it.package]
        return it.package, app.main_activity, None
    return None


def _am_start(ctx: CommandContext, args: list[str]) -> int:
    phone = ctx.phone
    try:
        it = parse_intent(args)
    except (_BadArgs, ValueError) as e:
        return java_exception(ctx, "start", f"java.lang.IllegalArgumentException: {e}",
                              [f"{_AM}.makeIntent(ActivityManagerShellCommand.java:486)"])
    ctx.out(f"Starting: {it.describe(phone)}\n")
    out = ctx.out if it.wait else ctx.err
    target = _resolve(ctx, it)
    if target is None:
        out(f"Error: Activity not started, unable to resolve {it.describe(phone)}\n")
        return 0
    pkg, cls, page = target
    if it.stop_first:
        phone.force_stop(pkg)
    started = time.monotonic()
    running = phone.task_for(pkg) is not None
    extras = dict(it.extras)
    if it.data and it.data.startswith("package:"):
        extras.setdefault("package", it.data[len("package:"):])
    result = phone.start_activity(pkg, cls, page=page, extras=extras)
    if result == "missing":
        full = (pkg + cls if cls and cls.startswith(".") else cls) or ""
        out("Error type 3\n")
        out(f"Error: Activity class {{{pkg}/{full}}} does not exist.\n")
        return 0
    if result == "delivered":
        out("Warning: Activity not started, intent has been delivered to currently running top-most instance.\n")
    if it.wait:
        launch_ms = phone.timing.launch_hot_ms if running else phone.timing.launch_cold_ms
        if launch_ms > 0:
            if phone.charge(launch_ms, ctx.cancelled):
                return 130
            took = int(launch_ms)
        else:
            took = max(1, int((time.monotonic() - started) * 1000) + int(phone.config.animation_ms))
        focus_pkg, focus_cls = phone.focused_component()
        short = focus_cls[len(focus_pkg):] if focus_cls.startswith(focus_pkg + ".") else focus_cls
        ctx.out(f"Status: ok\nLaunchState: {'HOT' if result == 'delivered' else 'COLD'}\n"
                f"Activity: {focus_pkg}/{short}\nTotalTime: {took}\nWaitTime: {took + 4}\nComplete\n")
    return 0


def _am_broadcast(ctx: CommandContext, args: list[str]) -> int:
    phone = ctx.phone
    try:
        it = parse_intent(args)
    except (_BadArgs, ValueError) as e:
        return java_exception(ctx, "broadcast", f"java.lang.IllegalArgumentException: {e}",
                              [f"{_AM}.makeIntent(ActivityManagerShellCommand.java:486)"])
    ctx.out(f"Broadcasting: {it.describe(phone, broadcast=True)}\n")
    with phone.lock:
        phone.last_broadcasts.append({"action": it.action, "extras": dict(it.extras), "at": phone.clock.wall()})
        del phone.last_broadcasts[:-50]
        answer = _deliver(ctx, it)
    if answer is None:
        ctx.out("Broadcast completed: result=0\n")
    else:
        ctx.out(f'Broadcast completed: result={answer[0]}, data="{answer[1]}"\n')
    return 0


def _deliver(ctx: CommandContext, it: Intent) -> tuple[int, str] | None:
    """Hand the broadcast to its receivers; (result code, result data) when one answers."""
    phone = ctx.phone
    action = it.action or ""
    if action in ("clipper.set", "clipper.get") and CLIPPER in phone.installed:
        # Clipper (ca.zgrs.clipper), the usual way to reach the clipboard over adb (android_world uses it)
        if action == "clipper.set":
            text = it.extras.get("text")
            phone.clipboard = text if isinstance(text, str) else ""
            return -1, "Text is copied into clipboard."
        return -1, phone.clipboard
    if action.startswith("ADB_"):
        if ADB_IME_PACKAGE not in phone.installed or not phone.current_ime.startswith(ADB_IME_PACKAGE + "/"):
            return None
        if action == "ADB_INPUT_TEXT":
            text = it.extras.get("msg")
            if isinstance(text, str):
                phone.type_text(text)
        elif action == "ADB_INPUT_B64":
            raw = it.extras.get("msg")
            if isinstance(raw, str):
                try:
                    phone.type_text(base64.b64decode(raw).decode("utf-8"))
                except (binascii.Error, UnicodeDecodeError, ValueError):
                    pass
        elif action == "ADB_INPUT_CODE":
            code = it.extras.get("code")
            if isinstance(code, int):
                phone.key(code)
        elif action == "ADB_EDITOR_CODE":
            if isinstance(it.extras.get("code"), int):
                phone.key(66)
        elif action == "ADB_CLEAR_TEXT":
            phone.clear_text()
    elif action == "android.intent.action.CLOSE_SYSTEM_DIALOGS":
        with phone.transaction():
            phone.overlay = None
    return None


@command("am")
def am(ctx: CommandContext) -> int:
    args = ctx.argv[1:]
    if not args or args[0] in ("help", "-h"):
        ctx.out("Activity manager (activity) commands:\n  help\n      Print this help text.\n"
                "  start-activity [-D] [-N] [-W] [-P <FILE>] [--start-profiler <FILE>] [-S] <INTENT>\n"
                "  force-stop [--user <USER_ID> | all | current] <PACKAGE>\n"
                "  broadcast [--user <USER_ID> | all | current] <INTENT>\n")
        return 0
    sub, rest = args[0], args[1:]
    phone = ctx.phone
    if sub in ("start", "start-activity"):
        return _am_start(ctx, rest)
    if sub == "broadcast":
        return _am_broadcast(ctx, rest)
    if sub in ("force-stop", "stop-app", "kill"):
        pkgs = [a for a in rest if not a.startswith("--")]
        if rest and rest[0] == "--user":
            pkgs = pkgs[1:]
        if not pkgs:
            return java_exception(ctx, sub, f'java.lang.IllegalArgumentException: Argument expected after "{sub}"',
                                  [f"{_AM}.runForceStop(ActivityManagerShellCommand.java:1216)"])
        phone.force_stop(pkgs[-1])
        return 0
    if sub == "kill-all":
        return 0
    if sub == "get-current-user":
        ctx.out("0\n")
        return 0
    if sub in ("start-service", "startservice", "start-foreground-service"):
        ctx.out("Starting service: " + parse_intent(rest).describe(phone) + "\n")
        return 0
    if sub in ("stack", "task"):
        from ._stacks import am_stack

        return am_stack(ctx, rest)
    ctx.err(f"Unknown command: {sub}\n")
    return 255


@command("monkey")
def monkey(ctx: CommandContext) -> int:
    phone = ctx.phone
    args = ctx.argv[1:]
    for a in args:
        ctx.out(f"  bash arg: {a}\n")
    packages: list[str] = []
    count = None
    k = 0
    while k < len(args):
        a = args[k]
        if a == "-p" and k + 1 < len(args):
            packages.append(args[k + 1])
            k += 2
            continue
        if a in ("-c", "-s", "--throttle", "--pct-touch", "--pct-motion", "--pct-syskeys", "--pct-appswitch",
                 "--pct-anyevent", "--pct-nav", "--pct-majornav", "--pct-trackball", "--pct-rotation") \
                and k + 1 < len(args):
            k += 2
            continue
        if a.startswith("-"):
            k += 1
            continue
        count = a
        k += 1
    if count is None or not count.isdigit():
        ctx.err("** Error: Count not specified\n")
        ctx.out("usage: monkey [-p ALLOWED_PACKAGE [-p ALLOWED_PACKAGE] ...]\n"
                "              [-c MAIN_CATEGORY [-c MAIN_CATEGORY] ...]\n              COUNT\n")
        return 1
    targets = [p for p in packages if p in phone.installed and phone.apps[p].launchable]
    if not targets:
        ctx.out("** No activities found to run, monkey aborted.\n")
        return 252
    started = time.monotonic()
    phone.launch(targets[0])
    elapsed = int((time.monotonic() - started) * 1000)
    ctx.out(f"Events injected: {count}\n")
    ctx.out(f"## Network stats: elapsed time={elapsed}ms (0ms mobile, 0ms wifi, {elapsed}ms not connected)\n")
    return 0


@command("cmd")
def cmd(ctx: CommandContext) -> int:
    args = ctx.argv[1:]
    if not args:
        ctx.err("cmd: No service specified; use -l to list all running services. Use -w to start and wait "
                "for a service.\n")
        return 20
    if args[0] == "-l":
        ctx.out("Currently running services:\n")
        for name in ("activity", "clipboard", "input", "input_method", "notification", "package", "settings",
                     "statusbar", "uimode", "wifi", "window"):
            ctx.out(f"  {name}\n")
        return 0
    service, rest = args[0], args[1:]
    delegate = {"activity": "am", "package": "pm", "settings": "settings", "input": "input", "window": "wm",
                "input_method": "ime"}.get(service)
    if delegate is not None:
        return COMMANDS[delegate](_with_argv(ctx, [delegate, *rest]))
    phone = ctx.phone
    if service == "clipboard":  # a service without a shell command on Android 14: no `cmd clipboard get`
        ctx.err("No shell command implementation.\n")
        return 255
    if service == "notification":
        return _notification(ctx, rest)
    if service == "uimode":
        if rest[:1] == ["night"]:
            if len(rest) == 1:
                ctx.out(f"Night mode: {'yes' if phone.dark else 'no'}\n")
                return 0
            mode = {"yes": "2", "no": "1", "auto": "0"}.get(rest[1])
            if mode is None:
                ctx.err("Error: mode must be 'yes', 'no', or 'auto'\n")
                return 255
            phone.put_setting("secure", "ui_night_mode", mode)
            ctx.out(f"Night mode: {rest[1]}\n")
            return 0
        ctx.err("Unknown command\n")
        return 255
    if service == "statusbar":
        if rest[:1] in (["expand-notifications"], ["expand-settings"], ["collapse"]):
            with phone.transaction():
                phone.overlay = None if rest[0] == "collapse" else "shade"
            return 0
        ctx.err("Unknown command\n")
        return 255
    if service == "wifi":
        if rest[:1] == ["set-wifi-enabled"] and len(rest) > 1:
            phone.put_setting("global", "wifi_on", "1" if rest[1] == "enabled" else "0")
            return 0
        if rest[:1] == ["status"]:
            ctx.out("Wifi is enabled\n" if phone.settings["global"].get("wifi_on") == "1" else "Wifi is disabled\n")
            return 0
        return 255
    ctx.err(f"cmd: Can't find service: {service}\n")
    return 20


def _notification(ctx: CommandContext, args: list[str]) -> int:
    """``cmd notification post [-t TITLE] [-S STYLE] TAG TEXT`` (posted by com.android.shell), ``list``."""
    phone = ctx.phone
    if args[:1] == ["post"]:
        title, words = "", []
        k = 1
        while k < len(args):
            a = args[k]
            if a in ("-t", "--title") and k + 1 < len(args):
                title = args[k + 1]
                k += 2
                continue
            if a in ("-S", "--style", "-i", "--icon", "-I", "--large-icon", "-c", "--content-intent") and k + 1 < len(args):
                k += 2
                continue
            if not a.startswith("-"):
                words.append(a)
            k += 1
        if len(words) < 2:
            ctx.err("Error: missing tag or text\nusage: cmd notification post [flags] <tag> <text>\n")
            return 255
        phone.post_notification("com.android.shell", words[0], title or words[0], " ".join(words[1:]))
        return 0
    if args[:1] == ["list"]:
        for n in phone.notifications:
            ctx.out(n["key"] + "\n")
        return 0
    ctx.out("usage: cmd notification SUBCMD [args]\n\nSUBCMDs:\n  post [flags] <tag> <text>\n  list\n")
    return 0 if not args else 255


def _with_argv(ctx: CommandContext, argv: list[str]) -> CommandContext:
    return ctx.derived(argv)


@command("svc")
def svc(ctx: CommandContext) -> int:
    args = ctx.argv[1:]
    phone = ctx.phone
    keys = {"wifi": "wifi_on", "data": "mobile_data", "bluetooth": "bluetooth_on"}
    if len(args) >= 2 and args[0] in keys and args[1] in ("enable", "disable"):
        phone.put_setting("global", keys[args[0]], "1" if args[1] == "enable" else "0")
        return 0
    if len(args) >= 3 and args[0] == "power" and args[1] == "stayon":
        bits = {"true": "7", "false": "0", "ac": "1", "usb": "2", "wireless": "4"}.get(args[2])
        if bits is None:
            ctx.err(f"Unknown option '{args[2]}': svc power stayon [true|false|usb|ac|wireless]\n")
            return 1
        phone.put_setting("global", "stay_on_while_plugged_in", bits)
        return 0
    ctx.out("Available commands:\n    help     Show information about the subcommands\n"
            "    power    Control the power manager\n    data     Control mobile data connectivity\n"
            "    wifi     Control the Wi-Fi manager\n    bluetooth Control Bluetooth service\n")
    return 0 if not args or args[0] == "help" else 1
