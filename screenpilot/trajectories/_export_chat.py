"""LLaMA-Factory and ms-swift rows in Qwen-VL's chat format: one sample per step, a window of history.

Each trained step becomes one row: the prompt (system, user turns with ``<image>`` where each
screenshot goes, earlier replies as assistant turns) and the target reply. The prompt is the one the
model saw, verbatim, when the trainer will feed the same pixels; otherwise it is rendered again by the
episode's dialect for the trainer's pixel budget (``--max-pixels``) or history window
(``--history-images``), so the tool description states the resolution of the images written and
every coordinate (target and history alike) is in that image. Images are written already resized to
the size the processor would produce (a multiple of the patch, within the budget), so neither
LLaMA-Factory's ``image_max_pixels`` shrink nor the processor's ``smart_resize`` changes them again.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..actions import Size
from ..planner import (
    BudgetExceeded,
    Dialect,
    HistoryPolicy,
    HistoryStep,
    ImagePart,
    ModelRequest,
    TextPart,
    dialect_for,
)
from ._export import (
    LLAMAFACTORY_MAX_PIXELS,
    ExportOptions,
    ExportReport,
    ImageStore,
    in_space,
    trainable,
    write_jsonl,
)
from ._history import history_entry, ran_as_recorded
from ._reader import Episode
from ._schema import StepRecord

__all__ = ["IMAGE_TAG", "chat_rows", "write_chat"]

IMAGE_TAG = "<image>"
DATASET_NAME = "screenpilot"


def _clean(text: str, report: ExportReport, where: str) -> str:
    """Text from an episode must not carry a literal image tag: the trainer would count it as an image."""
    if IMAGE_TAG in text:
        report.notes.append(f"{where}: a literal {IMAGE_TAG} in the text was written as [image]")
        return text.replace(IMAGE_TAG, "[image]")
    return text


def _not_trainable(step: StepRecord) -> str:
    if step.error is not None:
        return f"not executed ({step.error_kind or 'error'})"
    return "no action in both spaces"


def _dialect(episode: Episode, max_pixels: int | None) -> Dialect:
    kind = episode.meta.device.kind
    name = episode.meta.dialect or "qwen2.5-vl"
    return dialect_for(name, kind, max_pixels=max_pixels) if max_pixels else dialect_for(name, kind)


def recorded_window(episode: Episode) -> int:
    """Screenshots per request the run used (the largest count any recorded request had; 1 if none)."""
    counts = [len(s.request.images) for s in episode.steps if s.request is not None and s.request.images]
    return max(counts, default=1)


def _history(episode: Episode, dialect: Dialect) -> list[HistoryStep]:
    """Each step as a later prompt's history entry, with its call and reply written in ``dialect``'s
    space for the images being exported (the agent's rule for what a step's line says)."""
    out = []
    for s in episode.steps:
        image = episode.path(s.frame)
        if ran_as_recorded(s) and trainable(s):
            space = dialect.space(s.frame.size)
            action = in_space(s, space).action
            try:
                call = dialect.parse(dialect.format(action), space).call
                reply = dialect.format(action, thought=s.thought, summary=s.summary)
            except Exception:  # noqa: BLE001 - a dialect that cannot say it: keep what was recorded
                call, reply = s.call or "", (s.raw_output or "").strip()
            out.append(history_entry(s, image, call=call, reply=reply))
        else:
            out.append(history_entry(s, image))
    return out


def _recorded_messages(episode: Episode, step: StepRecord, store: ImageStore,
                       clean: Any) -> tuple[list[dict[str, Any]], list[str]]:
    assert step.request is not None
    messages, images = [], []
    last = step.request.image_size
    for m in step.request.messages:
        text = ""
        for part in m.get("content") or []:
            if part.get("type") == "image":
                size = part.get("size") or last
                images.append(store.put(episode.folder / part["image"], episode.meta.id, Size(*size)))
                text += IMAGE_TAG
            else:
                text += clean(str(part.get("text", "")))
        messages.append({"role": m.get("role", "user"), "content": text})
    return messages, images


def _rendered_messages(episode: Episode, request: ModelRequest, store: ImageStore,
                       clean: Any) -> tuple[list[dict[str, Any]], list[str]]:
    messages, images = [], []
    for m in request.messages:
        text = ""
        for part in m.content:
            if isinstance(part, TextPart):
                text += clean(part.text)
            else:
                assert isinstance(part, ImagePart) and isinstance(part.source, Path)
                images.append(store.put(part.source, episode.meta.id, part.size))
                text += IMAGE_TAG
        messages.append({"role": m.role, "content": text})
    return messages, images


def _merge(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Consecutive turns of one role joined (trainers want system?, then user/assistant alternating)."""
    out: list[dict[str, Any]] = []
    for m in messages:
        if out and out[-1]["role"] == m["role"]:
            out[-1] = {**out[-1], "content": out[-1]["content"] + "\n" + m["content"]}
        else:
            out.append(dict(m))
    return out


def chat_rows(episode: Episode, options: ExportOptions, store: ImageStore, report: ExportReport,
              max_pixels: int | None) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(row, index entry) for every trainable step of one episode."""
    meta = episode.meta
    dialect = _dialect(episode, max_pixels)
    window = options.history_images or recorded_window(episode)
    policy = HistoryPolicy(screenshots=window, max_tokens=options.max_tokens)
    history: list[HistoryStep] | None = None
    for i, step in enumerate(episode.steps):
        where = f"{meta.id} step {step.index}"
        if not trainable(step):
            report.skipped_steps.append(f"{where}: {_not_trainable(step)}")
            continue
        space = dialect.space(step.frame.size)
        action = in_space(step, space)
        try:
            target = dialect.format(action.action, thought=step.thought, summary=step.summary)
        except ValueError as exc:
            report.skipped_steps.append(f"{where}: {dialect.name} cannot say it ({exc})")
            continue
        recorded = step.request is not None and bool(step.request.messages) and step.model_action is not None
        exact = (recorded and options.history_images is None and options.max_tokens is None
                 and step.model_action.space == space  # type: ignore[union-attr]
                 and step.request.image_size == dialect.image_size(step.frame.size))  # type: ignore[union-attr]
        def clean(text: str, where: str = where) -> str:
            return _clean(text, report, where)

        if exact:
            messages, images = _recorded_messages(episode, step, store, clean)
        else:
            if history is None:
                history = _history(episode, dialect)
            try:
                request = dialect.messages(meta.instruction, history[:i], episode.path(step.frame), policy=policy)
            except BudgetExceeded as exc:
                report.skipped_steps.append(f"{where}: {exc.message} (raise --max-tokens or lower --max-pixels)")
                continue
            messages, images = _rendered_messages(episode, request, store, clean)
        messages = _merge(messages)
        messages.append({"role": "assistant", "content": clean(target)})
        tags = sum(m["content"].count(IMAGE_TAG) for m in messages)
        if tags != len(images):  # pragma: no cover - a bug, not bad input
            raise AssertionError(f"{where}: {tags} image tags for {len(images)} images")
        row = {"messages": messages, "images": images}
        entry = {"episode": meta.id, "step": step.index, "prompt": "recorded" if exact else "rendered",
                 "window": window, "images": len(images), "image_size": list(space.model) if space.convention == "absolute" else None,
                 "frame_size": list(step.frame.size), "space": space.model_dump(mode="json"),
                 "target_action": action.action.model_dump(mode="json")}
        yield row, entry


def write_chat(episodes: list[Episode], options: ExportOptions, report: ExportReport) -> None:
    out = Path(options.out)
    llama = options.format == "llamafactory"
    budget = options.max_pixels or (LLAMAFACTORY_MAX_PIXELS if llama else None)
    store = ImageStore(out)
    index: list[dict[str, Any]] = []
    written: set[str] = set()

    def rows() -> Iterator[dict[str, Any]]:
        for episode in episodes:
            for row, entry in chat_rows(episode, options, store, report, budget):
                written.add(entry["episode"])
                entry["row"] = len(index)
                index.append(entry)
                if llama:
                    yield row
                else:
                    yield _swift(row, out)

    data = "data.jsonl" if llama else "train.jsonl"
    report.samples = write_jsonl(out / data, rows())
    write_jsonl(out / "index.jsonl", index)
    report.images = len(store)
    report.episodes = len(written)
    report.files += [data, "index.jsonl", "images/"]
    if llama:
        info = {DATASET_NAME: {
            "file_name": data, "formatting": "sharegpt",
            "columns": {"messages": "messages", "images": "images"},
            "tags": {"role_tag": "role", "content_tag": "content", "user_tag": "user",
                     "assistant_tag": "assistant", "system_tag": "system"},
        }}
        (out / "dataset_info.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
        report.files.append("dataset_info.json")
    (out / "README.md").write_text(_readme(options, budget, report), encoding="utf-8")
    report.files.append("README.md")


def _swift(row: dict[str, Any], out: Path) -> dict[str, Any]:
    """ms-swift: absolute image paths; earlier replies carry ``loss: false`` so only the target is learned."""
    messages = [dict(m) for m in row["messages"]]
    for m in messages[:-1]:
        if m["role"] == "assistant":
            m["loss"] = False
    messages[-1]["loss"] = True
    return {"messages": messages, "images": [str((out / p).resolve()) for p in row["images"]]}


def _readme(options: ExportOptions, budget: int | None, report: ExportReport) -> str:
    pixels = f"{budget} pixels" if budget else "the dialect's own maximum"
    if options.format == "llamafactory":
        how = (f"Train with `dataset_dir: {options.out}` and `dataset: {DATASET_NAME}`, `template: qwen2_vl`.\n"
               f"Images are already resized for a budget of {pixels}: keep `image_max_pixels` at or above "
               f"{budget or 'that'} (its default is {LLAMAFACTORY_MAX_PIXELS}) so they are fed as written.\n"
               "Samples with screenshot history hold earlier replies as assistant turns: set `mask_history: true` "
               "to learn only the last reply.\n")
    else:
        how = ("Train with `--dataset train.jsonl`; image paths are absolute. Images are already resized for "
               f"{pixels}: keep `MAX_PIXELS` at or above that. Earlier replies carry `loss: false`.\n")
    return (f"# ScreenPilot export ({options.format})\n\n{report.samples} samples from {report.episodes} episodes, "
            f"{report.images} images.\n\n{how}\n"
            "Each row is one step: the prompt the model saw (or rendered again by its dialect for this pixel budget "
            "and history window) and the target reply, with coordinates in the image written. `index.jsonl` maps "
            "each row to its episode and step. `export.json` lists what was left out and why.\n")
