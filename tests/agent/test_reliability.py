"""What used to break under injected faults, kills and odd replies, through whole runs on the virtual phone.

- a step typed, then the phone went away past every retry: the run stops, and the resumed run does not
  type again (the step is "executed, outcome unknown", shown to the model as such);
- a reply cut inside an escaped emoji (a lone surrogate) is the model's fault, fed back, not a crash;
- one failed capture is retried within the step instead of ending the run;
- a resumed ``--device sim`` run continues on the phone as it left it (its state is saved with each
  step), and a device whose state cannot be saved is named before the resumed run acts;
- the phone's screen is kept on for the run and its setting put back afterwards.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from screenpilot.agent import Budgets, run
from screenpilot.errors import InfraFault
from screenpilot.planner import ScriptedBackend
from screenpilot.trajectories import read_episode
from tests.devices.test_android_post_send import _back_online, offline_after

from ._script import WIFI_ON, done, tap, typing

NOTES = "org.screenpilot.notes"


def _impatient(adb_device: Any) -> Any:
    """The phone through a driver that gives up on an absent phone within a second (the default waits 15 s)."""
    from screenpilot.devices import AndroidDevice
    from screenpilot.devices.android import Backoff

    return AndroidDevice(adb_device.serial, port=adb_device.server.port, timeout=2.0, backoff=Backoff(total=0.6))


def _body(adb_device: Any) -> tuple[int, int]:
    from screenpilot.devices import AndroidDevice

    device = AndroidDevice(adb_device.serial, port=adb_device.server.port)
    device.shell(f"am start -n {NOTES}/.EditorActivity")
    body = next(e for e in device.ui_tree() or [] if e.resource_id.endswith("note_body_edit"))
    return round(body.bounds.center.x), round(body.bounds.center.y)


def test_typed_then_the_phone_stays_away_and_the_resumed_run_does_not_type_again(phone: Any, tmp_path: Path) -> None:
    replies = [tap(_body(phone)), typing("hello there"), done()]
    with offline_after(phone, r"^input text ", 60.0) as fired:
        with pytest.raises(InfraFault):  # the next look at the screen finds no phone, past every retry
            run("Write hello there", device=_impatient(phone), model=ScriptedBackend(replies), out=tmp_path)
    assert fired.is_set()
    _back_online(phone)
    folder = next(tmp_path.iterdir())
    result = run(resume=folder, device=_impatient(phone), model=ScriptedBackend(replies))
    assert result.outcome == "success"
    assert sum(1 for line in phone.phone.records.lines() if line.startswith("input text")) == 1
    assert phone.phone.state().draft["body"] == "hello there"
    typed = read_episode(folder).steps[1]
    assert typed.executed and typed.error_kind == "unknown_outcome"
    journal = [json.loads(line) for line in (folder / "journal.jsonl").read_text().splitlines()]
    assert [e["state"] for e in journal if e["step"] == 1] == ["intent", "done"]  # never "failed"
    third = read_episode(folder).steps[2]
    assert third.request is not None and "[outcome unknown]" in json.dumps(third.request.messages)


def test_a_reply_with_a_lone_surrogate_is_fed_back_not_a_crash(phone: Any, tmp_path: Path) -> None:
    cut = '<tool_call>\n{"name": "mobile_use", "arguments": {"action": "type", "text": "hi \ud83d'
    result = run("Turn on Wi-Fi", device=f"android:{phone.serial}", model=ScriptedBackend([cut, *WIFI_ON]),
                 out=tmp_path)
    assert result.outcome == "success"
    episode = read_episode(result.folder)
    first = episode.steps[0]
    assert first.error_kind == "parse" and "U+D83D" in (first.error or "")
    assert first.raw_output is not None and "\\ud83d" in first.raw_output
    second = episode.steps[1]
    assert second.request is not None and "U+D83D" in json.dumps(second.request.messages)


def test_one_failed_capture_is_retried_within_the_step(phone: Any, tmp_path: Path) -> None:
    faults = phone.phone.faults
    failures = []
    original = faults.capture_fails

    def once() -> bool:  # the next capture fails, the one after works
        if not failures:
            failures.append(True)
            return True
        return original()

    faults.capture_fails = once  # type: ignore[method-assign]
    try:
        result = run("Turn on Wi-Fi", device=f"android:{phone.serial}", model=ScriptedBackend(WIFI_ON), out=tmp_path)
    finally:
        del faults.capture_fails
    assert failures == [True]  # the fault did fire
    assert result.outcome == "success" and result.steps == 4


def test_a_resumed_sim_run_continues_on_the_phone_it_left(tmp_path: Path) -> None:
    """A ``--device sim`` run stopped two screens deep in Settings is resumed: a fresh virtual phone starts
    (the first died with its process) and is put back where the first one was, so the third tap lands on
    the Wi-Fi switch. Without the saved state it would land on the launcher of a phone at Home."""
    calls = []

    def stop_at_the_third(_request: Any) -> str:
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt  # the person stops the run (or it is killed) before the third step
        return WIFI_ON[len(calls) - 1]

    with pytest.raises(KeyboardInterrupt):
        run("Turn on Wi-Fi", device="sim", model=ScriptedBackend(stop_at_the_third), out=tmp_path)
    folder = next(tmp_path.iterdir())
    assert (folder / "device-state.bin").is_file()
    events: list[Any] = []
    result = run(resume=folder, model=ScriptedBackend(WIFI_ON), on_event=events.append)
    assert result.outcome == "success"
    assert [e.phase for e in events if e.kind == "note"] == [
        "the device's state was restored as it was after the last recorded step"]
    switch = read_episode(folder).steps[2]
    assert switch.element is not None and switch.element.resource_id.endswith("/wifi")
    assert switch.frame.path != read_episode(folder).steps[0].frame.path


def test_resuming_on_a_device_that_cannot_be_restored_says_so_first(phone: Any, tmp_path: Path) -> None:
    events: list[Any] = []
    with offline_after(phone, r"^input tap ", 60.0):
        with pytest.raises(InfraFault):
            run("Turn on Wi-Fi", device=_impatient(phone), model=ScriptedBackend(WIFI_ON), out=tmp_path)
    _back_online(phone)
    folder = next(tmp_path.iterdir())
    run(resume=folder, device=f"android:{phone.serial}", model=ScriptedBackend(WIFI_ON), on_event=events.append)
    notes = [e.phase for e in events if e.kind == "note"]
    assert notes and "cannot be saved or restored" in notes[0]
    kinds = [e.kind for e in events]
    assert kinds.index("note") < kinds.index("step")  # said before the resumed run acted
    assert json.loads((folder / "episode.json").read_text())["config"]["resumes"][0]["device_state"] == notes[0]


def test_the_screen_is_kept_on_for_the_run_and_put_back_after(phone: Any, tmp_path: Path) -> None:
    phone.phone.put_setting("global", "stay_on_while_plugged_in", "0")
    seen = []

    def watch(event: Any) -> None:
        if event.kind == "step":
            seen.append(phone.phone.get_setting("global", "stay_on_while_plugged_in"))

    run("Turn on Wi-Fi", device=f"android:{phone.serial}", model=ScriptedBackend(WIFI_ON), out=tmp_path,
        on_event=watch)
    assert seen and all(v not in (None, "0") for v in seen)  # on while the run acted
    assert phone.phone.get_setting("global", "stay_on_while_plugged_in") == "0"  # as it was, after


def test_a_screen_that_changed_under_the_plan_is_a_re_plan_on_a_new_screenshot(phone: Any, tmp_path: Path) -> None:
    """The phone rotates while the model thinks, and the driver sees it (as the scrcpy stream does at
    once): the portrait tap no longer fits. That is the model's to fix on a fresh screenshot
    (ScreenChanged.reobserve), not an abort; nothing is tapped meanwhile."""
    replies = iter([WIFI_ON[0], done()])
    device = _impatient(phone)

    def rotate_while_thinking(_request: Any) -> str:
        reply = next(replies)
        if reply == WIFI_ON[0]:
            phone.shell("settings put system user_rotation 1")  # landscape now: the reply is for portrait
            device.screenshot()  # the driver's view of the screen is the landscape one
        return reply

    try:
        result = run("Turn on Wi-Fi", device=device, model=ScriptedBackend(rotate_while_thinking), out=tmp_path)
    finally:
        phone.shell("settings put system user_rotation 0")
    assert result.outcome == "success"
    first, second = read_episode(result.folder).steps
    assert not first.executed and first.error_kind == "invalid" and "rotated" in (first.error or "")
    assert second.frame.size.width == 2400  # the next turn looked again (landscape) instead of reusing the frame
    assert not [line for line in phone.phone.records.lines() if line.startswith("input tap")]
