"""``screenpilot record``: a person does a task on a device, and each action becomes a step of an episode.

The episode is an ordinary trajectory (docs/trajectory-format.md) with ``source: human`` and every step
``actor: person``: the screen before (``trajectories.observe``), the action in device pixels and in the
chosen dialect's model space, the element under it, the settled screen after (``trajectories.settle``),
timings. So it replays (``screenpilot replay``), shows (``screenpilot view``) and exports like any
episode. Stopping (the stop key, ``Demonstration.stop()``, or Ctrl-C) ends the episode cleanly: its
outcome is written and nothing half-done is left referenced.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..agent import HandBack, PersonChannel, person_step
from ..agent._run import _run_id, _software
from ..devices import AndroidDevice, DesktopDevice, Device, open_device
from ..errors import ScreenPilotError
from ..perception import SettleOptions
from ..planner import Dialect, dialect_for
from ..trajectories import FRAMES_DIR, UI_DIR, EpisodeMeta, Recorder, StepRecord, observe
from ._channel import DEFAULT_TYPING_PAUSE_S

__all__ = ["Demonstration", "RecordResult", "open_channel", "record"]


def open_channel(device: Device, _opened: Any = None, *, typing_pause_s: float = DEFAULT_TYPING_PAUSE_S) -> PersonChannel:
    """The channel that reads a person's actions on ``device`` (a phone over adb, or the X11 desktop)."""
    if isinstance(device, AndroidDevice):
        from ._android import PhoneChannel

        return PhoneChannel(device, typing_pause_s=typing_pause_s)
    if isinstance(device, DesktopDevice):
        from ._desktop import DesktopChannel

        return DesktopChannel(device, typing_pause_s=typing_pause_s)
    raise ScreenPilotError(f"a person's actions cannot be read on a {type(device).__name__}",
                           hint="record on android[:SERIAL], sim or desktop[:MONITOR]")


@dataclass(frozen=True)
class RecordResult:
    folder: Path
    steps: int
    outcome: str
    detail: str


class Demonstration:
    """One demonstration on an open device; ``run()`` records until ``stop()`` (any thread) or Ctrl-C.

    ``on_ready(step)`` is called whenever the screen for the next action has been captured (a person
    may act), ``on_step(record)`` after each recorded step.
    """

    def __init__(self, task: str, device: Device, *, spec: str, out: Path | str = "runs",
                 dialect: str | Dialect | None = None, settle: SettleOptions | None = None,
                 typing_pause_s: float = DEFAULT_TYPING_PAUSE_S, channel: PersonChannel | None = None,
                 on_ready: Callable[[int], None] | None = None,
                 on_step: Callable[[StepRecord], None] | None = None) -> None:
        if not task.strip():
            raise ScreenPilotError("the task is empty", hint='say what the demonstration does, e.g. "Turn on Wi-Fi"')
        self.task = task
        self.device = device
        self.spec = spec
        self.kind = "phone" if device.kind == "phone" else "desktop"
        self.dialect = dialect if isinstance(dialect, Dialect) else dialect_for(dialect, self.kind)  # type: ignore[arg-type]
        self.settle = settle or device.default_settle
        self.typing_pause_s = typing_pause_s
        self.channel = channel or open_channel(device, typing_pause_s=typing_pause_s)
        self.folder = Path(out) / _run_id(task)
        self.on_ready = on_ready
        self.on_step = on_step
        self._stopped = threading.Event()
        self._how = "stopped by the person"

    def stop(self, how: str = "stopped by the person") -> None:
        """End the demonstration after the action in progress (from any thread)."""
        self._how = how
        self._stopped.set()
        self.channel.hand_back(finished=True)

    def run(self) -> RecordResult:
        info = self.device.info()
        meta = EpisodeMeta(
            id=self.folder.name, instruction=self.task, source="human", model="person", dialect=self.dialect.name,
            device=info, software=_software(), started_at=time.time(),
            config={"device": self.spec, "dialect": self.dialect.name, "settle": self.settle.model_dump(),
                    "dialect_options": {"min_pixels": self.dialect.min_pixels, "max_pixels": self.dialect.max_pixels},
                    "recorder": {"typing_pause_s": self.typing_pause_s}},
        )
        recorder = Recorder.create(self.folder, meta)
        step = 0
        outcome, by, detail = "aborted", "error", "the recording failed"
        try:
            self.channel.begin("a demonstration")
            observed = observe(self.device, recorder, f"{step:06d}")
            while not self._stopped.is_set():
                if self.on_ready is not None:
                    self.on_ready(step)
                got = self.channel.next_action(step, observed, recorder, self.settle)
                if isinstance(got, HandBack):
                    break
                rec = person_step(step, self.dialect, observed, got)
                recorder.append_step(rec)
                if self.on_step is not None:
                    self.on_step(rec)
                step += 1
                observed = observe(self.device, recorder, f"{step:06d}", reuse=(got.after.frame, got.after.ref))
            outcome, by, detail = "success", "person", self._how
        except KeyboardInterrupt:
            outcome, by, detail = "success", "person", "stopped with Ctrl-C"
        finally:
            # what was written counts, wherever Ctrl-C fell (after a step's line was printed, say)
            step = recorder.step_count
            try:
                self.channel.close()
            finally:
                if outcome == "success":
                    detail = f"a demonstration of {step} step(s), {detail}"
                if step == 0 and outcome == "success":
                    outcome, detail = "aborted", "stopped before the person did anything"
                recorder.finish(outcome, by, detail)  # type: ignore[arg-type]
                recorder.close()
                _drop_unused(self.folder, step)
        return RecordResult(self.folder, step, outcome, detail)


def _drop_unused(folder: Path, step: int) -> None:
    """The screen captured for an action that never came is referenced by no step: remove it."""
    for path in [*(folder / FRAMES_DIR).glob(f"{step:06d}.*"), folder / UI_DIR / f"{step:06d}.json"]:
        path.unlink(missing_ok=True)


def record(task: str, *, device: str = "sim", out: Path | str = "runs", dialect: str | None = None,
           settle: SettleOptions | None = None, typing_pause_s: float = DEFAULT_TYPING_PAUSE_S,
           on_ready: Callable[[int], None] | None = None, on_step: Callable[[StepRecord], None] | None = None,
           **device_options: Any) -> RecordResult:
    """Record a person doing ``task`` on the device a spec names, until Ctrl-C."""
    opened = open_device(device, **device_options)
    try:
        return Demonstration(task, opened.device, spec=device, out=out, dialect=dialect, settle=settle,
                             typing_pause_s=typing_pause_s, on_ready=on_ready, on_step=on_step).run()
    finally:
        opened.close()
