"""Local-backend cost on the tiny random Qwen2.5-VL (built offline, as the tests do), and request costs.

    python benchmarks/planner_generate.py [--runs 5]

Prints: checkpoint build and load time; generate latency (median of --runs) for a 1080x2400 screen at
the model's default pixel limit and at max_pixels=1280*28*28; building a request; encoding its image
as the data URL the OpenAI backend sends. The tiny model measures ScreenPilot's and the processor's
overhead around generation, not a real model's speed. Asserts nothing; figures go to docs/planner.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from screenpilot.perception import Frame  # noqa: E402
from screenpilot.planner import HistoryStep, backend_from_spec, dialect_for  # noqa: E402
from tests.fixtures.models import build_tiny_qwen25vl  # noqa: E402


def screen() -> Frame:
    image = Image.new("RGB", (1080, 2400), (245, 245, 245))
    draw = ImageDraw.Draw(image)
    for y in range(0, 2400, 160):
        draw.rectangle((60, y + 20, 1020, y + 120), fill=(40, 110, 200))
        draw.text((90, y + 50), f"Settings item {y // 160}", fill=(255, 255, 255))
    return Frame.from_image(image)


def median_s(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    runs = ap.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        build_tiny_qwen25vl(Path(tmp))
        print(f"build tiny checkpoint:      {time.perf_counter() - start:.2f} s (includes importing torch/transformers)")
        start = time.perf_counter()
        backend = backend_from_spec(f"local:{tmp}", min_new_tokens=32)
        print(f"load through local: spec:   {time.perf_counter() - start:.3f} s")
        frame = screen()
        history = [HistoryStep(f"Tapped item {i}") for i in range(1, 6)]
        for label, options in (("default pixels", {}), ("max_pixels=1280*28*28", {"max_pixels": 1280 * 28 * 28})):
            dialect = dialect_for("qwen2.5-vl", "phone", **options)
            request = replace(dialect.messages("Turn on Wi-Fi", history, frame, count=backend.count_tokens),
                              max_new_tokens=32)
            backend.generate(request)  # warm-up
            reply = backend.generate(request)
            latency = median_s(lambda: backend.generate(request), runs)
            print(f"generate 32 tokens, {label:<22} image {request.images[0].size}, "
                  f"{reply.image_tokens} image + {request.text_tokens} text tokens "
                  f"(prompt {reply.prompt_tokens}): median {latency:.3f} s over {runs}")
        dialect = dialect_for("qwen2.5-vl", "phone")
        build = median_s(lambda: dialect.messages("Turn on Wi-Fi", history, frame), max(runs, 20))
        print(f"dialect.messages (5 steps): {build * 1000:.2f} ms median")
        request = dialect.messages("Turn on Wi-Fi", history, frame)
        encode = median_s(lambda: request.images[0].data_url(), runs)
        print(f"PNG data URL of 1092x2408:  {encode * 1000:.1f} ms median, {len(request.images[0].data_url()) / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
