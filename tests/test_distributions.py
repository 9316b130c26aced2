"""The virtual phone is its own distribution: installed ALONE into a fresh virtual environment it serves a
phone that a stock adb connects to, with its own command line, and without any of the runtime."""

from __future__ import annotations

import os
import signal
import subprocess
import venv
from pathlib import Path
from typing import Any

import pytest

from screenpilot_sim import AdbServer, free_port, wait_until

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def sim_alone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv holding screenpilot-sim and its own dependencies only (pip resolves them as a user's would)."""
    env_dir = tmp_path_factory.mktemp("sim-alone") / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    installed = subprocess.run([str(python), "-m", "pip", "install", "-q", str(ROOT / "sim")], capture_output=True,
                               text=True, timeout=600)
    if installed.returncode != 0:
        pytest.fail(f"pip install ./sim failed: {installed.stderr[-2000:]}")
    return env_dir


def test_the_sim_alone_has_none_of_the_runtime(sim_alone: Path) -> None:
    python = sim_alone / "bin" / "python"
    probe = subprocess.run([str(python), "-c", "import importlib.util as u; print(u.find_spec('screenpilot'), "
                            "u.find_spec('langgraph'), u.find_spec('screenpilot_sim') is not None)"],
                           capture_output=True, text=True, timeout=60, cwd=sim_alone)  # not the repository
    assert probe.stdout.split() == ["None", "None", "True"], probe.stderr


def test_the_sim_alone_serves_a_phone_adb_connects_to(sim_alone: Path, adb_path: str, tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([str(sim_alone / "bin" / "screenpilot-sim"), "serve", "--port", str(port)], stdout=out,
                                stderr=subprocess.STDOUT, env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
                                cwd=tmp_path)
    server: Any = None
    try:
        wait_until(lambda: proc.poll() is not None or f"adb connect 127.0.0.1:{port}" in log.read_text(), timeout=60,
                   what="the phone to listen")
        assert proc.poll() is None, log.read_text()
        server = AdbServer.start(adb=adb_path, home=tmp_path)
        server.connect(f"127.0.0.1:{port}")
        said = server.run("-s", f"127.0.0.1:{port}", "shell", "getprop ro.product.model; echo alive")
        assert said.stdout.decode().split("\n")[:2] == ["Virtual Phone", "alive"]
    finally:
        if server is not None:
            server.stop()
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=20)
    assert log.read_text().rstrip().endswith("stopped")
