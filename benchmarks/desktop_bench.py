"""The X11 desktop driver's costs on Xvfb: screenshots, actions, typing, settling.

Starts its own Xvfb (1920x1080x24, ``-nolisten tcp``) and the Tk probe application from the tests,
drives it with ``DesktopDevice``, and prints median / p90 figures:

- screenshot latency: mss (raw grab, and the driver's ``screenshot()`` Frame, and decoding it) vs
  ``pyautogui.screenshot()`` (which shells out to scrot: ``apt-get install scrot``);
- action latency: ``execute()`` for click (with and without a focus change), move, key, hotkey,
  scroll, drag, and the time until the application has SEEN a click;
- typing 200 characters with each method, until the entry holds them all;
- settle: a still screen's wait with the defaults, and one frame comparison.

    python benchmarks/desktop_bench.py            # ~1 minute
    python benchmarks/desktop_bench.py --rounds 50

Prints figures; asserts nothing. Numbers go to docs/desktop.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the probe app and Xvfb helpers live with the tests

from screenpilot.actions import Click, Drag, Hotkey, Key, Move, Scroll, Type, Wait
from screenpilot.devices import DesktopDevice, KillSwitch
from screenpilot.perception import DeviceAction, frame_difference, wait_until_settled
from tests.fixtures.desktop import TkProbe, start_xvfb, stop_process

SIZE = (1920, 1080)
TEXT_ASCII = ("The quick brown fox jumps over the lazy dog; 0123456789 (a+b)*c = d! " * 3)[:200]
TEXT_MIXED = ("Größe 10 < 20 > 5: ÉTÉ à Paris, 東京 漢字 — «ÀÉÎÕÜ» " * 5)[:200]


def timed(fn: Callable[[], object], rounds: int, warmup: int = 2) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def show(name: str, samples: list[float]) -> None:
    samples = sorted(samples)
    p90 = samples[min(len(samples) - 1, round(0.9 * (len(samples) - 1)))]
    print(f"  {name:<46} median {statistics.median(samples) * 1000:8.2f} ms   p90 {p90 * 1000:8.2f} ms   n={len(samples)}")


def screenshots(device: DesktopDevice, rounds: int) -> None:
    import mss

    print(f"\nscreenshot latency, {SIZE[0]}x{SIZE[1]}:")
    with mss.MSS(display=device.display) as sct:
        region = sct.monitors[1]
        show("mss grab (raw BGRA)", timed(lambda: sct.grab(region), rounds))
    show("DesktopDevice.screenshot() (mss -> Frame)", timed(device.screenshot, rounds))
    show("  + decode to PIL (Frame.image)", timed(lambda: device.screenshot().image, rounds))
    show("  + PNG encode (Frame.to_png, what a recorder writes)", timed(lambda: device.screenshot().to_png(), max(5, rounds // 4)))
    if shutil.which("scrot") is None:
        print("  pyautogui.screenshot()                          skipped: scrot is not installed (apt-get install scrot)")
        return
    import pyautogui

    cwd = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)  # scrot writes its temporary file into the working directory
        try:
            show("pyautogui.screenshot() (scrot)", timed(pyautogui.screenshot, max(5, rounds // 4)))
        finally:
            os.chdir(cwd)


def actions(device: DesktopDevice, probe: TkProbe, other: TkProbe, rounds: int) -> None:
    size = device.monitor.size

    def act(action) -> object:
        return device.execute(DeviceAction(action=action, size=size))

    pad = device.monitor.from_root(*probe.center("pad"))
    other_pad = device.monitor.from_root(*other.center("pad"))
    scroller = device.monitor.from_root(*probe.center("scroller"))
    print("\naction latency (execute() returns; pyautogui PAUSE not applied):")
    act(Click(point=pad))
    show("click, focus already there", timed(lambda: act(Click(point=pad)), rounds))
    flip = [pad, other_pad]

    def click_other() -> None:
        flip.reverse()
        act(Click(point=flip[0]))

    show("click into another window (+ xdotool windowfocus)", timed(click_other, rounds))
    show("move", timed(lambda: act(Move(point=pad)), rounds))
    act(Click(point=device.monitor.from_root(*probe.center("entry"))))
    show("key (shift)", timed(lambda: act(Key(key="shift")), rounds))
    show("hotkey ctrl+shift+t", timed(lambda: act(Hotkey(keys=["ctrl", "shift", "t"])), rounds))
    show("key '<' (through xdotool)", timed(lambda: act(Key(key="<")), max(5, rounds // 2)))
    show("scroll dy=3 at a point", timed(lambda: act(Scroll(point=scroller, dy=3)), rounds))
    show("drag, duration 0", timed(lambda: act(Drag(start=pad, end=other_pad, duration_ms=0)), rounds))
    show("wait 0 s (the call itself)", timed(lambda: act(Wait(seconds=0)), rounds))

    seen = []
    for _ in range(rounds):
        mark = probe.mark()
        t = time.perf_counter()
        act(Click(point=pad))
        probe.wait_for(lambda e: e["event"] == "release", since=mark)
        seen.append(time.perf_counter() - t)
    show("click until the app reported the release", seen)


def typing(display: str, stop_file: Path, probe: TkProbe, rounds: int) -> None:
    print("\ntyping 200 characters (execute() until the entry holds them all):")
    cases = [("keys", "auto", TEXT_ASCII), ("clipboard", "auto", TEXT_MIXED), ("clipboard", "clipboard", TEXT_ASCII),
             ("xdotool", "xdotool", TEXT_ASCII)]
    for label, method, text in cases:
        kind = "ASCII" if text is TEXT_ASCII else "mixed: accents, <>, CJK"
        with DesktopDevice(display, typing=method, kill_switch=KillSwitch(stop_file=stop_file, hotkey=None)) as device:
            entry = device.monitor.from_root(*probe.center("entry"))
            samples, returned = [], []
            for _ in range(max(3, rounds // 4)):
                device.execute(DeviceAction(action=Click(point=entry, count=3), size=device.monitor.size))
                device.execute(DeviceAction(action=Key(key="backspace"), size=device.monitor.size))
                probe.wait_text("main", "")
                mark = probe.mark()
                t = time.perf_counter()
                result = device.execute(DeviceAction(action=Type(text=text), size=device.monitor.size))
                returned.append(time.perf_counter() - t)
                probe.wait_for(lambda e, text=text: e["event"] == "entry" and e["text"] == text, since=mark, timeout=60)
                samples.append(time.perf_counter() - t)
            assert f"by {label}" in result.detail, result.detail
        show(f"{label:<9} {kind} (execute returns)", returned)
        show(f"{label:<9} {kind} (text complete in the app)", samples)


def settling(device: DesktopDevice, rounds: int) -> None:
    print("\nsettle:")
    a, b = device.screenshot(), device.screenshot()
    show("frame_difference of two 1920x1080 captures", timed(lambda: frame_difference(a, b), rounds))
    show("wait_until_settled, still screen, defaults", timed(lambda: wait_until_settled(device.screenshot), max(5, rounds // 4)))
    show("  with interval 0.05 s, 2 stable frames", timed(
        lambda: wait_until_settled(device.screenshot, interval_s=0.05), max(5, rounds // 4)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    proc, display = start_xvfb(SIZE)
    os.environ["DISPLAY"] = display  # before pyautogui is imported
    os.environ.setdefault("XDG_SESSION_TYPE", "x11")  # pyscreeze uses scrot only when it knows it is X11
    print(f"Xvfb {display} {SIZE[0]}x{SIZE[1]}x24; Python {platform.python_version()}; {platform.machine()}, "
          f"{os.cpu_count()} CPUs")
    probes: list[TkProbe] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            stop_file = Path(tmp) / "stop"
            probes = [TkProbe(display, "bench-probe", "+40+40", None), TkProbe(display, "bench-other", "+900+40", None)]
            with DesktopDevice(display, kill_switch=KillSwitch(stop_file=stop_file, hotkey=None)) as device:
                screenshots(device, args.rounds)
                actions(device, probes[0], probes[1], args.rounds)
                settling(device, args.rounds)
            typing(display, stop_file, probes[0], args.rounds)
    finally:
        for probe in probes:
            probe.close()
        stop_process(proc)


if __name__ == "__main__":
    main()
