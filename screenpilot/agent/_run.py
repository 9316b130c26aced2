"""``run()``: one episode from a task to an outcome, resumable after a crash.

It opens the device, the backend and the run folder, builds the context and the graph, and drives
the graph until it ends, answering interrupts (confirmations) as it goes. The run folder is the
episode folder plus ``checkpoints.sqlite`` and ``journal.jsonl``.
"""

from __future__ import annotations

import dataclasses
import platform
import re
import time
import unicodedata
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from langgraph.types import Command

from ..actions import Policy
from ..devices import Device, OpenedDevice, open_device
from ..errors import Interrupted, ScreenPilotError, Stopped
from ..perception import SettleOptions
from ..planner import Backend, Dialect, HistoryPolicy, backend_from_spec, dialect_for, parse_backend_spec
from ..trajectories import ActionJournal, EpisodeMeta, Recorder, TokenUsage, load_meta
from ._budgets import Budgets
from ._checkpoint import open_checkpointer
from ._context import ConfirmMode, Event, RunContext
from ._demo import DEMO_SPEC, check_demo, prepare_demo_phone
from ._graph import build_graph
from ._record import DEVICE_STATE_FILE, save_device_state
from ._secrets import Secrets, secret_names
from ._takeover import Takeover

__all__ = ["ConfirmRequest", "RunResult", "run"]

@dataclass(frozen=True)
class ConfirmRequest:
    """What a person is asked about a sensitive action."""

    step: int
    reasons: list[str]
    call: str | None
    action: dict[str, Any] | None
    element: dict[str, Any] | None


Confirmer = Callable[[ConfirmRequest], "bool | str"]
"""Answers a sensitive action: True (allow), False (refuse), or "takeover" (refuse, and a person acts)."""


@dataclass(frozen=True)
class RunResult:
    """How an episode ended and where it is."""

    run_id: str
    folder: Path
    outcome: str
    decided_by: str
    detail: str
    answer: str | None
    steps: int
    elapsed_s: float
    tokens: TokenUsage

    @property
    def success(self) -> bool:
        return self.outcome == "success"


def _software() -> dict[str, str]:
    out = {"python": platform.python_version(), "platform": platform.platform(terse=True)}
    for package in ("screenpilot", "langgraph", "langgraph-checkpoint-sqlite", "pydantic", "adbutils", "mss",
                    "pyautogui", "transformers", "torch"):
        try:
            out[package] = version(package)
        except PackageNotFoundError:
            continue
    return out


def _run_id(task: str) -> str:
    # letters of any script stay (accents dropped: "Zoë" -> "zoe"); everything else becomes one dash
    plain = "".join(c for c in unicodedata.normalize("NFKD", task.lower()) if not unicodedata.combining(c))
    slug = re.sub(r"[\W_]+", "-", plain).strip("-")[:32].strip("-") or "run"
    return f"{datetime.now():%Y%m%d-%H%M%S}-{slug}-{uuid.uuid4().hex[:6]}"


def _dialect_options(dialect: Dialect) -> dict[str, Any]:
    """What ``dialect_for`` needs to rebuild this dialect's coordinate space on resume."""
    options: dict[str, Any] = {"min_pixels": dialect.min_pixels, "max_pixels": dialect.max_pixels}
    if dialect.grid != type(dialect).grid:
        options["grid"] = dialect.grid
    return options


def _fast_forward(backend: Backend, calls: int) -> None:
    """A resumed scripted/replay backend continues where the dead process stopped, not at reply 1."""
    if isinstance(getattr(backend, "calls", None), int):
        backend.calls = calls  # type: ignore[attr-defined]


def run(
    task: str | None = None,
    *,
    device: str | Device = "sim",
    model: str | Backend = DEMO_SPEC,
    dialect: str | Dialect | None = None,
    out: Path | str = "runs",
    max_steps: int = 30,
    budgets: Budgets | None = None,
    settle: SettleOptions | None = None,
    policy: Policy | None = None,
    history: HistoryPolicy | None = None,
    confirm: ConfirmMode | Confirmer = "no",
    secrets_file: Path | str | None = None,
    resume: Path | str | None = None,
    on_event: Callable[[Event], None] | None = None,
    source: str = "agent",
    record_ui_tree: bool = True,
    device_options: dict[str, Any] | None = None,
    takeover: Takeover | None = None,
) -> RunResult:
    """Run the agent until the task ends; returns the outcome and the episode folder.

    ``device``: a spec (``sim``, ``android[:SERIAL]``, ``desktop[:MONITOR]``) or an open Device (not
    closed here). ``model``: a backend spec (``local:PATH``, ``openai:URL#MODEL``, ``scripted:...``,
    ``replay:EPISODE``, or ``scripted:demo``, the built-in demo) or a Backend. ``confirm``: what to do
    with sensitive actions: ``"no"`` refuse, ``"yes"`` approve, ``"ask"`` pause for ``input()`` on
    the terminal, or a function that decides. ``resume``: a run folder to continue after a crash.
    ``takeover``: lets a person act on the device mid-run (``Takeover``; docs/agent.md): ``request()`` from
    another thread, the model's call for help, or a confirmer answering ``"takeover"`` hands the device to
    them; their steps are recorded with ``actor: person``.
    """
    with ExitStack() as stack:
        if resume is not None:
            folder = Path(resume)
            meta = load_meta(folder)
            saver = open_checkpointer(folder)  # a damaged checkpoint file stops the resume before anything is opened
            stack.callback(saver.conn.close)
            cfg = meta.config
            task = meta.instruction
            run_id = meta.id
            device_spec = cfg.get("device", "sim") if device == "sim" and cfg.get("device") else device
            model_spec = model if not isinstance(model, str) or model != DEMO_SPEC else cfg.get("model", DEMO_SPEC)
            dialect = dialect or cfg.get("dialect")
            dialect_options = cfg.get("dialect_options") or {}
            history = history or HistoryPolicy(**(cfg.get("history") or {}))
            budgets = budgets or Budgets.model_validate(cfg.get("budgets", {}))
            settle = settle or (SettleOptions.model_validate(cfg["settle"]) if cfg.get("settle") else None)
            device_options = cfg.get("device_options") or {} if device_options is None else device_options
            policy = policy or Policy.model_validate(cfg.get("policy", {}))
        else:
            if not task or not task.strip():
                raise ScreenPilotError("the task is empty", hint='say what to do, e.g. screenpilot run "Turn on Wi-Fi"')
            run_id = _run_id(task)
            folder = Path(out) / run_id
            device_spec, model_spec = device, model
            dialect_options = {}
            budgets = budgets or Budgets(max_steps=max_steps)
            # settle stays None unless given: each driver then holds to its own default (docs/design.md)
        assert task is not None
        secrets = Secrets.for_task(task, file=secrets_file)

        history = history or HistoryPolicy()
        demo = isinstance(model_spec, str) and parse_backend_spec(model_spec)[0].name == "demo"
        if demo and isinstance(device_spec, str):
            check_demo(task, device_spec)
        backend = backend_from_spec(model_spec) if isinstance(model_spec, str) else model_spec  # a bad spec fails first
        stack.callback(backend.close)
        opened: OpenedDevice | None = None
        if isinstance(device_spec, str):
            opened = open_device(device_spec, sim_setup=prepare_demo_phone if demo and resume is None else None,
                                 **(device_options or {}))
            stack.callback(opened.close)
            the_device: Device = opened.device
        else:
            the_device = device_spec
        if takeover is not None:
            takeover.attach(the_device, opened)
            stack.callback(takeover.close)
        if isinstance(dialect, str) or dialect is None:
            kind = "phone" if the_device.kind == "phone" else "desktop"
            # a resumed run must read coordinates in the very space it started with
            the_dialect = dialect_for(dialect, kind, **dialect_options)
        else:
            the_dialect = dialect

        if resume is None:
            info = the_device.info()
            meta = EpisodeMeta(
                id=run_id, instruction=task, source=source, model=backend.name if not isinstance(model_spec, str) else model_spec,  # type: ignore[arg-type]
                dialect=the_dialect.name, device=info, software=_software(), started_at=time.time(),
                config={"device": device_spec if isinstance(device_spec, str) else f"<{type(device_spec).__name__}>",
                        "model": model_spec if isinstance(model_spec, str) else backend.name,
                        "dialect": the_dialect.name, "budgets": budgets.model_dump(), "settle": settle.model_dump() if settle else None,
                        "device_options": device_options or {},
                        "policy": (policy or Policy()).model_dump(mode="json"),
                        "dialect_options": _dialect_options(the_dialect),
                        "history": dataclasses.asdict(history),
                        "secrets": secret_names(task), "backend": backend.name},
            )
            recorder = Recorder.create(folder, meta, redact=secrets.redact if secrets else None)
        else:
            recorder = Recorder.reopen(folder, redact=secrets.redact if secrets else None)
        stack.callback(recorder.close)
        journal = ActionJournal(folder)
        stack.callback(journal.close)
        if resume is None:
            saver = open_checkpointer(folder)
            stack.callback(saver.conn.close)
        graph = build_graph(saver)

        ctx = RunContext(
            device=the_device, dialect=the_dialect, backend=backend, recorder=recorder, journal=journal,
            secrets=secrets, policy=policy or Policy(), budgets=budgets, settle=settle,
            history_policy=history, confirm="ask" if callable(confirm) else confirm,
            record_ui_tree=record_ui_tree, on_event=on_event, device_state=opened.state if opened else None,
            takeover=takeover,
        )
        config = {"configurable": {"thread_id": run_id}, "recursion_limit": 10 * budgets.max_steps + 50}
        first: Any = {"run_id": run_id, "task": task, "step": 0, "invalid_streak": 0, "elapsed_s": 0.0,
                      "repeat": None, "outcome": None}
        if resume is not None:
            snapshot = graph.get_state(config)
            if not snapshot.values:  # killed before the first checkpoint: nothing ran, start at the beginning
                if recorder.step_count or journal.get(0) is not None:
                    raise ScreenPilotError(f"{folder} has recorded steps but no checkpoint to resume from",
                                           hint="the checkpoint file was removed or damaged: start a new run")
            elif not snapshot.next and not snapshot.tasks:
                # Only no TASKS means ended: a node that finished (its writes saved) just before the kill,
                # with the next checkpoint not yet written, is left out of ``next`` but still listed in
                # ``tasks``, and invoke(None) applies its writes and goes on.
                raise ScreenPilotError(f"this run already ended ({snapshot.values.get('outcome')})",
                                       hint="start a new run instead of resuming this one")
            else:
                if recorder.meta.outcome is not None:  # aborted by an error or Ctrl-C: it is running again
                    recorder.meta.outcome = recorder.meta.decided_by = recorder.meta.ended_at = None
                    recorder.meta.outcome_detail = ""
                    recorder.save_meta()
                ctx.rebuild_history()
                _restore_device(ctx, recorder, folder)
                values = snapshot.values
                _fast_forward(backend, values.get("step", 0) + (1 if values.get("raw_output") is not None else 0))
                first = None
        if first is not None:
            save_device_state(ctx)  # the state the run starts from, in case it dies before its first step
        try:
            values = _drive(graph, first, config, ctx, confirm)
        except KeyboardInterrupt as exc:
            _abort(recorder, "person", "stopped with Ctrl-C; resume with --resume " + str(folder))
            raise Interrupted(folder) from exc  # still a KeyboardInterrupt, now saying where the run is
        except Stopped as exc:  # a person's deliberate stop (the desktop kill switch)
            _abort(recorder, "person", f"{exc.message}; resume with --resume {folder}")
            raise
        except ScreenPilotError as exc:  # same type (the fault says whose it was), worded for the person
            _abort(recorder, "error", ctx.secrets.redact(str(exc)))
            exc.message = ctx.secrets.redact(exc.message)
            exc.hint = (exc.hint + "; " if exc.hint else "") + f"resume with --resume {folder}"
            exc.args = (exc.message,)
            raise exc from None
        meta = recorder.meta
        return RunResult(run_id=run_id, folder=folder, outcome=values.get("outcome") or "aborted",
                         decided_by=values.get("decided_by") or "error", detail=values.get("outcome_detail", ""),
                         answer=values.get("answer"), steps=recorder.step_count, elapsed_s=values.get("elapsed_s", 0.0),
                         tokens=meta.tokens)
    raise AssertionError("unreachable")  # pragma: no cover


def _restore_device(ctx: RunContext, recorder: Recorder, folder: Path) -> None:
    """Before a resumed run acts: put the device back as it was after the last recorded step, or say
    (before anything is sent) that it cannot be, so a person knows the run goes on from the screen as it is."""
    saved = folder / DEVICE_STATE_FILE
    if ctx.device_state is not None and saved.is_file():
        ctx.device_state.load(saved.read_bytes())
        note = "the device's state was restored as it was after the last recorded step"
    elif ctx.device_state is not None:
        note = "no device state was saved with this run: it goes on from the device as it is now"
    else:
        note = ("this device's state cannot be saved or restored: the run goes on from the screen as it is now, "
                "which may not be where it stopped")
    ctx.emit("note", recorder.step_count, note)
    recorder.meta.config.setdefault("resumes", []).append({"at": time.time(), "device_state": note})
    recorder.save_meta()


def _abort(recorder: Recorder, by: str, detail: str) -> None:
    try:
        recorder.finish("aborted", by, detail)  # type: ignore[arg-type]
    except ScreenPilotError:
        pass  # the recording itself failed; the original error is the one to report


def _drive(graph: Any, first: Any, config: dict[str, Any], ctx: RunContext, confirm: ConfirmMode | Confirmer) -> dict[str, Any]:
    """Invoke until the graph ends, answering each interrupt (a confirmation) as ``confirm`` says."""
    payload = first
    while True:
        graph.invoke(payload, config, context=ctx, durability="sync")
        snapshot = graph.get_state(config)
        pending = [i for task in snapshot.tasks for i in task.interrupts]
        if not pending:
            return dict(snapshot.values)
        value = pending[0].value
        request = ConfirmRequest(step=value.get("step", -1), reasons=list(value.get("reasons") or []),
                                 call=value.get("call"), action=value.get("action"), element=value.get("element"))
        if callable(confirm):  # a confirmer may say who answered (the CLI's prompt is a person)
            answer: Any = confirm(request)
            takeover = isinstance(answer, str) and answer == "takeover"  # no, and the person does it themselves
            payload = Command(resume={"approved": False if takeover else bool(answer), "takeover": takeover,
                                      "by": getattr(confirm, "by", "callback")})
        else:
            payload = Command(resume={"approved": _ask(request), "by": "person"})


def _ask(request: ConfirmRequest) -> bool:
    """The plain terminal question (the CLI passes its own rich prompt as a callback)."""
    print(f"Step {request.step}: the model wants to {request.call or request.action}")
    for reason in request.reasons:
        print(f"  - {reason}")
    try:
        answer = input("Allow it? [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")

