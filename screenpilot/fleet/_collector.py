"""The driver of a collection: a queue of work items, one actor per device, one manifest.

Devices pull: whenever a device's worker is idle the driver hands it the next item, so a slow device
never holds up a fast one. The driver alone writes ``DIR``: it unpacks each episode the workers send
(Ray carries the bytes), appends the manifest line, and keeps ``summary.json`` current. What goes
wrong is sorted by whose fault it is:

- a worker that dies (its process killed, its host gone) or an episode stopped by a device fault is
  an attempt, recorded with its reason; the item goes back to the FRONT of the queue, to be run from
  its start on another device where there is one; after ``max_attempts`` it is settled as ``error``;
- an episode that gives no result within its wall budget plus a grace is a hang: its worker is
  killed (Ray restarts it, and the device is opened afresh) and the attempt recorded as a hang;
- a device that fails ``quarantine_after`` times in a row (opening it counts) is quarantined: its
  actor is stopped for good and the others go on;
- model outcomes (a wrong tap, a budget run out) are data: final lines like any other.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..trajectories import atomic_write, load_meta
from ._cluster import ClusterInfo, connect, device_actor, missing_resources, model_service_actors
from ._errors import FleetError
from ._manifest import Durations, Manifest, ManifestRecord
from ._model import shares_model
from ._pool import DeviceSlot, parse_pool
from ._work import WorkItem, build_work
from ._worker import AttemptReport, WorkerOptions, unpack_folder

__all__ = ["COLLECTION_FILE", "SUMMARY_FILE", "CollectOptions", "CollectResult", "Collector", "collect"]

COLLECTION_FILE = "collect.json"
SUMMARY_FILE = "summary.json"
_GRACE_S = 120.0  # on top of an episode's own wall budget: reset, setup, checks, teardown, transfer
_POLL_S = 0.5


@dataclass
class CollectOptions:
    """Everything ``screenpilot collect`` takes besides the tasks and the devices."""

    out: Path
    model: str = "reference"
    dialect: str | None = None
    repeat: int = 1
    seed: int | None = 0
    max_steps: int | None = None
    address: str | None = None
    resume: bool = False
    max_inflight: int | None = None
    max_attempts: int = 3
    quarantine_after: int = 2
    episode_timeout_s: float | None = None
    num_cpus: int | None = None
    confirm: Literal["yes", "no"] = "yes"
    dashboard: bool = True
    sim_profile: str = "instant"


@dataclass
class CollectResult:
    """How a collection ended: the summary written to ``DIR/summary.json``, and whether every item is settled."""

    folder: Path
    summary: dict[str, Any]
    finished: bool


@dataclass
class _Pending:
    item: WorkItem
    attempt: int
    avoid: set[str] = field(default_factory=set)
    queued_at: float = field(default_factory=time.monotonic)


@dataclass
class _Slot:
    slot: DeviceSlot
    actor: Any = None
    state: str = "opening"  # opening | idle | running | waiting | quarantined
    failures: int = 0
    ref: Any = None
    call: str = ""
    job: _Pending | None = None
    sent_at: float = 0.0
    deadline: float = float("inf")
    retry_at: float = 0.0
    hung: bool = False
    reason: str = ""
    episodes: int = 0
    failed: int = 0
    busy_s: float = 0.0
    info: dict[str, Any] = field(default_factory=dict)
    live: dict[str, Any] = field(default_factory=dict)
    status_ref: Any = None


Listener = Callable[[str, dict[str, Any]], None]


class Collector:
    """One run of the driver over a collection folder (new, or resumed)."""

    def __init__(self, items: Sequence[WorkItem], slots: Sequence[DeviceSlot], options: CollectOptions, *,
                 collection: str, on_event: Listener | None = None) -> None:
        self.items = list(items)
        self.options = options
        self.folder = Path(options.out)
        self.collection = collection
        self.slots = [_Slot(s) for s in slots]
        self.on_event = on_event or (lambda kind, data: None)
        self.manifest = Manifest(self.folder)
        self.queue: deque[_Pending] = deque()
        self.cluster: ClusterInfo | None = None
        self.services: list[Any] = []
        self.started = time.monotonic()
        self.started_at = time.time()
        self.session_finals = 0
        self._last_summary = 0.0
        self._last_progress = 0.0
        self.model_stats: dict[str, int] | None = None

    # -- setting up -------------------------------------------------------------------------------
    def _recover(self) -> None:
        """Finish what a killed driver left half-done, and queue what is not settled yet."""
        episodes = self.folder / "episodes"
        finals = self.manifest.finals()
        for record in finals.values():  # a final line written, its folder not renamed yet: finish the rename
            if record.episode:
                target = self.folder / record.episode
                partial = target.with_name(target.name + ".partial")
                if not target.exists() and partial.is_dir():
                    partial.rename(target)
        for parent in (episodes, self.folder / ".attempts"):
            for leftover in parent.glob("*.partial") if parent.is_dir() else ():
                shutil.rmtree(leftover, ignore_errors=True)  # unpacked, never recorded: the item runs again
        for item in self.items:
            if item.key not in finals:
                self.queue.append(_Pending(item, self.manifest.attempts(item.key) + 1))

    def _start(self) -> None:
        self.cluster = connect(self.options.address, [s.slot for s in self.slots], num_cpus=self.options.num_cpus,
                               dashboard=self.options.dashboard)
        self.on_event("cluster", {"address": self.cluster.address, "dashboard": self.cluster.dashboard_url,
                                  "started_here": self.cluster.started_here, "gpus": self.cluster.gpus})
        if shares_model(self.options.model):
            inflight = self.options.max_inflight or len(self.slots)
            try:
                self.services = model_service_actors(self.options.model, max_inflight=inflight, gpus=self.cluster.gpus)
            except Exception as exc:  # noqa: BLE001 - the model's own error, raised inside its actor
                cause = getattr(exc, "cause", None) or exc
                raise FleetError(f"the model did not load: {str(cause).splitlines()[0]}") from None
        unplaceable = missing_resources([s.slot for s in self.slots])
        for index, s in enumerate(self.slots):
            if s.slot.name in unplaceable:
                self._quarantine(s, unplaceable[s.slot.name])
                continue
            options = WorkerOptions(model=self.options.model, collection=self.collection, dialect=self.options.dialect,
                                    confirm=self.options.confirm, services=tuple(self.services), index=index)
            s.actor = device_actor(s.slot, options, restarts=max(1, self.options.quarantine_after))
            self._open(s)

    def _open(self, s: _Slot) -> None:
        s.state, s.call, s.ref, s.sent_at = "opening", "open", s.actor.open.remote(), time.monotonic()
        s.deadline = s.sent_at + _GRACE_S

    # -- the loop ---------------------------------------------------------------------------------
    def run(self) -> CollectResult:
        import ray

        self._recover()
        self.on_event("start", {"folder": str(self.folder), "total": len(self.items), "queued": len(self.queue),
                                "done": len(self.items) - len(self.queue), "devices": [s.slot.name for s in self.slots]})
        try:
            if self.queue:
                self._start()
            while self.queue or any(s.call == "run" for s in self.slots):
                if self._stranded():
                    break  # what is left needs devices that are gone: it stays unsettled for --resume
                now = time.monotonic()
                self._dispatch(now)
                self._check_deadlines(now)
                refs = [s.ref for s in self.slots if s.ref is not None]
                if refs:
                    ready, _ = ray.wait(refs, num_returns=1, timeout=_POLL_S)
                    for s in self.slots:
                        if s.ref is not None and s.ref in ready:
                            self._handle(s)
                else:
                    time.sleep(_POLL_S)  # only devices waiting to retry opening: nothing to wait on
                self._poll_status()
                self._write_summary(force=False)
                if time.monotonic() - self._last_progress >= 1.0:
                    self._last_progress = time.monotonic()
                    self.on_event("progress", self.snapshot())
        finally:
            self._stop()
            summary = self._write_summary(force=True)
            self.manifest.close()
        finished = len(self.manifest.finals()) >= len(self.items)
        self.on_event("progress", self.snapshot())
        self.on_event("end", {"finished": finished, "summary": summary})
        return CollectResult(self.folder, summary, finished)

    def _eligible(self, s: _Slot, job: _Pending) -> bool:
        item = job.item
        if item.device != s.slot.vocabulary or (item.requires and item.requires != s.slot.kind):
            return False
        return not (s.slot.kind == "android" and item.kind == "scenario" and not (item.scenario or {}).get("real_phone"))

    def _stranded(self) -> bool:
        """Nothing runs or opens, and no device left can take what is queued."""
        if any(s.call for s in self.slots):
            return False
        live = [s for s in self.slots if s.state != "quarantined"]
        return not any(self._eligible(s, job) for job in self.queue for s in live)

    def _dispatch(self, now: float) -> None:
        for s in self.slots:
            if s.state == "waiting" and now >= s.retry_at:
                self._open(s)
        idle = [s for s in self.slots if s.state == "idle"]
        if not idle or not self.queue:
            return
        live = [s for s in self.slots if s.state != "quarantined"]
        for s in idle:
            chosen = None
            for job in self.queue:
                if not self._eligible(s, job):
                    continue
                others = [o for o in live if o is not s and o.slot.name not in job.avoid and self._eligible(o, job)]
                if s.slot.name in job.avoid and others:
                    continue  # re-run it elsewhere while another device can take it
                chosen = job
                break
            if chosen is None:
                continue
            self.queue.remove(chosen)
            s.job, s.state, s.call, s.hung = chosen, "running", "run", False
            s.sent_at = time.monotonic()
            s.deadline = s.sent_at + (self.options.episode_timeout_s or chosen.item.max_time_s + _GRACE_S)
            s.ref = s.actor.run.remote(chosen.item, chosen.attempt)
            s.live = {"key": chosen.item.key, "step": 0, "last": ""}
            self.on_event("dispatch", {"device": s.slot.name, "key": chosen.item.key, "attempt": chosen.attempt})

    def _check_deadlines(self, now: float) -> None:
        import ray

        for s in self.slots:
            if s.ref is not None and not s.hung and now > s.deadline:
                s.hung = True
                self.on_event("hang", {"device": s.slot.name, "key": s.job.item.key if s.job else None,
                                       "after_s": round(now - s.sent_at, 1)})
                self._kill_children(s)
                ray.kill(s.actor, no_restart=False)  # Ray restarts it; the call in flight fails

    def _handle(self, s: _Slot) -> None:
        import ray

        ref, call, s.ref = s.ref, s.call, None
        try:
            value = ray.get(ref)
            error = None
        except Exception as exc:  # noqa: BLE001 - a dead actor or an exception raised in it
            value, error = None, exc
        if call == "open":
            s.call = ""
            if error is None:
                s.info, s.state = value, "idle"
                s.live = {"pid": value.get("pid"), "node": value.get("node")}
                self.on_event("device", {"device": s.slot.name, "state": "ready", **value})
            else:
                self._device_failed(s, _reason(error), "open")
            return
        job, s.job, s.call = s.job, None, ""
        assert job is not None
        s.busy_s += time.monotonic() - s.sent_at
        if error is not None:
            dead = _is_dead(error)
            fault: Literal["hang", "worker"] = "hang" if s.hung else "worker"
            reason = (f"no result within {s.deadline - s.sent_at:.0f} s (the episode's wall budget and a grace): "
                      "its worker was killed" if s.hung else f"the device's worker {'died' if dead else 'failed'}: "
                      + _reason(error))
            if dead or s.hung:
                self._kill_children(s)
            self._attempt_failed(job, s, reason, fault, None)
            self._device_failed(s, reason, fault, reopen=True)
            return
        report: AttemptReport = value
        result = report.result
        if result.status in ("passed", "failed"):
            self._settle(job, s, report)
            s.failures, s.state = 0, "idle"
            s.episodes += 1
            return
        reason = result.error or f"status {result.status}"
        self._attempt_failed(job, s, reason, "device" if report.device_fault else "episode", report)
        if report.device_fault:
            self._device_failed(s, reason, "device", reopen=True)
        else:
            s.state = "idle"

    def _device_failed(self, s: _Slot, reason: str, fault: str, *, reopen: bool = False) -> None:
        s.failures += 1
        s.failed += 1
        self.on_event("device", {"device": s.slot.name, "state": "failed", "fault": fault, "reason": reason,
                                 "failures": s.failures})
        if s.failures >= self.options.quarantine_after:
            self._quarantine(s, f"{s.failures} failures in a row; the last: {reason}")
        elif fault == "open":
            s.state, s.retry_at = "waiting", time.monotonic() + min(30.0, 2.0 ** s.failures)
        elif reopen:
            self._open(s)

    def _quarantine(self, s: _Slot, reason: str) -> None:
        import ray

        s.state, s.reason = "quarantined", reason
        if s.actor is not None:
            with contextlib.suppress(Exception):
                ray.get(s.actor.close.remote(), timeout=10)
            self._kill_children(s)
            with contextlib.suppress(Exception):
                ray.kill(s.actor, no_restart=True)
        self.on_event("quarantine", {"device": s.slot.name, "reason": reason})

    def _kill_children(self, s: _Slot) -> None:
        """A killed worker cannot stop what it started: stop it by PID when it ran on this host."""
        if self.cluster is None or (s.live.get("node") or s.info.get("node")) != self.cluster.node:
            return
        for pid in s.live.get("children") or s.info.get("children") or []:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(int(pid), signal.SIGKILL)

    # -- records ----------------------------------------------------------------------------------
    def _record(self, job: _Pending, s: _Slot | None, *, final: bool, report: AttemptReport | None, reason: str | None,
                fault: Any, episode: str | None, outcome: Any, total_s: float) -> ManifestRecord:
        item = job.item
        result = report.result if report else None
        durations = Durations(total_s=round(total_s, 3))
        if report is not None:
            durations = Durations(total_s=round(total_s, 3), reset_s=result.reset_s, setup_s=result.setup_s,  # type: ignore[union-attr]
                                  episode_s=result.episode_s, worker_s=round(report.worker_s, 3),  # type: ignore[union-attr]
                                  transfer_s=round(report.pack_s, 3),
                                  overhead_s=round(max(0.0, total_s - report.worker_s), 3))
        return ManifestRecord(
            key=item.key, task=item.task, kind=item.kind, seed=item.seed, repeat=item.repeat, attempt=job.attempt,
            final=final, device=s.slot.name if s else "", node=(report.node if report else s.live.get("node") if s else None),
            outcome=outcome, check=(result.status == "passed") if result and item.kind == "scenario" and final else None,
            checks=[c.model_dump() for c in result.checks] if result else [],
            model_outcome=result.model_outcome if result else None, decided_by=result.decided_by if result else None,
            answer=result.answer if result else None, reason=reason, fault=fault, steps=result.steps if result else 0,
            episode=episode, durations=durations, tokens=report.tokens if report else {},
            started_at=report.started_at if report else time.time() - total_s, ended_at=time.time())

    def _place(self, report: AttemptReport | None, where: str) -> tuple[Path | None, str | None]:
        """Unpack the episode beside its final place (``NAME.partial``); the rename follows the manifest line."""
        if report is None or not report.episode_zip or not report.episode_name:
            return None, None
        partial = self.folder / where / (report.episode_name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        unpack_folder(report.episode_zip, partial)
        return partial, f"{where}/{report.episode_name}"

    def _settle(self, job: _Pending, s: _Slot, report: AttemptReport) -> None:
        partial, episode = self._place(report, "episodes")
        outcome = None
        if partial is not None:
            with contextlib.suppress(Exception):
                outcome = load_meta(partial).outcome
        record = self._record(job, s, final=True, report=report, reason=None, fault=None, episode=episode,
                              outcome=outcome or ("success" if report.result.status == "passed" else "failure"),
                              total_s=time.monotonic() - s.sent_at)
        self._commit(record, partial)
        self.session_finals += 1
        self.on_event("final", record.model_dump(mode="json"))

    def _attempt_failed(self, job: _Pending, s: _Slot, reason: str, fault: Any, report: AttemptReport | None) -> None:
        last = job.attempt >= self.options.max_attempts
        partial, episode = self._place(report, ".attempts" if not last else "episodes")
        record = self._record(job, s, final=last, report=report, reason=reason if not last else
                              f"{job.attempt} attempts failed; the last: {reason}", fault=fault, episode=episode,
                              outcome="error" if last else "aborted", total_s=time.monotonic() - s.sent_at)
        self._commit(record, partial)
        self.on_event("final" if last else "attempt", record.model_dump(mode="json"))
        if last:
            self.session_finals += 1
        else:
            self.queue.appendleft(_Pending(job.item, job.attempt + 1, job.avoid | {s.slot.name}))

    def _commit(self, record: ManifestRecord, partial: Path | None) -> None:
        self.manifest.append(record)  # the line first: a kill between the two is finished by _recover
        if partial is not None and record.episode:
            target = self.folder / record.episode
            shutil.rmtree(target, ignore_errors=True)
            partial.rename(target)

    # -- watching ---------------------------------------------------------------------------------
    def _poll_status(self) -> None:
        import ray

        pending = [s.status_ref for s in self.slots if s.status_ref is not None]
        ready = set(ray.wait(pending, num_returns=len(pending), timeout=0)[0]) if pending else set()
        for s in self.slots:
            if s.status_ref is not None and s.status_ref in ready:
                with contextlib.suppress(Exception):
                    s.live.update(ray.get(s.status_ref))
                s.status_ref = None
            if s.status_ref is None and s.state == "running" and s.actor is not None:
                s.status_ref = s.actor.status.remote()

    def snapshot(self) -> dict[str, Any]:
        """What the live view shows: every device and the totals."""
        finals = self.manifest.finals()
        elapsed = time.monotonic() - self.started
        rate = self.session_finals / elapsed * 3600 if elapsed > 0 else 0.0
        remaining = len(self.items) - len(finals)
        return {
            "devices": [{"device": s.slot.name, "state": s.state, "key": s.job.item.key if s.job else None,
                         "step": s.live.get("step", 0) if s.state == "running" else None,
                         "last": s.live.get("last", "") if s.state == "running" else "",
                         "pid": s.live.get("pid") or s.info.get("pid"), "node": s.live.get("node") or s.info.get("node"),
                         "episodes": s.episodes, "failures": s.failed, "reason": s.reason} for s in self.slots],
            "total": len(self.items), "done": len(finals), "running": sum(s.state == "running" for s in self.slots),
            "queued": len(self.queue), "failed_attempts": sum(not r.final for r in self.manifest.records),
            "errors": sum(r.outcome == "error" for r in finals.values()),
            "episodes_per_hour": round(rate, 1), "eta_s": round(remaining / rate * 3600, 1) if rate > 0 else None,
            "elapsed_s": round(elapsed, 1),
            "dashboard": self.cluster.dashboard_url if self.cluster else None,
        }

    def _write_summary(self, *, force: bool) -> dict[str, Any]:
        now = time.monotonic()
        if not force and now - self._last_summary < 5.0:
            return {}
        self._last_summary = now
        summary = summarize(self.manifest.records, len(self.items), self.snapshot(), now - self.started)
        summary.update(collection=self.collection, model=self.options.model, model_service=self.model_stats,
                       started_at=self.started_at, updated_at=time.time())
        atomic_write(self.folder / SUMMARY_FILE, json.dumps(summary, indent=2, ensure_ascii=False).encode() + b"\n")
        return summary

    def _stop(self) -> None:
        import ray

        live = [s for s in self.slots if s.actor is not None and s.state != "quarantined"]
        closing = [s.actor.close.remote() for s in live]
        with contextlib.suppress(Exception):
            ray.wait(closing, num_returns=len(closing), timeout=15)
        for s in live:
            with contextlib.suppress(Exception):
                ray.kill(s.actor, no_restart=True)
        if self.services:
            with contextlib.suppress(Exception):
                stats = ray.get([service.stats.remote() for service in self.services], timeout=10)
                self.model_stats = {"actors": len(stats), "calls": sum(x["calls"] for x in stats),
                                    "peak_inflight": max(x["peak"] for x in stats)}
        for service in self.services:
            with contextlib.suppress(Exception):
                ray.kill(service, no_restart=True)
        if self.cluster is not None and self.cluster.connected_here:
            ray.shutdown()


def _is_dead(error: BaseException) -> bool:
    from ray.exceptions import ActorDiedError, ActorUnavailableError, RayActorError

    return isinstance(error, (RayActorError, ActorDiedError, ActorUnavailableError))


def _reason(error: BaseException) -> str:
    cause = getattr(error, "cause", None)
    text = str(cause if isinstance(cause, BaseException) else error).strip().splitlines()
    return (text[-1] if text else type(error).__name__)[:300]


def summarize(records: Sequence[ManifestRecord], total: int, live: dict[str, Any], elapsed_s: float) -> dict[str, Any]:
    """``summary.json``: success per task, episodes per hour, device utilisation, failures by cause."""
    finals = {r.key: r for r in records if r.final}
    per_task: dict[str, dict[str, Any]] = {}
    for r in finals.values():
        t = per_task.setdefault(r.task, {"episodes": 0, "success": 0, "errors": 0})
        t["episodes"] += 1
        t["success"] += r.outcome in ("success", "infeasible") if r.kind == "scenario" else r.outcome == "success"
        t["errors"] += r.outcome == "error"
    for t in per_task.values():
        counted = t["episodes"] - t["errors"]
        t["success_rate"] = round(t["success"] / counted, 4) if counted else None
    causes = Counter(r.fault or "episode" for r in records if not r.final or r.outcome == "error")
    counted = [r for r in finals.values() if r.outcome != "error"]
    overhead = sorted(r.durations.overhead_s / r.durations.total_s for r in counted if r.durations.total_s > 0
                      and r.durations.worker_s > 0)
    hours = elapsed_s / 3600
    devices = []
    for d in live.get("devices", []):
        busy = sum(r.durations.total_s for r in records if r.device == d["device"] and r.ended_at and r.started_at)
        devices.append({**{k: d[k] for k in ("device", "state", "node", "episodes", "failures", "reason")},
                        "busy_s": round(busy, 1)})
    return {
        "total": total, "done": len(finals), "remaining": total - len(finals),
        "success_rate": round(sum(per_task[t]["success"] for t in per_task) / len(counted), 4) if counted else None,
        "per_task": dict(sorted(per_task.items())),
        "episodes_per_hour": round(live.get("episodes_per_hour", 0.0), 1),
        "session_s": round(elapsed_s, 1),
        "devices": devices,
        "utilisation": {d["device"]: round(min(1.0, d["busy_s"] / elapsed_s), 3) if elapsed_s > 0 else 0.0
                        for d in devices},
        "attempts": len(records), "failed_attempts": sum(not r.final for r in records),
        "failures_by_cause": dict(sorted(causes.items())),
        "driver_overhead": {"median_fraction": round(overhead[len(overhead) // 2], 5) if overhead else None,
                            "episodes": len(overhead)},
        "hours": round(hours, 4),
    }


def _collection_id(folder: Path) -> str:
    return f"{folder.name}-{uuid.uuid4().hex[:6]}"


def collect(tasks: Sequence[str], devices: Sequence[str], options: CollectOptions, *,
            on_event: Listener | None = None, on_collector: Callable[[Collector], None] | None = None) -> CollectResult:
    """Run (or resume) a collection into ``options.out``: every task x repeat on the pool, one manifest."""
    folder = Path(options.out)
    config_path = folder / COLLECTION_FILE
    stored: dict[str, Any] | None = None
    if config_path.is_file():
        stored = json.loads(config_path.read_text(encoding="utf-8"))
        if not options.resume:
            raise FleetError(f"{folder} already holds a collection", hint="continue it with --resume, or choose another --out")
    elif options.resume:
        raise FleetError(f"{folder} holds no collection to resume (no {COLLECTION_FILE})",
                         hint="start one without --resume")
    if stored is not None:
        tasks = list(tasks) or stored["tasks"]
        devices = list(devices) or stored["devices"]
        if options.model == "reference" and stored.get("model") != "reference":
            options.model = stored["model"]
        for name in ("repeat", "seed", "max_steps", "dialect", "sim_profile"):
            if getattr(options, name) == getattr(CollectOptions(out=folder), name) and name in stored:
                setattr(options, name, stored[name])
    if not tasks:
        raise FleetError("no tasks given", hint="name scenario suites or ids, or a JSONL/YAML file of tasks")
    slots = parse_pool(devices, sim_profile=options.sim_profile)
    items, notes = build_work(tasks, repeat=options.repeat, seed=options.seed, max_steps=options.max_steps,
                              model=options.model, kinds={s.vocabulary for s in slots})
    keys = [i.key for i in items]
    if stored is not None and stored.get("keys") != keys:
        raise FleetError(f"{folder} holds another collection (its tasks, repeats or seed differ)",
                         hint="resume it with the same TASKS, --repeat and --seed, or give no TASKS")
    folder.mkdir(parents=True, exist_ok=True)
    collection = stored["id"] if stored else _collection_id(folder)
    if stored is None:
        atomic_write(config_path, json.dumps({
            "id": collection, "tasks": list(tasks), "devices": list(devices), "model": options.model,
            "dialect": options.dialect, "repeat": options.repeat, "seed": options.seed, "max_steps": options.max_steps,
            "sim_profile": options.sim_profile, "created_at": time.time(), "keys": keys}, indent=2).encode() + b"\n")
    for note in notes:
        (on_event or (lambda k, d: None))("note", {"text": note})
    collector = Collector(items, slots, options, collection=collection, on_event=on_event)
    if on_collector is not None:
        on_collector(collector)
    return collector.run()
