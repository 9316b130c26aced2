"""A device worker: one device, opened once, running one episode at a time for the driver.

The driver makes one Ray actor of this class per device (``ray.remote`` at run time, holding the
device's custom resource). ``open`` brings the device up (a virtual phone with its own adb server and
a snapshot of its fresh state; a phone over adb; a private Xvfb display), ``run`` plays one work item
into a staging folder on the worker's host and returns the episode packed as bytes (Ray carries them
to the driver, wherever it is), ``status`` answers the live view while ``run`` is busy (the actor has
two threads). Nothing here needs Ray: tests and benchmarks drive it directly too.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import socket
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..devices import OpenedDevice, open_device
from ..errors import ScreenPilotError
from ..planner import Backend
from ..scenarios import ScenarioResult, Target, run_scenario, spec_from_dict
from ._freeform import run_free_task
from ._model import RemoteBackend
from ._pool import DeviceSlot
from ._work import WorkItem

__all__ = ["AttemptReport", "DeviceWorker", "WorkerOptions", "pack_folder", "unpack_folder"]

_LEFT_OUT = ("checkpoints.sqlite",)  # the run's resume state: not part of the trajectory


@dataclass(frozen=True)
class WorkerOptions:
    """What every worker of a collection shares."""

    model: str
    collection: str = "collect"
    dialect: str | None = None
    confirm: Literal["yes", "no"] = "yes"
    device_options: dict[str, Any] = field(default_factory=dict)
    """Options for the device's opener (an Android ``capture`` mode, a ``timeout``, a ``backoff``...)."""
    services: tuple[Any, ...] = ()
    """ModelService actor handles when the model is shared (local:, openai:); worker i uses i mod len."""
    index: int = 0


@dataclass
class AttemptReport:
    """What a worker sends back for one item: the result, the episode as bytes, and where it ran."""

    result: ScenarioResult
    episode_name: str | None = None
    episode_zip: bytes | None = None
    device_fault: bool = False
    worker_s: float = 0.0
    pack_s: float = 0.0
    node: str = ""
    pid: int = 0
    started_at: float = 0.0
    tokens: dict[str, int | None] = field(default_factory=dict)


def pack_folder(folder: Path) -> bytes:
    """A folder as an uncompressed ZIP (PNGs do not shrink; storing is what keeps it cheap)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.name.startswith(_LEFT_OUT):
                zf.write(path, path.relative_to(folder).as_posix())
    return buf.getvalue()


def unpack_folder(data: bytes, folder: Path) -> None:
    """The inverse of :func:`pack_folder`, every file fsync'd (the manifest line that names it comes after)."""
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for info in zf.infolist():
            target = (folder / info.filename).resolve()
            if not str(target).startswith(str(folder.resolve())):
                continue  # never outside the folder
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst)
                dst.flush()
                os.fsync(dst.fileno())


def _node_id() -> str:
    try:
        import ray

        if ray.is_initialized():
            return str(ray.get_runtime_context().get_node_id())[:12]
    except ImportError:
        pass
    return socket.gethostname()


class DeviceWorker:
    """One device of the pool and the episodes run on it."""

    def __init__(self, slot: DeviceSlot, options: WorkerOptions) -> None:
        self.slot = slot
        self.options = options
        self._opened: OpenedDevice | None = None
        self._target: Target | None = None
        self._display: Any = None
        self._lock = threading.Lock()
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{options.collection}-{slot.name}")
        self.stage_root = Path(tempfile.gettempdir()) / "screenpilot-collect" / safe
        self._status: dict[str, Any] = {"state": "starting", "pid": os.getpid(), "node": _node_id(), "key": None,
                                        "step": 0, "last": "", "episodes": 0}

    # -- the device --------------------------------------------------------------------------------
    def open(self) -> dict[str, Any]:
        """Open the device if it is not open; what it is. A device that cannot open raises (the driver
        counts it towards quarantine)."""
        if self._target is None:
            self._set(state="opening")
            started = time.monotonic()
            try:
                self._open()
            except BaseException:
                self._set(state="broken")
                self.close()
                raise
            assert self._target is not None
            info = self._target.device.info()
            self._set(state="idle", open_s=round(time.monotonic() - started, 3), children=self.children(),
                      model=getattr(info, "model", ""))
        return {"pid": os.getpid(), "node": self._status["node"], "model": self._status.get("model", ""),
                "open_s": self._status.get("open_s", 0.0), "children": self._status.get("children", [])}

    def _open(self) -> None:
        shutil.rmtree(self.stage_root, ignore_errors=True)  # an earlier worker's leftovers
        self.stage_root.mkdir(parents=True, exist_ok=True)
        kind = self.slot.kind
        if kind == "sim":
            phones: list[Any] = []
            self._opened = open_device("sim", sim_setup=phones.append, **self.options.device_options)
            phone = phones[0]
            phone.config.profile = self.slot.options.get("profile", "instant")
            fresh = phone.snapshot()  # every episode starts from this state (a restore takes milliseconds)
            self._target = Target(self._opened.device, "sim", reset=lambda: phone.restore(fresh), sim=phone)
        elif kind == "desktop":
            from ..devices.desktop import PrivateDisplay

            self._display = PrivateDisplay()
            os.environ["DISPLAY"] = self._display.display  # this worker process is this display's only user
            if self._display.bus_address:
                os.environ["DBUS_SESSION_BUS_ADDRESS"] = self._display.bus_address
            self._opened = open_device("desktop", **self.options.device_options)
            self._target = Target(self._opened.device, "desktop")
        else:
            spec = f"{kind}:{self.slot.arg}" if self.slot.arg else kind
            self._opened = open_device(spec, **self.options.device_options)
            self._target = Target(self._opened.device, spec, real_phone=kind == "android")

    def healthy(self) -> bool:
        """Whether the device still answers (a screenshot); after an error, a device that does not is reopened."""
        if self._target is None:
            return False
        try:
            self._target.device.screenshot()
            return True
        except ScreenPilotError:
            return False

    def close(self) -> None:
        opened, self._opened, self._target = self._opened, None, None
        try:
            if opened is not None:
                opened.close()
        except ScreenPilotError:
            pass
        finally:
            if self._display is not None:
                self._display.close()
                self._display = None
            shutil.rmtree(self.stage_root, ignore_errors=True)

    # -- episodes ----------------------------------------------------------------------------------
    def _model(self) -> str | Backend:
        services = self.options.services
        if services:
            return RemoteBackend(services[self.options.index % len(services)], self.options.model)
        return self.options.model

    def _on_event(self, event: Any) -> None:
        record = getattr(event, "record", None)
        if event.kind == "step" and record is not None:
            self._set(step=record.index + 1, last=_describe(record))
        elif event.kind == "phase":
            self._set(phase=event.phase)

    def run(self, item: WorkItem, attempt: int) -> AttemptReport:
        """One attempt at one item, start to end; the episode comes back packed."""
        started, wall = time.monotonic(), time.time()
        self._set(state="running", key=item.key, step=0, last="", attempt=attempt)
        stage = self.stage_root / f"a{attempt}-{re.sub(r'[^A-Za-z0-9_.-]+', '_', item.key)}"
        shutil.rmtree(stage, ignore_errors=True)
        out = stage / "episodes"
        out.mkdir(parents=True)
        report = AttemptReport(result=ScenarioResult(scenario=item.task, status="error"), node=self._status["node"],
                               pid=os.getpid(), started_at=wall)
        try:
            try:
                self.open()
            except ScreenPilotError as exc:
                report.result = ScenarioResult(scenario=item.task, seed=item.seed, instruction=item.instruction,
                                               status="error", error=f"the device did not open: {exc}")
                report.device_fault = True
                return report
            assert self._target is not None
            try:
                result = self._play(item, stage, out)
            except ScreenPilotError as exc:  # the device failed outside the agent loop (reset, settle, a check)
                result = ScenarioResult(scenario=item.task, seed=item.seed, instruction=item.instruction,
                                        status="error", error=f"the device failed: {exc}")
            report.result = result
            if result.status == "error" and not self.healthy():
                report.device_fault = True  # closed below, once the episode is packed: the next item reopens it
            folders = [p for p in out.iterdir() if p.is_dir()]
            if folders:
                packed = time.monotonic()
                report.episode_name = folders[0].name
                report.episode_zip = pack_folder(folders[0])
                report.tokens = _tokens(folders[0])
                report.pack_s = time.monotonic() - packed
            return report
        finally:
            shutil.rmtree(stage, ignore_errors=True)
            if report.device_fault:
                self.close()
            report.worker_s = time.monotonic() - started
            with self._lock:
                self._status["episodes"] += 1
            self._set(state="idle" if self._target is not None else "closed", key=None)

    def _play(self, item: WorkItem, stage: Path, out: Path) -> ScenarioResult:
        assert self._target is not None
        if item.kind == "scenario":
            assert item.scenario is not None
            scenario = spec_from_dict(item.scenario).instantiate(item.seed, workdir=str(stage / "files"))
            if scenario.device == "desktop":
                (stage / "files").mkdir(exist_ok=True)
            if scenario.max_steps != item.max_steps:
                scenario = scenario.model_copy(update={"max_steps": item.max_steps})
            return run_scenario(scenario, self._target, model=self._model(), dialect=self.options.dialect,
                                out=out, confirm=self.options.confirm, on_event=self._on_event)
        return run_free_task(item, self._target, model=self._model(), dialect=self.options.dialect, out=out,
                             confirm=self.options.confirm, on_event=self._on_event)

    # -- the live view -----------------------------------------------------------------------------
    def _set(self, **values: Any) -> None:
        with self._lock:
            self._status.update(values)

    def status(self) -> dict[str, Any]:
        with self._lock:
            return dict(self._status)

    def children(self) -> list[int]:
        """The processes this worker started (the virtual phone's adb server, a private Xvfb): the driver
        stops them by PID if the worker itself is killed."""
        me = str(os.getpid())
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if fields[1] == me:
                found.append(int(stat.parent.name))
        return found


def _describe(record: Any) -> str:
    """A step in a few words for the live table: ``tap [540, 1200]``, ``type "Zoë"``, or its error."""
    action = getattr(getattr(record, "device_action", None), "action", None)
    if action is None:
        return f"not executed: {record.error or ''}"[:80]
    fields = action.model_dump(mode="json", exclude_none=True)
    name = fields.pop("action", "?")
    return f"{name} {' '.join(json.dumps(v, ensure_ascii=False) for v in fields.values())}"[:80]


def _tokens(folder: Path) -> dict[str, int | None]:
    try:
        meta = json.loads((folder / "episode.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    tokens = meta.get("tokens") or {}
    return {"prompt": tokens.get("prompt"), "completion": tokens.get("completion")}
