"""Fleet collection throughput: episodes per hour with 1, 2, 4 and 8 virtual phones on one machine.

Each configuration is a real ``screenpilot collect`` (the Python API): a local Ray cluster started for
it, one device actor per virtual phone (each behind its own real adb server), the scenarios'
reference solutions behind ``latency:1.5:reference`` (a model that takes 1.5 s per reply) and, by
default, the virtual phone's ``phone`` timing profile (a capture costs what it costs on a phone,
``uiautomator dump`` waits for an idle screen, every byte crosses a USB 2.0 link). Every phone runs
``--per-device`` episodes, so the work grows with the fleet.

    python benchmarks/collect_bench.py                         # 1, 2, 4, 8 phones, phone profile
    python benchmarks/collect_bench.py --devices 1 4 --profile instant --latency 0

It prints, per fleet size: episodes/hour (first dispatch to last result), scaling efficiency against
one phone, the median episode and the driver's own overhead per episode (scheduling, the Ray call,
moving the episode, writing it and its manifest line), the CPU seconds and peak memory of each
device worker (its process plus the adb server it started), and how busy the machine's CPUs were.
Prints figures; asserts nothing. Numbers go to docs/collect.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Self

os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")  # Ray on 127.0.0.1 only
os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")

from screenpilot.fleet import CollectOptions, collect

TASKS = ["settings.wifi_toggle", "clock.clock_tab", "launcher.open_app", "settings.dark_theme"]
_TICK = os.sysconf("SC_CLK_TCK")
_PAGE = os.sysconf("SC_PAGE_SIZE")


def _cpu_s(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / _TICK


def _rss_mb(pid: int) -> float | None:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE / 1e6
    except (OSError, IndexError):
        return None


def _machine() -> tuple[float, float]:
    parts = [float(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = parts[3] + parts[4]
    return sum(parts), idle


class Sampler:
    """Every second: CPU time and memory of every worker and the processes it started, and the machine's CPU."""

    def __init__(self) -> None:
        self.workers: dict[str, list[int]] = {}
        self.cpu: dict[int, float] = {}
        self.rss: dict[str, float] = {}
        self.busy: list[float] = []
        self.seen: dict[str, float] = {}
        self.ready: list[float] = []
        self.began = time.monotonic()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def on_event(self, kind: str, data: dict[str, Any]) -> None:
        self.seen.setdefault(kind, time.monotonic())
        if kind == "device" and data.get("state") == "ready":
            self.ready.append(time.monotonic())
            self.workers[data["device"]] = [int(data["pid"]), *map(int, data.get("children") or [])]

    def _loop(self) -> None:
        last = _machine()
        while not self._stop.wait(1.0):
            now = _machine()
            total, idle = now[0] - last[0], now[1] - last[1]
            if total > 0:
                self.busy.append(1 - idle / total)
            last = now
            for device, pids in list(self.workers.items()):
                rss = 0.0
                for pid in pids:
                    cpu = _cpu_s(pid)
                    if cpu is not None:
                        self.cpu[pid] = cpu
                    rss += _rss_mb(pid) or 0.0
                self.rss[device] = max(self.rss.get(device, 0.0), rss)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def run(devices: int, per_device: int, latency: float, profile: str, cpus: int) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix=f"collect-bench-{devices}-"))
    model = f"latency:{latency:g}:reference" if latency else "reference"
    repeat = max(1, devices * per_device // len(TASKS))
    sampler = Sampler()
    with sampler:
        result = collect(TASKS, [f"sim:{devices}"], CollectOptions(out=folder / "c", model=model, repeat=repeat,
                                                                    sim_profile=profile, num_cpus=cpus, dashboard=False,
                                                                    quarantine_after=5),
                         on_event=sampler.on_event)
    import json

    records = [json.loads(x) for x in (folder / "c" / "manifest.jsonl").read_text().splitlines()]
    finals = [r for r in records if r["final"]]
    span = max(r["ended_at"] for r in finals) - min(r["started_at"] for r in finals)
    totals = [r["durations"]["total_s"] for r in finals]
    overheads = [r["durations"]["overhead_s"] + r["durations"]["transfer_s"] for r in finals]  # packing included
    steps = sum(r["steps"] for r in finals)
    cpu_per_worker = {d: sum(sampler.cpu.get(p, 0.0) for p in pids) for d, pids in sampler.workers.items()}
    return {
        "devices": devices, "episodes": len(finals), "passed": sum(r["outcome"] == "success" for r in finals),
        "steps": steps, "span_s": span, "per_hour": len(finals) / span * 3600,
        "episode_s": statistics.median(totals), "step_s": sum(r["durations"]["episode_s"] for r in finals) / max(1, steps),
        "reset_s": statistics.median(r["durations"]["reset_s"] for r in finals),
        "overhead_s": statistics.median(overheads), "overhead_frac": statistics.median(o / t for o, t in zip(overheads, totals)),
        "worker_cpu_s_per_episode": sum(cpu_per_worker.values()) / max(1, len(finals)),
        "worker_rss_mb": statistics.mean(sampler.rss.values()) if sampler.rss else 0.0,
        "machine_busy": statistics.mean(sampler.busy) if sampler.busy else 0.0,
        "failed_attempts": sum(not r["final"] for r in records), "utilisation": result.summary.get("utilisation", {}),
        "ray_s": sampler.seen.get("cluster", sampler.began) - sampler.began,
        "devices_s": (max(sampler.ready) - sampler.seen.get("cluster", sampler.began)) if sampler.ready else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--per-device", type=int, default=4, help="episodes per phone (a multiple of 4: each task repeats)")
    parser.add_argument("--latency", type=float, default=1.5, help="simulated model seconds per reply")
    parser.add_argument("--profile", choices=["instant", "phone"], default="phone")
    parser.add_argument("--cpus", type=int, default=os.cpu_count() or 2, help="num_cpus of the local Ray cluster")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at the start; model latency "
          f"{args.latency:g} s/reply, sim profile {args.profile}, {args.per_device} episodes per phone, tasks {TASKS}")
    rows = []
    for n in args.devices:
        row = run(n, args.per_device, args.latency, args.profile, args.cpus)
        rows.append(row)
        base = rows[0]["per_hour"] / rows[0]["devices"]
        print(f"{n} phones: {row['episodes']} episodes ({row['passed']} passed, {row['failed_attempts']} failed attempts) "
              f"in {row['span_s']:.1f} s = {row['per_hour']:.0f} episodes/h, scaling {row['per_hour'] / (base * n):.2f} of "
              f"linear; episode median {row['episode_s']:.1f} s ({row['step_s']:.2f} s/step, reset {row['reset_s'] * 1000:.0f} ms); "
              f"driver overhead median {row['overhead_s'] * 1000:.0f} ms = {row['overhead_frac']:.2%} of an episode; "
              f"per worker {row['worker_cpu_s_per_episode']:.2f} CPU-s/episode, {row['worker_rss_mb']:.0f} MB; "
              f"machine CPUs {row['machine_busy']:.0%} busy; load {os.getloadavg()[0]:.2f}; start-up: Ray "
              f"{row['ray_s']:.1f} s, then every device open {row['devices_s']:.1f} s", flush=True)


if __name__ == "__main__":
    main()
