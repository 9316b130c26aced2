"""A person on the virtual phone, recorded through its own ``getevent -lt`` over a real adb server.

The person's finger is the phone's touchscreen (``Finger``), so the recorder sees what it would see on a
phone: kernel events in the panel's own grid. Each action must become the step a person would expect,
at the right pixels and on the right element, with the screen before and after it; the episode must
replay on a freshly reset phone to the same end, and export with the person's steps as targets.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from screenpilot.actions import Key, LongPress, Swipe, SystemButton, Tap, Type
from screenpilot.trajectories import ExportOptions, ReplayOptions, export, read_episode, replay

from ..trajectories._readers import decode_example, read_tfrecord
from .conftest import Finger, center, view_box

DONE: dict[str, Path] = {}


def near(point: Any, expected: tuple[float, float], tolerance: float = 2.0) -> bool:
    return abs(point.x - expected[0]) <= tolerance and abs(point.y - expected[1]) <= tolerance


def test_a_person_on_the_phone_becomes_steps_that_replay_on_a_fresh_phone(adb_device: Any, recording: Any,
                                                                         phone_driver: Any, tmp_path: Path) -> None:
    phone = adb_device.phone
    finger = Finger(phone)
    rec = recording("Write a note called Milk 2")
    rec.ready(0)
    clock = center(view_box(phone, desc="Clock"))
    finger.hold(*clock, ms=650)  # a long press: the launcher's App info menu opens while the finger is down
    rec.ready(1)
    assert "App info" in phone.ui_xml()
    finger.tap(540, 1600)  # a tap beside the menu closes it
    rec.ready(2)
    notes = center(view_box(phone, desc="Notes"))
    finger.tap(*notes)
    rec.ready(3)
    finger.swipe(540, 1500, 540, 900, ms=300)
    rec.ready(4)
    new = center(view_box(phone, desc="New note"))
    finger.tap(*new)
    rec.ready(5)
    title = center(view_box(phone, rid="id/note_title_edit"))
    finger.tap(*title)
    rec.ready(6)
    finger.type("Milk 2")  # shift, letters, space, the symbols page: eight taps on the keyboard
    rec.ready(7)
    save = center(view_box(phone, desc="Save"))
    finger.tap(*save)
    rec.ready(8)
    finger.tap(*center(view_box(phone, rid="id/back", window="navigation_bar_frame")))  # Back, on the navigation bar
    rec.ready(9)
    result = rec.stop()

    assert result.outcome == "success" and result.steps == 9, result
    episode = read_episode(result.folder)
    assert episode.meta.source == "human" and episode.meta.decided_by == "person"
    steps = episode.steps
    assert [s.actor for s in steps] == ["person"] * 9
    actions = [s.device_action.action for s in steps]  # type: ignore[union-attr]
    assert isinstance(actions[0], LongPress) and near(actions[0].point, clock) and actions[0].duration_ms >= 600
    assert steps[0].element is not None and steps[0].element.label == "Clock"
    assert isinstance(actions[1], Tap) and near(actions[1].point, (540, 1600))
    assert isinstance(actions[2], Tap) and near(actions[2].point, notes) and steps[2].element.label == "Notes"  # type: ignore[union-attr]
    assert isinstance(actions[3], Swipe) and near(actions[3].start, (540, 1500)) and near(actions[3].end, (540, 900))
    assert abs(actions[3].duration_ms - 300) <= 20
    assert isinstance(actions[4], Tap) and steps[4].element.label == "New note"  # type: ignore[union-attr]
    assert isinstance(actions[5], Tap) and steps[5].element.resource_id.endswith("note_title_edit")  # type: ignore[union-attr]
    assert actions[6] == Type(text="Milk 2") and steps[6].result.text_after == "Milk 2"  # type: ignore[union-attr]
    assert any("8 key(s)" in n for n in steps[6].notes)
    assert isinstance(actions[7], Tap) and steps[7].element.label == "Save"  # type: ignore[union-attr]
    assert actions[8] == SystemButton(button="back")
    for s in steps:  # both spaces, both frames, as a model's step would have them
        assert s.model_action is not None and s.model_action.space.model == (1092, 2408)
        assert s.frame_after is not None and (episode.folder / s.frame_after.path).exists()
        assert s.frame.size == (1080, 2400) and s.call and s.summary and s.summary.startswith("(done by a person)")
    assert near(steps[2].model_action.action.point, (notes[0] * 1092 / 1080, notes[1] * 2408 / 2400), 1.5)  # type: ignore[union-attr]
    ended = {"notes": phone.shell("ls /sdcard/Documents/Notes")[1], "foreground": phone.state().foreground}
    assert "Milk 2.txt" in ended["notes"]

    phone.reset()  # a fresh phone: the replay must get there by itself
    report = replay(result.folder, phone_driver, tmp_path / "replays", options=ReplayOptions(), device_spec="sim")
    assert report.outcome == "success", (report.detail, [(s.action, s.error, s.divergence) for s in report.steps])
    assert len([s for s in report.steps if s.executed]) == 9 and not report.diverged
    assert {"notes": phone.shell("ls /sdcard/Documents/Notes")[1], "foreground": phone.state().foreground} == ended
    DONE["episode"] = result.folder


def test_a_demonstration_exports_with_the_persons_steps_as_targets_and_their_instructions(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from screenpilot.cli import app

    folder = DONE.get("episode")
    if folder is None:
        pytest.skip("needs the episode the recording test made")
    got = CliRunner().invoke(app, ["annotate", str(folder), "--set", "2=Open the Notes app",
                                   "--set", "6=Type the note's title"])
    assert got.exit_code == 0, got.output
    assert "2 of 9 steps have an instruction" in got.output
    sidecar = (folder / "annotations.yaml").read_text()
    assert "instruction: Open the Notes app" in sidecar and "did: tap" in sidecar
    episode = read_episode(folder)
    assert [s.instruction for s in episode.steps][2] == "Open the Notes app"

    chat = export([folder], ExportOptions(format="llamafactory", out=tmp_path / "lf"))
    rows = [json.loads(line) for line in (tmp_path / "lf" / "index.jsonl").read_text().splitlines()]
    assert len(rows) == chat.samples == 9 and {r["actor"] for r in rows} == {"person"}  # targets, labelled
    export([folder], ExportOptions(format="androidcontrol", out=tmp_path / "ac"))
    (record,) = read_tfrecord(tmp_path / "ac" / "android_control-00000-of-00001")
    ex = decode_example(record)
    assert set(ex["screenpilot/actors"]) == {b"person"}
    assert ex["step_instructions"][2] == b"Open the Notes app"
    assert ex["screenpilot/step_instruction_sources"][2] == b"recorded"
    assert ex["screenpilot/step_instruction_sources"][3] == b"action"  # not annotated: worded from the action
    export([folder], ExportOptions(format="odyssey", out=tmp_path / "od"))
    (doc_path,) = (tmp_path / "od" / "annotations").glob("*.json")
    lows = {s["source_step"]: s["low_level_instruction"] for s in json.loads(doc_path.read_text())["steps"]}
    assert lows[2] == "Open the Notes app" and lows[6] == "Type the note's title"


def test_typing_corrections_enter_and_the_phones_buttons(adb_device: Any, recording: Any, phone_driver: Any,
                                                       tmp_path: Path) -> None:
    phone = adb_device.phone
    finger = Finger(phone)

    def start_state() -> None:
        phone.shell("am start -n org.screenpilot.notes/.EditorActivity")

    start_state()
    volume = phone.state().setting("system", "volume_music")
    rec = recording("Title a note Milky", typing_pause_s=0.5)
    rec.ready(0)
    finger.tap(*center(view_box(phone, rid="id/note_title_edit")))
    rec.ready(1)
    finger.type("Milkk")
    rec.ready(2)  # the pause ended the first text
    finger.tap(*center(view_box(phone, desc="Delete", window="keyboard_view")))
    finger.type("y")
    rec.ready(4)  # a deletion and a letter: the character removed, then the one added
    finger.tap(*center(view_box(phone, desc="Enter", window="keyboard_view")))
    rec.ready(5)
    phone.press_button("volume_up")  # the phone's own button: gpio-keys in getevent
    rec.ready(6)
    result = rec.stop()
    steps = read_episode(result.folder).steps
    actions = [s.device_action.action for s in steps]  # type: ignore[union-attr]
    assert actions[1:] == [Type(text="Milkk"), Key(key="del"), Type(text="y"), Key(key="enter"), Key(key="volume_up")]
    assert steps[2].frame_after == steps[3].frame_after  # one typing group, two steps: one screen after both
    assert any("several steps" in n for n in steps[2].notes)
    ended = (phone.state().field("org.screenpilot.notes:id/note_title_edit"), phone.state().focused_field,
             phone.state().setting("system", "volume_music"))
    assert ended[0].text == "Milky" and ended[2] != volume  # type: ignore[union-attr]
    assert ended[1] is not None and ended[1].resource_id.endswith("note_body_edit")  # Enter moved on to the body

    phone.reset()  # not in the editor this time: the replay sees another screen and stops before acting
    stopped = replay(result.folder, phone_driver, tmp_path / "stopped", device_spec="sim")
    assert stopped.outcome == "aborted" and stopped.stopped_at == 0 and stopped.diverged and not stopped.steps[0].executed
    phone.reset()
    start_state()
    report = replay(result.folder, phone_driver, tmp_path / "replays", device_spec="sim")
    assert report.outcome == "success", report.detail
    assert (phone.state().field("org.screenpilot.notes:id/note_title_edit"), phone.state().focused_field,
            phone.state().setting("system", "volume_music")) == ended


def test_ctrl_c_just_after_a_step_was_shown_keeps_that_step(adb_device: Any, recording: Any) -> None:
    # Ctrl-C lands while the step's line is being printed (a CI run caught it there): the step is on disk
    # and the person saw it, so the demonstration has it, with its frames
    phone = adb_device.phone
    rec = recording("Open Notes")
    shown: list[Any] = []

    def ctrl_c_after_showing(record: Any) -> None:
        shown.append(record)
        raise KeyboardInterrupt

    rec.demo.on_step = ctrl_c_after_showing
    rec.ready(0)
    Finger(phone).tap(*center(view_box(phone, desc="Notes")))
    rec.ready(1)  # the thread ended: the recorder's loop stopped at the interrupt
    assert rec._thread is not None
    rec._thread.join(timeout=30)
    assert rec.error is None and rec.result is not None and len(shown) == 1
    assert rec.result.steps == 1 and rec.result.outcome == "success", rec.result
    episode = read_episode(rec.result.folder)
    assert len(episode.steps) == 1 and "stopped with Ctrl-C" in episode.meta.outcome_detail
    assert (episode.folder / episode.steps[0].frame.path).exists()
