"""Reading and setting device state for scenarios: the one seam between checks/setup/grounding and a device.

``PhoneProbe`` does everything through the Android driver's shell (what ``adb shell`` runs on a real
phone as the shell user, no root): ``settings``, ``content``, ``cat``, ``uiautomator dump``,
``dumpsys``. ``DesktopProbe`` reads the desktop's accessibility tree (AT-SPI, through the desktop
driver), files on this machine, and the state of the scenario programs it started.
"""

from __future__ import annotations

import base64
import posixpath
import shlex
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..actions import DeviceKind
from ..devices import Device
from ._errors import ScenarioError, SetupFailed
from ._program import App, Program
from ._selectors import UiNode

__all__ = ["DesktopProbe", "Focus", "PhoneProbe", "Probe", "ShellOutput", "probe_for"]


@dataclass(frozen=True)
class ShellOutput:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


@dataclass(frozen=True)
class Focus:
    """What is in front: a phone's package/activity, or a desktop's focused window title."""

    package: str = ""
    activity: str = ""
    window: str = ""


class Probe(ABC):
    """What scenarios need of a device beyond the Device protocol."""

    kind: DeviceKind
    device: Device

    @abstractmethod
    def nodes(self) -> list[UiNode]:
        """The live screen's elements, in device pixels."""

    @abstractmethod
    def read_file(self, path: str) -> str | None:
        """A file's text, or None if it does not exist."""

    @abstractmethod
    def write_file(self, path: str, content: str) -> None: ...

    @abstractmethod
    def remove(self, path: str) -> None: ...

    @abstractmethod
    def foreground(self) -> Focus: ...

    def keyboard_shown(self) -> bool:
        return False

    def shell(self, command: str) -> ShellOutput:
        raise ScenarioError(f"a {self.kind} has no device shell", hint="shell steps and checks are for phones")

    def program_state(self, name: str = "main") -> dict[str, Any]:
        raise ScenarioError(f"a {self.kind} runs no scenario programs", hint="program checks are for the desktop")

    def settle(self) -> None:
        """Wait until the screen is still (after setup)."""
        self.device.settle(self.device.default_settle.model_copy(update={"timeout_s": 5.0}))

    def close(self) -> None:
        """Stop whatever this probe started (desktop programs)."""


class PhoneProbe(Probe):
    kind: DeviceKind = "phone"

    def __init__(self, device: Device) -> None:
        if not callable(getattr(device, "shell", None)):
            raise ScenarioError(f"{type(device).__name__} has no shell: phone scenarios need the Android driver",
                                hint="use --device sim or --device android[:SERIAL]")
        self.device = device

    def shell(self, command: str) -> ShellOutput:
        result = self.device.shell(command, check=False, timeout=60)  # type: ignore[attr-defined]
        return ShellOutput(result.exit_code, result.stdout.decode("utf-8", "replace"),
                           result.stderr.decode("utf-8", "replace"))

    def run(self, command: str, what: str) -> ShellOutput:
        """A setup command that must succeed."""
        out = self.shell(command)
        if out.exit_code != 0 or "Exception occurred" in out.output or out.output.startswith("Error"):
            raise SetupFailed(f"{what} failed (exit {out.exit_code}): `{command}` -> {out.output.strip()[:300]}",
                              hint="the device may lack what this scenario needs (an app, a setting, a file)")
        return out

    def nodes(self) -> list[UiNode]:
        return [UiNode(e) for e in self.device.ui_tree() or []]

    def read_file(self, path: str) -> str | None:
        q = shlex.quote(path)
        out = self.shell(f"if [ -f {q} ]; then cat {q}; else echo __SP_ABSENT__ >&2; exit 3; fi")
        if out.exit_code != 0:
            if "__SP_ABSENT__" in out.stderr or out.exit_code == 3:
                return None
            raise ScenarioError(f"cannot read {path} on the phone: {out.output.strip()[:200]}")
        return out.stdout

    def write_file(self, path: str, content: str) -> None:
        data = base64.b64encode(content.encode("utf-8")).decode("ascii")
        folder = shlex.quote(posixpath.dirname(path) or "/")
        self.run(f"mkdir -p {folder} && printf %s {data} | base64 -d > {shlex.quote(path)}", f"writing {path}")

    def remove(self, path: str) -> None:
        self.run(f"rm -f {shlex.quote(path)}", f"removing {path}")

    def foreground(self) -> Focus:
        focus = self.device.foreground()  # type: ignore[attr-defined]
        return Focus(package=focus.package, activity=focus.activity, window=focus.window)

    def keyboard_shown(self) -> bool:
        return "mInputShown=true" in self.shell("dumpsys input_method").stdout


class DesktopProbe(Probe):
    """The desktop through its accessibility tree (what the screen shows, in the device's pixels), the
    files of this machine, and the programs and applications it started for a scenario."""

    kind: DeviceKind = "desktop"

    def __init__(self, device: Device, *, display: str | None = None) -> None:
        self.device = device
        self.display = display or str(getattr(device, "display", "") or "")
        self.programs: dict[str, Program] = {}
        self.apps: dict[str, App] = {}

    def origin(self) -> tuple[int, int]:
        monitor = getattr(self.device, "monitor", None)
        if monitor is not None:
            return int(monitor.origin.x), int(monitor.origin.y)
        info = self.device.info()
        return int(info.origin.x), int(info.origin.y)

    def _taken(self, name: str) -> None:
        if name in self.programs or name in self.apps:
            raise SetupFailed(f"a program named {name!r} is already running", hint="give each program its own name:")

    def start_program(self, name: str, scene: str, options: dict[str, Any]) -> Program:
        """A scene of the scenario program, at the monitor's corner (``options["at"]``: [dx, dy] from it)."""
        self._taken(name)
        options = dict(options)
        dx, dy = options.pop("at", None) or (20 * (len(self.programs) + len(self.apps)), 0)
        x, y = self.origin()
        size = self.device.info().physical_size
        options.setdefault("screen", [size.width, size.height])  # the monitor, for scenes that fill it
        program = Program(scene, display=self.display, geometry=f"+{x + int(dx)}+{y + int(dy)}",
                          title=f"ScreenPilot {scene}" + (f" ({name})" if name != "main" else ""), options=options)
        self.programs[name] = program
        self._accessible(program.pid, scene)
        return program

    def start_app(self, name: str, command: list[str], *, stdout: str | None = None, cwd: str | None = None,
                  env: dict[str, str] | None = None, at: tuple[int, int] = (0, 0)) -> App:
        """A real application, its window moved to ``at`` from the monitor's corner."""
        self._taken(name)
        x, y = self.origin()
        app = App(command, display=self.display, geometry=(x + at[0], y + at[1]), cwd=cwd, stdout=stdout, env=env)
        self.apps[name] = app
        self._accessible(app.pid, app.name)
        return app

    def _accessible(self, pid: int, what: str, timeout_s: float = 10.0) -> None:
        """Wait until the accessibility tree shows a window of ``pid`` (an app registers a moment after
        its window maps)."""
        deadline = time.monotonic() + timeout_s
        while True:
            nodes = self._tree()
            if any(n.pid == pid and n.depth == 0 for n in nodes):
                return
            if time.monotonic() > deadline:
                raise SetupFailed(f"{what} never showed in the accessibility tree (pid {pid})",
                                  hint="GTK applications register with the accessibility bus of their D-Bus session: "
                                       "start them in the session DBUS_SESSION_BUS_ADDRESS names")
            time.sleep(0.05)

    def _tree(self) -> list[Any]:
        read = getattr(self.device, "accessible_nodes", None)
        nodes = read() if callable(read) else None
        if nodes is None:
            status = self.device.info().extra.get("accessibility") or {}
            raise SetupFailed("desktop scenarios read the accessibility tree, and there is none: "
                              f"{status.get('problem') or 'the device offers no accessibility tree'}",
                              hint="run under a D-Bus session with at-spi2-core (docs/desktop.md)")
        return list(nodes)

    def program(self, name: str = "main") -> Program:
        try:
            return self.programs[name]
        except KeyError:
            raise ScenarioError(f"no program named {name!r} was started",
                                hint="a program check names a program that setup started") from None

    def program_state(self, name: str = "main") -> dict[str, Any]:
        return self.program(name).state()

    def nodes(self) -> list[UiNode]:
        """The accessible elements visible on the device's monitor, in its pixels; a slider's or spin
        button's range and value ride along as ``extra["value"]`` (minimum, maximum, current)."""
        read = getattr(self.device, "accessible_elements", None)
        pairs = read() if callable(read) else None
        if pairs is None:
            self._tree()  # raises, saying why there is no tree
            return []
        return [UiNode(element, {"value": node.value} if node.value is not None else {}) for element, node in pairs]

    def read_file(self, path: str) -> str | None:
        for app in self.apps.values():  # an app writing this file: its output is complete once it exits
            if app.stdout_path and Path(app.stdout_path) == Path(path):
                app.finished(timeout_s=3.0)
        p = Path(path)
        if not p.is_file():
            return None
        return p.read_text(encoding="utf-8", errors="replace")

    def write_file(self, path: str, content: str) -> None:
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(content, encoding="utf-8")

    def remove(self, path: str) -> None:
        Path(path).unlink(missing_ok=True)

    def foreground(self) -> Focus:
        return Focus(window=self.device.info().foreground)

    def close(self) -> None:
        programs, self.programs = list(self.programs.values()), {}
        apps, self.apps = list(self.apps.values()), {}
        for program in programs:
            program.stop()
        for app in apps:
            app.stop()


def probe_for(device: Device) -> Probe:
    """The probe for an open device: phones through their shell, desktops through their programs."""
    return PhoneProbe(device) if device.kind == "phone" else DesktopProbe(device)
