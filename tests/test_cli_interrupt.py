"""Ctrl-C as a person presses it: a real SIGINT to a real ``screenpilot`` process on the virtual phone.

The model is a scripted function that tells the test when it is thinking (a marker file) and then takes
its time, so the signal lands mid-run. What a person must see is one line on stderr that says the run
was interrupted and how to go on, and exit code 130; the resume command printed must work as printed.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

TERMINATE = '<tool_call>{"name": "mobile_use", "arguments": {"action": "terminate", "status": "success"}}</tool_call>'
SLOW_MODEL = f'''
import os, pathlib, time

def reply(request):
    """Thinks forever on call number $SP_SLOW_CALL (1-based) of this process tree, answers at once otherwise."""
    calls = pathlib.Path(os.environ["SP_CALLS"])
    n = int(calls.read_text() or 0) + 1 if calls.exists() else 1
    calls.write_text(str(n))
    if n == int(os.environ["SP_SLOW_CALL"]):
        pathlib.Path(os.environ["SP_MARKER"]).write_text("thinking")
        time.sleep(600)
    return {TERMINATE!r}
'''


def _start(args: list[str], cwd: Path, slow_call: int) -> tuple[subprocess.Popen[str], Path]:
    (cwd / "slowmodel.py").write_text(SLOW_MODEL)
    marker = cwd / "thinking"
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env.update(PYTHONPATH=str(cwd), SP_CALLS=str(cwd / "calls"), SP_MARKER=str(marker), SP_SLOW_CALL=str(slow_call))
    proc = subprocess.Popen([sys.executable, "-c", _AS_FROM_A_TERMINAL, *args], cwd=cwd, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return proc, marker


# ``python -m screenpilot.cli ARGS`` with Ctrl-C as a terminal delivers it: a shell that started the tests in
# the background left SIGINT ignored, and an ignored signal stays ignored in every child
_AS_FROM_A_TERMINAL = ("import runpy, signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
                       "sys.argv[0] = 'screenpilot'; runpy.run_module('screenpilot.cli', run_name='__main__', alter_sys=True)")


def _interrupt_while_thinking(proc: subprocess.Popen[str], marker: Path) -> tuple[int, str, str]:
    deadline = time.monotonic() + 120
    while not marker.exists():  # the model has been asked and is thinking: the run is under way
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the model was never asked"
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    return proc.returncode, out, err


def test_ctrl_c_during_a_run_says_how_to_resume_and_the_command_works(tmp_path: Path) -> None:
    proc, marker = _start(["run", "Look at the home screen", "--device", "sim", "--model", "scripted:slowmodel:reply",
                           "--no-input"], tmp_path, slow_call=1)
    code, _, err = _interrupt_while_thinking(proc, marker)
    assert code == 130
    assert "Traceback" not in err
    (line,) = err.strip().splitlines()
    (folder,) = (tmp_path / "runs").iterdir()
    again = f"screenpilot run --resume runs/{folder.name} --no-input"
    assert line == f"screenpilot: interrupted: the run stopped; resume it with: {again}"
    meta = json.loads((folder / "episode.json").read_text())
    assert (meta["outcome"], meta["decided_by"]) == ("aborted", "person")
    # the command as printed continues the run (this time the model answers at once)
    words = shlex.split(again)
    resumed = subprocess.run([sys.executable, "-m", "screenpilot.cli", *words[1:]], cwd=tmp_path, capture_output=True,
                             text=True, timeout=300, check=False,
                             env={**os.environ, "PYTHONPATH": str(tmp_path), "SP_CALLS": str(tmp_path / "calls"),
                                  "SP_MARKER": str(marker), "SP_SLOW_CALL": "1"})
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads((folder / "episode.json").read_text())["outcome"] == "success"


def test_ctrl_c_during_an_evaluation_says_where_its_partial_results_are(tmp_path: Path) -> None:
    proc, marker = _start(["eval", "settings.about_model", "settings.airplane_mode", "--model", "scripted:slowmodel:reply"],
                          tmp_path, slow_call=2)  # the first scenario ends at once, the second thinks
    code, out, err = _interrupt_while_thinking(proc, marker)
    assert code == 130, err
    assert "Traceback" not in err
    (line,) = err.strip().splitlines()
    (folder,) = (p for p in (tmp_path / "runs").iterdir() if p.name.startswith("eval-"))
    assert line == (f"screenpilot: interrupted: the evaluation stopped after 1 finished scenario; "
                    f"partial results: runs/{folder.name}/results.json")
    results = json.loads((folder / "results.json").read_text())
    assert [r["scenario"] for r in results["results"]] == ["settings.about_model"]
    assert results["ended_at"] is not None
    assert "settings.about_model" in out  # its line was printed as it finished
