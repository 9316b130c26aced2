"""The recorder as a run uses it: frames byte-for-byte, steps appended once, crashes leave a valid prefix."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from PIL import Image

from screenpilot.actions import Bounds, Element, Size
from screenpilot.perception import Frame
from screenpilot.trajectories import (
    BackgroundWriter,
    Recorder,
    RecordingError,
    TrajectoryError,
    read_episode,
)

from ._helpers import frame, meta, record_steps, step


def test_an_episode_reads_back_with_frames_byte_for_byte(tmp_path: Path) -> None:
    with Recorder.create(tmp_path / "ep", meta()) as rec:
        frames = record_steps(rec, 5)
        ui = rec.save_ui_tree([Element(bounds=Bounds(0, 0, 10, 10), text="Wi-Fi", clickable=True)], "000005")
        rec.append_step(step(5, rec.save_frame(frame(77), "000005"), ui=ui))
        rec.finish("success", "model", "the model said it is done")
    episode = read_episode(tmp_path / "ep")
    assert episode.finished and episode.meta.outcome == "success" and episode.meta.decided_by == "model"
    assert [s.index for s in episode.steps] == list(range(6)) and episode.meta.steps == 6
    for i, recorded in enumerate(episode.steps[:5]):
        assert episode.path(recorded.frame).read_bytes() == frames[i].data
        assert episode.path(recorded.frame_after).read_bytes() == frames[i + 1].data
        # both spaces travel in the record: model pixels of the 1092x2408 image, device pixels of 1080x2400
        assert recorded.model_action.space.model == Size(1092, 2408)
        assert recorded.device_action.action.point == (540, 1200)
    assert json.loads(episode.path(episode.steps[5].ui_tree).read_text())[0]["text"] == "Wi-Fi"
    assert not list((tmp_path / "ep").rglob("*.tmp")), "temporary files were left behind"


def test_raw_frames_are_stored_as_png_with_the_same_pixels(tmp_path: Path) -> None:
    image = Image.new("RGBA", (16, 32), (10, 200, 30, 255))
    raw = Frame.from_raw(image.tobytes(), Size(16, 32), "rgba")
    with Recorder.create(tmp_path / "ep", meta()) as rec:
        ref = rec.save_frame(raw, "000000")
        rec.append_step(step(0, ref))
        rec.finish("failure", "budget")
    stored = Image.open(tmp_path / "ep" / ref.path)
    assert ref.path.endswith(".png") and stored.convert("RGBA").tobytes() == image.tobytes()


def test_a_step_recorded_twice_is_written_once(tmp_path: Path) -> None:
    with Recorder.create(tmp_path / "ep", meta()) as rec:
        ref = rec.save_frame(frame(1), "000000")
        assert rec.append_step(step(0, ref)) is True
        assert rec.append_step(step(0, ref)) is False
    assert len((tmp_path / "ep" / "steps.jsonl").read_text().splitlines()) == 1


def test_a_second_episode_in_the_same_folder_is_refused(tmp_path: Path) -> None:
    Recorder.create(tmp_path / "ep", meta()).close()
    with pytest.raises(TrajectoryError, match="already holds an episode"):
        Recorder.create(tmp_path / "ep", meta())


def test_redaction_reaches_steps_metadata_and_ui_trees(tmp_path: Path) -> None:
    secret = "hunter2-very-secret"

    def redact(text: str) -> str:
        return text.replace(secret, "{{secret:PASSWORD}}")

    with Recorder.create(tmp_path / "ep", meta(instruction=f"log in with {secret}"), redact=redact) as rec:
        ref = rec.save_frame(frame(1), "000000")
        ui = rec.save_ui_tree([Element(bounds=Bounds(0, 0, 5, 5), text=secret)], "000000")
        s = step(0, ref, ui=ui).model_copy(update={"thought": f"type {secret}"})
        rec.append_step(s)
        rec.finish("success", "model")
    blob = b"".join(p.read_bytes() for p in (tmp_path / "ep").rglob("*") if p.is_file())
    assert secret.encode() not in blob
    assert b"{{secret:PASSWORD}}" in (tmp_path / "ep" / "steps.jsonl").read_bytes()


def test_a_torn_last_line_is_tolerated_and_cut_when_the_episode_continues(tmp_path: Path) -> None:
    with Recorder.create(tmp_path / "ep", meta()) as rec:
        record_steps(rec, 3)
    steps_file = tmp_path / "ep" / "steps.jsonl"
    whole = steps_file.read_bytes()
    steps_file.write_bytes(whole + whole.splitlines(keepends=True)[0][:40])  # a crash mid-append
    episode = read_episode(tmp_path / "ep")
    assert episode.torn_tail and len(episode.steps) == 3 and not episode.finished
    with Recorder.reopen(tmp_path / "ep") as rec:
        assert rec.has_step(2) and not rec.has_step(3)
        pre = episode.steps[-1].frame_after
        record_steps_from = rec.save_frame(frame(50), "000003")
        rec.append_step(step(3, pre or record_steps_from))
        rec.finish("success", "model")
    episode = read_episode(tmp_path / "ep")
    assert not episode.torn_tail and [s.index for s in episode.steps] == [0, 1, 2, 3]


def test_damage_before_the_last_line_is_an_error_naming_the_line(tmp_path: Path) -> None:
    with Recorder.create(tmp_path / "ep", meta()) as rec:
        record_steps(rec, 3)
    steps_file = tmp_path / "ep" / "steps.jsonl"
    lines = steps_file.read_bytes().splitlines(keepends=True)
    steps_file.write_bytes(lines[0] + b"{not json\n" + lines[2])
    with pytest.raises(TrajectoryError, match="line 2"):
        read_episode(tmp_path / "ep")


def test_a_gap_in_step_numbers_is_an_error(tmp_path: Path) -> None:
    with Recorder.create(tmp_path / "ep", meta()) as rec:
        ref = rec.save_frame(frame(1), "000000")
        rec.append_step(step(0, ref))
        rec.append_step(step(2, ref))
    with pytest.raises(TrajectoryError, match="is step 2, expected 1"):
        read_episode(tmp_path / "ep")


def test_a_newer_schema_is_refused_with_a_hint(tmp_path: Path) -> None:
    Recorder.create(tmp_path / "ep", meta()).close()
    doc = json.loads((tmp_path / "ep" / "episode.json").read_text())
    doc["schema_version"] = 99
    (tmp_path / "ep" / "episode.json").write_text(json.dumps(doc))
    with pytest.raises(TrajectoryError, match="upgrade screenpilot"):
        read_episode(tmp_path / "ep")


def test_a_missing_frame_of_a_finished_episode_is_reported(tmp_path: Path) -> None:
    with Recorder.create(tmp_path / "ep", meta()) as rec:
        record_steps(rec, 2)
        rec.finish("success", "model")
    (tmp_path / "ep" / "frames" / "000001.png").unlink(missing_ok=True)
    (tmp_path / "ep" / "frames" / "000000-after.png").unlink()
    with pytest.raises(TrajectoryError, match="frames/000000-after.png"):
        read_episode(tmp_path / "ep")
    assert read_episode(tmp_path / "ep", check_files=False).meta.steps == 2


def test_the_writer_blocks_instead_of_growing_when_the_disk_is_slow(tmp_path: Path) -> None:
    gate = threading.Event()
    writer = BackgroundWriter(max_pending=2)

    def slow(path: Path) -> None:
        gate.wait()
        path.write_bytes(b"x" * 1000)

    for i in range(3):  # one in progress, two queued
        writer.submit(tmp_path / f"{i}.bin", slow)
    fourth = threading.Thread(target=writer.submit, args=(tmp_path / "3.bin", slow))
    fourth.start()
    fourth.join(timeout=0.5)
    assert fourth.is_alive(), "a fourth frame was accepted while the disk had not taken the first"
    gate.set()
    fourth.join(timeout=10)
    writer.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["0.bin", "1.bin", "2.bin", "3.bin"]


def test_a_write_failure_stops_the_run_with_our_error(tmp_path: Path) -> None:
    rec = Recorder.create(tmp_path / "ep", meta())
    ref = rec.save_frame(frame(1), "000000")
    rec.wait_for(ref.path)
    (tmp_path / "ep" / "frames" / "000000.png").unlink()
    (tmp_path / "ep" / "frames").rmdir()  # the folder vanished under the run
    rec.save_frame(frame(2), "000001")
    with pytest.raises(RecordingError, match="run folder"):
        rec.close()


_CRASHER = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    sys.path.insert(0, {root!r})
    from tests.trajectories._helpers import frame, meta, step
    from screenpilot.trajectories import Recorder

    folder, kill_at = Path(sys.argv[1]), int(sys.argv[2])
    rec = Recorder.reopen(folder) if (folder / "episode.json").exists() else Recorder.create(folder, meta())
    start = rec.step_count
    pre = rec.save_frame(frame(start), f"{{start:06d}}")
    for i in range(start, start + 40):
        post = rec.save_frame(frame(i + 1), f"{{i:06d}}-after")
        if i == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        rec.append_step(step(i, pre, post))
        pre = post
    rec.finish("success", "model")
    rec.close()
    """
)


@pytest.mark.parametrize("seed", range(5))
def test_sigkill_at_a_random_step_leaves_a_valid_prefix_that_can_continue(tmp_path: Path, seed: int) -> None:
    root = str(Path(__file__).resolve().parents[2])
    script = tmp_path / "crash.py"
    script.write_text(_CRASHER.format(root=root))
    folder = tmp_path / "ep"
    kill_at = random.Random(seed).randrange(1, 39)
    first = subprocess.run([sys.executable, str(script), str(folder), str(kill_at)], capture_output=True, timeout=60)
    assert first.returncode == -signal.SIGKILL, first.stderr.decode()
    crashed = read_episode(folder)
    assert [s.index for s in crashed.steps] == list(range(kill_at)) and not crashed.finished
    second = subprocess.run([sys.executable, str(script), str(folder), "-1"], capture_output=True, timeout=60)
    assert second.returncode == 0, second.stderr.decode()
    done = read_episode(folder)
    assert done.finished and [s.index for s in done.steps] == list(range(kill_at + 40))


def test_a_short_secret_does_not_rename_the_files_a_step_points_at(tmp_path: Path) -> None:
    with Recorder.create(tmp_path / "ep", meta(), redact=lambda t: t.replace("0000", "{{secret:PIN}}")) as rec:
        record_steps(rec, 2)
        rec.finish("success", "model")
    episode = read_episode(tmp_path / "ep")  # every frame reference still resolves
    assert episode.steps[1].frame.path == "frames/000000-after.png"
