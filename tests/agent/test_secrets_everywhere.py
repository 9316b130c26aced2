"""Secrets of every shape, through every Android typing route, reach the phone and no file or output.

A whole run on the virtual phone types ``{{secret:PIN}}`` into a note; then the run is exported
(llamafactory, aitw) and reported. Every file of the run folder (steps, journal, checkpoints, UI trees,
episode), of the exports and the report, and everything the command line printed, is searched for the
value and for each form a driver derives from it (``%s`` for spaces, shell quoting, ADBKeyBoard's
base64, the command lines themselves). Before the fix the derived forms of the ``input text`` and
ADBKeyBoard commands were in steps.jsonl, journal.jsonl, the report and the checkpoints.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screenpilot.cli import main
from screenpilot.trajectories import read_episode
from tests.devices.test_secret_typing import derived_forms

from ._script import done, tap, typing

NOTES = "org.screenpilot.notes"
def _distinct(value: str) -> bool:
    """A secret that could not turn up in a file by chance (not '00000000' in a binary page)."""
    return len(set(value)) >= 5 and sum(c.isalpha() for c in value) >= 3


SHAPES = {
    "input text": st.text(alphabet=st.sampled_from(list("abcXYZ019 '\"%s$`;&\\-")), min_size=8, max_size=20)
    .filter(_distinct),
    "ADBKeyBoard": st.text(alphabet=st.sampled_from(list("abX09 '\"%s\\éß中文ж\n")), min_size=8, max_size=20)
    .filter(lambda v: _distinct(v) and any(ord(c) > 127 for c in v)),
}


def _body_point(adb_device: Any) -> tuple[int, int]:
    from screenpilot.devices import AndroidDevice

    device = AndroidDevice(adb_device.serial, port=adb_device.server.port)
    body = next(e for e in device.ui_tree() or [] if e.resource_id.endswith("note_body_edit"))
    return round(body.bounds.center.x), round(body.bounds.center.y)


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    try:
        main(list(argv))
    except SystemExit as exc:
        code = int(exc.code or 0)
    else:
        code = 0
    out = capsys.readouterr()
    return code, out.out + out.err


def _every_file(*roots: Path) -> list[Path]:
    return [p for root in roots for p in root.rglob("*") if p.is_file()]


@pytest.mark.parametrize("route", list(SHAPES))
def test_a_secret_of_any_shape_reaches_the_phone_and_no_file_or_output(
        route: str, adb_device: Any, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    phone = adb_device.phone

    @settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
    @given(value=SHAPES[route])
    def check(value: str) -> None:
        phone.reset()
        adb_device.shell(f"am start -n {NOTES}/.EditorActivity")
        work = tmp_path_factory.mktemp("secret")
        script = work / "replies.json"
        script.write_text(json.dumps([tap(_body_point(adb_device)), typing("{{secret:PIN}}"), done()]))
        monkeypatch.setenv("SCREENPILOT_SECRET_PIN", value)
        printed = []
        code, said = _cli(capsys, "run", "Write {{secret:PIN}} in the note", "--device", f"android:{adb_device.serial}",
                          "--model", f"scripted:{script}", "--out", str(work / "runs"))
        printed.append(said)
        assert code == 0, said
        assert phone.state().draft["body"] == value  # it reached the phone exactly
        folder = next((work / "runs").iterdir())
        typed = read_episode(folder).steps[1]
        assert route in typed.result.detail  # the route this case is about was the one taken
        for fmt in ("llamafactory", "aitw"):
            code, said = _cli(capsys, "export", str(folder), "--format", fmt, "--out", str(work / fmt))
            printed.append(said)
            assert code == 0, said
        code, said = _cli(capsys, "view", str(folder), "--out", str(work / "report.html"))
        printed.append(said)
        assert code == 0, said
        files = _every_file(folder, work / "llamafactory", work / "aitw") + [work / "report.html"]
        assert any(p.name == "journal.jsonl" for p in files) and any(p.name.startswith("checkpoints") for p in files)
        forms = derived_forms(value)
        for path in files:
            data = path.read_bytes()
            for form in forms:
                assert form.encode() not in data, f"{path.relative_to(work)} holds {form!r}"
                assert json.dumps(form).encode()[1:-1] not in data, f"{path.relative_to(work)} holds {form!r} escaped"
        for text in printed:
            for form in forms:
                assert form not in text

    check()
