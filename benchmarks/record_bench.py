"""What recording a person costs: reading getevent, and the wait from a person's action to its step on disk.

    python benchmarks/record_bench.py [--actions 20] [--phone-actions 4]

1. Parsing: ``getevent -lt`` lines (the captured Pixel stream of tests/record) through the line parser and
   the multi-touch tracker, in lines per second.
2. Live, on the virtual phone behind a private adb server, as ``screenpilot record`` runs: a finger taps the
   phone's own touchscreen, the recorder reads it through ``adb shell getevent -lt``, waits for the screen
   to settle, stores the step and takes the next screen. Two times per action: until the step is on disk,
   and until the recorder is ready for the next action (a person acting before that gets the note that
   the screen was taken late). Under the ``instant`` profile this is ScreenPilot's own cost plus adb; under
   the ``phone`` profile (screencap, uiautomator and dumpsys at a real phone's published costs, see
   docs/sim.md) it is what a person on a real phone would wait for, as far as the profile is right.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path
from tempfile import TemporaryDirectory

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_rate(repeat: int = 400) -> tuple[int, float]:
    from screenpilot.record import TouchTracker, parse_event_line

    lines = (ROOT / "tests/record/captured/pixel_gestures.txt").read_text().splitlines() * repeat
    t0 = time.perf_counter()
    tracker = TouchTracker("/dev/input/event3")
    for line in lines:
        event = parse_event_line(line)
        if event is not None:
            tracker.feed(event)
    return len(lines), time.perf_counter() - t0


def live(actions: int, profile: str) -> tuple[list[float], list[float]]:
    """Seconds from each tap's lift to its step on disk, and to the recorder being ready again."""
    from screenpilot_sim import PhoneConfig, served_phone

    from screenpilot.devices import AndroidDevice
    from screenpilot.record import Demonstration

    recorded: list[float] = []
    ready_again: list[float] = []
    with served_phone(PhoneConfig(clock="10:30", animation_ms=0, profile=profile)) as sim, \
            TemporaryDirectory() as out:
        phone = sim.phone
        device = AndroidDevice(sim.serial, host="127.0.0.1", port=sim.adb_port)  # capture: auto, as record uses
        cond = threading.Condition()
        state = {"ready": -1, "step": -1, "at_step": 0.0, "at_ready": 0.0}

        def on_ready(step: int) -> None:
            with cond:
                state.update(ready=step, at_ready=time.perf_counter())
                cond.notify_all()

        def on_step(rec: object) -> None:
            with cond:
                state.update(step=rec.index, at_step=time.perf_counter())  # type: ignore[attr-defined]

        demo = Demonstration("benchmark", device, spec="sim", out=out, on_ready=on_ready, on_step=on_step)
        worker = threading.Thread(target=demo.run, daemon=True)
        worker.start()
        t = 0.0
        for k in range(actions):
            with cond:
                assert cond.wait_for(lambda k=k: state["ready"] >= k, timeout=120), "the recorder stopped"
            x, y = (180, 2337) if k % 2 else (675, 525)  # Notes on the launcher, then Back on the navigation bar
            t = max(t + 0.1, phone.clock.uptime())
            phone.touch_down(x, y, t=t)
            lift = time.perf_counter()
            phone.touch_up(x, y, t=t + 0.06)
            t += 0.06
            with cond:
                assert cond.wait_for(lambda k=k: state["ready"] >= k + 1, timeout=120), "the recorder stopped"
                recorded.append(state["at_step"] - lift)
                ready_again.append(state["at_ready"] - lift)
        demo.stop()
        worker.join(timeout=60)
        device.close()
    return recorded, ready_again


def _line(name: str, values: list[float]) -> str:
    values = sorted(values)
    p90 = values[min(len(values) - 1, int(0.9 * len(values)))]
    return f"  {name:<44} median {statistics.median(values) * 1000:8.1f} ms   p90 {p90 * 1000:8.1f} ms   (n={len(values)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=20, help="taps recorded on the instant profile")
    parser.add_argument("--phone-actions", type=int, default=4, help="taps recorded on the phone profile (0: skip)")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start, "
          f"Python {sys.version.split()[0]}")
    n, took = parse_rate()
    print(f"\ngetevent parsing: {n} lines in {took * 1000:.0f} ms = {n / took:,.0f} lines/s")
    for profile, count in (("instant", args.actions), ("phone", args.phone_actions)):
        if count <= 0:
            continue
        recorded, ready = live(count, profile)
        print(f"\nlive recording on the virtual phone, {profile} profile (a tap's lift to ...)")
        print(_line("... its step on disk", recorded))
        print(_line("... the recorder ready for the next action", ready))
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
