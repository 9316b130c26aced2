"""How long the scenario suites take through the full loop, per scenario and in all.

Runs every virtual-phone scenario (and, with ``--desktop``, every desktop scenario on a private Xvfb)
with its reference solution and with its negative control, as ``screenpilot eval`` does: a virtual
phone behind a private real adb server, reset before each scenario.

    python benchmarks/scenarios_bench.py                      # phone suite, animations off (as the tests)
    python benchmarks/scenarios_bench.py --animation-ms 150   # with the CLI's transitions
    python benchmarks/scenarios_bench.py --desktop            # also the desktop suite (needs Xvfb)

Prints figures; asserts nothing. Numbers go to docs/scenarios.md.
"""

from __future__ import annotations

import argparse
import os
import select
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from screenpilot.scenarios import EvalReport, Target, evaluate, open_target, select_scenarios


def _show(title: str, reports: list[EvalReport], wall: float) -> None:
    print(f"\n{title}")
    results = [r for rep in reports for r in rep.results]
    steps = sum(r.steps for r in results)
    times = [r.time_s for r in results]
    print(f"  episodes: {len(results)}  passed: {sum(r.passed for r in results)}  steps: {steps}")
    print(f"  wall: {wall:.1f} s  per episode: median {statistics.median(times):.2f} s, max {max(times):.2f} s"
          f"  per step: {sum(r.episode_s for r in results) / max(1, steps):.3f} s (agent loop only)")
    slow = sorted(results, key=lambda r: -r.time_s)[:5]
    print("  slowest: " + ", ".join(
        f"{r.scenario} ({'negative' if r.model.startswith('reference:negative') else 'reference'}) {r.time_s:.1f} s"
        for r in slow))


def _suite(target: Target, kind: str, out: Path) -> tuple[list[EvalReport], float]:
    chosen = select_scenarios([], device=kind)
    start = time.monotonic()
    reports = [evaluate(chosen, target, model=m, out=out) for m in ("reference", "reference:negative")]
    return reports, time.monotonic() - start


def _xvfb() -> tuple[subprocess.Popen[bytes], str]:
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
                            pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    number = b""
    while not number.endswith(b"\n"):
        ready, _, _ = select.select([read_fd], [], [], 20)
        chunk = os.read(read_fd, 16) if ready else b""
        if not chunk:
            proc.kill()
            raise SystemExit("Xvfb did not start")
        number += chunk
    os.close(read_fd)
    return proc, f":{int(number)}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--animation-ms", type=float, default=0.0)
    parser.add_argument("--desktop", action="store_true")
    args = parser.parse_args()
    out = Path(tempfile.mkdtemp(prefix="scenarios-bench-"))
    print(f"machine: {os.cpu_count()} CPUs; episodes under {out}")
    with open_target("sim") as target:
        phone = target.sim
        phone.config.animation_ms = args.animation_ms
        reset = target.reset
        assert reset is not None

        def fresh() -> None:
            reset()
            phone.config.animation_ms = args.animation_ms

        target.reset = fresh
        reports, wall = _suite(target, "phone", out)
    _show(f"phone suite, reference + negative, animation {args.animation_ms:g} ms", reports, wall)
    if args.desktop:
        import sys

        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from tests.fixtures.desktop import start_a11y_session, stop_a11y_session

        proc, display = _xvfb()
        os.environ["DISPLAY"] = display
        os.environ["SCREENPILOT_STOP_FILE"] = str(out / "stop")
        a11y = start_a11y_session(display, out)  # the desktop scenarios read the accessibility tree
        os.environ["DBUS_SESSION_BUS_ADDRESS"] = a11y.address
        try:
            with open_target("desktop") as target:
                reports, wall = _suite(target, "desktop", out)
            _show("desktop suite (Xvfb 1280x1024, GTK scenes and real apps), reference + negative", reports, wall)
        finally:
            stop_a11y_session(a11y)
            proc.terminate()
            proc.wait(timeout=10)


if __name__ == "__main__":
    main()
