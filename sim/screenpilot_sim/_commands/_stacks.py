"""How Android 14 prints its tasks and input state: ``am stack list``, ``am stack remove``,
``dumpsys activity recents`` and ``dumpsys input``, in the shapes peers parse (android_env's
``visible=true ... topActivity=ComponentInfo{...}``, android_world's ``id=N`` and ``logicalFrame``)."""

from __future__ import annotations

from typing import Any

from .._shell import CommandContext

__all__ = ["am_stack", "dumpsys_input", "recents", "root_tasks"]

HOME_TASK = 1  # the launcher's root task (app tasks are numbered from 2)
LAUNCHER = "com.android.launcher3"


def _dp(phone: Any, px: int) -> int:
    return int(px * 160 / phone.density())


def _configuration(phone: Any, activity_type: str) -> str:
    w, h = phone.display_size()
    rot = phone.rotation()
    rect = f"Rect(0, 0 - {w}, {h})"
    return (f"{{1.0 ?mcc?mnc [en_US] ldltr sw{_dp(phone, min(w, h))}dp w{_dp(phone, w)}dp h{_dp(phone, h)}dp "
            f"{phone.density()}dpi nrml long {'land' if w > h else 'port'} finger -keyb/v/h -nav/h "
            f"winConfig={{ mBounds={rect} mAppBounds={rect} mMaxBounds={rect} mDisplayRotation=ROTATION_{rot * 90} "
            f"mWindowingMode=fullscreen mDisplayWindowingMode=fullscreen mActivityType={activity_type} "
            f"mAlwaysOnTop=undefined mRotation=ROTATION_{rot * 90}}} s.1 fontWeightAdjustment=0}}")


def root_tasks(phone: Any) -> list[tuple[int, str, str, str, bool]]:
    """(task id, package, base activity, top activity, visible) from top to bottom, the home task included."""
    launcher = phone.apps[LAUNCHER]
    home = (HOME_TASK, LAUNCHER, launcher.main_activity, launcher.main_activity, False)
    apps = []
    for task in reversed(phone.tasks):
        app = phone.apps[task.package]
        apps.append((task.id, task.package, app.activity_of(task.pages[0]), app.activity_of(task.top), False))
    front = phone.front_task()
    if front is None or phone.overlay == "recents":
        order = [home, *apps]
    else:
        order = [apps[0], home, *apps[1:]]
    visible = phone.screen_on and not phone.keyguard_showing()
    return [(tid, pkg, base, top, visible and k == 0) for k, (tid, pkg, base, top, _v) in enumerate(order)]


def am_stack(ctx: CommandContext, args: list[str]) -> int:
    """``am stack list`` / ``am stack remove ID`` (``am task ...`` alike)."""
    phone = ctx.phone
    if args[:1] == ["list"]:
        w, h = phone.display_size()
        for tid, pkg, base, top, visible in root_tasks(phone):
            app = phone.apps[pkg]
            kind = "home" if tid == HOME_TASK else "standard"
            ctx.out(f"RootTask id={tid} bounds=[0,0][{w},{h}] displayId=0 userId=0\n"
                    f" configuration={_configuration(phone, kind)}\n"
                    f"  taskId={tid}: {pkg}/{app.short_class(base)} bounds=[0,0][{w},{h}] userId=0 "
                    f"visible={'true' if visible else 'false'} topActivity=ComponentInfo{{{pkg}/{top}}}\n\n")
        return 0
    if args[:1] == ["remove"] and len(args) > 1:
        if not args[1].isdigit():
            ctx.err(f"\nException occurred while executing 'stack':\njava.lang.NumberFormatException: For input "
                    f"string: \"{args[1]}\"\n")
            return 255
        tid = int(args[1])
        task = next((t for t in phone.tasks if t.id == tid), None)
        if task is not None:
            with phone.transaction():
                phone.tasks.remove(task)
                if phone.front == tid:
                    phone.front = None
                    phone.clear_focus()
        return 0
    ctx.err(f"Error: unknown command '{' '.join(args[:1])}'\n")
    return 255


def recents(ctx: CommandContext) -> None:
    """``dumpsys activity recents``: the recent tasks, then each visible one with its ``id=``."""
    phone = ctx.phone
    ctx.out("ACTIVITY MANAGER RECENT TASKS (dumpsys activity recents)\n  mRecentsUid=10042\n"
            "  mRecentsComponent=ComponentInfo{com.android.launcher3/com.android.quickstep.RecentsActivity}\n"
            "  mFreezeTaskListReordering=false\n  mFreezeTaskListReorderingPendingTimeout=0\n\n  Recent tasks:\n")
    tasks = list(reversed(phone.tasks))
    for k, task in enumerate(tasks):
        app = phone.apps[task.package]
        base = app.activity_of(task.pages[0])
        ctx.out(f"  * Recent #{k}: Task{{{task.id:07x} #{task.id} type=standard A=10{task.id:03d}:{task.package}}}\n"
                f"    userId=0 effectiveUid=u0a1{task.id:02d} mCallingUid=u0a1{task.id:02d} mUserSetupComplete=true "
                f"mCallingPackage={task.package}\n    affinity=10{task.id:03d}:{task.package}\n"
                f"    intent={{act=android.intent.action.MAIN cat=[android.intent.category.LAUNCHER] flg=0x10200000 "
                f"cmp={task.package}/{app.short_class(base)}}}\n"
                f"    mActivityComponent={task.package}/{app.short_class(base)}\n")
    ctx.out("\n  Visible recent tasks (most recent first):\n")
    for k, task in enumerate(tasks):
        app = phone.apps[task.package]
        ctx.out(f"  * RecentTaskInfo #{k}:\n    id={task.id} userId=0 hasTask=true lastActiveTime={task.id * 1000}\n"
                f"    baseIntent=Intent {{ act=android.intent.action.MAIN cat=[android.intent.category.LAUNCHER] "
                f"cmp={task.package}/{app.short_class(app.activity_of(task.pages[0]))} }}\n"
                f"    baseActivity=ComponentInfo{{{task.package}/{app.activity_of(task.pages[0])}}}\n"
                f"    topActivity=ComponentInfo{{{task.package}/{app.activity_of(task.top)}}}\n")


def dumpsys_input(ctx: CommandContext) -> None:
    """``dumpsys input``: the touchscreen's viewport (logical and physical frame, orientation) as the
    input reader holds it, and the focused window as the dispatcher does."""
    from .._evdev import TOUCH_DEVICE, TOUCH_MAX

    phone = ctx.phone
    pw, ph = phone.physical_size()
    lw, lh = phone.display_size()
    rot = phone.rotation()
    uid = "local:4619827259835644672"
    pkg, cls = phone.focused_component()
    ctx.out("INPUT MANAGER (dumpsys input)\n\nInput Manager Service (Java) State:\n  Interactive: "
            f"{'true' if phone.screen_on else 'false'}\n\nEvent Hub State:\n  BuiltInKeyboardId: -2\n  Devices:\n"
            "    -1: Virtual\n      Classes: KEYBOARD | ALPHAKEY\n      Path: <virtual>\n"
            f"    2: {TOUCH_DEVICE.name}\n      Classes: TOUCH | TOUCH_MT\n      Path: {TOUCH_DEVICE.path}\n"
            "    3: gpio-keys\n      Classes: KEYBOARD\n      Path: /dev/input/event0\n\n"
            "Input Reader State (Nums of device: 3):\n"
            f"  Device 2: {TOUCH_DEVICE.name}\n    EventHub Devices: [ 2 ] \n    Generation: 4\n    IsExternal: false\n"
            "    AssociatedDisplayPort: <none>\n    Sources: TOUCHSCREEN\n    KeyboardType: 0\n"
            "    Touch Input Mapper (mode DIRECT):\n      Parameters:\n        GestureMode: MULTI_TOUCH\n"
            "        DeviceType: TOUCH_SCREEN\n        AssociatedDisplay: hasAssociatedDisplay=true, isExternal=false, "
            "displayId=''\n        OrientationAware: true\n"
            f"      Raw Touch Axes:\n        X: min=0, max={TOUCH_MAX}, flat=0, fuzz=0, resolution=0\n"
            f"        Y: min=0, max={TOUCH_MAX}, flat=0, fuzz=0, resolution=0\n"
            f"      Viewport INTERNAL: displayId=0, uniqueId={uid}, port=0, orientation={rot}, "
            f"logicalFrame=[0, 0, {lw}, {lh}], physicalFrame=[0, 0, {lw}, {lh}], deviceSize=[{pw}, {ph}], "
            f"isActive=[{1 if phone.screen_on else 0}]\n"
            f"      RawSurfaceWidth: {pw}px\n      RawSurfaceHeight: {ph}px\n"
            f"      PhysicalWidth: {lw}px\n      PhysicalHeight: {lh}px\n      PhysicalLeft: 0\n      PhysicalTop: 0\n"
            f"      InputDeviceOrientation: {rot}\n\n"
            "Input Dispatcher State:\n  DispatchEnabled: true\n  DispatchFrozen: false\n  FocusedDisplayId: 0\n"
            f"  FocusedApplications:\n    displayId=0, name='ActivityRecord{{{hash(pkg) & 0xFFFFFFF:07x} u0 {pkg}/{cls}}}'"
            ", dispatchingTimeout=5000ms\n"
            f"  FocusedWindows:\n    displayId=0, name='Window{{{hash(cls) & 0xFFFFFFF:07x} u0 {pkg}/{cls}}}'\n")
