"""System commands: getprop/setprop, wm, dumpsys, screencap, uiautomator, ime, and small toybox tools.

Output follows the formats scripts and libraries parse (adbutils' regular expressions among them):
``Physical size: WxH``, ``orientation=N`` in dumpsys display, ``mCurrentFocus=Window{... pkg/cls}``.
"""

from __future__ import annotations

import posixpath
import re
import struct
import time
from typing import Any

from .._shell import BUILTIN_NAMES, CommandContext
from .._vfs import FsError
from ._registry import COMMANDS, command, locked_output

__all__ = ["dumpsys_package"]


def _hash(*parts: object) -> str:
    h = 2166136261
    for ch in "|".join(map(str, parts)):
        h = ((h ^ ord(ch)) * 16777619) & 0xFFFFFFFF
    return f"{h & 0xFFFFFFF:07x}"


# -- properties --------------------------------------------------------------------------------------
@command("getprop")
def getprop(ctx: CommandContext) -> int:
    props = ctx.phone.props
    args = [a for a in ctx.argv[1:] if not a.startswith("-")]
    if not args:
        for k in sorted(props):
            ctx.out(f"[{k}]: [{props[k]}]\n")
        return 0
    ctx.out(props.get(args[0], args[1] if len(args) > 1 else "") + "\n")
    return 0


@command("setprop")
def setprop(ctx: CommandContext) -> int:
    args = ctx.argv[1:]
    if len(args) != 2:
        ctx.err("usage: setprop NAME VALUE\n\nSets an Android system property.\n")
        return 1
    name, value = args
    if name.startswith(("ro.", "sys.boot", "init.")) or not re.fullmatch(r"[A-Za-z0-9_.\-:@]+", name):
        ctx.err(f"Failed to set property '{name}' to '{value}'.\nSee dmesg for error reason.\n")
        return 1
    with ctx.phone.transaction():
        ctx.phone.props[name] = value
    return 0


# -- window manager ----------------------------------------------------------------------------------
@command("wm")
def wm(ctx: CommandContext) -> int:
    phone = ctx.phone
    args = [a for a in ctx.argv[1:]]
    if "-d" in args:
        k = args.index("-d")
        args = args[:k] + args[k + 2:]
    if not args:
        ctx.out("Window manager (window) commands:\n  help\n      Print this help text.\n"
                "  size [reset|WxH|WdpxHdp] [-d DISPLAY_ID]\n      Return or override display size.\n"
                "  density [reset|DENSITY] [-d DISPLAY_ID]\n      Return or override display density.\n"
                "  user-rotation [-d DISPLAY_ID] [free|lock] [rotation]\n")
        return 0
    sub, rest = args[0], args[1:]
    if sub == "dismiss-keyguard":
        phone.dismiss_keyguard()
        return 0
    if sub == "size":
        if not rest:
            w, h = phone.physical_size()
            ctx.out(f"Physical size: {w}x{h}\n")
            override = phone.override_size()
            if override:
                ctx.out(f"Override size: {override[0]}x{override[1]}\n")
            return 0
        if rest[0] == "reset":
            phone.delete_setting("global", "display_size_forced")
            return 0
        m = re.fullmatch(r"(\d+)x(\d+)", rest[0])
        if not m or int(m[1]) == 0 or int(m[2]) == 0 or int(m[1]) > 8192 or int(m[2]) > 8192:
            ctx.err(f"Error: bad size {rest[0]}\n")
            return 255
        phone.put_setting("global", "display_size_forced", f"{int(m[1])},{int(m[2])}")
        return 0
    if sub == "density":
        if not rest:
            ctx.out(f"Physical density: {phone.physical_density()}\n")
            if phone.override_density():
                ctx.out(f"Override density: {phone.override_density()}\n")
            return 0
        if rest[0] == "reset":
            phone.delete_setting("secure", "display_density_forced")
            return 0
        if not rest[0].isdigit() or not 72 <= int(rest[0]) <= 960:
            ctx.err(f"Error: bad number {rest[0]}\n")
            return 255
        phone.put_setting("secure", "display_density_forced", str(int(rest[0])))
        return 0
    if sub == "user-rotation":
        if not rest:
            locked = phone.settings["system"].get("accelerometer_rotation") != "1"
            ctx.out(f"{'lock' if locked else 'free'} {phone.rotation()}\n")
            return 0
        mode = rest[0]
        if mode not in ("free", "lock"):
            ctx.err(f"Error: lock mode needs to be either free or lock, got {mode}\n")
            return 255
        with phone.transaction():
            phone.put_setting("system", "accelerometer_rotation", "1" if mode == "free" else "0")
            if len(rest) > 1:
                if rest[1] not in ("0", "1", "2", "3"):
                    ctx.err(f"Error: rotation needs to be 0, 1, 2 or 3, got {rest[1]}\n")
                    return 255
                phone.put_setting("system", "user_rotation", rest[1])
        return 0
    ctx.err(f"Unknown command: {sub}\n")
    return 255


# -- dumpsys -----------------------------------------------------------------------------------------
def _display(ctx: CommandContext) -> None:
    phone = ctx.phone
    pw, ph = phone.physical_size()
    lw, lh = phone.display_size()
    rot = phone.rotation()
    dens = phone.density()
    uid = "local:4619827259835644672"
    state = "ON" if phone.screen_on else "OFF"
    info = (f'DisplayInfo{{"Built-in Screen", displayId 0, displayGroupId 0, FLAG_SECURE, FLAG_SUPPORTS_PROTECTED_BUFFERS,'
            f' FLAG_TRUSTED, real {lw} x {lh}, largest app {max(lw, lh)} x {max(lw, lh)}, smallest app {min(lw, lh)} x '
            f'{min(lw, lh)}, appVsyncOff 1000000, presDeadline 16666666, mode 1, defaultMode 1, modes [{{id=1, '
            f'width={pw}, height={ph}, fps=60.0, alternativeRefreshRates=[], supportedHdrTypes=[]}}], rotation {rot}, '
            f'state {state}, committedState {state}, type INTERNAL, uniqueId "{uid}", app {lw} x {lh}, density {dens} '
            f'({dens}.0 x {dens}.0) dpi, layerStack 0, colorMode 0, supportedColorModes [0], address {{port=0, '
            f'model=0x401cec6a7a2b7b}}, removeMode 0, installOrientation 0}}')
    ctx.out(
        "DISPLAY MANAGER (dumpsys display)\n"
        "  mOnlyCore=false\n  mSafeMode=false\n  mPendingTraversal=false\n"
        f"  mViewports=[DisplayViewport{{type=INTERNAL, valid=true, isActive=true, displayId=0, uniqueId='{uid}', "
        f"physicalPort=0, orientation={rot}, logicalFrame=Rect(0, 0 - {lw}, {lh}), physicalFrame=Rect(0, 0 - {lw}, "
        f"{lh}), deviceWidth={lw}, deviceHeight={lh}}}]\n"
        "  mDefaultDisplayDefaultColorMode=0\n\n"
        "Display Devices: size=1\n"
        f'  DisplayDeviceInfo{{"Built-in Screen": uniqueId="{uid}", {pw} x {ph}, modeId 1, renderFrameRate 60.0, '
        f"defaultModeId 1, density {phone.physical_density()}, {phone.physical_density()}.0 x "
        f"{phone.physical_density()}.0 dpi, appVsyncOff 1000000, presDeadline 16666666, touch INTERNAL, rotation 0, "
        f"type INTERNAL, state {state}, committedState {state}, FLAG_ALLOWED_TO_BE_DEFAULT_DISPLAY, "
        "FLAG_ROTATES_WITH_CONTENT, FLAG_SECURE, FLAG_SUPPORTS_PROTECTED_BUFFERS, installOrientation 0}\n\n"
        "Logical Displays: size=1\n"
        "  Display 0:\n    mDisplayId=0\n    mIsEnabled=true\n    mLayerStack=0\n"
        f"    mBaseDisplayInfo={info}\n"
        f"    mOverrideDisplayInfo={info}\n"
    )


def _window_title(phone: Any) -> str:
    if phone.overlay == "shade" or phone.keyguard_showing():
        return f"Window{{{_hash('shade')} u0 NotificationShade}}"
    pkg, cls = phone.focused_component()
    return f"Window{{{_hash(pkg, cls)} u0 {pkg}/{cls}}}"


def _activity_record(phone: Any, task: Any) -> str:
    app = phone.apps[task.package]
    full = app.activity_of(task.top)
    return f"ActivityRecord{{{_hash('ar', task.id, full)} u0 {task.package}/{app.short_class(full)} t{task.id}}}"


def _focused_record(phone: Any) -> str:
    task = phone.front_task()
    if task is None or phone.overlay:
        launcher = phone.apps["com.android.launcher3"]
        full = launcher.main_activity
        return f"ActivityRecord{{{_hash('ar', 0, full)} u0 com.android.launcher3/{launcher.short_class(full)} t1}}"
    return _activity_record(phone, task)


def _window(ctx: CommandContext, section: str) -> None:
    phone = ctx.phone
    w, h = phone.display_size()
    pw, ph = phone.physical_size()
    ime = phone.ime_shown()
    focus = _window_title(phone) if phone.screen_on else "null"
    if section in ("", "policy"):
        ctx.out("WINDOW MANAGER POLICY STATE (dumpsys window policy)\n"
                f"    mKeyguardDrawComplete=true mWindowManagerDrawComplete=true\n"
                f"    mScreenOnEarly={'true' if phone.screen_on else 'false'} "
                f"mScreenOnFully={'true' if phone.screen_on else 'false'}\n"
                f"    isKeyguardShowing={'true' if phone.keyguard_showing() else 'false'}\n"
                f"    mShowingDream=false mDreamingLockscreen={'true' if phone.keyguard else 'false'}\n"
                f"    KeyguardServiceDelegate\n      showing={'true' if phone.keyguard else 'false'}\n"
                f"      showingAndNotOccluded={'true' if phone.keyguard else 'false'}\n")
    if section in ("", "displays", "d"):
        ctx.out("WINDOW MANAGER DISPLAY CONTENTS (dumpsys window displays)\n"
                f"  Display: mDisplayId=0 rootTasks={len(phone.tasks) + 1}\n"
                f"    init={pw}x{ph} {phone.physical_density()}dpi cur={w}x{h} app={w}x{h} rng={min(w, h)}x"
                f"{min(w, h)}-{max(w, h)}x{max(w, h)}\n"
                f"    deferred=false mLayoutNeeded=false mTouchExcludeRegion=SkRegion((0,0,{w},{h}))\n"
                f"  mCurrentRotation=ROTATION_{phone.rotation() * 90}\n"
                f"  mCurrentFocus={focus}\n  mFocusedApp={_focused_record(phone)}\n"
                f"{_insets(phone, w, h)}\n")
    if section in ("", "windows", "w"):
        ctx.out("WINDOW MANAGER WINDOWS (dumpsys window windows)\n")
        pkg, cls = phone.focused_component()
        entries = [("NavigationBar0", True), ("StatusBar", True), ("InputMethod", ime), (f"{pkg}/{cls}", True)]
        for k, (title, visible) in enumerate(entries):
            ctx.out(f"  Window #{k} Window{{{_hash(title)} u0 {title}}}:\n"
                    f"    mDisplayId=0 rootTaskId=1 mSession=Session{{{_hash('s', title)} 1234:u0a10042}} "
                    f"mClient=android.os.BinderProxy@{_hash('c', title)}\n"
                    f"    mHasSurface={'true' if visible else 'false'} isReadyForDisplay()="
                    f"{'true' if visible else 'false'} mWindowRemovalAllowed=false\n"
                    f"    isOnScreen={'true' if visible else 'false'}\n    isVisible={'true' if visible else 'false'}\n")
        if section == "":
            return
        ctx.out(f"\n  mGlobalConfiguration={{1.0 ?mcc?mnc [en_US] ldltr sw{_dp(phone, min(w, h))}dp "
                f"w{_dp(phone, w)}dp h{_dp(phone, h)}dp {phone.density()}dpi "
                f"{'land' if w > h else 'port'} finger -keyb/v/h -nav/h winConfig={{ mBounds=Rect(0, 0 - {w}, {h})}}}}\n"
                f"  mHasPermanentDpad=false\n  mTopFocusedDisplayId=0\n"
                f"  mInputMethodWindow=Window{{{_hash('InputMethod')} u0 InputMethod}}\n"
                f"  mCurrentFocus={focus}\n  mFocusedApp={_focused_record(phone)}\n")
def _insets(phone: Any, w: int, h: int) -> str:
    """The insets controller's sources as Android 14 prints them: the bars and the keyboard's frame (which
    reaches the bottom of the screen, the navigation bar included), what a recorder needs to tell a tap on
    the keyboard or the navigation bar from a tap on the app."""
    from .._apps.keyboard import keyboard_height
    from .._apps.systemui import NAV_DP, STATUS_DP

    scale = phone.density() / 160.0
    top, nav = round(STATUS_DP * scale), round(NAV_DP * scale)
    ime = keyboard_height(phone, scale) if phone.ime_shown() else 0
    bars = not phone.keyguard_showing()
    sources = [("c06f0001", "navigationBars", (0, h - nav, w, h), bars), ("e9c60000", "statusBars", (0, 0, w, top), True),
               ("3", "ime", (0, h - nav - ime, w, h) if ime else (0, 0, 0, 0), bool(ime))]
    listed = ", ".join(f"InsetsSource: {{{sid} mType={kind} mFrame=[{l},{t}][{r},{b}] mVisible={str(vis).lower()} "
                       "mFlags=[]}" for sid, kind, (l, t, r, b), vis in sources)
    return (f"  InsetsStateController\n    InsetsState: {{mDisplayFrame=Rect(0, 0 - {w}, {h}), "
            f"mSources= {{ {listed} }}\n")


def _dp(phone: Any, px: int) -> int:
    return int(px * 160 / phone.density())


def _activity(ctx: CommandContext, section: str) -> None:
    phone = ctx.phone
    focused = _focused_record(phone)
    if section in ("", "activities", "a"):
        ctx.out("ACTIVITY MANAGER ACTIVITIES (dumpsys activity activities)\nDisplay #0 (activities from top to bottom):\n")
        for task in reversed(phone.tasks):
            visible = phone.front == task.id and not phone.overlay
            ctx.out(f"  * Task{{{_hash('t', task.id)} #{task.id} type=standard A=10{task.id:03d}:{task.package} U=0 "
                    f"visible={'true' if visible else 'false'} mode=fullscreen translucent=false sz={len(task.pages)}}}\n")
            for n in range(len(task.pages)):
                ctx.out(f"      * Hist  #{len(task.pages) - 1 - n}: {_activity_record(phone, task)}\n")
        ctx.out(f"  * Task{{{_hash('t', 1)} #1 type=home A=10001:com.android.launcher3 U=0 "
                f"visible={'true' if phone.front is None else 'false'} mode=fullscreen translucent=false sz=1}}\n\n"
                f"  ResumedActivity: {focused}\n\n mFocusedApp={focused}\n mResumedActivity: {focused}\n")
    if section in ("top",):
        pkg, cls = phone.focused_component()
        app = phone.apps[pkg]
        ctx.out(f"TASK 10{phone.front or 1:03d}:{pkg} id={phone.front or 1} userId=0\n"
                f"  ACTIVITY {pkg}/{app.short_class(cls)} {_hash('top', pkg, cls)} pid={_pid(phone, pkg)}\n")
    if section in ("recents", "r"):
        from ._stacks import recents

        recents(ctx)


def _pid(phone: Any, pkg: str) -> int:
    return 3000 + sum(map(ord, pkg)) % 5000


def dumpsys_package(ctx: CommandContext, pkg: str) -> int:
    phone = ctx.phone
    app = phone.apps.get(pkg)
    if app is None or pkg not in phone.installed:
        ctx.out(f"Unable to find package: {pkg}\n")
        return 0
    from ._pm import apk_path

    flags = "SYSTEM HAS_CODE ALLOW_CLEAR_USER_DATA" if app.system else "HAS_CODE ALLOW_CLEAR_USER_DATA"
    stamp = "2009-01-01 00:00:00" if app.system else time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(phone.boot_time))
    ctx.out(f"Activity Resolver Table:\n  Non-Data Actions:\n      android.intent.action.MAIN:\n"
            f"        {_hash('r', pkg)} {pkg}/{app.short_class(app.main_activity)} filter {_hash('f', pkg)}\n\n"
            f"Packages:\n  Package [{pkg}] ({_hash('p', pkg)}):\n    userId={10000 + sorted(phone.apps).index(pkg)}\n"
            f"    pkg=Package{{{_hash('pk', pkg)} {pkg}}}\n    codePath={posixpath.dirname(apk_path(app))}\n"
            f"    versionCode={app.version_code} minSdk=31 targetSdk={phone.config.sdk}\n"
            f"    versionName={app.version_name}\n    flags=[ {flags} ]\n    pkgFlags=[ {flags} ]\n"
            f"    timeStamp={stamp}\n    firstInstallTime={stamp}\n    lastUpdateTime={stamp}\n"
            + ("    requested permissions:\n" + "".join(f"      {p}\n" for p in app.runtime_permissions)
               + "    runtime permissions:\n"
               + "".join(f"      {p}: granted={'true' if p in phone.granted_permissions(pkg) else 'false'}, "
                         "flags=[ USER_SENSITIVE_WHEN_GRANTED|USER_SENSITIVE_WHEN_DENIED]\n"
                         for p in app.runtime_permissions) if app.runtime_permissions else "")
            + f"    signatures=PackageSignatures{{{_hash('sig', pkg)} version:3, signatures:[{_hash('cert', pkg)}], "
            f"past signatures:[]}}\n    installPermissionsFixed=true\n")
    return 0


@command("dumpsys")
def dumpsys(ctx: CommandContext) -> int:
    args = ctx.argv[1:]
    if not args:
        for name in ("activity", "battery", "display", "input_method", "package", "power", "window"):
            _dispatch(ctx, name, [])
        return 0
    if args[0] == "-l":
        ctx.out("Currently running services:\n")
        for name in _SERVICES:
            ctx.out(f"  {name}\n")
        return 0
    return _dispatch(ctx, args[0], args[1:]) if args[0] in _SERVICES else _missing(ctx, args[0])


def _missing(ctx: CommandContext, name: str) -> int:
    ctx.err(f"Can't find service: {name}\n")
    return 0


_SERVICES = ("SurfaceFlinger", "activity", "battery", "display", "input", "input_method", "meminfo", "notification",
             "package", "power",
             "window", "wifi")


def _dispatch(outer: CommandContext, name: str, rest: list[str]) -> int:
    section = rest[0] if rest else ""
    with locked_output(outer) as ctx:
        phone = ctx.phone
        if name == "display":
            _display(ctx)
        elif name == "window":
            _window(ctx, section if section in ("windows", "w", "displays", "d", "policy") else "")
        elif name == "activity":
            _activity(ctx, section if section in ("activities", "a", "top", "recents", "r") else "")
        elif name == "power":
            phone._check_power()
            on = phone.screen_on
            g, s = phone.settings["global"], phone.settings["system"]
            ctx.out("POWER MANAGER (dumpsys power)\n\nPower Manager State:\n"
                    f"  mWakefulness={'Awake' if on else 'Asleep'}\n  mWakefulnessChanging=false\n"
                    f"  mIsPowered=true\n  mPlugType=2\n  mBatteryLevel=85\n"
                    f"  mStayOn={'true' if phone._stays_on() else 'false'}\n"
                    f"  mLastUserActivityTime={int(phone._last_activity * 1000)}\n"
                    f"  mHoldingWakeLockSuspendBlocker=false\n"
                    f"  mHoldingDisplaySuspendBlocker={'true' if on else 'false'}\n\nSettings and Configuration:\n"
                    f"  mScreenOffTimeoutSetting={s.get('screen_off_timeout', '60000')}\n"
                    f"  mStayOnWhilePluggedInSetting={g.get('stay_on_while_plugged_in', '0')}\n"
                    f"Display Power: state={'ON' if on else 'OFF'}\n")
        elif name == "battery":
            ctx.out("Current Battery Service state:\n  AC powered: false\n  USB powered: true\n"
                    "  Wireless powered: false\n  Dock powered: false\n  Max charging current: 500000\n"
                    "  Max charging voltage: 5000000\n  Charge counter: 2550000\n  status: 2\n  health: 2\n"
                    "  present: true\n  level: 85\n  scale: 100\n  voltage: 4100\n  temperature: 250\n"
                    "  technology: Li-ion\n")
        elif name == "input":
            from ._stacks import dumpsys_input

            dumpsys_input(ctx)
        elif name == "input_method":
            current = phone.current_ime
            ctx.out("Current Input Method Manager state:\n  Input Methods: mMethodMapUpdateCount=2\n")
            for k, ime in enumerate(_available_imes(phone)):
                ctx.out(f"  InputMethod #{k}:\n    mId={ime} mSettingsActivityName=null mIsVrOnly=false\n")
            shown = phone.ime_shown()
            ctx.out(f"  mCurMethodId={current}\n  mCurId={current}\n  mCurFocusedWindowSoftInputMode=STATE_UNSPECIFIED\n"
                    f"  mInputShown={'true' if shown else 'false'}\n  mShowRequested={'true' if shown else 'false'}\n"
                    f"  mServedInputConnection={'active' if phone.focus else 'null'}\n")
        elif name == "package":
            pkgs = [a for a in rest if not a.startswith("-")]
            if pkgs:
                return dumpsys_package(ctx, pkgs[0])
            for pkg in sorted(phone.installed):
                dumpsys_package(ctx, pkg)
        elif name == "SurfaceFlinger":
            if "--display-id" in rest:
                ctx.out('Display 4619827259835644672 (HWC display 0): port=0 pnpId=GGL displayName="Built-in Screen"\n')
            else:
                w, h = phone.display_size()
                ctx.out(f"Build configuration: [sf PRESENT_TIME_OFFSET=0 FORCE_HWC_FOR_RBG_TO_YUV=0 "
                        f"MAX_VIRT_DISPLAY_DIM=0 RUNNING_WITHOUT_SYNC_FRAMEWORK=0 NUM_FRAMEBUFFER_SURFACE_BUFFERS=3]\n"
                        f"Display 4619827259835644672 (active) HWC layers: {w}x{h}\n")
        elif name == "notification":
            ctx.out("Current Notification Manager state:\n  Notification List:\n")
            for k, n in enumerate(phone.notifications):
                uid = 2000 if n["package"] == "com.android.shell" else 10000
                ctx.out(f"    NotificationRecord(0x{abs(hash(n['key'])) & 0xFFFFFFF:08x}: pkg={n['package']} "
                        f"user=UserHandle{{0}} id={n['id']} tag={n['tag']} importance=3 key={n['key']}: "
                        f"Notification(channel=shell_cmd shortcut=null contentView=null vibrate=null sound=null "
                        f"defaults=0x0 flags=0x0 color=0x00000000 vis=PRIVATE))\n"
                        f"      uid={uid} userId=0\n      extras={{\n        android.title=String ({n['title']})\n"
                        f"        android.text=String ({n['text']})\n      }}\n")
        elif name == "meminfo":
            ctx.out("Total RAM: 3,987,328K (status normal)\n Free RAM: 1,912,004K\n Used RAM: 1,865,204K\n")
        elif name == "wifi":
            on = phone.settings["global"].get("wifi_on") == "1"
            ctx.out(f"Wi-Fi is {'enabled' if on else 'disabled'}\n")
    return 0


# -- screen ---------------------------------------------------------------------------------------------
@command("screencap")
def screencap(ctx: CommandContext) -> int:
    phone = ctx.phone
    args = ctx.argv[1:]
    png = False
    path = None
    k = 0
    while k < len(args):
        a = args[k]
        if a == "-p":
            png = True
        elif a == "-h":
            ctx.err("usage: screencap [-hp] [-d display-id] [FILENAME]\n   -h: this message\n"
                    "   -p: save the file as a png.\n   -d: specify the display ID to capture (default: 4619827259835644672)\n"
                    "If FILENAME ends with .png it will be saved as a png.\nIf FILENAME is not given, the results "
                    "will be printed to stdout.\n")
            return 0
        elif a == "-d":
            k += 1
        elif a.startswith("-"):
            ctx.err(f"screencap: invalid option -- '{a.lstrip('-')[:1]}'\n")
            return 1
        else:
            path = a
        k += 1
    if phone.faults.capture_fails():
        phone.faults.record("capture", "screencap")
        ctx.err("Capturing failed.\n")
        return 1
    if path is not None and path.endswith(".png"):
        png = True
    if png:
        data = phone.png()
    else:
        img = phone.frame().convert("RGBA")
        data = struct.pack("<IIII", img.width, img.height, 1, 0) + img.tobytes()
    timing = phone.timing
    w, h = phone.display_size()
    cost = w * h / 1e6 * (timing.screencap_raw_ms_per_mpix + (timing.screencap_png_ms_per_mpix if png else 0.0))
    if phone.charge(cost, ctx.cancelled):
        return 130
    if path is None:
        ctx.out(data)
        return 0
    try:
        ctx.fs.write(ctx.path(path), data)
    except FsError as e:
        ctx.err(f"Error opening file: {path} ({e.strerror})\n")
        return 1
    return 0


@command("uiautomator")
def uiautomator(ctx: CommandContext) -> int:
    phone = ctx.phone
    args = ctx.argv[1:]
    if not args or args[0] != "dump":
        ctx.out("Usage: uiautomator <subcommand> [options]\n\nAvailable subcommands:\n\n"
                "help: displays help message\n\nruntest: executes UI automation tests\n"
                "    NOTE: this command is not supported by the virtual phone\n\n"
                "dump: creates an XML dump of current UI hierarchy\n    dump [--verbose][file]\n"
                "      [--compressed]: dumps compressed layout information.\n"
                "      [file]: the location where the dumped XML should be stored, default is\n"
                "      /sdcard/window_dump.xml\n\nevents: prints out accessibility events until terminated\n")
        return 0 if not args or args[0] == "help" else 1
    files = [a for a in args[1:] if not a.startswith("--")]
    target = files[0] if files else "/sdcard/window_dump.xml"
    timing = phone.timing
    if phone.charge(timing.uiautomator_ms, ctx.cancelled):
        return 130
    if timing.uiautomator_idle_ms > 0:  # UiAutomation.waitForIdle(quiet period, global timeout)
        idle, limit = timing.uiautomator_idle_ms / 1000, timing.uiautomator_timeout_ms / 1000
        deadline = phone.clock.uptime() + limit
        while (quiet := phone.quiet_for()) < idle:
            left = deadline - phone.clock.uptime()
            if left <= 0:
                ctx.err("ERROR: could not get idle state.\n")
                return 0
            if phone.clock.sleep(min(idle - quiet, left), ctx.cancelled):
                return 130
    if not phone.screen_on:
        ctx.err("ERROR: null root node returned by UiTestAutomationBridge.\n")
        return 0
    xml = phone.ui_xml()
    if target in ("/dev/tty", "/dev/stdout", "/proc/self/fd/1"):
        ctx.out(xml)
    else:
        try:
            ctx.fs.write(ctx.path(target), xml.encode("utf-8"))
        except FsError:
            ctx.err(f"ERROR: could not write to {target}\n")
            return 0
    ctx.out(f"UI hierchary dumped to: {target}\n")
    return 0


# -- input methods ---------------------------------------------------------------------------------------
def _available_imes(phone: Any) -> list[str]:
    from .._apps.keyboard import ADB_IME, LATIN_IME

    out = [LATIN_IME]
    if ADB_IME.split("/")[0] in phone.installed:
        out.append(ADB_IME)
    return out


@command("ime")
def ime(ctx: CommandContext) -> int:
    phone = ctx.phone
    args = ctx.argv[1:]
    if not args:
        ctx.out("ime <command>:\n  list [-a] [-s]\n    prints all enabled input methods.\n"
                "  enable [--user <USER_ID>] <ID>\n  disable [--user <USER_ID>] <ID>\n"
                "  set [--user <USER_ID>] <ID>\n  reset [--user <USER_ID>]\n")
        return 0
    sub, rest = args[0], [a for a in args[1:]]
    if "--user" in rest:
        k = rest.index("--user")
        rest = rest[:k] + rest[k + 2:]
    secure = phone.settings["secure"]
    enabled = [i for i in secure.get("enabled_input_methods", "").split(":") if i]
    available = _available_imes(phone)
    if sub == "list":
        show = available if "-a" in rest else [i for i in available if i in enabled]
        for i in show:
            if "-s" in rest:
                ctx.out(f"{i}\n")
            else:
                pkg, _, cls = i.partition("/")
                ctx.out(f"{i}:\n  mId={i} mSettingsActivityName=null\n  mIsDefaultResId=0x0\n"
                        f"  Service:\n    priority=0 preferredOrder=0 match=0x108000 specificIndex=-1 isDefault=false\n"
                        f"    ServiceInfo:\n      name={pkg + cls if cls.startswith('.') else cls}\n"
                        f"      packageName={pkg}\n")
        return 0
    ids = [a for a in rest if not a.startswith("-")]
    if sub in ("enable", "disable", "set") and not ids:
        ctx.err(f"Error: no input method ID given for '{sub}'\n")
        return 255
    if sub == "enable":
        target = ids[0]
        if target not in available:
            ctx.err(f"Unknown input method {target} cannot be enabled for user #0\n")
            return 255
        if target in enabled:
            ctx.out(f"Input method {target}: already enabled for user #0\n")
        else:
            phone.put_setting("secure", "enabled_input_methods", ":".join([*enabled, target]))
            ctx.out(f"Input method {target}: now enabled for user #0\n")
        return 0
    if sub == "disable":
        target = ids[0]
        if target not in enabled:
            ctx.out(f"Input method {target}: already disabled for user #0\n")
            return 0
        with phone.transaction():
            phone.put_setting("secure", "enabled_input_methods", ":".join(i for i in enabled if i != target))
            if phone.current_ime == target:
                remaining = [i for i in enabled if i != target]
                phone.put_setting("secure", "default_input_method", remaining[0] if remaining else "")
        ctx.out(f"Input method {target}: now disabled for user #0\n")
        return 0
    if sub == "set":
        target = ids[0]
        if target not in available or target not in enabled:
            ctx.err(f"Unknown input method {target} cannot be selected for user #0\n")
            return 255
        phone.put_setting("secure", "default_input_method", target)
        ctx.out(f"Input method {target} selected for user #0\n")
        return 0
    if sub == "reset":
        from .._apps.keyboard import LATIN_IME

        with phone.transaction():
            phone.put_setting("secure", "enabled_input_methods", LATIN_IME)
            phone.put_setting("secure", "default_input_method", LATIN_IME)
        ctx.out(f"Reset current and enabled IMEs for user #0\n  Selected: {LATIN_IME}\n   Enabled: {LATIN_IME}\n")
        return 0
    ctx.err(f"Unknown command: {sub}\n")
    return 255


# -- processes, time, identity ------------------------------------------------------------------------------
def _process_rows(phone: Any) -> list[tuple[str, int, int, str, str]]:
    """(user, pid, ppid, name, command line) of everything running: system, apps, shell commands."""
    rows = [("root", 1, 0, "init", "/system/bin/init second_stage"),
            ("system", 612, 1, "system_server", "system_server"),
            ("u0_a100", 1540, 310, "com.android.systemui", "com.android.systemui"),
            ("shell", 4241, 1, "adbd", "/apex/com.android.adbd/bin/adbd --root_seclabel=u:r:su:s0"),
            ("shell", phone.shell_pid, 4241, "sh", "sh")]
    rows += [("u0_a1" + str(t.id).zfill(2), _pid(phone, t.package), 310, t.package, t.package) for t in phone.tasks]
    rows += [(p.user, p.pid, p.ppid, p.name, p.command_line) for p in phone.procs.running()]
    return rows


@command("ps")
def ps(ctx: CommandContext) -> int:
    phone = ctx.phone
    full = any(a in ("-A", "-e", "-ef", "-Af") for a in ctx.argv[1:])
    ctx.out("USER            PID   PPID     VSZ    RSS WCHAN            ADDR S NAME                       \n")
    for user, pid, ppid, name, cmdline in _process_rows(phone):
        if not full and user != "shell":
            continue
        ctx.out(f"{user:<12} {pid:>6} {ppid:>6} 1234567  98765 0                   0 S {name}\n")
    return 0


def _matches(ctx: CommandContext, args: list[str]) -> tuple[list[tuple[str, int, int, str, str]], list[str]]:
    """pgrep/pkill: the processes whose name (``-f``: command line; ``-x``: exactly) matches."""
    import re as _re

    flags = {a for a in args if a in ("-f", "-x", "-l")}
    patterns = [a for a in args if not a.startswith("-")]
    rows = []
    for row in _process_rows(ctx.phone):
        subject = row[4] if "-f" in flags else row[3]
        for pat in patterns:
            try:
                hit = _re.fullmatch(pat, subject) if "-x" in flags else _re.search(pat, subject)
            except _re.error:
                hit = pat in subject
            if hit:
                rows.append(row)
                break
    return rows, patterns


@command("pgrep")
def pgrep(ctx: CommandContext) -> int:
    rows, patterns = _matches(ctx, ctx.argv[1:])
    if not patterns:
        ctx.err("pgrep: Need 1 argument\n")
        return 1
    for _user, pid, _ppid, name, _cmd in rows:
        ctx.out(f"{pid} {name}\n" if "-l" in ctx.argv else f"{pid}\n")
    return 0 if rows else 1


@command("pkill")
def pkill(ctx: CommandContext) -> int:
    """``pkill [-SIGNAL] [-f] [-x] PATTERN``: signal matching processes; other users' (apps') are refused."""
    from .._procs import SIGNALS

    sig = SIGNALS["TERM"]
    args = []
    for a in ctx.argv[1:]:
        name = a[1:].upper().removeprefix("SIG") if a.startswith("-") else ""
        if name.isdigit():
            sig = int(name)
        elif name in SIGNALS:
            sig = SIGNALS[name]
        else:
            args.append(a)
    rows, patterns = _matches(ctx, args)
    if not patterns:
        ctx.err("pkill: Need 1 argument\n")
        return 1
    status = 1
    for user, pid, _ppid, _name, _cmd in rows:
        if pid == ctx.phone.shell_pid or (ctx.scope is not None and ctx.phone.procs.get(pid) is not None
                                          and ctx.phone.procs.get(pid).scope is ctx.scope):
            continue  # pkill never signals itself
        if user != "shell":
            ctx.err(f"pkill: kill {pid}: Operation not permitted\n")
            continue
        if ctx.phone.procs.signal(pid, sig):
            status = 0
    return status


@command("pidof")
def pidof(ctx: CommandContext) -> int:
    names = set(ctx.argv[1:])
    pids = [str(pid) for _u, pid, _pp, name, _c in _process_rows(ctx.phone) if name in names]
    if not pids:
        return 1
    ctx.out(" ".join(pids) + "\n")
    return 0


@command("date")
def date(ctx: CommandContext) -> int:
    now = ctx.phone.clock.wall()
    fmt = next((a[1:] for a in ctx.argv[1:] if a.startswith("+")), None)
    if fmt is not None:
        ctx.out(time.strftime(fmt.replace("%N", "000000000"), time.localtime(now)) + "\n")
    else:
        ctx.out(time.strftime("%a %b %d %H:%M:%S %Z %Y", time.localtime(now)) + "\n")
    return 0


@command("sleep")
def sleep_cmd(ctx: CommandContext) -> int:
    if len(ctx.argv) < 2:
        ctx.err("sleep: Needs 1 argument (see \"sleep --help\")\n")
        return 1
    try:
        seconds = float(ctx.argv[1].rstrip("s"))
    except ValueError:
        ctx.err(f"sleep: invalid time interval '{ctx.argv[1]}'\n")
        return 1
    return 130 if ctx.cancelled.wait(max(0.0, min(seconds, 3600.0))) else 0


@command("id")
def id_cmd(ctx: CommandContext) -> int:
    if "-u" in ctx.argv:
        ctx.out("2000\n")
    elif "-un" in ctx.argv or ctx.argv[1:] == ["-u", "-n"]:
        ctx.out("shell\n")
    else:
        ctx.out("uid=2000(shell) gid=2000(shell) groups=2000(shell),1004(input),1007(log),1011(adb),1015(sdcard_rw),"
                "1028(sdcard_r),1078(ext_data_rw),1079(ext_obb_rw),3001(net_bt_admin),3002(net_bt),3003(inet),"
                "3006(net_bw_stats),3009(readproc),3011(uhid),3012(readtracefs) context=u:r:shell:s0\n")
    return 0


@command("whoami")
def whoami(ctx: CommandContext) -> int:
    ctx.out("shell\n")
    return 0


@command("uname")
def uname(ctx: CommandContext) -> int:
    if "-a" in ctx.argv:
        ctx.out("Linux localhost 5.15.110-android14-11-g1e2f3a4b5c6d #1 SMP PREEMPT Mon Nov 6 12:00:00 UTC 2023 "
                "x86_64 Toybox\n")
    elif "-r" in ctx.argv:
        ctx.out("5.15.110-android14-11-g1e2f3a4b5c6d\n")
    elif "-m" in ctx.argv:
        ctx.out("x86_64\n")
    else:
        ctx.out("Linux\n")
    return 0


@command("hostname")
def hostname(ctx: CommandContext) -> int:
    ctx.out("localhost\n")
    return 0


@command("getenforce")
def getenforce(ctx: CommandContext) -> int:
    ctx.out("Enforcing\n")
    return 0


@command("uptime")
def uptime(ctx: CommandContext) -> int:
    up = int(ctx.phone.clock.uptime())
    ctx.out(time.strftime(" %H:%M:%S", time.localtime(ctx.phone.clock.wall())) + f" up {up // 60} min,  0 users,  load average: 0.12, 0.10, 0.08\n")
    return 0


@command("env", "printenv")
def env(ctx: CommandContext) -> int:
    if ctx.argv[0] == "printenv" and len(ctx.argv) > 1:
        value = ctx.env.get(ctx.argv[1])
        if value is None:
            return 1
        ctx.out(value + "\n")
        return 0
    if ctx.argv[0] == "env" and len(ctx.argv) > 1:
        assigns = {}
        rest = ctx.argv[1:]
        while rest and "=" in rest[0] and not rest[0].startswith("="):
            k, _, v = rest.pop(0).partition("=")
            assigns[k] = v
        if rest:
            return ctx.shell.call(rest, ctx.stdin, ctx.stdout, ctx.stderr, env={**ctx.env, **assigns})
    for k in sorted(ctx.env):
        ctx.out(f"{k}={ctx.env[k]}\n")
    return 0


@command("which")
def which(ctx: CommandContext) -> int:
    status = 0
    for name in ctx.argv[1:]:
        if name in COMMANDS:
            ctx.out(f"/system/bin/{name}\n")
        else:
            status = 1
    return status


@command("sh", "mksh")
def sh(ctx: CommandContext) -> int:
    args = ctx.argv[1:]
    sub = ctx.shell.subshell()
    if args[:1] == ["-c"]:
        if len(args) < 2:
            ctx.err("/system/bin/sh: -c: option requires an argument\n")
            return 1
        sub.argv0 = args[2] if len(args) > 2 else "sh"
        sub.positional = args[3:]
        return sub._run_source(args[1], ctx.stdin, ctx.stdout, ctx.stderr, top=False)
    if args:
        try:
            text = ctx.fs.read(ctx.path(args[0])).decode("utf-8", "replace")
        except FsError as e:
            ctx.err(f"/system/bin/sh: {args[0]}: {e.strerror}\n")
            return 127
        sub.positional = args[1:]
        return sub._run_source(text, ctx.stdin, ctx.stdout, ctx.stderr)
    return sub._run_source(ctx.stdin.read().decode("utf-8", "replace"), ctx.stdin, ctx.stdout, ctx.stderr)


@command("toybox")
def toybox(ctx: CommandContext) -> int:
    if len(ctx.argv) < 2:
        ctx.out(" ".join(sorted(n for n in COMMANDS if n not in ("am", "pm", "input", "cmd"))) + "\n")
        return 0
    name = ctx.argv[1]
    if name in BUILTIN_NAMES:
        return ctx.shell.call(ctx.argv[1:], ctx.stdin, ctx.stdout, ctx.stderr)
    fn = COMMANDS.get(name)
    if fn is None:
        ctx.err(f"toybox: Unknown command {name}\n")
        return 1
    return fn(ctx.derived(ctx.argv[1:]))


@command("reboot")
def reboot(ctx: CommandContext) -> int:
    ctx.err("reboot: Operation not permitted\n")
    return 1


@command("logcat")
def logcat(ctx: CommandContext) -> int:
    """``logcat [-c|--clear] [-d] [-t N] [-v FORMAT] [-s] [TAG:P ...]``: dump, then stream until stopped."""
    from .._logcat import format_entry, parse_filters, shown

    phone = ctx.phone
    args = ctx.argv[1:]
    style, count, dump, silent, specs = "threadtime", None, False, False, []
    k = 0
    while k < len(args):
        a = args[k]
        if a in ("-c", "--clear"):
            phone.log.clear()
            return 0
        if a == "-d":
            dump = True
        elif a == "-s":
            silent = True
        elif a in ("-v", "-t", "-T", "-b", "-e", "-f", "--pid") and k + 1 < len(args):
            if a == "-v":
                style = args[k + 1]
            elif a in ("-t", "-T"):
                count = int(args[k + 1]) if args[k + 1].isdigit() else None
                dump = dump or a == "-t"
            k += 2
            continue
        elif a.startswith("-v") and len(a) > 2:
            style = a[2:]
        elif not a.startswith("-"):
            specs.append(a)
        k += 1
    rules = parse_filters(specs, silent)
    entries, seen = phone.log.since(0)
    entries = [e for e in entries if shown(e, rules)]
    if count is not None:
        entries = entries[-count:]
    ctx.out("--------- beginning of main\n")
    for e in entries:
        ctx.out(format_entry(e, style) + "\n")
    ctx.stdout.flush()
    while not dump and not ctx.cancelled.is_set():
        phone.log.wait(seen, ctx.cancelled)
        new, seen = phone.log.since(seen)
        for e in new:
            if shown(e, rules):
                ctx.out(format_entry(e, style) + "\n")
        if new:
            ctx.stdout.flush()
    return 0 if dump else 130


@command("log")
def log_cmd(ctx: CommandContext) -> int:
    """``log [-p PRIORITY] [-t TAG] MESSAGE...`` into the main buffer (as the shell's own process)."""
    args = ctx.argv[1:]
    tag, priority = "log", "I"
    words = []
    k = 0
    while k < len(args):
        a = args[k]
        if a in ("-t", "-p") and k + 1 < len(args):
            if a == "-t":
                tag = args[k + 1]
            else:
                priority = args[k + 1][:1].upper()
            k += 2
            continue
        words.append(a)
        k += 1
    if priority not in "VDIWEF":
        ctx.err(f"log: invalid priority '{priority}'\n")
        return 1
    pid = ctx.phone.shell_pid
    ctx.phone.log.write(priority, tag, " ".join(words), pid=pid, tid=pid)
    return 0


@command("ifconfig")
def ifconfig(ctx: CommandContext) -> int:
    name = ctx.argv[1] if len(ctx.argv) > 1 else "wlan0"
    if name not in ("wlan0", "lo"):
        ctx.err(f"ifconfig: {name}: No such device\n")
        return 1
    addr = "10.0.2.15" if name == "wlan0" else "127.0.0.1"
    ctx.out(f"{name:<10}Link encap:Ethernet  HWaddr 02:00:00:44:55:66\n"
            f"          inet addr:{addr}  Bcast:10.0.2.255  Mask:255.255.255.0\n"
            "          UP BROADCAST RUNNING MULTICAST  MTU:1500  Metric:1\n")
    return 0


@command("ip")
def ip(ctx: CommandContext) -> int:
    ctx.out("47: wlan0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc mq state UP group default qlen 1000\n"
            "    link/ether 02:00:00:44:55:66 brd ff:ff:ff:ff:ff:ff\n"
            "    inet 10.0.2.15/24 brd 10.0.2.255 scope global wlan0\n")
    return 0
