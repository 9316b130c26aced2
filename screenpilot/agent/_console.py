"""What a person sees of a run in the terminal: a live view of the steps, the confirmation prompt, the summary.

On a terminal the view is a rich Live table (the current phase, the last steps with their action,
thought and timings); piped to a file it becomes one line per step, so logs stay readable.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console, Group
from rich.live import Live
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..trajectories import StepRecord
from ._context import Event
from ._run import ConfirmRequest, RunResult

__all__ = ["LiveView", "PromptConfirmer", "summary", "takeover_line"]

_ROWS = 8


def _short(text: str | None, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _action(record: StepRecord) -> str:
    if record.device_action is not None:
        action = record.device_action.action
        fields = {k: v for k, v in action.model_dump().items() if k != "action"}
        args = ", ".join(f"{k}={list(v) if isinstance(v, tuple) else v!r}" for k, v in fields.items())
        return f"{action.action}({args})"
    return record.call or "-"


def _status(record: StepRecord) -> Text:
    if record.error_kind:
        return Text(f"{record.error_kind}: {_short(record.error, 60)}", style="yellow")
    if record.result is not None and not record.result.ok:
        return Text(_short(record.result.detail, 60), style="red")
    return Text("ok", style="green")


def _timings(record: StepRecord) -> str:
    t = record.timings
    return f"model {t.model_s:.2f}s  act {t.act_s:.2f}s  settle {t.settle_s:.2f}s"


class LiveView:
    """An ``on_event`` handler that draws the run; use it as a context manager around ``run()``."""

    def __init__(self, console: Console, *, task: str, device: str, model: str, keys: str = "") -> None:
        self.console = console
        self.header = Text.assemble((task, "bold"), "\n", ("device", "dim"), f" {device}   ", ("model", "dim"), f" {model}")
        if keys:  # e.g. the takeover key
            self.header.append_text(Text.assemble("   ", ("keys", "dim"), f" {keys}"))
        self.rows: list[StepRecord] = []
        self.phase = "starting"
        self.step = 0
        self.live: Live | None = None

    def __enter__(self) -> LiveView:
        if self.console.is_terminal:
            self._start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.live is not None:
            self.live.stop()

    def _start(self) -> None:
        self.live = Live(self._render(), console=self.console, refresh_per_second=8, transient=False)
        self.live.start()

    def pause(self) -> bool:
        """Take the panel off the screen so a question can be asked where it was; ``resume()`` draws it again
        below the answer. (A stopped Live started again would first move up by its old height and draw over
        the question: the doubled top border.)"""
        if self.live is None:
            return False
        self.live.update(Text(""), refresh=True)  # shrink the panel to one empty line, then let it go
        self.live.transient = True
        self.live.stop()
        self.live = None
        return True

    def resume(self) -> None:
        """A fresh panel under what was printed while paused."""
        self._start()

    def _render(self) -> Any:
        table = Table(expand=True, show_edge=False, pad_edge=False)
        table.add_column("step", justify="right", width=4)
        table.add_column("action", ratio=3, overflow="fold")
        table.add_column("thought", ratio=3, overflow="fold")
        table.add_column("timings", ratio=2)
        table.add_column("result", ratio=2, overflow="fold")
        for r in self.rows[-_ROWS:]:
            table.add_row(str(r.index + 1), _action(r), _short(r.thought or r.summary, 120), _timings(r), _status(r))
        status = (Text(f"finished after {len(self.rows) and self.rows[-1].index + 1} steps", style="cyan")
                  if self.phase == "done" else Text(f"step {self.step + 1}: {_PHASE.get(self.phase, self.phase)}…",
                                                    style="cyan"))
        return Panel(Group(self.header, table, status), title="screenpilot run", border_style="blue")

    def __call__(self, event: Event) -> None:
        self.step = event.step
        if event.kind == "phase":
            self.phase = event.phase
        elif event.kind == "step" and event.record is not None:
            self.rows = [*self.rows[-_ROWS:], event.record]
            self.phase = "next"
            if self.live is None:
                r = event.record
                line = Text(f"step {r.index + 1}: {_action(r)}  ")
                line.append_text(_status(r))
                line.append(f"  ({_timings(r)})")
                self.console.print(line, soft_wrap=True)
        elif event.kind == "note":  # a person must read it before the run acts (e.g. a resume's device state)
            self.console.print(Text(f"note: {event.phase}", style="yellow"), soft_wrap=True)
        elif event.kind == "end":
            self.phase = "done"
        if self.live is not None:
            self.live.update(self._render())


_PHASE = {"person": "a person is acting on the device (h hands back, d says the task is done)"}


def takeover_line(active: bool, reason: str) -> Text:
    """What the terminal says when a person takes the device, and when the model has it again."""
    if active:
        return Text(f"takeover: {reason}. Act on the device; press h to hand back, d when the task is done.",
                    style="bold yellow")
    return Text("the model has the device again", style="yellow")


class PromptConfirmer:
    """Asks the person at the terminal about a sensitive action; end of input means no."""

    by = "person"

    def __init__(self, console: Console, view: LiveView | None = None, *, takeover: bool = False,
                 ask: Any = None) -> None:
        self.console = console
        self.view = view
        self.takeover = takeover  # "t" refuses and hands the device to the person
        self.ask = ask or _ask_after  # ask(show): print the question with show(), then read the answer

    def __call__(self, request: ConfirmRequest) -> bool | str:
        paused = self.view.pause() if self.view is not None else False
        try:
            target = (request.element or {}).get("text") or (request.element or {}).get("description") or ""
            where = f" on {target!r}" if target else ""
            what = request.action.get("action") if request.action else "act"
            self.console.print(Text.assemble((f"Step {request.step + 1} needs your approval:", "bold yellow"),
                                             f" {what}{where}"), highlight=False)
            self.console.print(Text(f"  {request.call}", style="dim"), highlight=False)
            for reason in request.reasons:
                self.console.print(Text(f"  • {reason}"), highlight=False)
            question = "Allow it? [y/N, t: no, I'll do it myself] " if self.takeover else "Allow it? [y/N] "
            try:
                answer = self.ask(lambda: self.console.print(question, end="", markup=False, highlight=False))
            except EOFError:
                self.console.print("[dim](no input: refused)[/dim]")
                return False
            if self.takeover and answer.strip().lower() in ("t", "takeover"):
                return "takeover"
            return answer.strip().lower() in ("y", "yes")
        finally:
            if paused and self.view is not None:
                self.view.resume()


def _ask_after(show: Any) -> str:
    show()
    return input()


def summary(console: Console, result: RunResult) -> None:
    style = {"success": "green", "failure": "red", "infeasible": "yellow"}.get(result.outcome, "magenta")
    tokens = result.tokens
    used = "n/a" if tokens.prompt is None and tokens.completion is None else f"{tokens.prompt or 0} in, {tokens.completion or 0} out"
    table = Table.grid(padding=(0, 2))
    table.add_row("outcome", Text(f"{result.outcome} (decided by {result.decided_by})", style=f"bold {style}"))
    if result.detail:
        table.add_row("why", result.detail)
    if result.answer:
        table.add_row("answer", result.answer)
    table.add_row("steps", str(result.steps))
    table.add_row("time", f"{result.elapsed_s:.1f} s")
    table.add_row("tokens", used)
    console.print(Panel(table, title="summary", border_style=style, expand=console.is_terminal))
    # the path on a line of its own, never cut or wrapped: it is what a person copies next
    console.print(f"trajectory: {result.folder}", soft_wrap=True, highlight=False, markup=False)
