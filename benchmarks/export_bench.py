"""What the HTML report, the exports and replay's screen check cost on realistic phone episodes.

Records an episode of N steps through the real Recorder and dialect, with screenshots and UI trees from
the virtual phone (home screen and Settings pages alternate, 1080x2400 PNG as screencap sends them; the
tree from its uiautomator dump), then:

    report          screenpilot view: seconds and MB of HTML for the episode
    llamafactory    re-rendered for 768*768 (images resized), samples/s and MB written
    swift exact     the recorded prompt, images at the size sent (1092x2408)
    swift k=3       re-rendered with a 3-screenshot window
    hf              parquet with every frame embedded, rows/s and MB
    aitw            JSONL rows/s; aitw --tfrecord adds the GZIP TFRecord with raw RGB screenshots
    odyssey         GUI-Odyssey annotations, screenshots copied
    androidcontrol  one GZIP TFRecord Example per episode, PNG screenshots and accessibility forests
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
from screenpilot.perception import Frame, parse_uiautomator
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


def screens(n: int) -> list[tuple[bytes, str]]:
    """(PNG, uiautomator XML) of ``n`` screens."""
    from screenpilot_sim import PhoneConfig, VirtualPhone

    phone = VirtualPhone(PhoneConfig(clock="10:30", animation_ms=0))
    out = []
    for i in range(n):
        if i % 3 == 0:
            phone.go_home()
        else:
            phone.launch("com.android.settings")
        out.append((phone.png(), phone.ui_xml()))
    return out


def record(folder: Path, steps: int) -> Path:
    d = dialect_for("qwen2.5-vl", "phone")
    space = d.space(SIZE)
    shots = screens(steps + 1)
    pngs = [png for png, _ in shots]
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
            ui = rec.save_ui_tree(parse_uiautomator(shots[i][1]), f"{i:06d}")
            rec.append_step(StepRecord(index=i, started_at=time.time(), ended_at=time.time(), frame=pre, frame_after=post,
                                       ui_tree=ui,
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


def timed(label: str, steps: int, fn) -> None:
    start = time.perf_counter()
    out = fn()
    took = time.perf_counter() - start
    report = out if not isinstance(out, Path) else None
    folder = out if isinstance(out, Path) else report.out  # type: ignore[union-attr]
    longest = f"  longest sample {report.tokens['longest']} tokens" if report is not None and report.tokens else ""
    print(f"{label:<16} {took:7.2f} s  {steps / took:8.1f} steps/s  {size_mb(folder):8.2f} MB{longest}")


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
        def run(name: str, fmt: str, **options: object) -> None:
            timed(name, n, lambda: export(folder, ExportOptions(format=fmt, out=root / name.replace(" ", "-"), **options)))

        run("llamafactory", "llamafactory")
        run("swift exact", "swift")
        run("swift k=3", "swift", history_images=3, max_pixels=768 * 768)
        run("swift k=3 T=2048", "swift", history_images=3, max_pixels=768 * 768, max_tokens=2048)
        run("hf", "hf")
        run("aitw", "aitw")
        run("aitw tfrecord", "aitw", tfrecord=True)
        run("odyssey", "odyssey")
        run("androidcontrol", "androidcontrol")
        pngs = [png for png, _ in screens(2)]
        a, b = (Image.open(io.BytesIO(p)).convert("RGB") for p in pngs)
        runs = []
        for _ in range(20):
            start = time.perf_counter()
            screen_divergence(a, b, ignore_top=74)
            runs.append(time.perf_counter() - start)
        print(f"divergence       {statistics.median(runs) * 1000:7.1f} ms median of 20 (1080x2400 decoded screens)")


if __name__ == "__main__":
    main()
