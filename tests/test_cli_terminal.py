"""``screenpilot run`` on a terminal: the live panel as a person's screen shows it, confirmation prompts included.

The run gets a real pseudo-terminal (80x40); its bytes are replayed through pyte, a VT100 emulator, so the
test reads the screen and scrollback a person would see, not the escape codes.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

pyte = pytest.importorskip("pyte")

COLS, ROWS = 80, 40


def _run_on_a_terminal(args: list[str], cwd: Path, answers: list[str]) -> tuple[int, bytes]:
    """Run the command on a new pty, answer each ``Allow it?`` with the next answer; all it wrote, its exit code."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")} | {"TERM": "xterm-256color"}
    proc = subprocess.Popen([sys.executable, "-m", "screenpilot.cli", *args], cwd=cwd, env=env, stdin=slave,
                            stdout=slave, stderr=slave, close_fds=True)
    os.close(slave)
    seen, asked = b"", 0
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the other end closed: the command ended
                break
            if not chunk:
                break
            seen += chunk
            if seen.count(b"Allow it?") > asked and asked < len(answers):
                os.write(master, answers[asked].encode() + b"\n")
                asked += 1
        elif proc.poll() is not None:
            break
    os.close(master)
    return proc.wait(timeout=60), seen


def _screen(data: bytes) -> list[str]:
    """Every line a person can scroll through: the scrollback, then the screen."""
    screen = pyte.HistoryScreen(COLS, ROWS, history=2000)
    pyte.ByteStream(screen).feed(data)
    older = ["".join(line[x].data for x in range(COLS)).rstrip() for line in screen.history.top]
    return older + [line.rstrip() for line in screen.display]


def test_the_live_panel_steps_aside_for_a_question_and_is_drawn_once(tmp_path: Path) -> None:
    code, data = _run_on_a_terminal(["run", "Turn on Wi-Fi", "--device", "sim", "--confirm", "tap"], tmp_path,
                                    answers=["y", "n", "y"])
    lines = _screen(data)
    text = "\n".join(lines)
    assert code == 0, text
    assert sum("screenpilot run" in line and line.startswith("╭") for line in lines) == 1, text  # one top border
    assert sum(line.startswith("╰") for line in lines) == 2, text  # the panel's bottom and the summary's
    assert text.count("Allow it? [y/N") == 3, text  # each question whole, none drawn over by the panel
    assert "Step 1 needs your approval: tap on 'Settings'" in text
    # the panel, drawn again below the answers, holds every step: the refused one too
    assert text.index("Allow it? [y/N") < text.index("╭") < text.index("finished after 4 steps")
    assert "refused" in text[text.index("╭"):]
    assert any(line.startswith("trajectory: runs/") for line in lines), text
