"""What the virtual phone itself costs, what its `phone` timing profile charges, snapshots, peer checks.

    python benchmarks/sim_bench.py [--rounds 30] [--phone-rounds 5] [--skip-peers]

Starts a phone in-process and an isolated adb server (its own port and HOME), then prints figures:
median and 95th percentile in milliseconds, or rates. Sections: the phone's own cost (instant profile),
the `phone` timing profile's parameters and what a call costs under it through adb (phone time and wall
time at clock rate 1), snapshot and restore, and the peer-compatibility checks (sim/tests/test_peers.py,
needs pytest). Needs adbutils (a dependency of the ScreenPilot runtime, or `pip install
'screenpilot-sim[test]'`) and an adb binary. Nothing is asserted; docs/sim.md quotes a run.
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
from screenpilot_sim import AdbdEndpoint, AdbServer, PhoneConfig, SimError, VirtualPhone, find_adb, free_port


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
    ap.add_argument("--phone-rounds", type=int, default=5, help="calls per operation under the phone profile")
    ap.add_argument("--skip-peers", action="store_true", help="do not run the peer-compatibility tests")
    args = ap.parse_args()
    n = args.rounds
    try:
        import adbutils
        adb = find_adb()
    except (ImportError, SimError) as e:
        sys.exit(f"sim_bench: {e} (it needs adbutils and adb: pip install 'screenpilot-sim[test]')")
    phone = VirtualPhone(PhoneConfig(clock="10:30", animation_ms=0))
    endpoint = AdbdEndpoint(phone, port=free_port()).start()
    home = Path(tempfile.mkdtemp(prefix="sim-bench-"))
    server = AdbServer.start(adb=adb, home=home)
    os.environ["ADBUTILS_ADB_PATH"] = adb
    try:
        server.connect(endpoint.serial)

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
        phone_profile(phone, server, endpoint.serial, adb, home, args.phone_rounds)
        snapshots(n)
        if not args.skip_peers:
            peers()
        print(f"\nload average {os.getloadavg()[0]:.1f} at the end (figures are noisy when other work shares the cores)")
    finally:
        server.stop()
        endpoint.stop()


def phone_profile(phone: VirtualPhone, server: AdbServer, serial: str, adb: str, home: Path, rounds: int) -> None:
    """The `phone` profile's parameters, then what calls cost under it through adb, in phone and wall time."""
    from dataclasses import fields

    from screenpilot_sim import TimingProfile, profile_named

    print("\ntiming profiles: costs in ms of phone time (bandwidth in MB/s)")
    instant, real = TimingProfile(), profile_named("phone")
    for f in fields(TimingProfile):
        if f.name != "name":
            print(f"  {f.name:<28} instant {getattr(instant, f.name):>8g}   phone {getattr(real, f.name):>8g}")
    phone.config.profile = "phone"
    phone.clock.rate = 1.0
    phone.shell("settings put global stay_on_while_plugged_in 2")

    def cost(name: str, *cmd: str, before: Callable[[], object] | None = None) -> None:
        phone_ms, wall_ms = [], []
        for _ in range(rounds):
            if before is not None:
                before()
            up, wall = phone.clock.uptime(), time.perf_counter()
            r = subprocess.run([adb, "-P", str(server.port), "-s", serial, *cmd], capture_output=True, check=False)
            assert r.returncode == 0, r.stderr
            phone_ms.append((phone.clock.uptime() - up) * 1000)
            wall_ms.append((time.perf_counter() - wall) * 1000)
        print(f"  {name:<44} phone time median {statistics.median(phone_ms):7.0f} ms   wall {statistics.median(wall_ms):7.0f} ms"
              f"   (n={rounds})")

    print(f"\nthe phone profile through the real adb server (clock rate 1: phone time is wall time), "
          f"{phone.config.width}x{phone.config.height}")
    phone.launch("com.android.settings")
    cost("adb exec-out screencap -p (screen changed)", "exec-out", "screencap -p", before=phone.changed)
    cost("adb exec-out screencap (raw, 10 MB)", "exec-out", "screencap", before=phone.changed)
    cost("adb shell input tap", "shell", "input tap 1 1200")
    cost("adb shell uiautomator dump (quiet screen)", "shell", "uiautomator dump /sdcard/ui.xml")
    cost("adb shell am start -W (cold)", "shell", "am start -W -n com.android.deskclock/.DeskClock",
         before=lambda: phone.force_stop("com.android.deskclock"))
    cost("adb shell am start -W (hot)", "shell", "am start -W -n com.android.deskclock/.DeskClock",
         before=lambda: phone.go_home())
    blob = home / "blob.bin"
    cost("adb push 5 MB", "push", str(blob), "/data/local/tmp/blob2.bin")
    phone.config.animation_ms = 20_000
    cost("uiautomator dump during a 20 s transition (fails)", "shell", "uiautomator dump /sdcard/ui.xml",
         before=phone.changed)
    phone.config.animation_ms = 0
    phone.config.profile = "instant"


def snapshots(rounds: int) -> None:
    """Snapshot and restore of the default phone and of one that has been used."""
    print("\nsnapshot and restore (in-process)")
    for label, phone in (("default phone", VirtualPhone(PhoneConfig(clock="10:30"))), ("used phone", _used_phone())):
        data = phone.snapshot()
        save = timed(phone.snapshot, rounds)
        restore = timed(lambda phone=phone, data=data: phone.restore(data), rounds)
        report(f"{label}: snapshot() ({len(data) / 1024:.0f} KiB)", save)
        report(f"{label}: restore()", restore)


def _used_phone() -> VirtualPhone:
    """Settings, Contacts and a note open (with Overview pictures), a 2 MB download, a changed setting."""
    phone = VirtualPhone(PhoneConfig(clock="10:30", animation_ms=0))
    for pkg in ("com.android.settings", "com.android.contacts", "org.screenpilot.notes"):
        phone.launch(pkg)
        phone.frame()
    phone.fs.write("/sdcard/Download/photo.bin", os.urandom(2 * 1024 * 1024))
    phone.shell("settings put global wifi_on 0; input keyevent 3")
    return phone


def peers() -> None:
    """Run the peer-compatibility tests and print how many passed."""
    tests = Path(__file__).resolve().parents[1] / "sim" / "tests" / "test_peers.py"
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tests)],
                       capture_output=True, text=True, check=False, cwd=tests.parent)
    summary = (r.stdout.strip().splitlines() or ["(no output)"])[-1]
    print(f"\npeer-style checks (python -m pytest -q sim/tests/test_peers.py): {summary}")


if __name__ == "__main__":
    main()
