"""The hint of "no adb server" is a command that runs as written, also where Debian's adb is absent."""

from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from screenpilot.devices.android._errors import translate


@pytest.mark.parametrize("adb_on_path", [True, False])
def test_no_server_hint_names_an_adb_that_runs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, adb_on_path: bool) -> None:
    if adb_on_path and shutil.which("adb") is None:
        pytest.skip("no adb on PATH here (Debian's adb package)")
    if not adb_on_path:
        monkeypatch.setenv("PATH", str(tmp_path))  # nothing to find: only the adbutils wheel's adb is left
    error = translate(ConnectionRefusedError(111, "Connection refused"), serial=None, server="127.0.0.1:5999")
    assert error.hint is not None
    command = shlex.split(error.hint.split("`")[1])
    assert command[1:] == ["-P", "5999", "start-server"]
    assert (command[0] == "adb") == adb_on_path
    adb = shutil.which("adb") if adb_on_path else command[0]
    done = subprocess.run([adb, "version"], capture_output=True, text=True, timeout=30, check=False)  # type: ignore[list-item]
    assert done.returncode == 0 and "Android Debug Bridge" in done.stdout
