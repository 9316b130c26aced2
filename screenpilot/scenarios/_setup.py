"""Running a scenario's setup and teardown steps on a device.

Setup puts the device in the state the task starts from. Each step that overwrites state the
scenario did not create (a setting) leaves an undo, run in reverse at teardown, so a scenario on a
real phone gives the phone back as it found it; the virtual phone is simply reset instead.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Sequence
from typing import Any

from ._content import bind_args
from ._errors import SetupFailed
from ._probe import DesktopProbe, PhoneProbe, Probe
from ._steps import (
    AppStep,
    ClearAppStep,
    ContentDeleteStep,
    ContentInsertStep,
    ContentUpdateStep,
    FileStep,
    HomeStep,
    LaunchStep,
    ProgramStep,
    RemoveStep,
    SettingStep,
    ShellStep,
    StopAppStep,
)

__all__ = ["Undo", "run_steps"]

Undo = Callable[[], None]


def _phone(probe: Probe, kind: str) -> PhoneProbe:
    if not isinstance(probe, PhoneProbe):
        raise SetupFailed(f"the {kind} step needs a phone")
    return probe


def _setting(probe: PhoneProbe, step: SettingStep, undo: list[Undo]) -> None:
    ns, key = step.namespace, shlex.quote(step.key)
    before = probe.shell(f"settings get {ns} {key}").stdout.strip()
    if step.value is None:
        probe.run(f"settings delete {ns} {key}", f"deleting setting {ns} {step.key}")
    else:
        value = int(step.value) if isinstance(step.value, bool) else step.value
        probe.run(f"settings put {ns} {key} {shlex.quote(str(value))}", f"setting {ns} {step.key}")

    def restore() -> None:
        if before == "null":
            probe.shell(f"settings delete {ns} {key}")
        else:
            probe.shell(f"settings put {ns} {key} {shlex.quote(before)}")

    undo.append(restore)


def run_steps(steps: Sequence[Any], probe: Probe, *, undo: list[Undo] | None = None) -> None:
    """Run setup (or teardown) steps in order; the first failure raises SetupFailed."""
    undo = undo if undo is not None else []
    for step in steps:
        match step:
            case ShellStep(command=command, check=check):
                phone = _phone(probe, "shell")
                if check:
                    phone.run(command, "a setup command")
                else:
                    phone.shell(command)
            case SettingStep():
                _setting(_phone(probe, "setting"), step, undo)
            case LaunchStep(package=package, activity=activity):
                phone = _phone(probe, "launch")
                if activity:
                    component = f"{package}/{activity}"
                    phone.run(f"am start -W -n {shlex.quote(component)}", f"starting {component}")
                else:
                    phone.run(f"monkey -p {shlex.quote(package)} -c android.intent.category.LAUNCHER 1",
                              f"launching {package}")
            case HomeStep():
                _phone(probe, "home").run("input keyevent 3", "going home")
            case StopAppStep(package=package):
                _phone(probe, "stop_app").run(f"am force-stop {shlex.quote(package)}", f"stopping {package}")
            case ClearAppStep(package=package):
                _phone(probe, "clear_app").run(f"pm clear {shlex.quote(package)}", f"clearing {package}")
            case ContentInsertStep(uri=uri, values=values):
                _phone(probe, "content_insert").run(f"content insert --uri {shlex.quote(uri)} {bind_args(values)}",
                                                    f"inserting into {uri}")
            case ContentUpdateStep(uri=uri, where=where, values=values):
                cmd = f"content update --uri {shlex.quote(uri)} {bind_args(values)}"
                cmd += f" --where {shlex.quote(where)}" if where else ""
                _phone(probe, "content_update").run(cmd, f"updating {uri}")
            case ContentDeleteStep(uri=uri, where=where):
                cmd = f"content delete --uri {shlex.quote(uri)}" + (f" --where {shlex.quote(where)}" if where else "")
                _phone(probe, "content_delete").run(cmd, f"deleting from {uri}")
            case FileStep(path=path, content=content):
                probe.write_file(path, content)
            case RemoveStep(path=path):
                probe.remove(path)
            case ProgramStep(scene=scene, name=name, options=options):
                if not isinstance(probe, DesktopProbe):
                    raise SetupFailed("the program step needs a desktop")
                probe.start_program(name, scene, options)
            case AppStep(command=command, name=name, stdout=stdout, cwd=cwd, env=env, at=at):
                if not isinstance(probe, DesktopProbe):
                    raise SetupFailed("the app step needs a desktop")
                probe.start_app(name, command, stdout=stdout, cwd=cwd, env=env, at=at)
            case _:  # pragma: no cover - the models admit nothing else
                raise SetupFailed(f"unknown setup step {step!r}")
