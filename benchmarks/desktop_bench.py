"""The X11 desktop driver's costs on Xvfb: screenshots, actions, typing, settling, the accessibility
tree, and the calibration of coordinates on two monitors at three scales.

Starts its own Xvfb (1920x1080x24, ``-nolisten tcp``) and the Tk probe application from the tests,
drives it with ``DesktopDevice``, and prints median / p90 figures:

- screenshot latency: mss (raw grab, and the driver's ``screenshot()`` Frame, and decoding it) vs
  ``pyautogui.screenshot()`` (which shells out to scrot: ``apt-get install scrot``);
- action latency: ``execute()`` for click (with and without a focus change), move, key, hotkey,
  scroll, drag, and the time until the application has SEEN a click;
- typing 200 characters with each method, until the entry holds them all;
- settle: a still screen's wait with the defaults, and one frame comparison;
- tree: ``ui_tree()`` (AT-SPI over a private D-Bus session) for GTK windows of several sizes: nodes,
  D-Bus calls, bytes as recorded, read time;
- calibration: the calibration scenario (nine targets, reference solution through the agent loop) on
  both monitors of a two-monitor Xvfb at scale 1, 1.5 and 2: hits, misses, the largest distance from
  a click to its target's centre, and the model -> device round trip.

    python benchmarks/desktop_bench.py                       # everything, ~2 minutes
    python benchmarks/desktop_bench.py --only tree calibration
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
from tests.fixtures.desktop import (
    LEFT,
    RIGHT,
    ROOT_SIZE,
    TkProbe,
    set_monitors,
    set_xft_dpi,
    start_a11y_session,
    start_xvfb,
    stop_a11y_session,
    stop_process,
)

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
                assert probe.state()["entry"] == ""  # answered after every event already sent
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


def tree(display: str, stop_file: Path, rounds: int) -> None:
    """ui_tree() of typical windows: a GTK form, a 160-row list, a real calculator, GTK's file chooser
    (this repository's folder), and a 2000-row table (a real yad list)."""
    import json

    from screenpilot.scenarios import DesktopProbe

    print("\naccessibility tree, ui_tree() (nodes on screen / objects read, D-Bus calls, JSON bytes as recorded):")
    with tempfile.TemporaryDirectory() as tmp:
        rows = [f"row {k}" for k in range(2000) for _ in (0, 1)]
        windows: list[tuple[str, Callable[[DesktopProbe], object]]] = [
            ("GTK form (sign-up scene)", lambda p: p.start_program("main", "form", {})),
            ("GTK list of 160 rows (cities scene)", lambda p: p.start_program("main", "cities", {})),
            ("galculator (real app)", lambda p: p.start_app("main", ["galculator"], env={"XDG_CONFIG_HOME": tmp})),
            ("GTK's file chooser (yad --file, real app)", lambda p: p.start_app(
                "main", ["yad", "--file", "--width=900", "--height=600"], cwd=str(ROOT), env={"XDG_CONFIG_HOME": tmp})),
            ("yad list of 2000 rows (real app, tree view)", lambda p: p.start_app(
                "main", ["yad", "--list", "--column=A", "--column=B", "--height=400", *rows], env={"XDG_CONFIG_HOME": tmp})),
        ]
        for name, start in windows:
            with DesktopDevice(display, accessibility=True, kill_switch=KillSwitch(stop_file=stop_file, hotkey=None)) as device:
                probe = DesktopProbe(device)
                try:
                    start(probe)
                    elements = device.ui_tree() or []
                    last = dict(device.accessibility.last)  # type: ignore[union-attr]
                    size = len(json.dumps([e.model_dump(mode="json") for e in elements], ensure_ascii=False,
                                          separators=(",", ":")).encode())
                    samples = timed(device.ui_tree, rounds)
                finally:
                    probe.close()
            show(f"{name}: {last['nodes']}/{last['read']} nodes, {last['calls']} calls, {size / 1024:.1f} KiB", samples)


def calibration() -> None:
    """The calibration scenario on LEFT 1280x1024+0+0 and RIGHT 1024x768+1280+128 at scale 1, 1.5, 2."""
    from screenpilot.scenarios import Target, builtin_scenarios, run_scenario
    from screenpilot.trajectories import read_episode

    spec = next(s for s in builtin_scenarios() if s.id == "desktop.calibration.targets")
    scales = {1.0: (None, {}), 1.5: (144, {}), 2.0: (192, {"GDK_SCALE": "2", "GDK_DPI_SCALE": "0.5"})}
    proc, display = start_xvfb(ROOT_SIZE)
    owner = set_monitors(display, [LEFT, RIGHT])
    print(f"\ncalibration (Xvfb {display} {ROOT_SIZE[0]}x{ROOT_SIZE[1]}; LEFT 1280x1024+0+0, RIGHT 1024x768+1280+128):")
    print(f"  {'monitor':<8}{'scale':>6}{'how':>26}{'clicks':>8}{'hits':>6}{'misses':>8}{'max off centre':>16}"
          f"{'model->device':>15}{'time':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        a11y = start_a11y_session(display, Path(tmp))
        saved = {k: os.environ.get(k) for k in ("DBUS_SESSION_BUS_ADDRESS", "GDK_SCALE", "GDK_DPI_SCALE")}
        os.environ["DBUS_SESSION_BUS_ADDRESS"] = a11y.address
        try:
            for monitor in ("LEFT", "RIGHT"):
                for scale, (dpi, env) in scales.items():
                    set_xft_dpi(display, dpi)
                    for key in ("GDK_SCALE", "GDK_DPI_SCALE"):
                        os.environ.pop(key, None)
                    os.environ.update(env)
                    with DesktopDevice(display, monitor=monitor, accessibility=True,
                                       kill_switch=KillSwitch(stop_file=Path(tmp) / "stop", hotkey=None)) as device:
                        out = Path(tmp) / f"{monitor}-{scale}"
                        t = time.perf_counter()
                        result = run_scenario(spec.instantiate(None, workdir=str(out)), Target(device, "desktop"), out=out)
                        took = time.perf_counter() - t
                    if result.episode is None:
                        print(f"  {monitor:<8}{scale:>6g}  ERROR: {result.first_failure()}")
                        continue
                    episode = read_episode(out / str(result.episode))
                    clicks = [st for st in episode.steps if st.device_action and st.device_action.action.action == "click"]
                    off = max((abs(st.device_action.action.point.x - st.element.bounds.center.x)  # type: ignore[union-attr]
                               + abs(st.device_action.action.point.y - st.element.bounds.center.y)  # type: ignore[union-attr]
                               for st in clicks if st.element is not None), default=float("nan"))
                    trip = max((_round_trip(st) for st in clicks), default=float("nan"))
                    state = {c.check: c.detail for c in result.checks}
                    hits = next((d for k, d in state.items() if "hits" in k), "")
                    misses = next((d for k, d in state.items() if "misses" in k), "")
                    how = {1.0: "-", 1.5: "Xft.dpi 144", 2.0: "Xft.dpi 192 + GDK_SCALE=2"}[scale]
                    print(f"  {monitor:<8}{scale:>6g}{how:>26}{len(clicks):>8}{hits.count('T'):>6}"
                          f"{misses.rsplit('=', 1)[-1].strip(' ' + chr(39)):>8}{off:>14.1f}px{trip:>13.2f}px{took:>7.1f}s"
                          + ("" if result.passed else f"  FAILED: {result.first_failure()}"))
        finally:
            set_xft_dpi(display, None)
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
            stop_a11y_session(a11y)
            owner.close()
            stop_process(proc)


def _round_trip(step: object) -> float:
    """How far the recorded model point lands from the recorded device point when mapped back (pixels)."""
    from screenpilot.perception import CoordinateSpace

    device = step.device_action  # type: ignore[attr-defined]
    model = step.model_action  # type: ignore[attr-defined]
    space = CoordinateSpace.resized(device.size)
    back = space.to_device(model).action.point
    return abs(back.x - device.action.point.x) + abs(back.y - device.action.point.y)


SECTIONS = ("screenshots", "actions", "settle", "typing", "tree", "calibration")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--only", nargs="+", choices=SECTIONS, default=list(SECTIONS))
    args = parser.parse_args()
    proc, display = start_xvfb(SIZE)
    os.environ["DISPLAY"] = display  # before pyautogui is imported
    os.environ.setdefault("XDG_SESSION_TYPE", "x11")  # pyscreeze uses scrot only when it knows it is X11
    print(f"Xvfb {display} {SIZE[0]}x{SIZE[1]}x24; Python {platform.python_version()}; {platform.machine()}, "
          f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f}")
    probes: list[TkProbe] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            stop_file = Path(tmp) / "stop"
            if {"screenshots", "actions", "settle", "typing"} & set(args.only):
                probes = [TkProbe(display, "bench-probe", "+40+40", None), TkProbe(display, "bench-other", "+900+40", None)]
                with DesktopDevice(display, kill_switch=KillSwitch(stop_file=stop_file, hotkey=None)) as device:
                    if "screenshots" in args.only:
                        screenshots(device, args.rounds)
                    if "actions" in args.only:
                        actions(device, probes[0], probes[1], args.rounds)
                    if "settle" in args.only:
                        settling(device, args.rounds)
                if "typing" in args.only:
                    typing(display, stop_file, probes[0], args.rounds)
                for probe in probes:
                    probe.close()
                probes = []
            if "tree" in args.only:
                a11y = start_a11y_session(display, Path(tmp))
                os.environ["DBUS_SESSION_BUS_ADDRESS"] = a11y.address
                try:
                    tree(display, stop_file, args.rounds)
                finally:
                    stop_a11y_session(a11y)
                    os.environ.pop("DBUS_SESSION_BUS_ADDRESS", None)
    finally:
        for probe in probes:
            probe.close()
        stop_process(proc)
    if "calibration" in args.only:
        if "pyautogui" in sys.modules:  # pyautogui keeps one display per process: the two-monitor Xvfb is another
            import subprocess

            subprocess.run([sys.executable, __file__, "--only", "calibration"], check=False)
        else:
            calibration()


if __name__ == "__main__":
    main()
