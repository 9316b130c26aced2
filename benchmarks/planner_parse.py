"""Parser throughput per dialect: clean replies, sloppy ones (lenient path), and garbage.

    python benchmarks/planner_parse.py [--n 20000]

Prints replies per second and microseconds per reply; asserts nothing. Figures go to docs/planner.md.
"""

from __future__ import annotations

import argparse
import random
import time

from screenpilot.actions import Click, Point, Swipe, Tap, Type
from screenpilot.actions import Size
from screenpilot.planner import DIALECTS, ParseError, dialect_for


def sloppy(text: str) -> str:
    """What the lenient path handles: single quotes, a trailing comma, a fence instead of tags."""
    body = text.replace('"', "'").replace("}}", ",},}")
    body = body.replace("<tool_call>\n", "```json\n").replace("\n</tool_call>", "\n```")
    return "Sure, here is my action.\n" + body


def measure(fn, items: list[object]) -> float:
    start = time.perf_counter()
    for item in items:
        try:
            fn(item)
        except ParseError:
            pass
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=20_000)
    n = ap.parse_args().n
    rng = random.Random(0)
    garbage = ["".join(rng.choice("{}[]\"':, <>/tool_call=()abc123\n") for _ in range(rng.randint(0, 80)))
               for _ in range(n)]
    print(f"{'dialect':<22}{'clean /s':>12}{'us':>8}{'sloppy /s':>12}{'us':>8}{'garbage /s':>12}{'us':>8}")
    for name in DIALECTS:
        for kind in ("phone", "desktop"):
            d = dialect_for(name, kind)
            space = d.space(Size(1080, 2400))
            actions = ([Tap(point=Point(500, 900)), Swipe(start=Point(500, 1800), end=Point(500, 600)),
                        Type(text="hello world")] if kind == "phone" else
                       [Click(point=Point(500, 900)), Type(text="hello world")])
            clean = [d.format(actions[i % len(actions)], thought="The button is on the right.") for i in range(n)]
            loose = [sloppy(t) for t in clean] if name.startswith("qwen") else [t.replace("Action: ", "Action:") for t in clean]
            row = f"{name + ' ' + kind:<22}"
            for items in (clean, loose, garbage):
                secs = measure(lambda r: d.parse(r, space), items)
                row += f"{n / secs:>12,.0f}{secs / n * 1e6:>8.1f}"
            print(row)


if __name__ == "__main__":
    main()
