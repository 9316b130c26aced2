"""The android driver's costs against the virtual phone, through a real adb server.

    python benchmarks/android_bench.py                 # all three sections, 30 repetitions each
    python benchmarks/android_bench.py --reps 100 --animation-ms 300

1. Screenshot latency: ``screencap -p`` (PNG, bytes kept) vs plain ``screencap`` (raw RGBA), end to end
   through AndroidDevice, next to the phone's own cost of producing the same bytes in-process.
2. Per-action latency: tap, key, swipe, type, a UI-tree dump, through the driver, next to the same
   command run in-process on the phone (so the difference is adb + the driver).
3. Settle: after an action that starts a transition of ``--animation-ms``, how long ``settle()`` waits
   and when it saw the last change, against the configured animation time and one capture interval.
4. The same driver calls under the phone's two timing profiles side by side: ``instant`` (the sim's
   own cost) and ``phone`` (a real phone's costs, from published measurements: docs/sim.md).

Everything runs on 127.0.0.1: the phone in this process, a private adb server (own port and HOME,
stopped by PID). Prints figures; asserts nothing. Numbers go to docs/android.md.
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from screenpilot.actions import Key, Point, Size, Swipe, Tap, Type
from screenpilot.devices.android import AndroidDevice
from screenpilot.perception import DeviceAction, Frame, SettleOptions, frame_difference


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _adb() -> str:
    exe = os.environ.get("SCREENPILOT_ADB") or shutil.which("adb")
    if exe:
        return exe
    import adbutils

    return str(Path(adbutils.__file__).parent / "binaries" / "adb")


@contextmanager
def adb_server() -> Iterator[tuple[str, int]]:
    """A private adb server (own port and HOME), our child, stopped by PID."""
    adb, port, home = _adb(), _free_port(), tempfile.mkdtemp(prefix="sp-adb-")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANDROID_", "ADB"))}
    env.update(HOME=home, ADB_LOCAL_TRANSPORT_MAX_PORT="5553")
    proc = subprocess.Popen([adb, "-P", str(port), "nodaemon", "server"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while subprocess.run([adb, "-P", str(port), "devices"], env=env, capture_output=True, check=False).returncode:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("the adb server did not start")
            time.sleep(0.05)
        os.environ["ADBUTILS_ADB_PATH"] = adb
        yield adb, port
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(home, ignore_errors=True)


def _stats(samples: list[float]) -> str:
    s = sorted(samples)
    p90 = s[min(len(s) - 1, round(0.9 * (len(s) - 1)))]
    return f"median {statistics.median(s) * 1000:7.1f} ms   p90 {p90 * 1000:7.1f} ms   (n={len(s)})"


def _time(fn: Callable[[], Any], reps: int) -> list[float]:
    out = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def _phone_cost(phone: Any, command: str) -> Callable[[], None]:
    """The same command run by the phone's own shell in-process: the device side's cost alone."""
    from screenpilot_sim._shio import BufferOutput

    def run() -> None:
        phone.new_shell(service="python").run(command, stdout=BufferOutput(), stderr=BufferOutput())

    return run


def screenshots(device: AndroidDevice, phone: Any, reps: int) -> None:
    print("\n== screenshot latency (1080x2400, settled screen) ==")
    for mode, command in (("png", "screencap -p"), ("raw", "screencap")):
        device.capture = mode  # type: ignore[assignment]
        frames: list[Frame] = []
        total = _time(lambda frames=frames: frames.append(device.screenshot()), reps)
        own = _time(_phone_cost(phone, command), reps)
        last = frames[-1]
        print(f"{mode:4} driver  {_stats(total)}   {len(last.data) / 1e6:5.2f} MB on the wire")
        print(f"{mode:4} phone   {_stats(own)}   (the virtual phone's own cost)")
        decode = _time(lambda last=last: Frame(last.data, last.format, last.size).image, max(5, reps // 3))
        print(f"{mode:4} decode  {_stats(decode)}   (host: bytes -> PIL image, paid only when used)")
    print("-- while a 60 s transition runs (every capture is a new picture, as on a real phone) --")
    phone.config.animation_ms = 60_000.0
    device.screenshot()
    settings_icon = next(e for e in device.ui_tree() or [] if e.label == "Settings")
    device.execute(DeviceAction(action=Tap(point=settings_icon.bounds.center), size=Size(1080, 2400)))
    for mode in ("png", "raw"):
        device.capture = mode  # type: ignore[assignment]
        sizes: list[int] = []

        def capture(mode: Any = mode, sizes: list[int] = sizes) -> None:
            sizes.append(len(device._capture_once(mode).data))

        total = _time(capture, reps)
        print(f"{mode:4} driver  {_stats(total)}   {statistics.median(sizes) / 1e6:5.2f} MB on the wire")
    phone.config.animation_ms = 0.0
    phone.go_home()
    device.capture = "auto"
    device.capture_timings.clear()
    device.screenshot()
    print(f"auto picks: {device.capture}  (first-shot timings: "
          + ", ".join(f"{k} {v * 1000:.1f} ms" for k, v in device.capture_timings.items()) + ")")


def actions(device: AndroidDevice, phone: Any, reps: int) -> None:
    print("\n== per-action latency (driver vs the phone's own cost of the same command) ==")
    size = Size(1080, 2400)
    device.read_back = False
    cases: list[tuple[str, Any, str]] = [
        ("tap", Tap(point=Point(540, 1500)), "input tap 540 1500"),
        ("key", Key(key="volume_up"), "input keyevent 24"),
        ("swipe 50ms", Swipe(start=Point(540, 1800), end=Point(540, 1200), duration_ms=50), "input swipe 540 1800 540 1200 50"),
        ("type 20 chars", Type(text="hello world 12345 ok"), "input text hello%sworld%s12345%sok"),
    ]
    for name, action, command in cases:
        da = DeviceAction(action=action, size=size)
        total = _time(lambda da=da: device.execute(da), reps)
        own = _time(_phone_cost(phone, command), reps)
        gap = statistics.median(total) - statistics.median(own)
        print(f"{name:14} driver {_stats(total)}\n{'':14} phone  {_stats(own)}   adb + driver: {gap * 1000:.1f} ms")
    total = _time(device.ui_tree, reps)
    own = _time(_phone_cost(phone, "uiautomator dump /data/local/tmp/x.xml && cat /data/local/tmp/x.xml"), reps)
    print(f"{'ui_tree':14} driver {_stats(total)}\n{'':14} phone  {_stats(own)}")
    device.read_back = True
    phone.go_home()


def settle(device: AndroidDevice, phone: Any, animation_ms: float, reps: int, stable_frames: int) -> None:
    print(f"\n== settle after a transition of {animation_ms:.0f} ms (stable_frames={stable_frames}) ==")
    phone.config.animation_ms = animation_ms
    device.capture = "raw"
    waits, last_changes, intervals, settled = [], [], [], 0
    home = DeviceAction(action=Key(key="home"), size=Size(1080, 2400))
    device.execute(home)
    device.settle(SettleOptions(timeout_s=5, interval_s=0, stable_frames=1))
    settings_icon = next(e for e in device.ui_tree() or [] if e.label == "Settings")
    tap = DeviceAction(action=Tap(point=settings_icon.bounds.center), size=Size(1080, 2400))
    for _ in range(reps):
        device.execute(home)
        device.settle(SettleOptions(timeout_s=5, interval_s=0, stable_frames=1))
        stamps: list[tuple[float, Frame]] = []
        original = device._settle_capture

        def capture(original: Callable[[], Frame] = original, stamps: list[tuple[float, Frame]] = stamps) -> Frame:
            frame = original()
            stamps.append((time.perf_counter(), frame))
            return frame

        device._settle_capture = capture  # type: ignore[method-assign]
        t0 = time.perf_counter()
        device.execute(tap)
        result = device.settle(SettleOptions(timeout_s=5, interval_s=0, stable_frames=stable_frames))
        del device._settle_capture
        settled += result.settled
        waits.append(time.perf_counter() - t0)
        # the last capture that still differed from the one before it: when the change was last seen
        changed_at = t0
        for (_, fa), (tb, fb) in itertools.pairwise(stamps):
            if frame_difference(fa, fb) > 0:
                changed_at = tb
        last_changes.append(changed_at - t0)
        intervals += [b[0] - a[0] for a, b in itertools.pairwise(stamps)]
    frame_s = statistics.median(intervals)
    print(f"settled {settled}/{reps}; capture interval (one frame) median {frame_s * 1000:.1f} ms")
    print(f"action -> settle() returned: {_stats(waits)}")
    print(f"action -> last change seen:  {_stats(last_changes)}")
    for name, values in (("returned", waits), ("last change seen", last_changes)):
        lag = statistics.median(values) - animation_ms / 1000
        print(f"{name} - animation: {lag * 1000:+7.1f} ms = {lag / frame_s:+.1f} frames")
    phone.config.animation_ms = 0.0
    device.capture = "auto"


def profiles(device: AndroidDevice, phone: Any, reps: int) -> None:
    """The same driver calls against the `instant` and the `phone` timing profile side by side: what the
    driver costs here, and what it costs with a real phone's capture, input, dump and link costs."""
    print(f"\n== instant vs phone timing profile (driver end to end, phone clock rate 1, n={reps} each) ==")
    size = Size(1080, 2400)
    device.read_back = False
    phone.shell("settings put global stay_on_while_plugged_in 2")  # no screen timeout mid-run
    cases: list[tuple[str, Callable[[], Any]]] = [
        ("screenshot (png)", lambda: (phone.changed(), device._capture_once("png"))),
        ("screenshot (raw)", lambda: (phone.changed(), device._capture_once("raw"))),
        ("tap", lambda: device.execute(DeviceAction(action=Tap(point=Point(1, 1200)), size=size))),
        ("key", lambda: device.execute(DeviceAction(action=Key(key="volume_up"), size=size))),
        ("swipe 50ms", lambda: device.execute(DeviceAction(action=Swipe(start=Point(540, 1800), end=Point(540, 1200),
                                                                         duration_ms=50), size=size))),
        ("type 20 chars", lambda: device.execute(DeviceAction(action=Type(text="hello world 12345 ok"), size=size))),
        ("ui_tree", device.ui_tree),
    ]
    rows = []
    for name, call in cases:
        medians = []
        for profile in ("instant", "phone"):
            phone.config.profile = profile
            medians.append(statistics.median(_time(call, reps)))
        rows.append((name, *medians))
    phone.config.profile = "instant"
    device.read_back = True
    print(f"{'':18} {'instant':>10} {'phone':>10}")
    for name, fast, real in rows:
        print(f"{name:18} {fast * 1000:8.1f} ms {real * 1000:8.1f} ms")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--animation-ms", type=float, default=300.0)
    parser.add_argument("--profile-reps", type=int, default=5, help="repetitions for the instant vs phone table")
    args = parser.parse_args(argv)

    from screenpilot_sim import AdbdEndpoint, PhoneConfig, VirtualPhone

    phone = VirtualPhone(PhoneConfig(clock="10:30", animation_ms=0.0))
    endpoint = AdbdEndpoint(phone, port=_free_port()).start()
    try:
        with adb_server() as (adb, port):
            subprocess.run([adb, "-P", str(port), "connect", endpoint.serial], capture_output=True, check=True)
            device = AndroidDevice(endpoint.serial, host="127.0.0.1", port=port)
            print(f"python {sys.version.split()[0]}, adb server {device.server_version}, {os.cpu_count()} CPUs; "
                  f"device {device.info().model} {device.info().logical_size}")
            screenshots(device, phone, args.reps)
            actions(device, phone, args.reps)
            for stable_frames in (1, 2):
                settle(device, phone, args.animation_ms, max(5, args.reps // 3), stable_frames)
            profiles(device, phone, args.profile_reps)
    finally:
        endpoint.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
