"""What the HTML report, the exports and replay's screen check cost on realistic phone episodes.

Records an episode of N steps through the real Recorder and dialect, with screenshots rendered by the
virtual phone (home screen and Settings pages alternate, 1080x2400 PNG as screencap sends them), then:

    report          screenpilot view: seconds and MB of HTML for the episode
    llamafactory    re-rendered for 768*768 (images resized), samples/s and MB written
    swift exact     the recorded prompt, images at the size sent (1092x2408)
    swift k=3       re-rendered with a 3-screenshot window
    hf              parquet with every frame embedded, rows/s and MB
    aitw, odyssey   rows/s
    divergence      screen_divergence of two 1080x2400 screens (the per-step check of replay), ms

    python benchmarks/export_bench.py --steps 30

Prints figures; asserts nothing. Numbers go to docs/replay-view-export.md.
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
from pathlib import Path

from PIL import Image

from screenpilot.actions import Size, Tap, Terminate
from screenpilot.devices import DeviceInfo
from screenpilot.perception import Frame
from screenpilot.planner import HistoryPolicy, dialect_for
from screenpilot.trajectories import (
    EpisodeMeta,
    ExportOptions,
    Recorder,
    StepRecord,
    StepTimings,
    export,
    screen_divergence,
    write_report,
)

SIZE = Size(1080, 2400)


def screens(n: int) -> list[bytes]:
    from screenpilot_sim import PhoneConfig, VirtualPhone

    phone = VirtualPhone(PhoneConfig(clock="10:30", animation_ms=0))
    out = []
    for i in range(n):
        if i % 3 == 0:
            phone.go_home()
        else:
            phone.launch("com.android.settings")
        out.append(phone.png())
    return out


def record(folder: Path, steps: int) -> Path:
    d = dialect_for("qwen2.5-vl", "phone")
    space = d.space(SIZE)
    pngs = screens(steps + 1)
    meta = EpisodeMeta(id=folder.name, instruction="Turn on Wi-Fi", model="scripted:bench", dialect=d.name,
                       device=DeviceInfo(kind="phone", serial="bench", physical_size=SIZE, logical_size=SIZE, density=420,
                                         os="Android 14 (SDK 34)"), started_at=time.time())
    with Recorder.create(folder, meta, fsync=False) as rec:
        pre = rec.save_frame(Frame.from_bytes(pngs[0]), "000000")
        history = []
        for i in range(steps):
            rec.wait_for(pre.path)
            request = d.messages(meta.instruction, history, folder / pre.path, policy=HistoryPolicy())
            doc = request.to_record()
            for m in doc["messages"]:
                for part in m["content"]:
                    if part.get("type") == "image":
                        part["image"] = pre.path
            doc.update(images=[pre.path], image_size=list(request.images[-1].size))
            last = i == steps - 1
            action = Terminate(status="success") if last else Tap(point=(100 + 7 * i % 900, 300 + 53 * i % 2000))
            model = space.to_model(action, integral=True)
            raw = d.format(model.action, thought=f"thinking about step {i}", summary=f"Did step {i}.")
            plan = d.parse(raw, space)
            post = None if last else rec.save_frame(Frame.from_bytes(pngs[i + 1]), f"{i:06d}-after")
            rec.append_step(StepRecord(index=i, started_at=time.time(), ended_at=time.time(), frame=pre, frame_after=post,
                                       request=doc, raw_output=raw, thought=plan.thought, summary=plan.summary,
                                       call=plan.call, model_action=model, device_action=space.to_device(model),
                                       executed=not last, timings=StepTimings(model_s=0.3, total_s=0.5)))
            history.append(plan.step(folder / pre.path))
            if post is not None:
                pre = post
        rec.finish("success", "model", "bench")
    return folder


def size_mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 1e6
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def timed(label: str, steps: int, fn) -> None:  # noqa: ANN001
    start = time.perf_counter()
    out = fn()
    took = time.perf_counter() - start
    print(f"{label:<16} {took:7.2f} s  {steps / took:8.1f} steps/s  {size_mb(out):8.2f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        folder = record(root / "episode", args.steps)
        print(f"recorded {args.steps} steps in {time.perf_counter() - t0:.2f} s ({size_mb(folder):.2f} MB on disk)")
        n = args.steps
        timed("report", n, lambda: write_report([folder], root / "report.html"))
        timed("llamafactory", n, lambda: (export([folder], ExportOptions(format="llamafactory", out=root / "lf")), root / "lf")[1])
        timed("swift exact", n, lambda: (export([folder], ExportOptions(format="swift", out=root / "sw")), root / "sw")[1])
        timed("swift k=3", n, lambda: (export([folder], ExportOptions(format="swift", out=root / "sw3", history_images=3,
                                                                      max_pixels=768 * 768)), root / "sw3")[1])
        timed("hf", n, lambda: (export([folder], ExportOptions(format="hf", out=root / "hf")), root / "hf")[1])
        timed("aitw", n, lambda: (export([folder], ExportOptions(format="aitw", out=root / "aitw")), root / "aitw")[1])
        timed("odyssey", n, lambda: (export([folder], ExportOptions(format="odyssey", out=root / "ody")), root / "ody")[1])
        pngs = screens(2)
        a, b = (Image.open(io.BytesIO(p)).convert("RGB") for p in pngs)
        runs = []
        for _ in range(20):
            start = time.perf_counter()
            screen_divergence(a, b, ignore_top=74)
            runs.append(time.perf_counter() - start)
        print(f"divergence       {statistics.median(runs) * 1000:7.1f} ms median of 20 (1080x2400 decoded screens)")


if __name__ == "__main__":
    main()
