"""The agent loop's own cost: everything a step spends outside the device and the model.

Runs whole episodes through the real graph, checkpointer and recorder with the scripted backend and
an in-process screen that answers at once (a captured 1080x2400 PNG, re-used), so what is measured is
ScreenPilot's overhead: prompt building, parsing, mapping, validation, recording (frames through the
background writer, fsync'd step lines), checkpoints and graph dispatch.

    python benchmarks/agent_bench.py                 # 3 x 200-step episodes: per-step overhead, median/p90
    python benchmarks/agent_bench.py --long 1000     # plus a 1,000-step episode: RSS and overhead at
                                                     # steps 10/100/1000, checkpoint file size

Prints figures; asserts nothing. Numbers go to docs/agent.md.
"""

from __future__ import annotations

import argparse
import gc
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from screenpilot.actions import Bounds, Element, Size, Tap, Terminate
from screenpilot.agent import CHECKPOINT_FILE, Budgets, Event, run
from screenpilot.devices import ActionResult, DeviceInfo
from screenpilot.perception import DeviceAction, Frame, SettleOptions, SettleResult, settle_screen
from screenpilot.planner import ScriptedBackend, dialect_for

SIZE = Size(1080, 2400)


def _screen_png(shade: int) -> bytes:
    """A phone-like screen: a status bar, a list of rows, some text (compresses like a real UI)."""
    img = Image.new("RGB", SIZE, (250, 250, 250))
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, SIZE.width, 90), fill=(30, 30, 30))
    for row in range(14):
        y = 200 + row * 150
        draw.rectangle((40, y, SIZE.width - 40, y + 120), outline=(200, 200, 200), fill=(255, 255, shade))
        draw.text((80, y + 40), f"Setting number {row} - tap to change", fill=(20, 20, 20))
    buf = io.BytesIO()
    img.save(buf, format="PNG")  # default compression, as screencap -p would send
    return buf.getvalue()


class InstantPhone:
    """A Device that answers at once: the benchmark measures the loop, not a phone."""

    kind = "phone"
    default_settle = SettleOptions(enabled=False)

    def __init__(self) -> None:
        self.screens = [_screen_png(255), _screen_png(235)]
        self.turn = 0
        self.device_s = 0.0
        self.elements = [Element(bounds=Bounds(40, 200 + r * 150, 1040, 320 + r * 150), text=f"Setting number {r}",
                                 clickable=True) for r in range(14)]

    def info(self) -> DeviceInfo:
        return DeviceInfo(kind="phone", serial="bench", physical_size=SIZE, logical_size=SIZE, os="bench")

    def screenshot(self) -> Frame:
        t0 = time.perf_counter()
        frame = Frame.from_bytes(self.screens[self.turn % 2], source="bench")
        self.device_s += time.perf_counter() - t0
        return frame

    def ui_tree(self) -> list[Element]:
        return list(self.elements)

    def execute(self, action: DeviceAction) -> ActionResult:
        self.turn += 1
        return ActionResult(ok=True, detail="bench", commands=["input tap"])

    def settle(self, options: SettleOptions | None = None) -> SettleResult:
        return settle_screen(self.screenshot, options, source="bench")

    def close(self) -> None:
        pass


def scripted(steps: int) -> ScriptedBackend:
    """Taps that alternate between two rows (no loop), then terminate; coordinates in RESIZED space."""
    dialect = dialect_for("qwen2.5-vl", "phone")
    space = dialect.space(SIZE)
    taps = [space.to_model(Tap(point=(540, 260 + 150 * (i % 2))), integral=True).action for i in range(2)]
    replies = [dialect.format(taps[i % 2], thought=f"step {i}: open the next setting") for i in range(steps - 1)]
    replies.append(dialect.format(Terminate(status="success"), thought="done"))
    return ScriptedBackend(replies, name="scripted:bench")


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def episode(steps: int, folder: Path, marks: tuple[int, ...] = ()) -> dict[str, Any]:
    phone = InstantPhone()
    backend = scripted(steps)
    overhead: list[float] = []
    cpu: list[float] = []
    prompt: list[float] = []
    at_marks: dict[int, tuple[float, float, float]] = {}
    last = [time.perf_counter(), 0.0, time.process_time()]

    def on_event(event: Event) -> None:
        if event.kind != "step" or event.record is None:
            return
        now = time.perf_counter()
        wall = now - last[0]
        device = phone.device_s - last[1]
        model = event.record.timings.model_s
        overhead.append(wall - device - model)
        spent = time.process_time()
        cpu.append(spent - last[2])  # CPU of every thread of this process: robust when other work shares the CPUs
        prompt.append(event.record.timings.prompt_s)
        last[0], last[1], last[2] = now, phone.device_s, spent
        if event.step + 1 in marks:
            at_marks[event.step + 1] = (statistics.median(overhead[-10:]) * 1000, statistics.median(prompt[-10:]) * 1000,
                                        rss_mb())

    gc.collect()
    t0 = time.perf_counter()
    result = run("Open each setting in turn", device=phone, model=backend, out=folder,  # type: ignore[arg-type]
                 budgets=Budgets(max_steps=steps + 1, loop_repeats=50),
                 settle=SettleOptions(enabled=False), on_event=on_event)
    total = time.perf_counter() - t0
    db = result.folder / CHECKPOINT_FILE
    wal = db.with_name(db.name + "-wal")
    return {
        "result": result, "overhead": overhead[1:], "prompt": prompt[1:], "cpu": cpu[1:], "marks": at_marks, "total_s": total,
        "checkpoint_mb": (db.stat().st_size + (wal.stat().st_size if wal.exists() else 0)) / 1e6,
        "steps_mb": (result.folder / "steps.jsonl").stat().st_size / 1e6,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=200, help="steps of the overhead episode")
    parser.add_argument("--long", type=int, default=0, help="also run an episode this long (e.g. 1000)")
    parser.add_argument("--repeat", type=int, default=3, help="overhead episodes to run (each printed)")
    args = parser.parse_args(argv)
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="sp-bench-") as tmp:
        for r in range(args.repeat):
            e = episode(args.steps, Path(tmp) / f"short{r}")
            o = sorted(e["overhead"])
            rest = sorted(a - b for a, b in zip(e["overhead"], e["prompt"]))
            print(f"run {r + 1}: per-step overhead, {len(o)} steps at {SIZE} (scripted backend, recording on): "
                  f"median {statistics.median(o) * 1000:.2f} ms, p90 {o[int(len(o) * 0.9)] * 1000:.2f} ms, "
                  f"max {o[-1] * 1000:.2f} ms; outcome {e['result'].outcome}")
            print(f"  of which building the prompt (planner dialect): median {statistics.median(e['prompt']) * 1000:.2f}"
                  f" ms; the rest (graph, checkpoints, validation, recording): median "
                  f"{statistics.median(rest) * 1000:.2f} ms, p90 {rest[int(len(rest) * 0.9)] * 1000:.2f} ms")
            print(f"  CPU time per step (all threads, device and model included): median "
                  f"{statistics.median(e['cpu']) * 1000:.2f} ms")
        if args.long:
            marks = tuple(m for m in (10, 100, 1000, args.long) if m <= args.long)
            e = episode(args.long, Path(tmp) / "long", marks=tuple(sorted(set(marks))))
            for step, (ms, prompt_ms, rss) in sorted(e["marks"].items()):
                print(f"  step {step:>5}: overhead {ms:.2f} ms (prompt building {prompt_ms:.2f} ms; medians of the "
                      f"last 10 steps), RSS {rss:.0f} MB")
            print(f"{args.long}-step episode: {e['total_s']:.1f} s, checkpoint file {e['checkpoint_mb']:.2f} MB, "
                  f"steps.jsonl {e['steps_mb']:.1f} MB, outcome {e['result'].outcome}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    sys.exit(main())
