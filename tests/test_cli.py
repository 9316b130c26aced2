"""The command line as a user meets it: every verb's bad inputs, help, piped output, and what it writes.

Each bad input runs as a ``screenpilot`` process of its own in an empty folder of its own (the inputs it
needs copied into ``given/``): it must end in exactly one line on stderr, no traceback, the exit code the verb
documents (2 bad usage, 1 an error), and leave nothing behind: no file outside ``given/`` (there is no
``--out`` to write when a command fails) and ``given/`` as it was.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from screenpilot.actions import Tap, Terminate

from .trajectories._builders import Turn, build_episode

ENV = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}


def cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
        timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "screenpilot.cli", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=cwd, env=env or ENV, check=False)


@dataclass(frozen=True)
class Bad:
    """A bad input: the words its one line must hold and the exit code the verb documents."""

    args: tuple[str, ...]
    code: int
    words: str


def bad(code: int, words: str, *args: str) -> Bad:
    return Bad(tuple(args), code, words)


JSON_TAP = '{"action": "tap", "point": [1, 2]}'
BAD_INPUTS = [
    # run
    bad(2, "give a TASK", "run"),
    bad(2, "the task is empty", "run", "  "),
    bad(2, "contradict", "run", "Turn on Wi-Fi", "--yes", "--no-input"),
    bad(2, "not a device: 'phone'", "run", "Turn on Wi-Fi", "--device", "phone"),
    bad(2, "not a backend spec: 'bogus'", "run", "Turn on Wi-Fi", "--model", "bogus"),
    bad(2, "is for screenpilot eval", "run", "Turn on Wi-Fi", "--model", "reference"),
    bad(2, "unknown dialect 'qwen4'", "run", "Turn on Wi-Fi", "--dialect", "qwen4"),
    bad(2, "--max-steps", "run", "Turn on Wi-Fi", "--max-steps", "0"),
    bad(2, "--capture", "run", "Turn on Wi-Fi", "--capture", "bogus"),
    bad(2, "--capture is for phones", "run", "Save it", "--device", "desktop", "--capture", "png"),
    bad(2, "'clack' is not an action", "run", "Turn on Wi-Fi", "--confirm", "clack"),
    bad(1, "given/missing", "run", "--resume", "given/missing"),
    bad(1, "checkpoints.sqlite is damaged", "run", "--resume", "given/run"),
    bad(1, "only knows the task 'Turn on Wi-Fi'", "run", "Open the camera", "--device", "sim"),
    # replay
    bad(2, "EPISODE", "replay"),
    bad(1, "given/missing holds no episode", "replay", "given/missing"),
    bad(2, "not a device: 'phone'", "replay", "given/ep", "--device", "phone"),
    bad(2, "--threshold", "replay", "given/ep", "--threshold", "2"),
    bad(2, "say where to replay it", "replay", "given/android-ep"),
    # view
    bad(2, "EPISODE|RUN_DIR", "view"),
    bad(1, "given/missing does not exist", "view", "given/missing"),
    bad(1, "holds no episode", "view", "given/empty"),
    bad(2, "given/empty is a folder", "view", "given/ep", "--out", "given/empty"),
    bad(1, "cannot write", "view", "given/ep", "--out", "given/afile/report.html"),
    # export
    bad(2, "--max-pixels", "export", "given/ep", "--format", "llamafactory", "--max-pixels", "784", "--out", "data"),
    bad(2, "--out", "export", "given/ep", "--format", "aitw", "--out", "given/afile"),
    bad(2, "--format", "export", "given/ep", "--format", "bogus", "--out", "data"),
    bad(2, "aitw does not use --max-pixels", "export", "given/ep", "--format", "aitw", "--max-pixels", "1000000",
        "--out", "data"),
    bad(1, "given/missing does not exist", "export", "given/missing", "--format", "aitw", "--out", "data"),
    # eval
    bad(2, "not a backend spec: 'bogus'", "eval", "settings", "--model", "bogus"),
    bad(2, "is for screenpilot run", "eval", "settings", "--model", "scripted:demo"),
    bad(2, "not a device: 'phone'", "eval", "--device", "phone"),
    bad(2, "unknown dialect 'qwen4'", "eval", "--dialect", "qwen4"),
    bad(1, "given/empty holds no scenario files", "eval", "given/empty"),
    bad(1, "given/missing.yaml does not exist", "eval", "given/missing.yaml"),
    bad(1, "no scenario or suite named 'no.such.scenario'", "eval", "no.such.scenario"),
    # collect (each run would start Ray: only what is refused before it)
    bad(2, "not a backend spec: 'bogus'", "collect", "settings", "--devices", "sim:1", "--out", "c", "--model", "bogus"),
    bad(2, "unknown dialect 'qwen4'", "collect", "settings", "--devices", "sim:1", "--out", "c", "--dialect", "qwen4"),
    bad(2, "not a device list", "collect", "settings", "--devices", "phone:1", "--out", "c"),
    bad(2, "give the collection folder", "collect", "settings", "--devices", "sim:1"),
    # resize
    bad(2, "is not a size", "resize", "abc"),
    bad(2, "--factor", "resize", "1080x2400", "--factor", "0"),
    bad(1, "aspect ratio", "resize", "9000x10"),
    # actions
    bad(2, "not JSON", "actions", "check", "{"),
    bad(2, "--kind", "actions", "check", JSON_TAP, "--kind", "tablet"),
    bad(2, "is not a size", "actions", "check", JSON_TAP, "--screen", "0x0"),
    bad(1, "'point' is required", "actions", "check", '{"action": "tap"}'),
    bad(1, "outside the 1080x2400 screen", "actions", "check", '{"action": "tap", "point": [2000, 5]}'),
    bad(1, "actions parse --dialect", "actions", "check", '{"action": "click", "coordinate": [1, 2]}'),
    bad(1, "no tool call found", "actions", "parse", "I will tap Settings."),
    bad(2, "unknown dialect 'qwen4'", "actions", "parse", "x", "--dialect", "qwen4"),
    bad(2, "No such command", "actions", "bogus"),
    # sim (the virtual phone's own command line, mounted)
    bad(2, "WIDTHxHEIGHT", "sim", "serve", "--size", "12x"),
    bad(2, "write HH:MM", "sim", "serve", "--clock", "25:99"),
    bad(1, "cannot read the snapshot", "sim", "serve", "--snapshot", "given/missing.zip"),
    bad(1, "cannot read the snapshot", "sim", "snapshot", "info", "given/missing.zip"),
    bad(2, "a chance lies between 0 and 1", "sim", "faults", "drop=7"),
    # doctor, and the app itself
    bad(2, "not a device: 'phone'", "doctor", "--restore", "phone"),
    bad(2, "No such command", "bogus"),
]


def _files(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def given(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What the bad inputs point at: episodes, a run whose checkpoint file is damaged, a file, an empty folder."""
    root = tmp_path_factory.mktemp("given")
    turns = [Turn(Tap(point=(540, 1200))), Turn(Terminate(status="success"))]
    build_episode(root / "ep", turns)
    build_episode(root / "android-ep", turns, config={"device": "android:R58M12345"})
    run = build_episode(root / "run", turns[:1], outcome="aborted")
    (run / "checkpoints.sqlite").write_text("x\n")  # echo x > RUN/checkpoints.sqlite
    (root / "afile").write_text("not a folder\n")
    (root / "empty").mkdir()
    return root


# ``screenpilot ARGS`` for many cases at a fraction of the cost: one process imports the command line once,
# then each case runs in a child forked from it (its own process, folder, stdout, stderr and exit code),
# three at a time; exactly what the ``screenpilot`` entry point does after its imports.
_FORKED = """
import json, os, sys, traceback
from screenpilot.cli import main

cases = json.load(open(sys.argv[1]))
running = {}
def reap():
    pid, status = os.wait()
    cases[running.pop(pid)]["code"] = os.waitstatus_to_exitcode(status)
for k, case in enumerate(cases):
    while len(running) >= 3:
        reap()
    pid = os.fork()
    if pid == 0:
        os.chdir(case["cwd"])
        for fd, name in ((1, "stdout"), (2, "stderr")):
            os.dup2(os.open(case[name], os.O_WRONLY | os.O_CREAT | os.O_TRUNC), fd)
        code = 1
        try:
            main(case["args"])
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except BaseException:
            traceback.print_exc()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    running[pid] = k
while running:
    reap()
json.dump(cases, open(sys.argv[1], "w"))
"""


@pytest.fixture(scope="module")
def bad_runs(given: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[Bad, tuple[subprocess.CompletedProcess[str], Path]]:
    """Every bad input, each in an empty folder of its own with a copy of ``given/``."""
    base = tmp_path_factory.mktemp("bad")
    cases = []
    for k, case in enumerate(BAD_INPUTS):
        folder = base / f"case{k:02d}"
        shutil.copytree(given, folder / "given")
        cases.append({"args": list(case.args), "cwd": str(folder), "stdout": str(base / f"case{k:02d}.out"),
                      "stderr": str(base / f"case{k:02d}.err")})
    plan = base / "cases.json"
    plan.write_text(json.dumps(cases))
    done = subprocess.run([sys.executable, "-c", _FORKED, str(plan)], capture_output=True, text=True, timeout=600,
                          env=ENV, check=False)
    assert done.returncode == 0, done.stderr
    ran = json.loads(plan.read_text())
    return {case: (subprocess.CompletedProcess(case.args, r["code"], Path(r["stdout"]).read_text(),
                                               Path(r["stderr"]).read_text()), Path(r["cwd"]))
            for case, r in zip(BAD_INPUTS, ran, strict=True)}


@pytest.mark.parametrize("case", BAD_INPUTS, ids=lambda c: " ".join(c.args)[:60])
def test_every_bad_input_is_one_line_and_leaves_nothing_behind(
        case: Bad, bad_runs: dict[Bad, tuple[subprocess.CompletedProcess[str], Path]], given: Path) -> None:
    result, folder = bad_runs[case]
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("screenpilot: error:") and case.words in lines[0], lines[0]
    assert result.returncode == case.code, lines[0]
    written = [p for p in _files(folder) if not p.startswith("given/")]
    assert written == [], f"a failed command wrote {written}"
    assert _files(folder / "given") == _files(given), "a failed command changed its inputs"


def test_what_a_command_writes_is_under_out_and_no_line_is_wrapped(given: Path, tmp_path: Path) -> None:
    deep = "a-folder-name-long-enough-that-a-path-in-it-passes-eighty-columns/" * 2
    shutil.copytree(given / "ep", tmp_path / "given" / "ep")
    before = set(_files(tmp_path))
    export = cli("export", "given/ep", "--format", "aitw", "--out", deep + "data", cwd=tmp_path)
    view = cli("view", "given/ep", "--out", deep + "report.html", cwd=tmp_path)
    assert export.returncode == 0 and view.returncode == 0, export.stderr + view.stderr
    new = set(_files(tmp_path)) - before
    assert new and all(p.startswith(deep) for p in new), sorted(new)
    assert f"-> {deep}data" in export.stdout  # the whole path on its line: piped output is not wrapped at 80
    assert view.stdout.strip() == f"report: {deep}report.html"


def test_run_writes_only_its_folder_and_prints_its_whole_path(tmp_path: Path) -> None:
    out = "runs-of-a-long-enough-name-" * 3
    result = cli("run", "Turn on Wi-Fi", "--device", "sim", "--out", out, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    (folder,) = (tmp_path / out).iterdir()
    assert result.stdout.splitlines()[-1] == f"trajectory: {out}/{folder.name}"
    assert {p.split("/")[0] for p in _files(tmp_path)} == {out}


def test_non_ascii_task_keeps_its_letters_in_the_folder_name(tmp_path: Path) -> None:
    from screenpilot.agent._run import _run_id

    assert "-ouvre-les-reglages-de-zoe-" in _run_id("Ouvre les réglages de Zoë")
    assert "-打开设置-" in _run_id("打开设置!")
    assert _run_id("!!!").split("-")[2] == "run"


VERBS_HELP = [("--help",), ("run", "--help"), ("replay", "--help"), ("view", "--help"), ("export", "--help"),
              ("eval", "--help"), ("collect", "--help"), ("resize", "--help"), ("actions", "--help"),
              ("actions", "check", "--help"), ("actions", "parse", "--help"), ("sim", "serve", "--help"),
              ("doctor", "--help")]


def test_help_says_what_values_are_in_words_and_keeps_brackets() -> None:
    with ThreadPoolExecutor(max_workers=3) as pool:
        pages = dict(zip(VERBS_HELP, pool.map(lambda a: cli(*a), VERBS_HELP), strict=True))
    for args, page in pages.items():
        assert page.returncode == 0, args
        for typer_word in ("<bool>", "<str>", "<int", "<float", "<list"):
            assert typer_word not in page.stdout, f"{' '.join(args)} shows {typer_word}"
    run = pages[("run", "--help")].stdout
    assert "--max-steps" in run and "INTEGER" in run and "--out" in run and "DIR" in run
    assert "[default: EPISODE/report.html" in _flat(pages[("view", "--help")].stdout)  # not dropped as rich markup
    assert "the replay is recorded" in _flat(pages[("--help",)].stdout)  # no line break from the source


def _flat(page: str) -> str:
    """A help page's words, without the panels' borders and the line breaks of wrapping."""
    return " ".join(page.replace("│", " ").split())


def test_version() -> None:
    from screenpilot import __version__

    assert cli("--version").stdout.strip() == f"screenpilot {__version__}"


def test_resize_prints_the_model_image() -> None:
    assert "1092x2408 (3354 image tokens" in cli("resize", "1080x2400").stdout


def test_check_maps_qwen_coordinates_to_device_pixels_in_either_wording() -> None:
    ours = cli("actions", "check", '{"action": "tap", "point": [935, 406]}', "--space", "qwen2.5")
    qwens = cli("actions", "check", '{"action": "click", "coordinate": [935, 406]}', "--space", "qwen2.5")
    for result in (ours, qwens):
        assert result.returncode == 0, result.stderr
        assert '"point":[925.0,405.0]' in result.stdout.replace(" ", "")


def test_parse_reads_a_raw_reply_in_its_dialect_and_shows_both_spaces() -> None:
    reply = ('Thought: Settings is on the home screen.\n<tool_call>\n{"name": "mobile_use", "arguments": '
             '{"action": "click", "coordinate": [956, 527]}}\n</tool_call>')
    qwen25 = cli("actions", "parse", "--dialect", "qwen2.5-vl", reply)
    assert qwen25.returncode == 0, qwen25.stderr
    lines = qwen25.stdout.splitlines()
    assert lines[0] == "dialect qwen2.5-vl: absolute pixels of the 1092x2408 image sent for the 1080x2400 screen"
    assert "thought: Settings is on the home screen." in lines
    assert 'valid model {"action":"tap","point":[956.0,527.0]}' in lines
    assert 'device 1080x2400: {"action":"tap","point":[945.0,525.0]}' in lines
    qwen3 = cli("actions", "parse", "--dialect", "qwen3-vl", "--screen", "720x1600", reply)
    assert qwen3.returncode == 0, qwen3.stderr
    assert "a 0..1000 grid over the 720x1600 screen" in qwen3.stdout
    assert 'device 720x1600: {"action":"tap","point":[688.0,843.0]}' in qwen3.stdout
    tars = subprocess.run([sys.executable, "-m", "screenpilot.cli", "actions", "parse", "--dialect", "ui-tars-1.5", "-"],
                          input="Thought: open it\nAction: click(start_box='(956,527)')\n", capture_output=True, text=True,
                          timeout=60, env=ENV, check=False)
    assert '"point":[945.0,525.0]' in tars.stdout, tars.stderr


def test_schema_prints_json_tool_schemas() -> None:
    result = cli("actions", "schema", "--tool", "--kind", "phone")
    doc = json.loads(result.stdout)
    assert doc["function"]["name"] == "mobile_use"
    assert "tap" in doc["function"]["parameters"]["properties"]["action"]["enum"]


def test_view_open_without_a_browser_says_so_and_with_one_opens_the_page(given: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in ENV.items() if k != "DISPLAY"}
    none = cli("view", str(given / "ep"), "--out", str(tmp_path / "r.html"), "--open",
               env={**env, "BROWSER": str(tmp_path / "no-such-browser")})
    assert none.returncode == 0
    assert none.stdout.strip() == f"report: {tmp_path / 'r.html'}"
    assert none.stderr.strip() == (f"screenpilot: warning: no web browser found to open the report (set $BROWSER); "
                                   f"it is at {tmp_path / 'r.html'}")
    browser = tmp_path / "browser.sh"
    browser.write_text(f'#!/bin/sh\necho "$1" > {tmp_path / "opened"}\n')
    browser.chmod(browser.stat().st_mode | stat.S_IXUSR)
    some = cli("view", str(given / "ep"), "--out", str(tmp_path / "r.html"), "--open", env={**env, "BROWSER": str(browser)})
    assert some.returncode == 0 and some.stderr == ""
    # a $BROWSER command is run to its end before view returns
    assert (tmp_path / "opened").read_text().strip() == (tmp_path / "r.html").resolve().as_uri()
