"""Secrets, post-send faults and kills, tried many times on the virtual phone; prints leaks and repeats.

    python benchmarks/reliability_bench.py [--secrets 100] [--faults 10] [--kills 20] [--seed 0]

1. Secret shapes x typing routes: random secrets (spaces, quotes, ``%``, ``%s``, shell characters,
   non-ASCII, newlines) typed through ``input text`` and ADBKeyBoard by the Android driver into a note;
   each must reach the field exactly, and neither the value nor any form derived from it (``%s`` spaces,
   shell quoting, base64, the command lines) may be in what the driver reports, nor in its error when
   the link drops while it types. A leak is any such form found.
2. Fault points: the phone goes away right after a command was accepted, at each point where the driver
   still had work: the read-back after ``input text``, the keyboard after ADBKeyBoard, the launcher after
   Home. Each must be an unknown outcome (never a plain failure a resume would send again) and the
   command must have run once. A repeat is a command that ran twice or a plain failure.
3. Kill points: one long episode of distinct taps, SIGKILLed at random moments and resumed each time
   (``screenpilot run --resume``). A repeat is a tap the phone ran twice; a loss is a step missing.

Needs the test extra (adbutils' adb or Debian's, pytest for the sim's test helpers).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from screenpilot.actions import OpenApp, Size, Tap, Terminate, Type
from screenpilot.devices import ActionOutcomeUnknown, AndroidDevice
from screenpilot.devices.android import Backoff
from screenpilot.devices.android._text import ime_commands, input_text_commands, join_commands, typable_by_input_text
from screenpilot.errors import InfraFault, OutcomeUnknown
from screenpilot.perception import DeviceAction
from screenpilot.planner import dialect_for
from screenpilot.trajectories import read_episode
from screenpilot_sim import PhoneConfig, served_phone
from screenpilot_sim.testing import offline_after

SCREEN = Size(1080, 2400)
NOTES = "org.screenpilot.notes"
ASCII = "abcdefXYZ0123 '\"%s$`;|&\\-"
ANY = ASCII + "éüß中文Ωж\n"


def _forms(value: str) -> set[str]:
    lines: set[str] = set()
    for route in [ime_commands] + ([input_text_commands] if typable_by_input_text(value) else []):
        lines.update(join_commands(route(value)))
    forms = {value, value.replace(" ", "%s"), shlex.quote(value), base64.b64encode(value.encode()).decode(), *lines}
    return {f for f in forms if len(f) >= 6}


def _secret(rng: random.Random, alphabet: str, need_non_ascii: bool) -> str:
    while True:
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(8, 24)))
        if len(set(value)) >= 5 and sum(c.isalpha() for c in value) >= 3 and \
                (not need_non_ascii or any(ord(c) > 127 for c in value)):
            return value


def _note(device: AndroidDevice) -> None:
    device.shell(f"am start -n {NOTES}/.EditorActivity")
    body = next(e for e in device.ui_tree() or [] if e.resource_id.endswith("note_body_edit"))
    device.execute(DeviceAction(action=Tap(point=body.bounds.center), size=SCREEN))


def secrets(sim: Any, n: int, rng: random.Random) -> None:
    device = AndroidDevice(sim.serial, port=sim.adb_port, backoff=Backoff(total=0.5), timeout=2.0)
    for route, alphabet, non_ascii in (("input text", ASCII, False), ("ADBKeyBoard", ANY, True)):
        tried = leaks = wrong = 0
        for _ in range(n):
            sim.phone.reset()
            _note(device)
            value = _secret(rng, alphabet, non_ascii)
            action = DeviceAction(action=Type(text="{{secret:S}}"), size=SCREEN, secrets={"S": value})
            result = device.execute(action)
            tried += 1
            wrong += sim.phone.state().draft["body"] != value or route not in result.detail
            leaks += any(f in result.model_dump_json() for f in _forms(value))
            sim.phone.faults.drop_probability = 1.0  # and once more with the link dropping while it types
            try:
                device.execute(action)
            except (InfraFault, OutcomeUnknown) as exc:
                leaks += any(f in str(exc) for f in _forms(value))
            finally:
                sim.phone.faults.reset()
        print(f"secrets via {route:11s}: {tried} shapes typed (and each once more through a dropped link); "
              f"{leaks} leaks, {wrong} typed wrong")


def faults(sim: Any, n: int) -> None:
    device = AndroidDevice(sim.serial, port=sim.adb_port, backoff=Backoff(total=0.5), timeout=2.0)
    points = (("read-back after input text", r"^input text ", lambda: Type(text="hello there"), "input text"),
              ("keyboard after ADBKeyBoard", r"^am broadcast ", lambda: Type(text="où ça"), "am broadcast"),
              ("launcher after Home", r"^input keyevent 3$", lambda: OpenApp(app="Calculator Pro"), "input keyevent 3"))
    for name, pattern, action, prefix in points:
        unknown = repeats = 0
        for _ in range(n):
            sim.phone.reset()
            _note(device)
            before = sum(1 for line in sim.phone.records.lines() if line.startswith(prefix))
            with offline_after(sim.phone, sim.endpoint, pattern, 3.0):
                try:
                    device.execute(DeviceAction(action=action(), size=SCREEN))
                except ActionOutcomeUnknown:
                    unknown += 1
                except InfraFault:
                    repeats += 1  # a plain failure: a resumed run would send it again
            sim.phone.faults.reset()
            sim.server.run("disconnect", sim.serial)
            sim.server.connect(sim.serial)
            ran = sum(1 for line in sim.phone.records.lines() if line.startswith(prefix)) - before
            repeats += ran != 1
        print(f"fault point {name:27s}: {n} tries, {unknown} unknown outcomes, {repeats} repeats")


def kills(sim: Any, k: int, rng: random.Random, work: Path) -> None:
    dialect = dialect_for("qwen2.5-vl", "phone")
    space = dialect.space(SCREEN)
    points = [(60 + 7 * i, 1200 + (i % 5) * 20) for i in range(60)]  # distinct taps on an empty home screen
    replies = [dialect.format(space.to_model(Tap(point=p), integral=True).action) for p in points]
    replies.append(dialect.format(Terminate(status="success")))
    script = work / "replies.json"
    script.write_text(json.dumps(replies))
    env = {**os.environ, "ANDROID_ADB_SERVER_PORT": str(sim.adb_port)}
    cli = [sys.executable, "-m", "screenpilot.cli", "run"]
    args = [*cli, "Tap around", "--device", f"android:{sim.serial}", "--model", f"scripted:{script}",
            "--out", str(work / "runs"), "--max-steps", "200", "--no-input"]
    sim.phone.reset()
    sim.phone.records.clear()
    folder: Path | None = None
    for _ in range(k):
        proc = subprocess.Popen(args if folder is None else [*cli, "--resume", str(folder)], env=env, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        assert proc.stdout is not None
        for line in proc.stdout:  # wait until the loop runs (a step recorded), then a random moment later
            if line.startswith("step "):
                break
        time.sleep(rng.uniform(0.0, 0.8))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        folder = folder or next((work / "runs").iterdir())
    assert folder is not None
    subprocess.run([*cli, "--resume", str(folder)], env=env, capture_output=True, timeout=600, check=False)
    episode = read_episode(folder)
    ran = Counter(line for line in sim.phone.records.lines() if line.startswith("input tap"))
    repeats = sum(c - 1 for c in ran.values() if c > 1)
    lost = len(replies) - len(episode.steps)
    print(f"kill points: {k} SIGKILLs at random moments, then resumed: {len(episode.steps)} steps recorded of "
          f"{len(replies)}, {repeats} repeated actions, {lost} lost steps, outcome {episode.meta.outcome}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--secrets", type=int, default=100, help="secret shapes per typing route")
    parser.add_argument("--faults", type=int, default=10, help="tries per fault point")
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp, served_phone(PhoneConfig(animation_ms=0)) as sim:
        secrets(sim, args.secrets, rng)
        faults(sim, args.faults)
        kills(sim, args.kills, rng, Path(tmp))


if __name__ == "__main__":
    main()
