"""The virtual phone: its state, its screen and how touches, keys and shell commands change them.

State is plain data (settings, props, tasks with page dicts, files, an in-memory SQLite database for
the content providers) so that ``reset()`` puts it back to a known state in milliseconds and every
part of it is reachable through ordinary adb commands. Frames are drawn on demand; a change starts
a transition of ``animation_ms`` (times the animation scale settings) during which the frame blends
from what was last shown to the new screen, so settle detection has something real to wait for.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PIL import Image

from ._apps import App, Task, catalog
from ._apps.keyboard import ADB_IME, LATIN_IME, keyboard_height, keyboard_window
from ._apps.systemui import (
    NAV_DP,
    STATUS_DP,
    keyguard_window,
    navigation_bar,
    notification_shade,
    permission_window,
    recents_window,
    status_bar,
    text_toolbar,
)
from ._clock import PhoneClock
from ._config import AuthState, Faults, PhoneConfig
from ._errors import SimError
from ._evdev import EventLog
from ._hostlink import Reverses
from ._logcat import LogBuffer
from ._procs import CancelScope, ProcessTable
from ._render import hit_test, render, scroll_target, slide_target
from ._shell import Interpreter, ShellRecords
from ._timing import COMMAND_COSTS, Link, TimingProfile, profile_named
from ._touch import MOVE_INTERVAL_MS, TOUCH_SLOP_DP, TouchPipeline
from ._ui import DARK, LIGHT, Ui, View
from ._uixml import dump_xml
from ._vfs import VirtualFS, android_tree

if TYPE_CHECKING:
    from ._state import PhoneState

__all__ = ["VirtualPhone"]

LAUNCHER = "com.android.launcher3"
PERMISSION_CONTROLLER = "com.android.permissioncontroller"
PERMISSION_ACTIVITY = "com.android.permissioncontroller.permission.ui.GrantPermissionsActivity"
PLUGGED_USB = 2  # BatteryManager.BATTERY_PLUGGED_USB: the phone hangs on its USB cable
NOT_PREINSTALLED = frozenset({"ca.zgrs.clipper"})  # known to the phone, installed by a test when it needs it

KEY_CHARS: dict[int, str] = {
    **{7 + d: str(d) for d in range(10)},
    **{29 + i: chr(ord("a") + i) for i in range(26)},
    17: "*", 18: "#", 55: ",", 56: ".", 62: " ", 68: "`", 69: "-", 70: "=", 71: "[", 72: "]", 73: "\\",
    74: ";", 75: "'", 76: "/", 77: "@", 81: "+",
}


@dataclass
class _Transition:
    image: Image.Image
    start: float
    duration: float


class VirtualPhone:
    """One simulated Android phone. Thread-safe: every adb stream may call into it at once."""

    def __init__(self, config: PhoneConfig | None = None) -> None:
        from ._commands import COMMANDS

        self.config = config or PhoneConfig()
        self.faults = Faults(seed=self.config.seed)
        self.auth = AuthState(self.config.require_auth)
        self.records = ShellRecords()
        self.lock = threading.RLock()
        self.endpoints: list[Any] = []
        self.commands = COMMANDS
        self.apps: dict[str, App] = catalog()
        self.clock = PhoneClock(self.config.clock_rate)
        self.link = Link(self.clock)
        self.evdev = EventLog(self.clock)
        self.procs = ProcessTable()
        self.reverses = Reverses()
        self.log = LogBuffer(self.clock)
        self.touch = TouchPipeline(self)
        self._last_activity = 0.0
        self.shell_pid = 4242
        self._version = 0
        self._cache: tuple[Any, Image.Image] | None = None
        self._png_cache: tuple[Any, bytes] | None = None
        self._last_frame: Image.Image | None = None
        self._last_frame_stable = False
        self._transition: _Transition | None = None
        self._anim_until = 0.0
        self._depth = 0
        self._last_change = 0.0
        self.reset()

    # -- state ------------------------------------------------------------------------------------------
    # Plain attributes a snapshot saves as they are (JSON values); everything else is derived or rebuilt.
    _PLAIN_STATE = ("props", "settings", "front", "overlay", "focus", "ime_visible", "screen_on",
                    "keyboard", "home_page", "next_task_id", "clipboard", "last_broadcasts", "selection", "cursor",
                    "text_toolbar", "permissions", "permissions_asked", "permission_request", "keyguard",
                    "notifications")

    def reset(self) -> None:
        """Back to the state of a freshly booted phone (files, settings, app data, screen, records)."""
        from ._defaults import default_props, default_settings

        with self.lock:
            cfg = self.config
            self.props: dict[str, str] = default_props(cfg)
            self.settings: dict[str, dict[str, str]] = default_settings(cfg)
            self.fs = self._fresh_fs()
            self.installed: set[str] = set(self.apps) - NOT_PREINSTALLED
            if not cfg.adbkeyboard:
                self.installed.discard(ADB_IME.split("/")[0])
            self.log.clear()
            self.touch.cancel()
            self.evdev.clear()
            self.reverses.clear()  # adbd's state: a freshly booted phone has no tunnels and runs nothing
            for proc in self.procs.running():
                self.procs.signal(proc.pid, 9)
            self.tasks: list[Task] = []
            self.front: int | None = None  # task id on top; None shows the launcher
            self.overlay: str | None = None  # "recents" (Overview) or "shade" (notification shade)
            self.focus: str | None = None
            self._drop_selection()
            self.ime_visible = False
            self.screen_on = True
            self.keyboard: dict[str, Any] = {"mode": "letters", "shift": False}
            self.home_page: dict[str, Any] = {"name": "home", "scroll": 0}
            self.thumbnails: dict[int, Image.Image] = {}
            self.next_task_id = 2  # 1 is the home task
            self.clipboard = ""
            self.permissions: dict[str, list[str]] = {}  # package -> runtime permissions granted
            self.permissions_asked: dict[str, list[str]] = {}  # package -> permissions the person answered
            self.permission_request: dict[str, str] | None = None  # the dialog on screen
            self.keyguard = False  # a fresh phone is unlocked (as after `wm dismiss-keyguard`)
            self.notifications: list[dict[str, Any]] = []
            self._last_activity = self.clock.uptime()
            self.last_broadcasts: list[dict[str, Any]] = []
            if getattr(self, "db", None) is not None:
                self.db.close()
            self.db = sqlite3.connect(":memory:", check_same_thread=False)
            for app in self.apps.values():
                app.seed(self)
                app.populate(self)
            self.fs.on_change = self._fs_changed  # after seeding: a fresh phone has nothing to animate
            self.records.clear()
            self.faults.reset()
            self._settle_screen()

    def _fresh_fs(self) -> VirtualFS:
        """The read-only system image with empty writable places (what seeding or a snapshot fills)."""
        return android_tree(VirtualFS(clock=self.clock.wall), build_prop=self.build_prop(),
                            binaries=sorted(self.commands))

    def _settle_screen(self) -> None:
        """Forget transitions and cached frames: the next frame is drawn fresh, with nothing to blend."""
        self._transition = None
        self._anim_until = 0.0
        self._version += 1
        self._cache = None
        self._png_cache = None
        self._last_frame = None

    # -- snapshot and restore ------------------------------------------------------------------------
    def _plain_state(self) -> dict[str, Any]:
        """Everything a snapshot's state.json holds (copies, JSON values only)."""
        import copy

        with self.lock:
            state: dict[str, Any] = {k: copy.deepcopy(getattr(self, k)) for k in self._PLAIN_STATE}
            state["installed"] = sorted(self.installed)
            state["tasks"] = [{"id": t.id, "package": t.package,
                               "pages": [{k: v for k, v in p.items() if not k.startswith("_")} for p in t.pages]}
                              for t in self.tasks]
            state["home_page"] = {k: v for k, v in self.home_page.items() if not k.startswith("_")}
            state["clock"] = self.clock.state()
            state["last_activity"] = self._last_activity
            state["log"] = self.log.plain()
            return state

    def _install_state(self, state: dict[str, Any], *, fs: VirtualFS, db: sqlite3.Connection,
                       thumbnails: dict[int, Image.Image]) -> None:
        """Replace the whole state with a snapshot's (the caller holds the lock)."""
        import copy

        for key in self._PLAIN_STATE:
            if key in state:
                setattr(self, key, copy.deepcopy(state[key]))
        self.installed = set(state.get("installed", self.apps)) & set(self.apps)
        self.tasks = [Task(int(t["id"]), t["package"], [dict(p) for p in t["pages"]])
                      for t in state.get("tasks", []) if t.get("package") in self.apps]
        self.thumbnails = {k: v for k, v in thumbnails.items() if any(t.id == k for t in self.tasks)}
        self.touch.cancel()
        old_db, self.db = getattr(self, "db", None), db
        if old_db is not None:
            old_db.close()
        fs.on_change = self._fs_changed
        self.fs = fs
        if "clock" in state:
            self.clock.restore(state["clock"])
            self.link = Link(self.clock)  # its queue is kept in phone time, which just jumped back
        self._last_activity = float(state.get("last_activity", self.clock.uptime()))
        self.log.load(state.get("log", []))
        self._settle_screen()

    def snapshot(self) -> bytes:
        """The whole phone (apps' data, files, settings, screen, keyboard, time) as snapshot bytes;
        the format is described in ``screenpilot_sim._snapshot`` and docs/sim.md."""
        from ._snapshot import snapshot

        return snapshot(self)

    def restore(self, data: bytes) -> None:
        """Put the phone back into a snapshot's state. Connections, shell records, faults and the
        adb authorization stay as they are: they belong to the link, not to the phone."""
        from ._snapshot import restore

        restore(self, data)

    def save_snapshot(self, path: str | os.PathLike[str]) -> None:
        """:meth:`snapshot` written to a file atomically."""
        from ._snapshot import write_atomic

        write_atomic(path, self.snapshot())

    def load_snapshot(self, path: str | os.PathLike[str]) -> None:
        """:meth:`restore` from a file written by :meth:`save_snapshot` (or ``screenpilot-sim snapshot save``)."""
        try:
            data = Path(path).read_bytes()
        except OSError as e:
            raise SimError(f"cannot read the snapshot {path}: {e.strerror}") from None
        self.restore(data)

    @classmethod
    def from_snapshot(cls, data: bytes, **config: Any) -> VirtualPhone:
        """A new phone with the snapshot's config (``config`` overrides fields) and its state."""
        from ._snapshot import config_of

        cfg = dataclasses.replace(config_of(data), **config)
        phone = cls(cfg)
        phone.restore(data)
        return phone

    def state(self) -> PhoneState:
        """A read-only view of what checks look at (the foreground task, fields, drafts, settings)."""
        from ._state import phone_state

        return phone_state(self)

    # -- timing -----------------------------------------------------------------------------------------
    @property
    def timing(self) -> TimingProfile:
        """The timing profile in force (``config.profile``; change it there at any time)."""
        return profile_named(self.config.profile)

    def charge(self, ms: float, cancelled: threading.Event | None = None) -> bool:
        """Spend ``ms`` of phone time (a cost of the timing profile); True when cancelled meanwhile."""
        return self.clock.sleep(ms / 1000.0, cancelled) if ms > 0 else False

    def charge_command(self, name: str, cancelled: threading.Event | None = None) -> bool:
        field = COMMAND_COSTS.get(name)
        return self.charge(getattr(self.timing, field), cancelled) if field else False

    @property
    def boot_time(self) -> float:
        """When the phone booted, in its own wall-clock time."""
        return self.clock.wall() - self.clock.uptime()

    def build_prop(self) -> str:
        return "".join(f"{k}={v}\n" for k, v in sorted(getattr(self, "props", {}).items()))

    def banner(self) -> str:
        c = self.config
        return (f"device::ro.product.name={c.product};ro.product.model={c.model};"
                f"ro.product.device={c.device};features=shell_v2,cmd")

    def new_shell(self, *, service: str = "", cancelled: threading.Event | None = None) -> Interpreter:
        env = {"PATH": "/product/bin:/apex/com.android.runtime/bin:/system/bin:/system/xbin:/odm/bin:/vendor/bin",
               "HOME": "/", "SHELL": "/system/bin/sh", "USER": "shell", "LOGNAME": "shell", "HOSTNAME": self.config.device,
               "TMPDIR": "/data/local/tmp", "ANDROID_DATA": "/data", "ANDROID_ROOT": "/system",
               "EXTERNAL_STORAGE": "/sdcard", "ANDROID_STORAGE": "/storage"}
        return Interpreter(commands=self.commands, fs=self.fs, records=self.records, phone=self, env=env,
                           service=service, cancelled=cancelled)

    def shell(self, command: str, *, timeout: float | None = None) -> tuple[int, str, str]:
        """Run a command line in-process (exit code, stdout, stderr): the same shell adb reaches.
        ``timeout`` cancels what is still running then (``sleep``, ``logcat``), as a closed stream does."""
        from ._shio import BufferOutput

        cancelled = CancelScope()
        timer = threading.Timer(timeout, cancelled.set) if timeout is not None else None
        if timer is not None:
            timer.daemon = True
            timer.start()
        out, err = BufferOutput(), BufferOutput()
        try:
            code = self.new_shell(service="python", cancelled=cancelled).run(command, stdout=out, stderr=err)
        finally:
            if timer is not None:
                timer.cancel()
        return code, out.getvalue().decode("utf-8", "replace"), err.getvalue().decode("utf-8", "replace")

    def reboot(self, kind: str = "") -> None:
        """``adb reboot``: the connection drops, the phone is away for a moment and comes back fresh."""
        self.faults.go_offline(1.0)
        with self.lock:
            self.tasks.clear()
            self.front = None
            self.overlay = None
            self.clear_focus()
            self.changed()
        for ep in list(self.endpoints):
            ep.kick()

    # -- settings -----------------------------------------------------------------------------------------
    def get_setting(self, namespace: str, key: str) -> str | None:
        return self.settings[namespace].get(key)

    def put_setting(self, namespace: str, key: str, value: str) -> None:
        with self.transaction():
            self.settings[namespace][key] = value

    def delete_setting(self, namespace: str, key: str) -> bool:
        with self.transaction():
            return self.settings[namespace].pop(key, None) is not None

    def setting_float(self, namespace: str, key: str, default: float) -> float:
        try:
            return float(self.settings[namespace].get(key, default))
        except ValueError:
            return default

    @property
    def dark(self) -> bool:
        return self.settings["secure"].get("ui_night_mode") == "2"

    @property
    def current_ime(self) -> str:
        return self.settings["secure"].get("default_input_method", LATIN_IME)

    # -- display ------------------------------------------------------------------------------------------
    def physical_size(self) -> tuple[int, int]:
        return self.config.width, self.config.height

    def override_size(self) -> tuple[int, int] | None:
        forced = self.settings["global"].get("display_size_forced", "")
        try:
            w, h = (int(v) for v in forced.split(","))
            return w, h
        except ValueError:
            return None

    def physical_density(self) -> int:
        return self.config.density

    def override_density(self) -> int | None:
        forced = self.settings["secure"].get("display_density_forced", "")
        return int(forced) if forced.isdigit() else None

    def density(self) -> int:
        return self.override_density() or self.physical_density()

    def rotation(self) -> int:
        try:
            return int(self.settings["system"].get("user_rotation", "0")) % 4
        except ValueError:
            return 0

    def display_size(self) -> tuple[int, int]:
        """The logical display as apps and screencap see it (override size, then rotation)."""
        w, h = self.override_size() or self.physical_size()
        return (h, w) if self.rotation() % 2 else (w, h)

    def _animation_seconds(self, key: str = "transition_animation_scale") -> float:
        return self.config.animation_ms / 1000.0 * max(0.0, self.setting_float("global", key, 1.0))

    # -- change tracking and frames --------------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self, *, crossfade: bool = True) -> Iterator[None]:
        """Group one change: afterwards the screen transitions from what was last shown."""
        with self.lock:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if self._depth == 0:
                    self._commit(crossfade)

    def changed(self) -> None:
        """Mark state as changed outside a transaction (files, reboot)."""
        with self.transaction():
            pass

    def _commit(self, crossfade: bool) -> None:
        self._version += 1
        self._last_change = self.clock()
        duration = self._animation_seconds()
        if crossfade and duration > 0:  # the screen moves for this long whether or not anyone looks
            self._last_change = self._last_change + duration
        if crossfade and duration > 0 and self._last_frame is not None:
            self._transition = _Transition(self._last_frame, self.clock(), duration)

    def _fs_changed(self, path: str) -> None:
        if self._depth == 0:
            self.changed()

    def files_changed(self, path: str) -> None:
        self.changed()

    def _clock_text(self) -> str:
        if self.config.clock:
            hh, mm = self.config.clock.split(":")
            return f"{int(hh)}:{mm}"
        t = time.localtime(self.clock.wall())
        return f"{t.tm_hour}:{t.tm_min:02d}"

    def now_minutes(self) -> tuple[int, int]:
        hh, mm = self._clock_text().split(":")
        return int(hh), int(mm)

    def windows(self, now: float | None = None) -> list[View]:
        """The screen's windows bottom to top: the app (or launcher/recents), status bar, keyboard, nav bar."""
        now = self.clock() if now is None else now
        with self.lock:
            self._check_power()
            w, h = self.display_size()
            theme = DARK if self.dark else LIGHT
            density = self.density()
            scale = density / 160.0
            top = round(STATUS_DP * scale)
            nav = round(NAV_DP * scale)
            ime_h = keyboard_height(self, scale) if self.ime_visible and self.focus else 0
            font_scale = self.setting_float("system", "font_scale", 1.0)
            task = self.front_task()
            package = LAUNCHER if task is None or self.overlay == "recents" else task.package
            ui = Ui(width=w, height=h, density=density, theme=theme, now=now, package=package, top=top,
                    bottom=h - nav - ime_h, focus=self.focus, font_scale=font_scale, selection=self.selection)
            if self.overlay == "recents":
                app_window = recents_window(ui, self)
            elif task is None:
                app_window = self.apps[LAUNCHER].build(ui, self, Task(0, LAUNCHER, [self.home_page]))
            else:
                app_window = self.apps[task.package].build(ui, self, task)
            if self.text_toolbar and self.focus:
                field = next((v for v in app_window.walk() if v.field is not None and v.field.key == self.focus), None)
                if field is not None:
                    app_window.add(text_toolbar(ui, self, field))
            sys_ui = Ui(width=w, height=h, density=density, theme=theme, now=now, package="com.android.systemui",
                        top=top, bottom=h - nav, focus=None, font_scale=font_scale)
            if self.keyguard:
                return [keyguard_window(sys_ui, self), status_bar(sys_ui, self)]
            windows = [app_window, status_bar(sys_ui, self)]
            if self.permission_request is not None:
                perm_ui = Ui(width=w, height=h, density=density, theme=theme, now=now, package=PERMISSION_CONTROLLER,
                             top=top, bottom=h - nav, focus=None, font_scale=font_scale)
                windows.append(permission_window(perm_ui, self))
            if ime_h:
                windows.append(keyboard_window(sys_ui, self, ime_h))
            if self.overlay == "shade":
                windows.append(notification_shade(sys_ui, self))
            windows.append(navigation_bar(sys_ui, self))
            return windows

    def active_window(self, windows: list[View]) -> View:
        """The window uiautomator dumps: the permission dialog or the shade while shown, else the app's
        (the keyguard's while the phone is locked)."""
        if self.overlay == "shade" and not self.keyguard:
            return next(w for w in windows if w.rid == "com.android.systemui:id/notification_panel")
        if self.permission_request is not None and not self.keyguard:
            return next(w for w in windows if w.package == PERMISSION_CONTROLLER)
        return windows[0]

    def _target(self, now: float) -> Image.Image:
        key = (self._version, self._clock_text())
        if now >= self._anim_until and self._cache is not None and self._cache[0] == key:
            return self._cache[1]
        windows = self.windows(now)
        theme = DARK if self.dark else LIGHT
        img = render(windows, self.display_size(), theme.background)
        if now >= self._anim_until:
            self._cache = (key, img)
        return img

    def frame(self, now: float | None = None) -> Image.Image:
        """The screen as it looks at ``now`` (mid-transition frames blend the old and new screens)."""
        with self.lock:
            now = self.clock() if now is None else now
            stable = True
            if not self.screen_on:
                img = Image.new("RGB", self.display_size(), (0, 0, 0))
            else:
                img = self._target(now)
                stable = now >= self._anim_until
                tr = self._transition
                if tr is not None:
                    progress = (now - tr.start) / tr.duration if tr.duration else 1.0
                    if progress >= 1.0 or tr.image.size != img.size:
                        self._transition = None
                    else:
                        eased = 1 - (1 - max(0.0, progress)) ** 2
                        img = Image.blend(tr.image, img, 0.05 + 0.95 * eased)
                        stable = False
            self._last_frame = img
            self._last_frame_stable = stable
            task = self.front_task()
            if stable and task is not None and self.overlay is None and self.screen_on:
                self.thumbnails[task.id] = img  # what Overview shows for this task
            return img

    def settled(self, now: float | None = None) -> bool:
        """True when no transition or scroll is running (what a settle detector should find)."""
        now = self.clock() if now is None else now
        tr = self._transition
        return (tr is None or now >= tr.start + tr.duration) and now >= self._anim_until

    def quiet_for(self, now: float | None = None) -> float:
        """Phone seconds since the screen last changed or moved (what waitForIdle measures)."""
        with self.lock:
            now = self.clock() if now is None else now
            tr = self._transition
            last = max(self._last_change, self._anim_until, tr.start + tr.duration if tr is not None else 0.0)
            return now - last

    def png(self, *, compress_level: int = 1) -> bytes:
        """``screencap -p``: a PNG of the current frame (a settled screen's PNG is cached)."""
        with self.lock:
            img = self.frame()
            key = (self._version, self._clock_text(), self.screen_on)
            stable = self._last_frame_stable
            if stable and self._png_cache is not None and self._png_cache[0] == key:
                return self._png_cache[1]
        buf = io.BytesIO()
        img.save(buf, "PNG", compress_level=compress_level)
        data = buf.getvalue()
        if stable:
            self._png_cache = (key, data)
        return data

    def ui_xml(self) -> str:
        """``uiautomator dump``: the focused window's hierarchy (the keyboard and bars are other windows)."""
        with self.lock:
            windows = self.windows()
            w, h = self.display_size()
            return dump_xml([self.active_window(windows)], rotation=self.rotation(), screen=(0, 0, w, h))

    def ui_tree(self) -> list[View]:
        with self.lock:
            return self.windows()

    # -- tasks and apps --------------------------------------------------------------------------------------
    def front_task(self) -> Task | None:
        if self.front is None:
            return None
        return next((t for t in self.tasks if t.id == self.front), None)

    def task_for(self, package: str) -> Task | None:
        return next((t for t in self.tasks if t.package == package), None)

    def focused_component(self) -> tuple[str, str]:
        """(package, full activity class) of the window with input focus, as dumpsys window reports it."""
        if self.permission_request is not None and not self.keyguard:
            return PERMISSION_CONTROLLER, PERMISSION_ACTIVITY
        task = self.front_task()
        if self.overlay == "recents" or task is None:
            launcher = self.apps[LAUNCHER]
            return LAUNCHER, launcher.main_activity
        app = self.apps[task.package]
        return task.package, app.activity_of(task.top)

    def launch(self, package: str) -> bool:
        """What tapping the launcher icon (or monkey's launcher intent) does: bring back or start the app."""
        app = self.apps.get(package)
        if app is None or package not in self.installed or not app.launchable:
            return False
        with self.transaction():
            if package == LAUNCHER:
                self.go_home()
                return True
            task = self.task_for(package)
            if task is None:
                task = Task(self.next_task_id, package, [app.new_page(app.activities[next(iter(app.activities))])])
                self.next_task_id += 1
                self.tasks.append(task)
            else:
                self.tasks.remove(task)
                self.tasks.append(task)
            self.front = task.id
            self.overlay = None
            self.clear_focus()
            self._ask_permissions(package)
            app.opened(self, task)
            self.log.write("I", "ActivityTaskManager", f"START u0 {{act=android.intent.action.MAIN "
                           f"cat=[android.intent.category.LAUNCHER] cmp={package}/{app.short_class(app.main_activity)}}} "
                           "from uid 10042")
        return True

    def start_activity(self, package: str, activity: str | None, *, page: str | None = None,
                       extras: dict[str, Any] | None = None) -> str:
        """``am start``: 'started', 'delivered' (already on top) or 'missing'."""
        app = self.apps.get(package)
        if app is None or package not in self.installed:
            return "missing"
        if page is None:
            page = app.page_for(activity) if activity else app.activities[next(iter(app.activities))]
        if page is None:
            return "missing"
        if package == LAUNCHER:
            with self.transaction():
                self.go_home()
            return "started"
        intent = dict(extras or {})
        extras = {k: v for k, v in intent.items() if k not in ("name", "scroll", "dialog", "intent")}
        extras["intent"] = intent  # the intent's own extras, whatever their names
        with self.transaction():
            task = self.task_for(package)
            main_page = app.activities[next(iter(app.activities))]
            if task is not None and task.top.get("name") == page and self.front == task.id and not self.overlay:
                app.new_intent(self, task, extras or {})  # onNewIntent: the activity on top gets the intent
                return "delivered"
            if task is None:
                # a task started on an inner page (a deep link) reports that page's own activity
                deep = {"deep_link": True} if page != main_page else {}
                task = Task(self.next_task_id, package, [app.new_page(page, **deep, **(extras or {}))])
                self.next_task_id += 1
                self.tasks.append(task)
            else:
                self.tasks.remove(task)
                self.tasks.append(task)
                if page != main_page or task.pages[0].get("name") != main_page:
                    task.pages.append(app.new_page(page, **(extras or {})))
            self.front = task.id
            self.overlay = None
            self.clear_focus()
            self._ask_permissions(package)
            app.opened(self, task)
            self.log.write("I", "ActivityTaskManager",
                           f"START u0 {{cmp={package}/{app.short_class(app.activity_of(task.top))}}} from uid 2000")
        return "started"

    def force_stop(self, package: str) -> None:
        with self.transaction():
            task = self.task_for(package)
            if task is not None:
                self.tasks.remove(task)
                if self.front == task.id:
                    self.front = None
                    self.clear_focus()

    def clear_data(self, package: str) -> bool:
        """``pm clear``: stop the app and put its data back to a fresh install's."""
        app = self.apps.get(package)
        if app is None or package not in self.installed:
            return False
        with self.transaction():
            self.force_stop(package)
            for table in app.tables:
                self.db.execute(f"DROP TABLE IF EXISTS {table}")
            app.seed(self)
        return True

    def go_home(self) -> None:
        with self.transaction():
            self.front = None
            self.overlay = None
            self.home_page["scroll"] = 0
            self.home_page["popup"] = None
            self.clear_focus()

    def open_page(self, task: Task, name: str, **extra: Any) -> None:
        app = self.apps[task.package]
        with self.transaction():
            task.pages.append(app.new_page(name, **extra))
            self.clear_focus()

    def close_page(self, task: Task) -> None:
        with self.transaction():
            if len(task.pages) > 1:
                task.pages.pop()
            else:
                self.force_stop(task.package)
            self.clear_focus()

    def granted_permissions(self, package: str) -> set[str]:
        return set(self.permissions.get(package, []))

    def set_permission(self, package: str, permission: str, granted: bool) -> None:
        """``pm grant``/``pm revoke`` and the permission dialog's buttons."""
        with self.transaction():
            have = self.granted_permissions(package)
            have = have | {permission} if granted else have - {permission}
            self.permissions[package] = sorted(have)

    # -- focus and keyboard ------------------------------------------------------------------------------------
    def focus_field(self, key: str) -> None:
        with self.transaction():
            if self.focus != key:
                self._drop_selection()
            self.focus = key
            self.ime_visible = True

    def clear_focus(self) -> None:
        self.focus = None
        self.ime_visible = False
        self.keyboard = {"mode": "letters", "shift": False}
        self._drop_selection()

    def _drop_selection(self) -> None:
        self.selection = None
        self.cursor = None
        self.text_toolbar = False

    def select_text(self, start: int, end: int, *, toolbar: bool = True) -> None:
        """Select characters of the focused field (what a long press or a double tap on a word does)."""
        with self.transaction():
            v = self.focused_field()
            if v is None or v.field is None:
                return
            n = len(v.field.value)
            start, end = sorted((max(0, min(n, start)), max(0, min(n, end))))
            self.selection = (start, end) if end > start else None
            self.cursor = start if end <= start else None
            self.text_toolbar = toolbar and (end > start or bool(self.clipboard))

    def select_word_at(self, field: View, x: float, y: float) -> None:
        """A long press or double tap on a text field: focus it and select the word under the finger."""
        import re

        from ._ui import index_at

        with self.transaction():
            if field.field is None or field.paint is None:
                return
            self.focus_field(field.field.key)
            text = field.field.value
            k = index_at(field, field.paint, x, y)
            for m in re.finditer(r"\w+", text):
                if m.start() <= k <= m.end():
                    self.select_text(m.start(), m.end())
                    return
            self.select_text(k, k)

    def text_action(self, action: str) -> None:
        """The text-selection toolbar's buttons: ``cut``, ``copy``, ``paste``, ``select_all``."""
        with self.transaction():
            v = self.focused_field()
            if v is None or v.field is None:
                return
            value = v.field.value
            s, e = self.selection or (len(value), len(value))
            if action in ("cut", "copy") and e > s:
                self.clipboard = value[s:e]
                if action == "cut":
                    self._replace("")
                else:
                    self._drop_selection()
            elif action == "paste" and self.clipboard:
                self._replace(self.clipboard)
            elif action == "select_all":
                self.select_text(0, len(value))

    def focused_field(self) -> View | None:
        if self.focus is None:
            return None
        for w in self.windows()[:1]:
            for v in w.walk():
                if v.field is not None and v.field.key == self.focus:
                    return v
        return None

    def ime_shown(self) -> bool:
        return bool(self.ime_visible and self.focus and self.focused_field() is not None)

    # -- input ---------------------------------------------------------------------------------------------------
    # Injected input (``input``, scrcpy's control socket) and the person's finger (touch_down/move/up) both
    # become strokes for the gesture recognizer in ``_touch``; only the finger is logged for getevent.
    def _slop(self) -> float:
        return TOUCH_SLOP_DP * self.density() / 160.0

    def touch_target(self, x: float, y: float) -> View | None:
        """The view a finger at (x, y) reaches (the topmost one that reacts)."""
        with self.lock:
            v = hit_test(self.windows(), x, y)
            if v is not None and v.field is not None:  # EditText: long press / double tap select a word
                v.on_long_press = v.on_long_press or (lambda v=v: self.select_word_at(v, x, y))
                v.on_double_tap = v.on_double_tap or (lambda v=v: self.select_word_at(v, x, y))
            return v

    def tap(self, x: float, y: float) -> None:
        """An injected tap (``input tap``): down and up at once."""
        with self.transaction():
            t = self.clock.uptime()
            self.touch.down(x, y, t, timer=False)
            self.touch.up(x, y, t)

    def long_press(self, x: float, y: float) -> None:
        """An injected touch held still past the long-press timeout (without waiting for it)."""
        with self.transaction():
            t = self.clock.uptime()
            self.touch.down(x, y, t, timer=False)
            self.touch.up(x, y, t + self.touch.long_press_timeout() + 0.05)

    def swipe(self, x1: float, y1: float, x2: float, y2: float, duration_ms: int) -> None:
        """A finished injected stroke from (x1, y1) to (x2, y2) that lasted ``duration_ms`` (the caller
        already waited): recognized as a tap, a long press or a drag by its path and timing."""
        with self.transaction():
            t1 = self.clock.uptime()
            t0 = t1 - max(0, duration_ms) / 1000.0
            self.touch.down(x1, y1, t0, timer=False)
            steps = max(1, int(duration_ms // MOVE_INTERVAL_MS))
            for k in range(1, steps):
                a = k / steps
                self.touch.move(x1 + (x2 - x1) * a, y1 + (y2 - y1) * a, t0 + (t1 - t0) * a)
            self.touch.up(x2, y2, t1)

    def motion(self, action: str, x: float, y: float) -> None:
        """An injected motion event (``input motionevent``, scrcpy): DOWN, MOVE, UP or CANCEL, now."""
        if action == "DOWN":
            self.touch.down(x, y)
        elif action == "MOVE":
            self.touch.move(x, y)
        elif action == "UP":
            self.touch.up(x, y)
        elif action == "CANCEL":
            self.touch.cancel()

    def touch_down(self, x: float, y: float, *, t: float | None = None) -> None:
        """A finger on the phone's own touchscreen (display pixels; ``t`` in phone uptime, default now):
        the same recognizer as injected input, and logged as evdev events for ``getevent``."""
        self.touch.down(x, y, t, physical=True)

    def touch_move(self, x: float, y: float, *, t: float | None = None) -> None:
        self.touch.move(x, y, t, physical=True)

    def touch_up(self, x: float | None = None, y: float | None = None, *, t: float | None = None) -> None:
        self.touch.up(x, y, t, physical=True)

    def touch_cancel(self) -> None:
        self.touch.cancel(physical=True)

    def press_button(self, button: str, *, hold_ms: float = 0.0) -> None:
        """A press on the phone's own buttons (``power``, ``volume_up``, ``volume_down``), logged for
        getevent; held past 500 ms it is a long press."""
        from ._evdev import KEYS_DEVICE

        names = {"power": ("KEY_POWER", 26), "volume_up": ("KEY_VOLUMEUP", 24), "volume_down": ("KEY_VOLUMEDOWN", 25)}
        if button not in names:
            raise ValueError(f"unknown button {button!r} (known: {', '.join(names)})")
        key, code = names[button]
        t = self.clock.uptime()
        self.evdev.emit(KEYS_DEVICE, [("EV_KEY", key, 1), ("EV_SYN", "SYN_REPORT", 0)], t)
        self.evdev.emit(KEYS_DEVICE, [("EV_KEY", key, 0), ("EV_SYN", "SYN_REPORT", 0)], t + hold_ms / 1000.0)
        self.key(code, longpress=hold_ms >= 500)

    def user_activity(self) -> None:
        """A touch or a key: what keeps the screen on (the screen timeout counts from here)."""
        self._last_activity = self.clock.uptime()

    # -- power, screen timeout and the keyguard --------------------------------------------------------------
    def _stays_on(self) -> bool:
        """``svc power stayon``: stay_on_while_plugged_in has the bit of the plug in use (USB here)."""
        try:
            return bool(int(self.settings["global"].get("stay_on_while_plugged_in", "0") or 0) & PLUGGED_USB)
        except ValueError:
            return False

    def _check_power(self) -> None:
        """The screen timeout, decided lazily: when nothing touched the phone for screen_off_timeout
        (and it is not kept on), the screen went off at that moment, and the keyguard came up."""
        if not self.screen_on or self._stays_on():
            return
        try:
            timeout = int(self.settings["system"].get("screen_off_timeout", "60000")) / 1000.0
        except ValueError:
            timeout = 60.0
        if self.clock.uptime() - self._last_activity >= timeout:
            self.go_to_sleep()

    def go_to_sleep(self) -> None:
        """The screen turns off (power key, timeout); with the lock screen on, the keyguard locks."""
        with self.transaction():
            self.screen_on = False
            self.overlay = None
            self.ime_visible = False
            self.touch.cancel()
            if self.settings["secure"].get("lockscreen.disabled", "0") != "1":
                self.keyguard = True
            self.log.write("I", "PowerManagerService", "Going to sleep due to timeout (uid 1000)...")

    def wake_up(self) -> None:
        with self.transaction():
            self.screen_on = True
            self.user_activity()
            self.log.write("I", "PowerManagerService", "Waking up from Asleep (uid=1000, reason=WAKE_REASON_POWER_BUTTON)...")

    def dismiss_keyguard(self) -> None:
        """``wm dismiss-keyguard``, a swipe up on the lock screen, MENU: the (insecure) keyguard goes."""
        with self.transaction():
            self.keyguard = False
            self.user_activity()

    def keyguard_showing(self) -> bool:
        return self.keyguard and self.screen_on

    # -- runtime permissions ------------------------------------------------------------------------------------
    def _ask_permissions(self, package: str) -> None:
        """An app that needs a runtime permission asks when it starts (once; a refusal is remembered)."""
        app = self.apps.get(package)
        if app is None or self.permission_request is not None:
            return
        asked = set(self.permissions_asked.get(package, []))
        for perm in app.runtime_permissions:
            if perm not in self.granted_permissions(package) and perm not in asked:
                self.permission_request = {"package": package, "permission": perm}
                return

    def answer_permission(self, allow: bool) -> None:
        """The person taps Allow or Don't allow in the permission dialog."""
        with self.transaction():
            req = self.permission_request
            if req is None:
                return
            self.permission_request = None
            pkg, perm = req["package"], req["permission"]
            self.permissions_asked[pkg] = sorted(set(self.permissions_asked.get(pkg, [])) | {perm})
            if allow:
                self.set_permission(pkg, perm, True)
            self._ask_permissions(pkg)

    def system_dialog(self) -> str | None:
        return "permission" if self.permission_request is not None else None

    # -- notifications --------------------------------------------------------------------------------------------
    def post_notification(self, package: str, tag: str, title: str, text: str, *, nid: int = 2020) -> str:
        """A notification in the shade (and its icon in the status bar); the key it is known by."""
        with self.transaction():
            key = f"0|{package}|{nid}|{tag}|{2000 if package == 'com.android.shell' else 10000}"
            self.notifications = [n for n in self.notifications if n["key"] != key]
            self.notifications.insert(0, {"key": key, "package": package, "id": nid, "tag": tag, "title": title,
                                          "text": text, "when": self.clock.wall()})
            return key

    def cancel_notification(self, key: str | None = None) -> None:
        """Dismiss one notification (a swipe, a tap), or all of them (Clear all) when ``key`` is None."""
        with self.transaction():
            self.notifications = [n for n in self.notifications if key is not None and n["key"] != key]

    def click(self, x: float, y: float) -> None:
        """What a tap at (x, y) does to the view there (focus a field, move a slider, a click)."""
        with self.transaction():
            if not self.screen_on or self.keyguard:
                return  # a tap on the lock screen does nothing (a swipe up unlocks)
            v = hit_test(self.windows(), x, y)
            on_toolbar = v is not None and v.rid.startswith("android:id/floating_toolbar")
            if (self.text_toolbar or self.selection) and not on_toolbar:
                self._drop_selection()
            if v is None:
                return
            if v.field is not None:
                first = self.focus != v.field.key
                self.focus_field(v.field.key)
                if first and v.field.select_on_focus and v.field.value:
                    self.select_text(0, len(v.field.value), toolbar=False)
                if v.on_tap is None:
                    return
            if v.on_slide is not None:
                l, _, r, _ = v.box
                v.on_slide(max(0.0, min(1.0, (x - l) / max(1, r - l))))
                return
            if v.on_tap is not None:
                v.on_tap()

    def drag_gesture(self, x1: float, y1: float, x2: float, y2: float) -> None:
        """A finger that left the touch slop: slide a slider, scroll a list, pull or push the shade."""
        with self.lock:
            if not self.screen_on:
                return
            if self.keyguard:
                if y1 - y2 > 0.2 * self.display_size()[1]:  # swipe up on the lock screen
                    self.dismiss_keyguard()
                return
            windows = self.windows()
            slider = slide_target(windows, x1, y1)
            if slider is not None and slider.on_slide is not None:
                with self.transaction():
                    l, _, r, _ = slider.box
                    slider.on_slide(max(0.0, min(1.0, (x2 - l) / max(1, r - l))))
                return
            target = scroll_target(windows, x1, y1)
            if target is not None and target.on_scroll is not None and abs(y2 - y1) >= abs(x2 - x1):
                with self.transaction(crossfade=False):
                    target.on_scroll(round(y1 - y2))
                return
            status_h = STATUS_DP * self.density() / 160.0
            if self.overlay == "shade" and y2 < y1 - 4 * self._slop():
                with self.transaction():
                    self.overlay = None
            elif y1 <= status_h + self._slop() and y2 - y1 > 4 * self._slop():
                with self.transaction():
                    self.overlay = "shade"
                    self.ime_visible = False

    def scroll_by(self, page: dict[str, Any], key: str, delta: int, maximum: int) -> None:
        """Scroll a page's list with an animation of the configured length."""
        now = self.clock()
        current = self.animated(page, key, now)
        target = max(0, min(maximum, page.get(key, 0) + delta))
        duration = self._animation_seconds("animator_duration_scale")
        page[key] = target
        if duration > 0 and target != current:
            page[f"_{key}_anim"] = (current, target, now, duration)
            self._anim_until = max(self._anim_until, now + duration)

    def animated(self, page: dict[str, Any], key: str, now: float | None = None) -> int:
        """A page value as it is on screen right now (mid-animation values included)."""
        anim = page.get(f"_{key}_anim")
        target = int(page.get(key, 0))
        if not anim:
            return target
        start_value, end_value, start, duration = anim
        now = self.clock() if now is None else now
        progress = (now - start) / duration if duration else 1.0
        if progress >= 1.0:
            page.pop(f"_{key}_anim", None)
            return target
        eased = 1 - (1 - progress) ** 3
        return round(start_value + (end_value - start_value) * eased)

    def key(self, code: int, *, longpress: bool = False) -> None:
        """One key press, as ``input keyevent`` injects it."""
        with self.transaction():
            self._check_power()
            if code in (26, 223):  # POWER toggles, SLEEP turns off
                if self.screen_on:
                    self.go_to_sleep()
                elif code == 26:
                    self.wake_up()
                return
            if not self.screen_on:  # a sleeping phone only wakes (WAKEUP, MENU) or changes the volume
                if code in (224, 82):
                    self.wake_up()
                elif code in (24, 25, 164):
                    self._volume(code)
                return
            self.user_activity()
            if code == 224:
                return
            if self.keyguard:  # the lock screen: MENU unlocks an insecure keyguard, most keys do nothing
                if code == 82:
                    self.dismiss_keyguard()
                elif code in (24, 25, 164):
                    self._volume(code)
                return
            if self.permission_request is not None and code in (4, 111):
                self.answer_permission(False)
                return
            if code in (4, 111):
                self.back()
            elif code == 3:
                self.go_home()
            elif code == 187:
                self.overlay = None if self.overlay == "recents" else "recents"
                self.clear_focus()
            elif code in (24, 25, 164):
                self._volume(code)
            elif code == 67:
                self._delete_back()
            elif code == 66:
                self._enter()
            elif code == 61:
                self._next_field()
            elif code in KEY_CHARS:
                self.type_text(KEY_CHARS[code])

    def _volume(self, code: int) -> None:
        sys = self.settings["system"]
        level = int(sys.get("volume_music", "7") or 7)
        level = 0 if code == 164 else max(0, min(15, level + (1 if code == 24 else -1)))
        sys["volume_music"] = str(level)

    def back(self) -> None:
        with self.transaction():
            if self.ime_visible and self.focus:
                self.ime_visible = False
                return
            if self.overlay:
                self.overlay = None
                return
            task = self.front_task()
            if task is None:
                self.home_page["popup"] = None  # Launcher3 closes an icon's menu; home stays home
                return
            if not self.apps[task.package].back(self, task):
                self.tasks.remove(task)
                self.front = None
                self.clear_focus()

    def type_text(self, text: str) -> bool:
        """Characters into the focused field (False when nothing has focus, like keys into nowhere)."""
        with self.transaction():
            field = self.focused_field()
            if field is None or field.field is None:
                return False
            run = ""
            for ch in text + "\0":
                if ch in "\n\t\0":
                    if run:
                        self._replace(run)
                        run = ""
                    if ch == "\n":
                        self._enter()
                    elif ch == "\t":
                        self._next_field()
                else:
                    run += ch
            return True

    def _replace(self, text: str) -> None:
        """Type ``text`` at the cursor of the focused field, over the selection if there is one."""
        v = self.focused_field()
        if v is None or v.field is None:
            return
        value = v.field.value
        if self.selection:
            s, e = sorted(min(len(value), max(0, p)) for p in self.selection)
        else:
            s = e = len(value) if self.cursor is None else min(self.cursor, len(value))
        new = value[:s] + text + value[e:]
        v.field.on_change(new)
        self.selection = None
        self.text_toolbar = False
        self.cursor = None if s + len(text) >= len(new) else s + len(text)

    def _delete_back(self) -> None:
        """DEL: the selection, else the character before the cursor."""
        v = self.focused_field()
        if v is None or v.field is None:
            return
        if self.selection:
            self._replace("")
            return
        value = v.field.value
        k = len(value) if self.cursor is None else min(self.cursor, len(value))
        if k > 0:
            v.field.on_change(value[:k - 1] + value[k:])
            self.cursor = None if self.cursor is None else k - 1

    def _edit_text(self, change: Callable[[str], str]) -> None:
        v = self.focused_field()
        if v is None or v.field is None:
            return
        v.field.on_change(change(v.field.value))

    def clear_text(self, *, every_field: bool = False) -> None:
        """Empty the focused field (``every_field``: every field of the app in front, as a test does
        between cases)."""
        with self.transaction():
            if not every_field:
                self._edit_text(lambda s: "")
                return
            for v in self.windows()[0].walk():
                if v.field is not None:
                    v.field.on_change("")


    def _enter(self) -> None:
        v = self.focused_field()
        if v is None or v.field is None:
            return
        if v.field.multiline:
            v.field.on_change(v.field.value + "\n")
        elif v.field.on_submit is not None:
            v.field.on_submit()
        else:
            self._next_field()

    def _next_field(self) -> None:
        fields = [v for v in self.windows()[0].walk() if v.field is not None]
        keys = [v.field.key for v in fields if v.field is not None]
        if not keys:
            return
        k = keys.index(self.focus) + 1 if self.focus in keys else 0
        if k < len(keys):
            self.focus = keys[k]
            self.ime_visible = True
        else:
            self.ime_visible = False
