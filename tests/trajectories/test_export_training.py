"""What a trainer is told and what it learns: pixel budgets, sample lengths, invalid turns, error texts,
demonstrations, replays; the dataset card ``load_dataset(DIR)`` reads; the export table; episode sources."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from PIL import Image

from screenpilot.actions import Size, Tap, Terminate
from screenpilot.trajectories import EXPORT_FORMATS, ExportOptions, TrajectoryError, export, read_episode
from screenpilot.trajectories._export import (  # public once trajectories/__init__ lands
    ExportFormat,
    ExportOptionError,
)

from ._builders import Turn, build_episode, element

IMAGE = "<image>"


def _rows(out: Path, name: str) -> list[dict]:
    return [json.loads(line) for line in (out / name).read_text(encoding="utf-8").splitlines()]


def _turns() -> list[Turn]:
    return [
        Turn(Tap(point=(135, 525)), summary="Opened Settings.", element=element("Settings", (0, 389, 270, 662))),
        Turn(Tap(point=(1300, 500)), invalid=True, thought="The switch is at the right edge."),  # off-screen
        Turn(None, raw="hmm <tool_call>{broken", error="the reply has no complete tool call"),
        Turn(Tap(point=(600, 530)), summary="Opened Network & internet."),
        Turn(Tap(point=(900, 700)), summary="Tapped Wi-Fi."),
        Turn(Terminate(status="success")),
    ]


@pytest.fixture(scope="module")
def episode_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_episode(tmp_path_factory.mktemp("runs") / "ep", _turns(), screenshots=3)


def _count(messages: list[dict], images: list[Path]) -> int:
    """A sample's tokens as a Qwen2.5-VL trainer lays it out, counted from the files written: each image's
    (w/28)*(h/28) pads plus vision start/end, the ChatML text at the planner's estimate (bytes / 3)."""
    text = "".join(f"<|im_start|>{m['role']}\n{m['content'].replace(IMAGE, '')}<|im_end|>\n" for m in messages)
    pads = 0
    for p in images:
        with Image.open(p) as img:
            pads += (img.width // 28) * (img.height // 28) + 2
    return -(-len(text.encode("utf-8")) // 3) + pads


def test_invalid_turns_are_never_assistant_turns_by_default(episode_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "lf"
    export(episode_dir, ExportOptions(format="llamafactory", out=out, history_images=3))
    rows = _rows(out, "data.jsonl")
    episode = read_episode(episode_dir)
    invalid = [s.raw_output.strip() for s in episode.steps if s.error is not None]
    assert len(invalid) == 2
    for row in rows:  # LLaMA-Factory's default mask_history: false learns every assistant turn
        for m in row["messages"]:
            if m["role"] == "assistant":
                assert m["content"].strip() not in invalid and "broken" not in m["content"]
    last_user = rows[-1]["messages"][1]["content"]
    assert "[not executed] the reply has no complete tool call" in last_user  # still in the history, as a line
    assert "train_args.yaml" in (out / "README.md").read_text() or (out / "train_args.yaml").exists()
    kept = tmp_path / "kept"
    export(episode_dir, ExportOptions(format="llamafactory", out=kept, history_images=3, keep_invalid_turns=True))
    turns = [m["content"] for r in _rows(kept, "data.jsonl") for m in r["messages"] if m["role"] == "assistant"]
    assert any("broken" in t for t in turns)  # as the model saw them, when asked
    assert "mask_history: true" in (kept / "train_args.yaml").read_text()
    assert "mask_history: true" in (kept / "README.md").read_text()


def test_a_rerendered_prompt_states_errors_in_its_own_image(episode_dir: Path, tmp_path: Path) -> None:
    episode = read_episode(episode_dir)
    assert "outside the 1092x2408 image" in episode.steps[1].error
    out = tmp_path / "lf"
    export(episode_dir, ExportOptions(format="llamafactory", out=out))
    rows = _rows(out, "data.jsonl")
    prompts = [m["content"] for r in rows for m in r["messages"] if m["role"] != "assistant"]
    later = rows[-1]["messages"][1]["content"]  # the user turn with the history lines
    assert "resolution is 504x1120" in " ".join(prompts)
    assert "1092x2408" not in " ".join(prompts) and "1314" not in later
    assert re.search(r"\[not executed\] tap\.point \((\d+), (\d+)\) is outside the 504x1120 image", later)
    x = int(re.search(r"tap\.point \((\d+), ", later)[1])
    assert x >= 504  # still off the new image


def test_pixel_budget_is_written_where_trainers_read_it_and_warned(episode_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "lf"
    report = export(episode_dir, ExportOptions(format="llamafactory", out=out, max_pixels=400 * 28 * 28))
    budget = 400 * 28 * 28
    info = json.loads((out / "dataset_info.json").read_text())["screenpilot"]
    assert info["screenpilot"]["image_max_pixels"] == budget and info["screenpilot"]["image_min_pixels"] == 3136
    args = (out / "train_args.yaml").read_text()
    assert f"image_max_pixels: {budget}" in args and "image_min_pixels: 3136" in args and "template: qwen2_vl" in args
    assert f"image_max_pixels: {budget}" in (out / "README.md").read_text()
    assert any(f"budget of {budget} pixels" in w and "serve" in w for w in report.warnings)
    swift = tmp_path / "swift"
    report = export(episode_dir, ExportOptions(format="swift", out=swift))
    readme = (swift / "README.md").read_text()
    assert "MAX_PIXELS=12845056" in readme and "assumed" in readme and "MIN_PIXELS=3136" in readme
    assert not report.warnings or all("resized" not in w for w in report.warnings)  # fed as the model saw them


def test_sample_lengths_are_reported_and_windowed_to_the_token_budget(episode_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "free"
    report = export(episode_dir, ExportOptions(format="llamafactory", out=out, history_images=3))
    rows, index = _rows(out, "data.jsonl"), _rows(out, "index.jsonl")
    counted = [_count(r["messages"], [out / p for p in r["images"]]) for r in rows]
    assert [e["tokens"] for e in index] == counted
    assert report.tokens["longest"] == max(counted) > 2048
    assert report.trainer_settings["cutoff_len"] >= max(counted)
    assert f"cutoff_len: {report.trainer_settings['cutoff_len']}" in (out / "train_args.yaml").read_text()
    assert any("cutoff_len" in w for w in report.warnings)
    budget = 1800
    fit = tmp_path / "fit"
    report = export(episode_dir, ExportOptions(format="llamafactory", out=fit, history_images=3, max_tokens=budget))
    rows = _rows(fit, "data.jsonl")
    assert len(rows) == 4 and report.tokens["longest"] <= budget
    for row in rows:
        assert _count(row["messages"], [fit / p for p in row["images"]]) <= budget
    assert max(len(r["images"]) for r in rows) < 3  # windowed: fewer screenshots than asked


def test_person_steps_are_targets_labelled_for_filtering(tmp_path: Path) -> None:
    folder = build_episode(tmp_path / "demo", [Turn(Tap(point=(135, 525)), actor="person", instruction="Open Settings"),
                                               Turn(Tap(point=(600, 530))), Turn(Terminate(status="success"))],
                           source="human")
    out = tmp_path / "lf"
    report = export(folder, ExportOptions(format="llamafactory", out=out))
    index = _rows(out, "index.jsonl")
    assert report.samples == 3 and report.taken == {"human": 1}
    assert index[0]["actor"] == "person" and index[0]["instruction"] == "Open Settings" and index[1]["actor"] == "model"
    assert '"coordinate": [63, 245]' in _rows(out, "data.jsonl")[0]["messages"][-1]["content"]  # from device pixels
    from datasets import load_dataset

    export(folder, ExportOptions(format="hf", out=tmp_path / "hf"))
    ds = load_dataset(str(tmp_path / "hf"), split="train", cache_dir=str(tmp_path / "cache"))
    assert ds.filter(lambda r: r["actor"] == "person")["step_instruction"] == ["Open Settings"]


def test_load_dataset_of_the_folder_reads_what_is_on_disk_now(tmp_path: Path) -> None:
    from datasets import load_dataset

    cache = str(tmp_path / "cache")  # one cache for all, as a user has
    one = build_episode(tmp_path / "runs" / "one", [Turn(Tap(point=(10, 10))), Turn(Terminate(status="success"))])
    two = build_episode(tmp_path / "runs" / "two", [Turn(Tap(point=(10, 10))), Turn(Tap(point=(20, 20))),
                                                    Turn(Terminate(status="success"))])
    target = tmp_path / "a" / "data"
    export(one, ExportOptions(format="hf", out=target))
    assert len(load_dataset(str(target), split="train", cache_dir=cache)) == 2
    export(two, ExportOptions(format="hf", out=target))  # a re-export into the same folder
    again = load_dataset(str(target), split="train", cache_dir=cache)
    assert len(again) == 3 and set(again["episode_id"]) == {"two"}
    other = tmp_path / "b" / "data"  # another folder with the same name
    export([one, two], ExportOptions(format="hf", out=other))
    assert len(load_dataset(str(other), split="train", cache_dir=cache)) == 5
    card = (other / "README.md").read_text()
    assert "dataset_info:" in card and "- name: image\n    dtype: image" in card and "default: true" in card


def test_replays_are_left_out_unless_asked_and_the_summary_counts_sources(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    build_episode(runs / "orig", [Turn(Tap(point=(10, 10))), Turn(Terminate(status="success"))])
    build_episode(runs / "orig-replay", [Turn(Tap(point=(10, 10))), Turn(Terminate(status="success"))],
                  source="scripted", model="replay:runs/orig", config={"replay": {"source_id": "orig"}})
    report = export(runs, ExportOptions(format="aitw", out=tmp_path / "a"))
    assert report.taken == {"agent": 1} and report.samples == 2
    assert any(s.startswith("orig-replay: a replay") for s in report.skipped_episodes)
    report = export(str(runs), ExportOptions(format="aitw", out=tmp_path / "b", include_replays=True))
    assert report.taken == {"agent": 1, "replay": 1} and report.samples == 4


def test_every_way_of_naming_episodes_works(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    folder = build_episode(runs / "ep", [Turn(Tap(point=(10, 10))), Turn(Terminate(status="success"))])
    for n, sources in enumerate([str(folder), folder, str(runs), runs, [str(folder)], (folder,), [runs, folder]]):
        assert export(sources, ExportOptions(format="aitw", out=tmp_path / f"o{n}")).episodes == 1, sources


def test_usage_errors_come_before_anything_is_written(tmp_path: Path) -> None:
    folder = build_episode(tmp_path / "ep", [Turn(Tap(point=(10, 10))), Turn(Terminate(status="success"))])
    with pytest.raises(ExportOptionError, match="too small for a 1080x2400 screen") as err:
        export(folder, ExportOptions(format="llamafactory", out=tmp_path / "x", max_pixels=784))
    assert err.value.option == "--max-pixels" and not (tmp_path / "x").exists()
    (tmp_path / "file").write_text("keep me")
    with pytest.raises(ExportOptionError, match="is a file"):
        export(folder, ExportOptions(format="aitw", out=tmp_path / "file"))
    assert (tmp_path / "file").read_text() == "keep me"
    with pytest.raises(ExportOptionError, match="aitw does not use --max-pixels"):
        ExportOptions(format="aitw", out=tmp_path / "y", max_pixels=10**6)
    with pytest.raises(ExportOptionError, match="llamafactory does not use --tfrecord"):
        ExportOptions(format="llamafactory", out=tmp_path / "y", tfrecord=True)


def write_names(episodes: list, options: ExportOptions, report) -> None:
    """A format made for the test below: one line per step, its action's name."""
    lines = [f"{e.meta.id} {s.index} {s.device_action.action.action}" for e in episodes for s in e.steps]
    (Path(options.out) / "names.txt").write_text("\n".join(lines) + "\n")
    report.samples, report.episodes = len(lines), len(episodes)


def test_a_format_added_to_the_table_is_exported_and_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = ExportFormat("names", f"{__name__}:write_names", "names.txt", "one line per step", kinds=("phone",))
    monkeypatch.setitem(EXPORT_FORMATS, "names", spec)
    folder = build_episode(tmp_path / "ep", [Turn(Tap(point=(10, 10))), Turn(Terminate(status="success"))])
    report = export(folder, ExportOptions(format="names", out=tmp_path / "n"))
    assert (tmp_path / "n" / "names.txt").read_text() == "ep 0 tap\nep 1 terminate\n" and report.samples == 2
    with pytest.raises(ExportOptionError, match="names does not use --history-images"):
        ExportOptions(format="names", out=tmp_path / "n", history_images=2)
    desk = build_episode(tmp_path / "desk", [Turn(Terminate(status="success"))], kind="desktop", size=Size(1280, 800))
    with pytest.raises(TrajectoryError, match="names is a phone layout"):
        export(desk, ExportOptions(format="names", out=tmp_path / "d"))
