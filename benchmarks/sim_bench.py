"""What the virtual phone itself costs: screencap through a real adb server, shell round trips, frames/s.

    python benchmarks/sim_bench.py [--rounds 30]

Starts a phone in-process and an isolated adb server (its own port and HOME), then prints figures:
median and 95th percentile in milliseconds, or rates. Nothing is asserted; docs/sim.md quotes a run.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import Image

from screenpilot_sim import AdbdEndpoint, PhoneConfig, VirtualPhone
from screenpilot_sim.testing import _start_adb_server, _stop_adb_server, free_port


def timed(fn: Callable[[], object], rounds: int) -> list[float]:
    out = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def report(name: str, samples: list[float]) -> None:
    samples = sorted(samples)
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    print(f"  {name:<58} median {statistics.median(samples):7.1f} ms   p95 {p95:7.1f} ms   (n={len(samples)})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=30)
    args = ap.parse_args()
    n = args.rounds
    adb = os.environ.get("SCREENPILOT_ADB") or "/usr/bin/adb"
    phone = VirtualPhone(PhoneConfig(clock="10:30", animation_ms=0))
    endpoint = AdbdEndpoint(phone, port=free_port()).start()
    home = Path(tempfile.mkdtemp(prefix="sim-bench-"))
    server = _start_adb_server(adb, home)
    os.environ["ADBUTILS_ADB_PATH"] = adb
    try:
        server.connect(endpoint.serial)
        import adbutils

        device = adbutils.AdbClient(host="127.0.0.1", port=server.port).device(endpoint.serial)
        version = subprocess.run([adb, "version"], capture_output=True, text=True, check=False).stdout.splitlines()
        print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start, "
              f"Python {sys.version.split()[0]}, adb {version[1] if len(version) > 1 else '?'}")
        phone.launch("com.android.settings")

        print("\nscreencap -p, 1080x2400, through the real adb server")
        png = device.shell("screencap -p", encoding=None)
        print(f"  PNG size of the Settings screen: {len(png) / 1024:.0f} KiB, decodes to {Image.open(io.BytesIO(png)).size}")
        report("adbutils shell('screencap -p'), screen unchanged (cached)", timed(
            lambda: device.shell("screencap -p", encoding=None), n))

        def fresh() -> None:
            phone.changed()  # the screen changed since the last capture: render + encode again
            device.shell("screencap -p", encoding=None)

        report("adbutils shell('screencap -p'), screen changed each time", timed(fresh, n))
        def exec_out(command: str, expect: int) -> Callable[[], None]:
            def run() -> None:
                r = subprocess.run([adb, "-P", str(server.port), "-s", endpoint.serial, "exec-out", command],
                                   capture_output=True, check=True)
                assert len(r.stdout) >= expect, len(r.stdout)
            return run

        report("`adb exec-out screencap -p` (a new adb client process each)", timed(exec_out("screencap -p", 1000), n))
        report("`adb exec-out screencap -p`, screen changed each time", timed(
            lambda: (phone.changed(), exec_out("screencap -p", 1000)()), n))
        report("`adb exec-out screencap` raw RGBA (10 MB), screen changed", timed(
            lambda: (phone.changed(), exec_out("screencap", 1080 * 2400 * 4)()), max(5, n // 3)))

        print("\nshell round trip")
        report("adbutils shell('echo x') (shell v1)", timed(lambda: device.shell("echo x"), n * 3))
        report("adbutils shell2('echo x', v2=True) (shell v2, exit code)", timed(
            lambda: device.shell2("echo x", v2=True), n * 3))
        report("`adb shell true` (a new adb client process each)", timed(
            lambda: subprocess.run([adb, "-P", str(server.port), "-s", endpoint.serial, "shell", "true"],
                                   capture_output=True, check=True), n))
        report("in-process phone.shell('echo x') (no adb at all)", timed(lambda: phone.shell("echo x"), n * 3))
        report("`input tap` on a list row (hit test + state change)", timed(
            lambda: device.shell("input tap 540 2000"), n))

        print("\nrenderer (in-process, the Settings main list)")
        phone.force_stop("com.android.settings")
        phone.launch("com.android.settings")
        t = timed(lambda: (phone.changed(), phone.frame()), n)
        print(f"  full re-render of a changed screen:        {1000 / statistics.median(t):6.1f} frames/s "
              f"(median {statistics.median(t):.1f} ms)")
        phone.config.animation_ms = 10_000
        phone.frame()
        phone.changed()
        t = timed(phone.frame, n)
        print(f"  mid-transition frames (blend old and new):  {1000 / statistics.median(t):6.1f} frames/s "
              f"(median {statistics.median(t):.1f} ms)")
        phone.config.animation_ms = 0
        phone.changed()
        phone.frame()
        img = phone.frame()

        def encode() -> None:
            img.save(io.BytesIO(), "PNG", compress_level=1)

        t = timed(encode, n)
        print(f"  PNG encode (compress_level=1) of one frame: {1000 / statistics.median(t):6.1f} frames/s "
              f"(median {statistics.median(t):.1f} ms)")
        t = timed(lambda: (phone.changed(), phone.ui_xml()), n)
        print(f"  uiautomator XML of a changed screen:        median {statistics.median(t):.1f} ms")

        print("\nsync")
        blob = home / "blob.bin"
        blob.write_bytes(os.urandom(5 * 1024 * 1024))
        t = timed(lambda: device.sync.push(str(blob), "/data/local/tmp/blob.bin"), max(5, n // 3))
        print(f"  push 5 MB via adbutils:  median {statistics.median(t):.0f} ms ({5000 / statistics.median(t):.0f} MB/s)")
        t = timed(lambda: device.sync.read_bytes("/data/local/tmp/blob.bin"), max(5, n // 3))
        print(f"  pull 5 MB via adbutils:  median {statistics.median(t):.0f} ms ({5000 / statistics.median(t):.0f} MB/s)")
        print(f"\nload average {os.getloadavg()[0]:.1f} at the end (figures are noisy when other work shares the cores)")
    finally:
        _stop_adb_server(server)
        endpoint.stop()


if __name__ == "__main__":
    main()
