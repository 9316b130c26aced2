"""The run's context: the live objects nodes use, handed to LangGraph as runtime context, never state.

A checkpoint cannot hold a device handle, a loaded model or an open file, and should not hold a
screenshot; they reach the nodes through ``Runtime[RunContext].context``. Whatever of it must
survive a crash is derivable: the history of earlier steps is rebuilt from ``steps.jsonl``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ..actions import Policy
from ..devices import Device, DeviceState
from ..perception import SettleOptions
from ..planner import Backend, Dialect, HistoryPolicy, HistoryStep
from ..trajectories import ActionJournal, Recorder, StepRecord, history_entry
from ._budgets import Budgets
from ._secrets import Secrets
from ._state import LiveStep
from ._takeover import Takeover

__all__ = ["ConfirmMode", "Event", "RunContext", "history_step"]

ConfirmMode = Literal["ask", "yes", "no"]
"""ask: pause the graph with interrupt() for a person; yes / no: the --yes / --no-input answer."""


@dataclass(frozen=True)
class Event:
    """What the live view hears: a phase starting, a step recorded, the end, or a note a person must read
    (``phase`` holds its text: e.g. a resumed run whose device state could not be restored)."""

    kind: Literal["phase", "step", "end", "note"]
    step: int
    phase: str = ""
    record: StepRecord | None = None


def history_step(record: StepRecord, folder: Path) -> HistoryStep:
    """A recorded step as the planner's history entry (the same wording live, rebuilt, and exported)."""
    return history_entry(record, folder / record.frame.path)


@dataclass
class RunContext:
    """Everything a node needs that is not plain data."""

    device: Device
    dialect: Dialect
    backend: Backend
    recorder: Recorder
    journal: ActionJournal
    secrets: Secrets = field(default_factory=Secrets)
    policy: Policy = field(default_factory=Policy)
    budgets: Budgets = field(default_factory=Budgets)
    settle: SettleOptions | None = None  # None: the device's own default (its settle() knows its capture cost)
    history_policy: HistoryPolicy = field(default_factory=HistoryPolicy)
    confirm: ConfirmMode = "no"
    record_ui_tree: bool = True
    device_state: DeviceState | None = None  # saved after every step where the device can (the virtual phone)
    on_event: Callable[[Event], None] | None = None
    takeover: Takeover | None = None  # a person who may act instead of the model (see _takeover)
    clock: Callable[[], float] = time.perf_counter
    # -- in memory only (rebuilt after a crash) --
    history: list[HistoryStep] = field(default_factory=list)
    live: LiveStep = field(default_factory=LiveStep)  # what the step's nodes hand each other
    apps: dict[str, str] = field(default_factory=dict)
    started: float = field(default_factory=time.perf_counter)  # this process's share of the wall budget

    def emit(self, kind: Literal["phase", "step", "end", "note"], step: int, phase: str = "",
             record: StepRecord | None = None) -> None:
        if self.on_event is not None:
            self.on_event(Event(kind, step, phase, record))

    def rebuild_history(self) -> None:
        """The planner's history from the steps already recorded (after a resume)."""
        from ..trajectories import read_episode

        episode = read_episode(self.recorder.folder, check_files=False)
        self.history = [history_step(s, self.recorder.folder) for s in episode.steps]
