"""A secret in a task reaches the phone and nothing else: not the prompts, the trajectory, the checkpoints,
the journal, or what the command line prints."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from screenpilot.perception import parse_uiautomator
from screenpilot.trajectories import read_episode

from ._script import done, tap, typing

SECRET = "Zq7-hunter2-Xy"


def _center_of(phone: Any, resource_suffix: str) -> tuple[int, int]:
    _code, out, _err = phone.phone.shell("uiautomator dump /data/local/tmp/t.xml >/dev/null && cat /data/local/tmp/t.xml")
    element = next(e for e in parse_uiautomator(out[out.find("<"):]) or [] if e.resource_id.endswith(resource_suffix))
    c = element.bounds.center
    return int(c.x), int(c.y)


def test_a_secret_is_typed_on_the_phone_and_appears_nowhere_in_the_run(phone: Any, tmp_path: Path) -> None:
    phone.shell("am start -a android.intent.action.INSERT -t vnd.android.cursor.dir/contact")
    field, save = _center_of(phone, "/given_name"), _center_of(phone, "/editor_menu_save_button")
    script = tmp_path / "replies.json"
    script.write_text(json.dumps([tap(field), typing("{{secret:CODENAME}}"), tap(save), done()]))
    env = {**os.environ, "SCREENPILOT_SECRET_CODENAME": SECRET}
    run = subprocess.run(
        [sys.executable, "-m", "screenpilot.cli", "run", "Add a contact called {{secret:CODENAME}}", "--device",
         f"android:{phone.serial}", "--model", f"scripted:{script}", "--out", str(tmp_path / "runs")],
        capture_output=True, text=True, timeout=120, env=env)
    assert run.returncode == 0, run.stderr

    # the value reached the phone: the contact exists under it
    contacts = phone.shell("content query --uri content://com.android.contacts/contacts").stdout.decode()
    assert f"given_name={SECRET}" in contacts
    # ... and nothing the run wrote or printed holds it
    assert SECRET not in run.stdout + run.stderr
    folder = next((tmp_path / "runs").iterdir())
    files = [p for p in folder.rglob("*") if p.is_file()]
    assert any(p.name.startswith("checkpoints.sqlite") for p in files) and any(p.name == "journal.jsonl" for p in files)
    for path in files:
        assert SECRET.encode() not in path.read_bytes(), f"{path.name} holds the secret"
    # the record keeps the placeholder where the value was: the action, the read-back, the UI tree
    episode = read_episode(folder)
    typed = episode.steps[1]
    assert typed.device_action.action.text == "{{secret:CODENAME}}"
    assert typed.result.text_after == "{{secret:CODENAME}}"
    assert any("{{secret:CODENAME}}" in c for c in typed.result.commands)
    tree = (folder / episode.steps[2].ui_tree).read_text()  # type: ignore[operator]
    assert "{{secret:CODENAME}}" in tree
    assert episode.meta.instruction == "Add a contact called {{secret:CODENAME}}"
    assert episode.meta.config["secrets"] == ["CODENAME"]
