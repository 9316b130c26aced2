"""SIGKILL at random points, then --resume: no action runs twice, no step is lost or written twice.

One episode of many taps on the virtual phone is killed 20 times at random moments (while it asks
the model, acts, settles, records, checkpoints ...) and resumed each time with ``screenpilot run
--resume``. Every tap has its own coordinates, so the phone's own command log tells exactly which
actions ran and how often.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from screenpilot.trajectories import read_episode

from ._script import NETWORK_ROW, SETTINGS_ICON, WIFI_SWITCH, done, tap, taps

KILLS = 20
ROW_TAPS = 120  # distinct points on the Wi-Fi row: each toggles the switch


def _script() -> list[str]:
    points = [SETTINGS_ICON, NETWORK_ROW] + [(60 + 7 * k, WIFI_SWITCH[1] - 40 + (k % 5) * 20) for k in range(ROW_TAPS)]
    return [tap(p) for p in points] + [done()]


def _start(args: list[str]) -> tuple[subprocess.Popen[str], threading.Event, list[str]]:
    """The run as a child process; the event is set once it has recorded a step (the loop is running)."""
    proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    stepped = threading.Event()
    output: list[str] = []

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            output.append(line)
            if line.startswith("step "):
                stepped.set()

    threading.Thread(target=read, daemon=True).start()
    return proc, stepped, output


@pytest.mark.slow
def test_twenty_sigkills_lose_nothing_and_repeat_nothing(phone: Any, tmp_path: Path) -> None:
    seed = int(os.environ.get("SP_RESUME_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    script = tmp_path / "replies.json"
    script.write_text(json.dumps(_script()))
    out = tmp_path / "runs"
    first = [sys.executable, "-m", "screenpilot.cli", "run", "Turn on Wi-Fi", "--device", f"android:{phone.serial}",
             "--model", f"scripted:{script}", "--out", str(out), "--max-steps", "200", "--no-input"]
    folder: Path | None = None
    kills: list[float] = []
    for _ in range(KILLS):
        args = first if folder is None else [sys.executable, "-m", "screenpilot.cli", "run", "--resume", str(folder)]
        proc, stepped, output = _start(args)
        try:
            assert stepped.wait(60) or proc.poll() is not None, f"no step recorded (seed {seed})"
            delay = rng.uniform(0.0, 0.8)
            kills.append(round(delay, 3))
            time.sleep(delay)  # the random point: anywhere in the next steps, in any node
            assert proc.poll() is None, f"the run ended before kill {len(kills)} ({seed}): {''.join(output)[-1500:]}"
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        folder = folder or next(out.iterdir())
        read_episode(folder)  # after every kill the folder is a valid (unfinished) episode
    assert folder is not None
    final = subprocess.run([sys.executable, "-m", "screenpilot.cli", "run", "--resume", str(folder)],
                           capture_output=True, text=True, timeout=300)
    context = f"seed {seed}, kill delays {kills}\n{final.stdout[-2000:]}\n{final.stderr[-2000:]}"
    assert final.returncode == 0, context

    episode = read_episode(folder)
    assert episode.finished and episode.meta.outcome == "success", context
    assert [s.index for s in episode.steps] == list(range(len(episode.steps))), context
    assert len(episode.steps) == len(_script()), context  # one step per reply: nothing lost, nothing doubled
    ran = Counter(taps(phone))
    assert max(ran.values()) == 1, f"an action ran twice: {ran.most_common(3)} ({context})"
    recorded = {f"input tap {int(s.device_action.action.point[0])} {int(s.device_action.action.point[1])}": s
                for s in episode.steps if s.executed}
    assert set(ran) <= set(recorded), f"the phone ran taps the trajectory does not know: {set(ran) - set(recorded)}"
    for line, step in recorded.items():
        if step.error_kind == "unknown_outcome":  # killed while in flight: it may or may not have landed
            continue
        assert ran[line] == 1, f"step {step.index} is recorded as executed but never reached the phone ({context})"


class _KilledBetweenWritesAndCheckpoint(BaseException):
    """Stands in for SIGKILL at the narrowest point: a node's writes are saved, the next checkpoint is not."""


@pytest.mark.parametrize("crash_at_put", [2, 9, 16, 23])
def test_a_kill_between_a_nodes_writes_and_its_checkpoint_resumes(
    phone: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, crash_at_put: int
) -> None:
    """LangGraph leaves such a finished node out of ``snapshot.next``; the run must not be taken as ended."""
    from screenpilot.agent import run
    from screenpilot.agent._checkpoint import PruningSqliteSaver

    script = tmp_path / "replies.json"
    replies = [tap(SETTINGS_ICON), tap(NETWORK_ROW)] + [tap((60 + 9 * k, WIFI_SWITCH[1])) for k in range(6)] + [done()]
    script.write_text(json.dumps(replies))
    original_put = PruningSqliteSaver.put
    puts = 0

    def put(self: PruningSqliteSaver, *args: Any, **kw: Any) -> Any:
        nonlocal puts
        puts += 1
        if puts == crash_at_put:
            raise _KilledBetweenWritesAndCheckpoint()
        return original_put(self, *args, **kw)

    monkeypatch.setattr(PruningSqliteSaver, "put", put)
    out = tmp_path / "runs"
    with pytest.raises(_KilledBetweenWritesAndCheckpoint):
        run("Turn on Wi-Fi", device=f"android:{phone.serial}", model=f"scripted:{script}", out=out)
    monkeypatch.setattr(PruningSqliteSaver, "put", original_put)
    folder = next(out.iterdir())

    result = run(resume=folder, device=f"android:{phone.serial}")
    episode = read_episode(folder)
    assert result.outcome == "success" and episode.finished
    assert [s.index for s in episode.steps] == list(range(len(replies)))
    assert max(Counter(taps(phone)).values()) == 1
