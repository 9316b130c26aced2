"""Replay: re-execute a recorded episode's device actions on a device, and record that as a new episode.

Per recorded action: observe the live screen (settled, or after the recorded pause divided by
``speed``), compare it with the screen the recording acted on, stop (default) or go on when they
diverge beyond ``threshold``, aim the action (by the element it hit when the live UI tree has it,
else by remapping the coordinates to the live screen's size), execute it, and record the step with
where it came from. The model is not asked anything: what runs is what the recording says ran.
(``--model replay:EPISODE`` is the other replay: the recorded model OUTPUTS through the whole loop.)
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from PIL import Image

from ..actions import Answer, Element, Point, Size, Terminate, Wait, points_of
from ..devices import Device
from ..errors import InfraFault, Interrupted, Stopped
from ..perception import DeviceAction, Frame, SettleOptions
from . import _steps as steps
from ._discover import package_version
from ._errors import TrajectoryError
from ._reader import Episode, read_episode
from ._recorder import Recorder
from ._replay_match import (
    Divergence,
    element_divergence,
    match_element,
    point_in,
    remap,
    screen_divergence,
    status_bar_height,
)
from ._schema import EpisodeMeta, FrameRef, StepRecord, StepTimings
from ._steps import Observed

__all__ = ["DEFAULT_THRESHOLD", "ReplayOptions", "ReplayReport", "ReplayStep", "replay", "replayable"]

DEFAULT_THRESHOLD = 0.10
"""Fraction of the screen (grid cells) that may differ before a step counts as diverged."""


@dataclass(frozen=True)
class ReplayOptions:
    """``threshold``: divergence above which a step diverged; ``on_divergence``: stop there, or go on
    and report it; ``speed``: None waits for the screen to settle after each action, a number waits
    the recorded pause between actions divided by it; ``retarget``: aim at the recorded element on the
    live UI tree when there is one."""

    threshold: float = DEFAULT_THRESHOLD
    on_divergence: Literal["stop", "continue"] = "stop"
    speed: float | None = None
    retarget: bool = True
    settle: SettleOptions | None = None  # None: the device's own default
    ignore_top: int | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.threshold <= 1.0:
            raise TrajectoryError(f"the divergence threshold must be between 0 and 1, got {self.threshold}")
        if self.speed is not None and self.speed <= 0:
            raise TrajectoryError(f"--speed must be positive, got {self.speed}", hint="e.g. --speed 2 replays twice as fast")
        if self.on_divergence not in ("stop", "continue"):
            raise TrajectoryError(f"on_divergence must be 'stop' or 'continue', got {self.on_divergence!r}")


@dataclass
class ReplayStep:
    """One replayed action: where it came from, how far the screen was from the recording, how it was aimed."""

    source_step: int
    step: int
    action: str
    divergence: float | None
    measure: str
    where: str
    target: Literal["recorded", "scaled", "element", "none"]
    element: str | None = None
    executed: bool = False
    diverged: bool = False
    waited_s: float = 0.0
    error: str | None = None


@dataclass
class ReplayReport:
    source: Path
    folder: Path
    outcome: str = "aborted"
    detail: str = ""
    steps: list[ReplayStep] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    stopped_at: int | None = None

    @property
    def diverged(self) -> list[ReplayStep]:
        return [s for s in self.steps if s.diverged]


def replayable(step: StepRecord) -> bool:
    """A step that acted on the device (or ended the episode) and is known to have run."""
    if step.error is not None or step.device_action is None:
        return False
    return step.executed or isinstance(step.device_action.action, (Terminate, Answer))


def _gap(prev: StepRecord | None, step: StepRecord) -> float:
    """The recorded pause between the previous action's end and this one's start (model time included)."""
    if prev is None:
        return 0.0

    def act_start(s: StepRecord) -> float:
        t = s.timings
        return s.started_at + t.observe_s + t.prompt_s + t.model_s + t.parse_s

    return max(0.0, act_start(step) - (act_start(prev) + prev.timings.act_s))


def _load_tree(episode: Episode, step: StepRecord) -> list[Element] | None:
    if not step.ui_tree:
        return None
    try:
        return [Element.model_validate(e) for e in json.loads(episode.path(step.ui_tree).read_text(encoding="utf-8"))]
    except (OSError, ValueError):
        return None


class _Replayer:
    """Replays one episode through the shared step functions (``_steps``): observe, execute, settle."""

    def __init__(self, episode: Episode, device: Device, recorder: Recorder, options: ReplayOptions,
                 on_step: Callable[[ReplayStep], None] | None, sleep: Callable[[float], object]) -> None:
        self.episode = episode
        self.device = device
        self.rec = recorder
        self.o = options
        self.on_step = on_step
        self.sleep = sleep
        self.info = recorder.meta.device
        self.kind = self.info.kind
        self.dialect = _dialect(episode.meta.dialect, self.kind)
        self.first = True
        self.after: tuple[Frame, FrameRef] | None = None  # the last settled screen: the next step's screen
        self.count = 0

    # -- observing -------------------------------------------------------------------------------

    def observe(self, wait_s: float, want_tree: Callable[[Frame], bool]) -> Observed:
        """The live screen before the next action: settled, or after the scaled recorded pause."""
        name = f"{self.count:06d}"
        reuse, self.after = self.after, None
        if self.first:  # the first look: whatever was going on when the replay began, let it finish
            self.first = False
            done = steps.settle(self.device, self.rec, self.o.settle, name)
            reuse = (done.frame, done.ref)
        elif self.o.speed is not None and wait_s:
            self.sleep(wait_s)
        return steps.observe(self.device, self.rec, name, reuse=reuse, ui_tree=want_tree)

    def divergence(self, step: StepRecord, live: Frame, live_tree: list[Element] | None) -> Divergence:
        size = live.size
        recorded_tree = _load_tree(self.episode, step)
        if size != step.frame.size and recorded_tree is not None and live_tree is not None:
            return element_divergence(recorded_tree, live_tree)
        top = self.o.ignore_top if self.o.ignore_top is not None else status_bar_height(
            size, density=self.info.density, elements=live_tree or recorded_tree, kind=self.kind)
        with Image.open(self.episode.path(step.frame)) as recorded:
            recorded.load()
            return screen_divergence(recorded, live.image, ignore_top=top)

    # -- aiming ----------------------------------------------------------------------------------

    def aim(self, step: StepRecord, size: Size, live_tree: list[Element] | None) -> tuple[Any, str, Element | None]:
        assert step.device_action is not None
        action, source = step.device_action.action, step.device_action.size
        scaled = remap(action, source, size)
        points = points_of(action)
        if self.o.retarget and step.element is not None and points and live_tree:
            first = next(iter(points))
            near = points_of(scaled)[first]
            hit = match_element(step.element, live_tree, near, size, _load_tree(self.episode, step))
            if hit is not None:
                anchor = point_in(points[first], step.element.bounds, hit.bounds)
                dx, dy = anchor.x - near.x, anchor.y - near.y
                update = {}
                for name, p in points_of(scaled).items():
                    q = anchor if name == first else Point(p.x + dx, p.y + dy)
                    update[name] = Point(float(min(max(round(q.x), 0), size.width - 1)),
                                         float(min(max(round(q.y), 0), size.height - 1)))
                return scaled.model_copy(update=update), "element", hit
        return scaled, ("recorded" if source == size or not points else "scaled"), None

    # -- one step --------------------------------------------------------------------------------

    def run_step(self, step: StepRecord, prev: StepRecord | None, report: ReplayReport) -> bool:
        """Replay one recorded step; False when the replay stops here."""
        gap = _gap(prev, step) / self.o.speed if self.o.speed else 0.0
        started, t0 = time.time(), time.monotonic()
        action = step.device_action.action  # type: ignore[union-attr]
        aims_at_element = self.o.retarget and step.element is not None and bool(points_of(action))
        seen = self.observe(gap, lambda frame: aims_at_element or frame.size != step.frame.size)
        live_tree = seen.elements
        div = self.divergence(step, seen.frame, live_tree)
        diverged = div.score > self.o.threshold
        info = ReplayStep(source_step=step.index, step=self.count, action=action.action, divergence=round(div.score, 4),
                          measure=div.measure, where=div.where(), target="none", waited_s=round(gap, 4), diverged=diverged)
        fields: dict[str, Any] = {
            "frame": seen.ref, "ui_tree": seen.tree, "notes": [f"no UI tree: {seen.tree_error}"] if seen.tree_error else [],
            "replay": {"source_step": step.index, "divergence": info.divergence, "measure": div.measure,
                       "where": info.where, "threshold": self.o.threshold, "waited_s": info.waited_s,
                       "target": "none", "element": None}}
        timings: dict[str, float] = {"observe_s": time.monotonic() - t0, "ui_tree_s": seen.tree_seconds}
        if diverged and self.o.on_divergence == "stop":
            why = (f"the screen diverged from the recording before source step {step.index + 1}: {div.score:.1%} "
                   f"of it differs ({div.measure}{' in ' + info.where if info.where else ''}), over the threshold "
                   f"{self.o.threshold:.1%}")
            info.error = report.detail = why
            report.stopped_at = step.index
            self._record(step, started, timings, fields, error=why)
            self._emit(info, report)
            return False
        aimed, target, hit = self.aim(step, seen.frame.size, live_tree)
        info.target, info.element = target, (hit.label if hit is not None else None)  # type: ignore[assignment]
        fields["replay"].update(target=target, element=info.element)
        fields.update(device_action=DeviceAction(action=aimed, size=seen.frame.size),
                      element=hit if hit is not None else step.element)
        ends = isinstance(aimed, (Terminate, Answer))
        if isinstance(aimed, Wait):  # the model waited for the screen: replay waits for it to settle (below)
            if self.o.speed is not None:
                t1 = time.monotonic()
                self.sleep(aimed.seconds / self.o.speed)
                timings["act_s"] = time.monotonic() - t1
            info.executed = True
        elif not ends:
            try:
                sent = steps.execute(self.device, fields["device_action"], step=self.count)
            except InfraFault as exc:
                info.error = exc.message
                self._record(step, started, timings, fields, error=exc.message, error_kind="device")
                self._emit(info, report)
                raise
            timings["act_s"] = sent.seconds
            info.executed = sent.executed
            fields.update(result=sent.result, error=sent.error, error_kind=sent.error_kind)
            if not sent.executed:  # this device cannot do what the recording did: nothing to replay further
                info.error = report.detail = f"source step {step.index + 1} could not run here: {sent.error}"
                report.stopped_at = step.index
                self._record(step, started, timings, fields)
                self._emit(info, report)
                return False
            if sent.error_kind == "unknown_outcome":  # never re-sent: the next screen check tells what happened
                info.error = sent.error
        if not ends and self.o.speed is None:
            done = steps.settle(self.device, self.rec, self.o.settle, f"{self.count:06d}-after")
            self.after = (done.frame, done.ref)
            timings["settle_s"] = done.seconds
            fields.update(frame_after=done.ref, settle=done.record)
        self._record(step, started, timings, {**fields, "executed": info.executed})
        self._emit(info, report)
        return not ends

    def _emit(self, info: ReplayStep, report: ReplayReport) -> None:
        report.steps.append(info)
        self.count += 1
        if self.on_step is not None:
            self.on_step(info)

    def _record(self, step: StepRecord, started: float, timings: dict[str, float], fields: dict[str, Any],
                **more: Any) -> None:
        """Append the replayed step: the action in device pixels and, where the dialect can say it, in its space."""
        device_action: DeviceAction | None = fields.get("device_action")
        model_action = call = None
        if device_action is not None and self.dialect is not None:
            try:
                model_action = self.dialect.space(device_action.size).to_model(device_action, integral=True)
                call = self.dialect.parse(self.dialect.format(model_action.action), model_action.space).call
            except Exception:  # noqa: BLE001 - a dialect that cannot say it: the record keeps device pixels
                model_action = call = None
        self.rec.append_step(StepRecord.model_validate({
            "index": self.count, "actor": "replay", "started_at": started, "ended_at": time.time(),
            "raw_output": step.raw_output, "thought": step.thought, "summary": step.summary, "call": call,
            "model_action": model_action, **fields, **more,
            "timings": StepTimings(**timings, total_s=time.time() - started),
        }))


def _dialect(name: str, kind: str) -> Any:
    from ..planner import dialect_for

    try:
        return dialect_for(name or None, kind)  # type: ignore[arg-type]
    except Exception:  # noqa: BLE001 - an unknown dialect: steps keep device pixels only
        return None


def _replay_id(source: EpisodeMeta) -> str:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return f"{stamp}-replay-{source.id[-40:]}"


def replay(
    source: Path | str | Episode,
    device: Device,
    out: Path | str = "runs",
    *,
    options: ReplayOptions | None = None,
    device_spec: str = "",
    on_step: Callable[[ReplayStep], None] | None = None,
    sleep: Callable[[float], object] = time.sleep,
) -> ReplayReport:
    """Replay ``source`` on ``device`` (opened by the caller, not closed here); the new episode goes in
    ``out/<id>``, linked to its source in ``config.replay`` and each step's ``replay`` field."""
    options = options or ReplayOptions()
    episode = source if isinstance(source, Episode) else read_episode(source)
    steps = [s for s in episode.steps if replayable(s)]
    skipped = [f"step {s.index + 1}: {s.error_kind or 'not executed'}" for s in episode.steps if not replayable(s)]
    if not steps:
        raise TrajectoryError(f"{episode.folder} has no executed action to replay",
                              hint="replay takes an episode whose steps acted on the device")
    if episode.meta.device.kind != device.kind:
        raise TrajectoryError(f"the episode was recorded on a {episode.meta.device.kind}, this device is a {device.kind}",
                              hint="replay a phone episode on a phone (sim, android) and a desktop one on a desktop")
    info = device.info()
    meta = EpisodeMeta(
        id=_replay_id(episode.meta), instruction=episode.meta.instruction, source="scripted",
        model=f"replay:{episode.folder}", dialect=episode.meta.dialect, device=info,
        software={"screenpilot": package_version()}, started_at=time.time(),
        config={"device": device_spec or f"<{type(device).__name__}>", "model": f"replay:{episode.folder}",
                "replay": {"source_id": episode.meta.id, "source_folder": str(episode.folder.resolve()),
                           "source_outcome": episode.meta.outcome, "threshold": options.threshold,
                           "on_divergence": options.on_divergence, "speed": options.speed,
                           "retarget": options.retarget, "skipped": skipped}},
    )
    folder = Path(out) / meta.id
    report = ReplayReport(source=episode.folder, folder=folder, skipped=skipped)
    with Recorder.create(folder, meta) as rec:
        runner = _Replayer(episode, device, rec, options, on_step, sleep)
        try:
            prev = None
            for step in steps:
                if not runner.run_step(step, prev, report):
                    break
                prev = step
        except KeyboardInterrupt as exc:
            rec.finish("aborted", "person", "stopped with Ctrl-C")
            raise Interrupted(folder, "replay") from exc
        except Stopped as exc:  # a person's deliberate stop (the desktop kill switch)
            rec.finish("aborted", "person", exc.message)
            raise
        except InfraFault as exc:
            rec.finish("aborted", "error", exc.message)
            raise
        if report.stopped_at is not None:
            report.outcome = "aborted"
            rec.finish("aborted", "error", report.detail)
        else:
            report.outcome = episode.meta.outcome or "aborted"
            flagged = len(report.diverged)
            report.detail = (f"replayed {len(report.steps)} actions of {episode.meta.id}; the recording ended "
                             f"{episode.meta.outcome or 'without an outcome'}"
                             + (f"; {flagged} step(s) diverged over {options.threshold:.1%}" if flagged else ""))
            last = steps[-1].device_action.action  # type: ignore[union-attr]
            answer = last.text if isinstance(last, Answer) else None
            rec.finish(report.outcome, episode.meta.decided_by or "model", report.detail, answer=answer)  # type: ignore[arg-type]
    return report

