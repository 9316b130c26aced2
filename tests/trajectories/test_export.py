"""Exports read back the way their consumers read them.

LLaMA-Factory / ms-swift: one <image> tag per image, images the processor will not resize again
(checked with transformers' own smart_resize and LLaMA-Factory's pre-shrink rule), and the target's
coordinates inside the image they refer to, landing on the device pixel that was tapped. The parquet
data set through ``datasets``. AITW's (y, x) order and GUI-Odyssey's 0-1000 grid against the device
pixels, read with the rules of GUI-Odyssey's own converter.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from PIL import Image

from screenpilot.actions import Size, Swipe, SystemButton, Tap, Terminate, Type
from screenpilot.cli import main
from screenpilot.perception import CoordinateSpace
from screenpilot.planner import dialect_for
from screenpilot.trajectories import ExportOptions, TrajectoryError, export, read_episode

from ._builders import Turn, build_episode, element

IMAGE = "<image>"
PHONE = Size(1080, 2400)


def _turns() -> list[Turn]:
    return [
        Turn(Tap(point=(135, 525)), thought="Settings is on the home screen.", summary="Opened Settings.",
             element=element("Settings", (0, 389, 270, 662))),
        Turn(None, raw="hmm <tool_call>{broken", error="the reply has no complete tool call"),
        Turn(Swipe(start=(540, 1900), end=(540, 700)), thought="Scroll to find Network."),
        Turn(Tap(point=(600, 530)), summary="Opened Network & internet."),
        Turn(Type(text="hello wifi")),
        Turn(SystemButton(button="back")),
        Turn(Tap(point=(1079, 2399)), summary="Tapped the corner."),
        Turn(Terminate(status="success"), thought="Done."),
    ]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("runs")
    build_episode(root / "ep-ok", _turns())
    build_episode(root / "ep-failed", _turns()[:2] + [Turn(Terminate(status="failure"))], outcome="failure")
    build_episode(root / "ep-crashed", _turns()[:3], outcome=None)
    return root


def _hf_smart_resize(h: int, w: int, factor: int, max_pixels: int) -> tuple[int, int]:
    """transformers' own smart_resize (the torchvision-free module), as the Qwen-VL processors run it."""
    from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import smart_resize

    return smart_resize(h, w, factor=factor, min_pixels=factor * factor * 4, max_pixels=max_pixels)


def _llamafactory_feed(img: Image.Image, image_max_pixels: int, factor: int = 28) -> tuple[int, int]:
    """The (width, height) LLaMA-Factory feeds: its pre-shrink above image_max_pixels, then the processor."""
    w, h = img.size
    if w * h > image_max_pixels:
        f = math.sqrt(image_max_pixels / (w * h))
        w, h = int(w * f), int(h * f)
    rh, rw = _hf_smart_resize(h, w, factor, 16384 * factor * factor)
    return rw, rh


def _rows(out: Path, name: str) -> list[dict]:
    return [json.loads(line) for line in (out / name).read_text(encoding="utf-8").splitlines()]


def _check_chat_row(row: dict, out: Path, device_step, budget: int, dialect: str = "qwen2.5-vl") -> None:
    messages, images = row["messages"], row["images"]
    assert sum(m["content"].count(IMAGE) for m in messages) == len(images)
    roles = [m["role"] for m in messages]
    rest = roles[1:] if roles[0] == "system" else roles
    assert rest == ["user", "assistant"] * (len(rest) // 2), roles  # alternating, ends with the target
    d = dialect_for(dialect, "phone")
    for p in images:
        path = Path(p) if Path(p).is_absolute() else out / p
        with Image.open(path) as img:
            assert _llamafactory_feed(img, budget, d.factor) == img.size  # the trainer feeds exactly these pixels
    with Image.open(Path(images[-1]) if Path(images[-1]).is_absolute() else out / images[-1]) as img:
        size = Size(*img.size)
    if d.grid is None:
        assert f"resolution is {size.width}x{size.height}" in messages[0]["content"]
    space = CoordinateSpace.resized(PHONE, max_pixels=budget) if d.grid is None else CoordinateSpace.relative(PHONE, d.grid)
    if d.grid is None:
        assert space.model == size
    plan = d.parse(messages[-1]["content"], space)
    for name, point in ((k, v) for k, v in plan.action if isinstance(v, tuple) and len(v) == 2):
        assert space.contains(point), (name, point, size)
        back = space.to_device_point(point)
        recorded = getattr(device_step.device_action.action, name)
        tolerance = max(PHONE.width / space.model.width, PHONE.height / space.model.height)
        assert abs(back.x - recorded.x) <= tolerance and abs(back.y - recorded.y) <= tolerance


def test_llamafactory_rows_fit_the_default_pixel_budget(runs: Path, tmp_path: Path) -> None:
    out = tmp_path / "lf"
    report = export([runs / "ep-ok"], ExportOptions(format="llamafactory", out=out))
    episode = read_episode(runs / "ep-ok")
    trainable = [s for s in episode.steps if s.error is None]
    assert report.samples == len(trainable) == 7
    assert any("step 1" in s and "not executed" in s for s in report.skipped_steps)
    info = json.loads((out / "dataset_info.json").read_text())
    spec = info["screenpilot"]
    assert spec["formatting"] == "sharegpt" and spec["columns"] == {"messages": "messages", "images": "images"}
    rows = _rows(out, spec["file_name"])
    index = _rows(out, "index.jsonl")
    assert len(rows) == len(index) == 7
    for row, entry in zip(rows, index):
        step = episode.steps[entry["step"]]
        _check_chat_row(row, out, step, 768 * 768)
        assert entry["prompt"] == "rendered"  # 1092x2408 was sent live; 768*768 forces a re-render
    # the history lines were re-rendered too: no call in a later prompt names a point outside its image
    last_user = rows[-1]["messages"][1]["content"]
    for x, y in re.findall(r'"coordinate": \[(\d+), (\d+)\]', last_user):
        assert int(x) < 504 and int(y) < 1120
    assert "[not executed] the reply has no complete tool call" in last_user


def test_llamafactory_keeps_the_exact_prompt_when_the_budget_matches(runs: Path, tmp_path: Path) -> None:
    out = tmp_path / "exact"
    export([runs / "ep-ok"], ExportOptions(format="llamafactory", out=out, max_pixels=12845056))
    episode = read_episode(runs / "ep-ok")
    for row, entry in zip(_rows(out, "data.jsonl"), _rows(out, "index.jsonl")):
        assert entry["prompt"] == "recorded"
        step = episode.steps[entry["step"]]
        recorded = "".join(p.get("text", IMAGE) for p in step.request.messages[1]["content"])
        assert row["messages"][0]["content"] == step.request.messages[0]["content"][0]["text"]
        assert row["messages"][1]["content"] == recorded
        assert json.loads(re.search(r"<tool_call>\n(.*)\n</tool_call>", row["messages"][-1]["content"])[1]) == \
            json.loads(re.search(r"<tool_call>\n(.*)\n</tool_call>", step.raw_output)[1])
        _check_chat_row(row, out, step, 12845056)


def test_history_window_gives_windowed_samples(runs: Path, tmp_path: Path) -> None:
    out = tmp_path / "k3"
    export([runs / "ep-ok"], ExportOptions(format="llamafactory", out=out, history_images=3))
    episode = read_episode(runs / "ep-ok")
    rows, index = _rows(out, "data.jsonl"), _rows(out, "index.jsonl")
    for row, entry in zip(rows, index):
        sound_before = 0  # the window holds the last sound steps: an invalid turn is never a screenshot turn
        while sound_before < 2 and entry["step"] - sound_before - 1 >= 0 and \
                episode.steps[entry["step"] - sound_before - 1].error is None:
            sound_before += 1
        assert len(row["images"]) == sound_before + 1
        _check_chat_row(row, out, episode.steps[entry["step"]], 768 * 768)
        for m in row["messages"][2:-1]:
            if m["role"] == "assistant" and "coordinate" in m["content"]:
                for x, y in re.findall(r'"coordinate": \[(\d+), (\d+)\]', m["content"]):
                    assert int(x) < 504 and int(y) < 1120  # earlier replies re-written for the image sent


def test_long_episode_with_a_token_budget_drops_old_lines(tmp_path: Path) -> None:
    turns = [Turn(Tap(point=(100 + 10 * i, 300 + 50 * i)), summary=f"Step number {i} " + "x" * 200) for i in range(14)]
    folder = build_episode(tmp_path / "long", turns + [Turn(Terminate(status="success"))])
    out = tmp_path / "out"
    export([folder], ExportOptions(format="swift", out=out, max_tokens=2000, max_pixels=400 * 28 * 28))
    rows = _rows(out, "train.jsonl")
    assert len(rows) == 15
    assert "(omitted)" in rows[-1]["messages"][1]["content"]
    assert "(omitted)" not in rows[0]["messages"][1]["content"]


def test_swift_rows_mark_only_the_target_for_loss(runs: Path, tmp_path: Path) -> None:
    out = tmp_path / "swift"
    export([runs / "ep-ok"], ExportOptions(format="swift", out=out, history_images=2, max_pixels=768 * 768))
    episode = read_episode(runs / "ep-ok")
    rows, index = _rows(out, "train.jsonl"), _rows(out, "index.jsonl")
    assert len(rows) == 7
    for row, entry in zip(rows, index):
        assert all(Path(p).is_absolute() and Path(p).exists() for p in row["images"])
        assistants = [m for m in row["messages"] if m["role"] == "assistant"]
        assert [m["loss"] for m in assistants] == [False] * (len(assistants) - 1) + [True]
        _check_chat_row(row, out, episode.steps[entry["step"]], 768 * 768)


def test_relative_dialect_exports_grid_coordinates(tmp_path: Path) -> None:
    folder = build_episode(tmp_path / "q3", _turns()[:1] + [Turn(Tap(point=(1079, 2399))), Turn(Terminate(status="success"))],
                           dialect="qwen3-vl")
    out = tmp_path / "out"
    export([folder], ExportOptions(format="llamafactory", out=out))
    episode = read_episode(folder)
    for row, entry in zip(_rows(out, "data.jsonl"), _rows(out, "index.jsonl")):
        _check_chat_row(row, out, episode.steps[entry["step"]], 768 * 768, dialect="qwen3-vl")
    assert '"coordinate": [999, 1000]' in _rows(out, "data.jsonl")[1]["messages"][-1]["content"]


def test_a_literal_image_tag_in_text_cannot_add_an_image(tmp_path: Path) -> None:
    folder = build_episode(tmp_path / "tag", [Turn(Tap(point=(10, 10)), thought="I see an <image> here"),
                                              Turn(Terminate(status="success"))], instruction="Open the <image> gallery")
    out = tmp_path / "out"
    report = export([folder], ExportOptions(format="llamafactory", out=out, history_images=2))
    for row in _rows(out, "data.jsonl"):
        assert sum(m["content"].count(IMAGE) for m in row["messages"]) == len(row["images"])
    assert "[image] gallery" in _rows(out, "data.jsonl")[0]["messages"][1]["content"]
    assert any("literal <image>" in n for n in report.notes)


def test_hf_parquet_reads_back_through_datasets(runs: Path, tmp_path: Path) -> None:
    from datasets import Image as HFImage
    from datasets import load_dataset

    out = tmp_path / "hf"
    report = export([runs], ExportOptions(format="hf", out=out))
    assert report.samples == 8 + 3  # every step of the two finished episodes; the crashed one is left out
    assert any("ep-crashed" in s and "unfinished" in s for s in report.skipped_episodes)
    ds = load_dataset("parquet", data_files=str(out / "data" / "train-*.parquet"), split="train",
                      cache_dir=str(tmp_path / "cache"))
    assert isinstance(ds.features["image"], HFImage) and len(ds) == 11
    by_key = {(r["episode_id"], r["step"]): r for r in ds}
    episode = read_episode(runs / "ep-ok")
    for step in episode.steps:
        row = by_key[("ep-ok", step.index)]
        assert row["image"].size == tuple(step.frame.size)
        with Image.open(episode.path(step.frame)) as original:
            assert row["image"].convert("RGB").tobytes() == original.convert("RGB").tobytes()  # embedded as captured
        assert row["trainable"] == (step.error is None)
        if step.device_action is not None and hasattr(step.device_action.action, "point"):
            assert (row["x"], row["y"]) == tuple(step.device_action.action.point)
            assert row["nx"] == pytest.approx(row["x"] / 1080)
    assert by_key[("ep-ok", 1)]["error_kind"] == "parse" and by_key[("ep-ok", 1)]["action_type"] is None
    assert by_key[("ep-ok", 4)]["text"] == "hello wifi"
    assert json.loads(by_key[("ep-ok", 0)]["element"])["text"] == "Settings"
    card = load_dataset(str(out), split="train", cache_dir=str(tmp_path / "cache2"))  # the card's configs
    assert len(card) == 11


def test_only_success_keeps_successful_episodes(runs: Path, tmp_path: Path) -> None:
    report = export([runs], ExportOptions(format="hf", out=tmp_path / "hf", only_success=True))
    assert report.episodes == 1 and report.samples == 8
    assert any("ep-failed" in s and "--only-success" in s for s in report.skipped_episodes)


def test_phone_layouts_leave_desktop_episodes_out(tmp_path: Path) -> None:
    from screenpilot.actions import Click

    folder = build_episode(tmp_path / "desk", [Turn(Click(point=(10, 10))), Turn(Terminate(status="success"))],
                           kind="desktop", size=Size(1280, 800))
    with pytest.raises(TrajectoryError, match=r"desk: a desktop episode \(aitw is a phone layout\)"):
        export([folder, tmp_path / "desk"], ExportOptions(format="aitw", out=tmp_path / "a"))
    assert not (tmp_path / "a").exists()  # nothing written


def test_bad_inputs_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(TrajectoryError, match="does not exist"):
        export([tmp_path / "nope"], ExportOptions(format="hf", out=tmp_path / "o"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(TrajectoryError, match="holds no episode"):
        export([tmp_path / "empty"], ExportOptions(format="hf", out=tmp_path / "o"))
    with pytest.raises(TrajectoryError, match="unknown export format"):
        ExportOptions(format="csv", out=tmp_path)
    with pytest.raises(TrajectoryError, match="at least 1"):
        ExportOptions(format="swift", out=tmp_path, history_images=0)


def test_a_damaged_episode_is_left_out_with_the_reason(runs: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "runs"
    shutil.copytree(runs, copy)
    (copy / "ep-failed" / "frames" / "000000.png").unlink()
    report = export([copy], ExportOptions(format="aitw", out=tmp_path / "a"))
    assert report.episodes == 1 and any(s.startswith("ep-failed: damaged") and "000000.png" in s
                                        for s in report.skipped_episodes)


def test_cli_export(runs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["export", str(runs), "--format", "llamafactory", "--out", str(tmp_path / "cli"), "--only-success"])
    assert exit_.value.code == 0
    printed = capsys.readouterr().out
    assert "llamafactory: 7 samples from 1 episodes" in printed and "left out: 2 episodes, 1 steps" in printed
    manifest = json.loads((tmp_path / "cli" / "export.json").read_text())
    assert manifest["options"]["only_success"] is True and manifest["samples"] == 7
    with pytest.raises(SystemExit) as exit_:
        main(["export", str(runs), "--format", "llamafactory", "--out", str(tmp_path / "x"), "--history-images", "0"])
    assert exit_.value.code == 2


def test_an_episode_the_agent_recorded_exports_and_views(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``screenpilot run --device sim`` end to end, then its episode through every format and the report."""
    with pytest.raises(SystemExit) as exit_:
        main(["run", "Turn on Wi-Fi", "--device", "sim", "--out", str(tmp_path / "runs")])
    assert exit_.value.code == 0
    (folder,) = (tmp_path / "runs").iterdir()
    episode = read_episode(folder)
    out = tmp_path / "lf"
    report = export([folder], ExportOptions(format="llamafactory", out=out))
    assert report.samples == len(episode.steps) == 4
    for row, entry in zip(_rows(out, "data.jsonl"), _rows(out, "index.jsonl")):
        _check_chat_row(row, out, episode.steps[entry["step"]], 768 * 768)
    for fmt in ("swift", "hf", "aitw", "odyssey"):
        assert export([folder], ExportOptions(format=fmt, out=tmp_path / fmt)).samples == 4
    from screenpilot.trajectories import write_report

    html = write_report([folder]).read_text(encoding="utf-8")
    assert html.count('class="step') == 4 and "Turn on Wi-Fi" in html
