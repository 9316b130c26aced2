"""What ``screenpilot view`` costs on a folder of many episodes: the index page and the episode pages.

Records one phone episode of S steps through the real Recorder (1080x2400 PNG screens and UI trees from
the virtual phone, as benchmarks/export_bench.py records them), copies it to N episodes with their own
ids in one runs folder, then writes the report of the folder twice (the second run reuses the episode
pages that are up to date) and prints, for each: seconds, the index's size, the episode pages' size.

    python benchmarks/report_bench.py --episodes 37 --steps 8

Runs on the core install (the virtual phone comes with it).
Prints figures; asserts nothing. Numbers go to docs/replay-view-export.md.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from screenpilot.trajectories import write_report

sys.path.insert(0, str(Path(__file__).parent))
from export_bench import record  # the same realistic episode the export figures use


def size_mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 1e6
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6 if path.is_dir() else 0.0


def runs_folder(root: Path, episodes: int, steps: int) -> Path:
    first = record(root / "recorded", steps)
    runs = root / "runs"
    for k in range(episodes):
        folder = runs / f"20260101-1200{k:02d}-bench-{k:03d}"
        shutil.copytree(first, folder)
        meta = json.loads((folder / "episode.json").read_text())
        meta["id"] = folder.name
        (folder / "episode.json").write_text(json.dumps(meta))
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--episodes", type=int, default=37)
    parser.add_argument("--steps", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        runs = runs_folder(Path(tmp), args.episodes, args.steps)
        print(f"{args.episodes} episodes of {args.steps} steps ({size_mb(runs):.1f} MB on disk)")
        for label in ("first report", "again"):
            start = time.perf_counter()
            index = write_report([runs])
            took = time.perf_counter() - start
            pages = index.with_name(index.stem + "_files")
            print(f"{label:<14} {took:6.2f} s   index {size_mb(index):6.2f} MB   episode pages {size_mb(pages):6.2f} MB")


if __name__ == "__main__":
    main()
