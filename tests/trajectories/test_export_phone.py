"""The phone data-set exports read back as their consumers read them (readers in ``_readers.py``, written
from the published definitions): AITW's TFRecord features and action matching, GUI-Odyssey's format
converter, AndroidControl's TFRecord schema with android_env accessibility forests."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image

from screenpilot.actions import Key, LongPress, OpenApp, Size, Swipe, SystemButton, Tap, Terminate, Type
from screenpilot.cli import main
from screenpilot.trajectories import ExportOptions, export, read_episode

from ._builders import Turn, build_episode, element
from ._readers import (
    ODYSSEY_STEP_FIELDS,
    aitw_match,
    decode_example,
    decode_forest,
    is_tap,
    odyssey_samples,
    read_tfrecord,
)

PHONE = Size(1080, 2400)
AITW_FEATURES = {"android_api_level", "current_activity", "device_type", "episode_id", "episode_length", "goal_info",
                 "image/channels", "image/height", "image/width", "image/encoded", "image/ui_annotations_positions",
                 "image/ui_annotations_text", "image/ui_annotations_ui_types", "results/action_type",
                 "results/type_action", "results/yx_touch", "results/yx_lift", "step_id"}
SETTINGS = element("Settings", (0, 389, 270, 662))
ROW = element("", (0, 700, 1080, 890))
TITLE = element("Network & internet", (40, 720, 600, 780))
TREE = [element("", (0, 0, 1080, 2400))] + [e.model_copy(update={"depth": 1 + (e is TITLE)}) for e in
                                            (SETTINGS, element("Clock", (270, 389, 540, 662)), ROW, TITLE)]


def _turns() -> list[Turn]:
    return [
        Turn(Tap(point=(135, 600)), ui=TREE, summary="Opened Settings.", thought="Settings is on the home screen."),
        Turn(LongPress(point=(300, 800), duration_ms=900), ui=TREE),
        Turn(Swipe(start=(540, 1900), end=(540, 700)), ui=TREE),
        Turn(Tap(point=(540, 800)), ui=TREE, instruction="Open the network settings", actor="person"),
        Turn(OpenApp(app="Settings")),
        Turn(Type(text="hello wifi")),
        Turn(SystemButton(button="back")),
        Turn(Terminate(status="success")),
    ]


@pytest.fixture(scope="module")
def episode_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_episode(tmp_path_factory.mktemp("runs") / "ep-phone", _turns())


def test_aitw_tfrecord_has_the_data_sets_features_and_matches_as_its_evaluator_reads(episode_dir: Path,
                                                                                      tmp_path: Path) -> None:
    out = tmp_path / "aitw"
    report = export(episode_dir, ExportOptions(format="aitw", out=out, tfrecord=True))
    assert report.untranslated == {"open_app": 1}  # no silent gap: the open-app step is counted and listed
    assert any("step 4" in s and "open_app" in s for s in report.skipped_steps)
    examples = [decode_example(r) for r in read_tfrecord(out / "aitw.tfrecord.gz")]
    assert len(examples) == 7 and all(set(e) >= AITW_FEATURES for e in examples)
    assert [e["results/action_type"][0] for e in examples] == [4, 4, 4, 4, 3, 5, 10]
    assert all(e["android_api_level"] == [34] for e in examples)
    assert all(e["current_activity"][0] for e in examples)  # on every step, not only the first
    episode = read_episode(episode_dir)
    first = examples[0]
    h, w, c = first["image/height"][0], first["image/width"][0], first["image/channels"][0]
    with Image.open(episode.path(episode.steps[0].frame)) as frame:
        assert first["image/encoded"][0] == frame.convert("RGB").tobytes() and (w, h, c) == (1080, 2400, 3)
    # the UI annotations carry the screen's elements: (y, x, height, width), normalized, with text and type
    positions = first["image/ui_annotations_positions"]
    texts = [t.decode() for t in first["image/ui_annotations_text"]]
    box = positions[4 * texts.index("Settings"):4 * texts.index("Settings") + 4]
    assert box == pytest.approx([389 / 2400, 0.0, 273 / 2400, 270 / 1080], abs=1e-6)
    assert first["image/ui_annotations_ui_types"][texts.index("Settings")] == b"TEXT"
    tap = (4, first["results/yx_touch"], first["results/yx_lift"])
    elsewhere = (4, [0.9, 0.9], [0.9, 0.9])
    assert not aitw_match(tap, elsewhere, positions)
    # the evaluator matches a tap inside the element's (grown) box though it is farther than 0.14: the
    # annotations are what make that match
    top_of_box = (4, [395 / 2400, 10 / 1080], [395 / 2400, 10 / 1080])
    assert aitw_match(tap, top_of_box, positions) and not aitw_match(tap, top_of_box, [])
    long_press = examples[1]
    assert is_tap(long_press["results/yx_touch"], long_press["results/yx_lift"])  # compared as a tap ...
    rows = [json.loads(line) for line in (out / "aitw.jsonl").read_text().splitlines()]
    assert rows[1]["results/action_name"] == "LONG_PRESS" and rows[1]["results/duration_ms"] == 900  # ... told apart
    assert rows[0]["results/action_name"] == "TAP"
    swipe = examples[2]
    assert not is_tap(swipe["results/yx_touch"], swipe["results/yx_lift"])
    assert aitw_match((4, swipe["results/yx_touch"], swipe["results/yx_lift"]), (4, [0.5, 0.5], [0.1, 0.52]), [])
    assert rows[3]["actor"] == "person" and rows[3]["step_instruction"] == "Open the network settings"
    assert examples[4]["results/type_action"] == [b"hello wifi"]


def test_aitw_summary_reports_steps_without_an_aitw_action(episode_dir: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["export", str(episode_dir), "--format", "aitw", "--out", str(tmp_path / "a")])
    assert exit_.value.code == 0
    assert "no aitw action for: 1 open_app" in capsys.readouterr().out


def test_odyssey_loads_in_its_converters_layout(episode_dir: Path, tmp_path: Path) -> None:
    second = build_episode(tmp_path / "ep-two", [Turn(Tap(point=(100, 100)), ui=TREE), Turn(Terminate(status="failure"))],
                           outcome="failure")
    out = tmp_path / "ody"
    export([episode_dir, second], ExportOptions(format="odyssey", out=out))
    samples = odyssey_samples(out, level="low")  # opens every split entry and screenshot as the converter does
    assert len(samples) == 7 + 2  # the open-app step has no GUI-Odyssey action
    assert len({s["image"] for s in samples}) == 9  # one flat folder, no name shared by two episodes
    assert not [p for p in (out / "screenshots").iterdir() if p.is_dir()]
    assert [s["target"] for s in samples[:6]] == ["CLICK: (125, 250)", "LONG_PRESS: (278, 333)", "SCROLL: UP",
                                                  "CLICK: (500, 333)", "TYPE: hello wifi", "PRESS_BACK"]
    doc = json.loads((out / "annotations" / "ep-phone.json").read_text())
    for step in doc["steps"]:
        assert set(ODYSSEY_STEP_FIELDS) <= set(step)
    first, person = doc["steps"][0], doc["steps"][3]
    assert first["sam2_bbox"] == [0, 162, 250, 276]  # the Settings icon on the 0..1000 grid
    assert first["low_level_instruction"] == 'Tap "Settings"' and first["low_level_instruction_from"] == "action"
    assert first["intention"] == "Settings is on the home screen." and first["description"].count("Settings") == 1
    assert person["low_level_instruction"] == "Open the network settings" and person["actor"] == "person"
    assert person["sam2_bbox"] == [0, 292, 1000, 371]  # the row holding the point
    assert doc["steps"][1]["low_level_instruction"] == 'Long press "Network & internet"'  # a row named by its title
    assert "Step 1: Opened Settings." in doc["steps"][1]["context"]
    assert doc["steps"][2]["ps"] == "[[500, 792], [500, 292]]"
    assert samples[-1]["target"] == "IMPOSSIBLE"


def test_androidcontrol_episode_follows_the_published_schema(episode_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "ac"
    report = export([episode_dir], ExportOptions(format="androidcontrol", out=out))
    (record,) = read_tfrecord(out / "android_control-00000-of-00001")
    ex = decode_example(record)
    assert set(ex) >= {"episode_id", "goal", "screenshots", "accessibility_trees", "screenshot_widths",
                       "screenshot_heights", "actions", "step_instructions"}
    actions = [json.loads(a) for a in ex["actions"]]
    assert [a["action_type"] for a in actions] == ["click", "long_press", "scroll", "click", "open_app", "input_text",
                                                   "navigate_back"]
    assert actions[0] == {"action_type": "click", "x": 135, "y": 600}
    assert actions[2] == {"action_type": "scroll", "direction": "down"}  # the finger moved up: content scrolls down
    assert actions[4] == {"action_type": "open_app", "app_name": "Settings"}
    assert len(ex["screenshots"]) == len(actions) + 1 == len(ex["accessibility_trees"]) == len(ex["screenshot_widths"])
    assert len(ex["step_instructions"]) == len(actions) and report.samples == 7
    assert ex["step_instructions"][3] == b"Open the network settings"
    assert ex["screenpilot/step_instruction_sources"][3] == b"recorded" and ex["screenpilot/actors"][3] == b"person"
    assert ex["goal"] == [b"Turn on Wi-Fi"] and isinstance(ex["episode_id"][0], int)
    episode = read_episode(episode_dir)
    for shot, step in zip(ex["screenshots"], episode.steps):
        with Image.open(io.BytesIO(shot)) as png, Image.open(episode.path(step.frame)) as frame:
            assert png.format == "PNG" and png.convert("RGB").tobytes() == frame.convert("RGB").tobytes()
    nodes = decode_forest(ex["accessibility_trees"][0])
    settings = next(n for n in nodes if n["text"] == "Settings")
    assert settings["bounds"] == [0, 389, 270, 662] and settings["is_clickable"]
    assert settings["unique_id"] in nodes[0]["child_ids"] and settings["depth"] == 1  # the tree's shape is kept
    title = next(n for n in nodes if n["text"] == "Network & internet")
    assert nodes[0]["child_ids"] == [1, 2, 3] and nodes[3]["child_ids"] == [title["unique_id"]]
    assert ex["accessibility_trees"][5] == b""  # no UI tree was recorded for that screen


def test_androidcontrol_leaves_out_an_episode_with_an_action_it_cannot_say(tmp_path: Path) -> None:
    ok = build_episode(tmp_path / "ok", [Turn(Tap(point=(10, 10))), Turn(Terminate(status="success"))])
    gap = build_episode(tmp_path / "gap", [Turn(Tap(point=(10, 10))), Turn(Key(key="enter")),
                                           Turn(Tap(point=(20, 20))), Turn(Terminate(status="success"))])
    report = export([ok, gap], ExportOptions(format="androidcontrol", out=tmp_path / "ac"))
    assert report.episodes == 1 and report.untranslated == {"key enter": 1}
    assert any(s.startswith("gap: left out") and "one action apart" in s for s in report.skipped_episodes)
    assert len(read_tfrecord(tmp_path / "ac" / "android_control-00000-of-00001")) == 1


def test_phone_formats_count_every_action_they_cannot_say(tmp_path: Path) -> None:
    folder = build_episode(tmp_path / "keys", [Turn(Key(key="volume_up")),
                                               Turn(Tap(point=(5, 5))), Turn(Terminate(status="success"))])
    for fmt in ("aitw", "odyssey"):
        report = export(folder, ExportOptions(format=fmt, out=tmp_path / fmt))
        assert sum(report.untranslated.values()) == 1 and report.samples == 2, fmt
