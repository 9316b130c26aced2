"""LLaMA-Factory and ms-swift rows in Qwen-VL's chat format: one sample per step, a window of history.

Each trained step becomes one row: the prompt (system, user turns with ``<image>`` where each
screenshot goes, earlier replies as assistant turns) and the target reply. The prompt is the one the
model saw, verbatim, when the trainer will feed the same pixels; otherwise it is rendered again by the
episode's dialect for the trainer's pixel budget (``--max-pixels``) or history window
(``--history-images``), so the tool description states the resolution of the images written and
every coordinate (target and history alike) is in that image. Images are written already resized to
the size the processor would produce (a multiple of the patch, within the budget), so neither
LLaMA-Factory's ``image_max_pixels`` shrink nor the processor's ``smart_resize`` changes them again.

What the trainer must be told travels with the data: the pixel budget the images were made for
(``image_max_pixels`` / ``MAX_PIXELS``), the longest sample in tokens (``cutoff_len`` / ``max_length``),
written into README.md, dataset_info.json and train_args.yaml, and warned about at export time. Invalid
turns (unparseable, off-screen, refused) are never assistant turns of a sample by default: trainers learn
every assistant turn unless told to mask history, so they stay "[not executed]" lines of the history.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..actions import Point, Size, points_of
from ..perception import CoordinateSpace
from ..planner import (
    BudgetExceeded,
    Dialect,
    HistoryPolicy,
    HistoryStep,
    ImagePart,
    ModelRequest,
    TextPart,
    TokenCounter,
    dialect_for,
    estimate_tokens,
)
from ._export import (
    LLAMAFACTORY_MAX_PIXELS,
    ExportOptionError,
    ExportOptions,
    ExportReport,
    ImageStore,
    actor_of,
    in_space,
    instruction_of,
    trainable,
    write_jsonl,
)
from ._history import history_entry, ran_as_recorded
from ._reader import Episode
from ._schema import StepRecord

__all__ = ["IMAGE_TAG", "chat_rows", "check_options", "rewritten_error", "sample_tokens", "write_chat"]

IMAGE_TAG = "<image>"
DATASET_NAME = "screenpilot"
LLAMAFACTORY_CUTOFF_LEN = 2048
"""LLaMA-Factory's default ``cutoff_len``: a longer sample is cut, through its image tokens if need be."""


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
    name = episode.meta.dialect or None
    return dialect_for(name, kind, max_pixels=max_pixels) if max_pixels else dialect_for(name, kind)


def _budget(options: ExportOptions) -> int | None:
    return options.max_pixels or (LLAMAFACTORY_MAX_PIXELS if options.format == "llamafactory" else None)


def check_options(episodes: list[Episode], options: ExportOptions) -> None:
    """A pixel budget must leave every screen at least one patch each way (before anything is written)."""
    budget = _budget(options)
    if budget is None:
        return
    for episode in episodes:
        dialect = _dialect(episode, budget)
        for size in {s.frame.size for s in episode.steps}:
            try:
                dialect.image_size(size)
            except ValueError:
                need = _least_pixels(size, dialect)
                raise ExportOptionError(
                    f"--max-pixels {budget} is too small for a {size.width}x{size.height} screen "
                    f"({episode.meta.id}): {dialect.name} needs at least {need} pixels for one "
                    f"{dialect.factor}x{dialect.factor} patch each way",
                    hint=f"e.g. --max-pixels {max(need, LLAMAFACTORY_MAX_PIXELS)}", option="--max-pixels") from None


def _least_pixels(size: Size, dialect: Dialect) -> int:
    """The smallest budget that leaves a screen one patch on its short side (smart_resize's floor)."""
    f = dialect.factor
    need = math.ceil(f * f * max(size) / min(size))
    while True:
        try:
            dialect_for(dialect.name, dialect.kind, max_pixels=need).image_size(size)
            return need
        except ValueError:
            need += f


def recorded_window(episode: Episode) -> int:
    """Screenshots per request the run used (the largest count any recorded request had; 1 if none)."""
    counts = [len(s.request.images) for s in episode.steps if s.request is not None and s.request.images]
    return max(counts, default=1)


def _move(point: Point, old: CoordinateSpace, new: CoordinateSpace) -> Point:
    """A model-space point carried to another model space, kept off the image if it was off it."""
    out = []
    for v, a, b in ((point.x, old.model.width, new.model.width), (point.y, old.model.height, new.model.height)):
        hi_a, hi_b = (a, b) if old.convention == "relative" else (a - 1, b - 1)
        w = round(v * b / a)
        w = min(w, -1) if v < 0 else max(w, hi_b + 1) if v > hi_a else min(max(w, 0), hi_b)
        out.append(float(w))
    return Point(*out)


def rewritten_error(step: StepRecord, space: CoordinateSpace) -> str | None:
    """The step's error worded for ``space``: an off-image point's complaint names the numbers and the
    image of the prompt it is shown in, not those of the image the model saw live."""
    error = step.error
    if error is None or step.model_action is None or step.model_action.space == space:
        return error
    old = step.model_action.space
    before = old.check(step.model_action.action)
    if not before:
        return error
    moved = step.model_action.action.model_copy(update={n: _move(p, old, space) for n, p in points_of(step.model_action.action).items()})
    after = space.check(moved)
    for a, b in zip(before, after):
        error = error.replace(a, b)
    if any(a in error for a in before) or f"{old.model.width}x{old.model.height}" in error:
        error = "; ".join(after)  # worded some other way: say only what holds in the new image
    return error


def _history(episode: Episode, dialect: Dialect, keep_invalid: bool) -> list[HistoryStep]:
    """Each step as a later prompt's history entry, with its call and reply written in ``dialect``'s
    space for the images being exported (the agent's rule for what a step's line says).

    A step that did not run as a sound action is a "[not executed] ..." line, its error worded for the
    new image; unless ``keep_invalid``, it has no screenshot turn, so its reply is never an assistant
    turn (which trainers learn by default)."""
    out = []
    for s in episode.steps:
        image = episode.path(s.frame)
        space = dialect.space(s.frame.size)
        if ran_as_recorded(s) and trainable(s):
            action = in_space(s, space).action
            try:
                call = dialect.parse(dialect.format(action), space).call
                reply = dialect.format(action, thought=s.thought, summary=s.summary)
            except Exception:  # noqa: BLE001 - a dialect that cannot say it: keep what was recorded
                call, reply = s.call or "", (s.raw_output or "").strip()
            out.append(history_entry(s, image, call=call, reply=reply))
            continue
        error = rewritten_error(s, space)
        step = s if error == s.error else s.model_copy(update={"error": error})
        out.append(history_entry(step, image if keep_invalid else None))
    return out


def _sound(step: StepRecord) -> bool:
    return ran_as_recorded(step) and trainable(step)


def _recorded_messages(episode: Episode, step: StepRecord, store: ImageStore, clean: Any,
                       factor: int) -> tuple[list[dict[str, Any]], list[str], int]:
    assert step.request is not None
    messages, images, tokens = [], [], 0
    last = step.request.image_size
    for m in step.request.messages:
        text = ""
        for part in m.get("content") or []:
            if part.get("type") == "image":
                size = Size(*(part.get("size") or last))
                images.append(store.put(episode.folder / part["image"], episode.meta.id, size))
                tokens += part.get("tokens") or (size.width // factor) * (size.height // factor)
                text += IMAGE_TAG
            else:
                text += clean(str(part.get("text", "")))
        messages.append({"role": m.get("role", "user"), "content": text})
    return messages, images, tokens


def _rendered_messages(episode: Episode, request: ModelRequest, store: ImageStore,
                       clean: Any) -> tuple[list[dict[str, Any]], list[str], int]:
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
    return messages, images, request.image_tokens


def sample_tokens(messages: list[dict[str, Any]], image_tokens: int, images: int, count: TokenCounter) -> int:
    """A sample's length as a Qwen-VL trainer tokenizes it: the ChatML text (role headers and ends
    included), each image's tokens plus its vision start/end tokens. ``count`` counts text tokens."""
    text = "".join(f"<|im_start|>{m['role']}\n{m['content'].replace(IMAGE_TAG, '')}<|im_end|>\n" for m in messages)
    return count(text) + image_tokens + 2 * images


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
              max_pixels: int | None, count: TokenCounter = estimate_tokens
              ) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(row, index entry) for every trainable step of one episode."""
    meta = episode.meta
    dialect = _dialect(episode, max_pixels)
    window = options.history_images or recorded_window(episode)
    keep_invalid = options.keep_invalid_turns
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
        target_tokens = count(target + "<|im_end|>\n")
        recorded = step.request is not None and bool(step.request.messages) and step.model_action is not None
        exact = (recorded and options.history_images is None and options.max_tokens is None
                 and step.model_action.space == space  # type: ignore[union-attr]
                 and step.request.image_size == dialect.image_size(step.frame.size)  # type: ignore[union-attr]
                 and (keep_invalid or all(_sound(s) for s in episode.steps[max(0, i - len(step.request.images) + 1):i])))  # type: ignore[union-attr]

        def clean(text: str, where: str = where) -> str:
            return _clean(text, report, where)

        if exact:
            messages, images, image_tokens = _recorded_messages(episode, step, store, clean, dialect.factor)
        else:
            if history is None:
                history = _history(episode, dialect, keep_invalid)
            budget = None if options.max_tokens is None else options.max_tokens - target_tokens
            try:
                if budget is not None and budget < 1:
                    raise BudgetExceeded(f"the reply alone needs {target_tokens} tokens")
                policy = HistoryPolicy(screenshots=window, max_tokens=budget)
                request = dialect.messages(meta.instruction, history[:i], episode.path(step.frame), policy=policy, count=count)
            except BudgetExceeded as exc:
                report.skipped_steps.append(f"{where}: does not fit --max-tokens {options.max_tokens}: {exc.message} "
                                            "(raise --max-tokens or lower --max-pixels)")
                continue
            messages, images, image_tokens = _rendered_messages(episode, request, store, clean)
        messages = _merge(messages)
        messages.append({"role": "assistant", "content": clean(target)})
        tags = sum(m["content"].count(IMAGE_TAG) for m in messages)
        if tags != len(images):  # pragma: no cover - a bug, not bad input
            raise AssertionError(f"{where}: {tags} image tags for {len(images)} images")
        tokens = sample_tokens(messages, image_tokens, len(images), count)
        row = {"messages": messages, "images": images}
        entry = {"episode": meta.id, "step": step.index, "prompt": "recorded" if exact else "rendered",
                 "window": window, "images": len(images), "tokens": tokens,
                 "image_size": list(space.model) if space.convention == "absolute" else None,
                 "frame_size": list(step.frame.size), "space": space.model_dump(mode="json"),
                 "target_action": action.action.model_dump(mode="json"), "actor": actor_of(step),
                 "instruction": instruction_of(step), "source": meta.source}
        yield row, entry


def _trainer_settings(episodes: list[Episode], budget: int | None, longest: int) -> dict[str, Any]:
    """What LLaMA-Factory and ms-swift must be told so they feed the pixels and tokens written."""
    dialects = [_dialect(e, budget) for e in episodes]
    most = budget or max(d.max_pixels or 0 for d in dialects)
    least = min(d.min_pixels or 0 for d in dialects)
    cutoff = max(LLAMAFACTORY_CUTOFF_LEN, -(-longest // 256) * 256) if longest else LLAMAFACTORY_CUTOFF_LEN
    return {"image_max_pixels": most, "image_min_pixels": least, "cutoff_len": cutoff,
            "MAX_PIXELS": most, "MIN_PIXELS": least, "max_length": cutoff, "longest_sample_tokens": longest,
            "pixels_assumed": "--max-pixels" if budget else "the dialect's own maximum"}


def write_chat(episodes: list[Episode], options: ExportOptions, report: ExportReport) -> None:
    out = Path(options.out)
    llama = options.format == "llamafactory"
    budget = _budget(options)
    store = ImageStore(out)
    index: list[dict[str, Any]] = []
    written: set[str] = set()
    resized = 0

    def rows() -> Iterator[dict[str, Any]]:
        nonlocal resized
        for episode in episodes:
            for row, entry in chat_rows(episode, options, store, report, budget):
                written.add(entry["episode"])
                entry["row"] = len(index)
                index.append(entry)
                step = next(s for s in episode.steps if s.index == entry["step"])
                sent = step.request.image_size if step.request is not None else None
                if entry["image_size"] is not None and sent is not None and list(sent) != entry["image_size"]:
                    resized += 1
                yield row if llama else _swift(row, out)

    data = "data.jsonl" if llama else "train.jsonl"
    report.samples = write_jsonl(out / data, rows())
    write_jsonl(out / "index.jsonl", index)
    report.images = len(store)
    report.episodes = len(written)
    report.files += [data, "index.jsonl", "images/"]
    longest = max((e["tokens"] for e in index), default=0)
    settings = _trainer_settings(episodes, budget, longest)
    report.trainer_settings = settings
    report.tokens = {"longest": longest, "row": max(index, key=lambda e: e["tokens"])["row"] if index else None,
                     "over_cutoff_2048": sum(e["tokens"] > LLAMAFACTORY_CUTOFF_LEN for e in index),
                     "counted": "image tokens exactly (smart_resize of the image written, + vision start/end); "
                                "text with the planner's estimate (UTF-8 bytes / 3)"}
    if resized:
        report.warnings.append(
            f"{resized} samples' images were resized for a budget of {budget} pixels (the model saw others live): "
            + (f"train with image_max_pixels: {budget}" if llama else f"train with MAX_PIXELS={budget}")
            + f", and serve the trained model at the same budget (dialect max_pixels={budget}); "
            "another budget gives another image size and moves every coordinate")
    if longest > LLAMAFACTORY_CUTOFF_LEN:
        what = "cutoff_len" if llama else "--max_length"
        report.warnings.append(f"the longest sample is {longest} tokens ({report.tokens['over_cutoff_2048']} over 2048, "
                               f"LLaMA-Factory's default cutoff_len): set {what} to {settings['cutoff_len']} or more, "
                               "or export with --max-tokens, or the trainer cuts through image tokens")
    if llama:
        info = {DATASET_NAME: {
            "file_name": data, "formatting": "sharegpt",
            "columns": {"messages": "messages", "images": "images"},
            "tags": {"role_tag": "role", "content_tag": "content", "user_tag": "user",
                     "assistant_tag": "assistant", "system_tag": "system"},
            "screenpilot": {k: settings[k] for k in ("image_max_pixels", "image_min_pixels", "cutoff_len",
                                                     "longest_sample_tokens")},
        }}
        (out / "dataset_info.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
        (out / "train_args.yaml").write_text(_train_args(out, settings, options), encoding="utf-8")
        report.files += ["dataset_info.json", "train_args.yaml"]
    (out / "README.md").write_text(_readme(options, settings, report), encoding="utf-8")
    report.files.append("README.md")


def _swift(row: dict[str, Any], out: Path) -> dict[str, Any]:
    """ms-swift: absolute image paths; earlier replies carry ``loss: false`` so only the target is learned."""
    messages = [dict(m) for m in row["messages"]]
    for m in messages[:-1]:
        if m["role"] == "assistant":
            m["loss"] = False
    messages[-1]["loss"] = True
    return {"messages": messages, "images": [str((out / p).resolve()) for p in row["images"]]}


def _train_args(out: Path, settings: dict[str, Any], options: ExportOptions) -> str:
    """The data and processor part of a LLaMA-Factory training config that feeds this export as written."""
    mask = "false" if not options.keep_invalid_turns else "true"
    return (f"# LLaMA-Factory settings this export needs (add model, method and training arguments).\n"
            f"dataset_dir: {out.resolve()}\ndataset: {DATASET_NAME}\ntemplate: qwen2_vl\n"
            f"image_max_pixels: {settings['image_max_pixels']}\nimage_min_pixels: {settings['image_min_pixels']}\n"
            f"cutoff_len: {settings['cutoff_len']}  # longest sample: {settings['longest_sample_tokens']} tokens\n"
            f"mask_history: {mask}  # true: learn only the last reply of each sample\n")


def _readme(options: ExportOptions, settings: dict[str, Any], report: ExportReport) -> str:
    most, least, cutoff = settings["image_max_pixels"], settings["image_min_pixels"], settings["cutoff_len"]
    assumed = ("" if settings["pixels_assumed"] == "--max-pixels" else
               f" (assumed: no --max-pixels was given, so the dialect's own maximum, {most}, which is what the "
               "model saw live)")
    if options.format == "llamafactory":
        how = (f"Train with `dataset_dir: {options.out}` and `dataset: {DATASET_NAME}`, `template: qwen2_vl` "
               "(`train_args.yaml` holds these settings).\n\n"
               f"- Images are already resized for a budget of {most} pixels: set `image_max_pixels: {most}` and "
               f"`image_min_pixels: {least}` so they are fed as written (LLaMA-Factory's default image_max_pixels is "
               f"{LLAMAFACTORY_MAX_PIXELS}). Serve the trained model at the same budget: another one gives another "
               "image size and every coordinate moves.\n"
               f"- The longest sample is {settings['longest_sample_tokens']} tokens: set `cutoff_len: {cutoff}` or more "
               f"(the default, {LLAMAFACTORY_CUTOFF_LEN}, cuts longer samples through their image tokens).\n"
               "- Samples with screenshot history hold earlier replies as assistant turns, which LLaMA-Factory learns "
               "unless `mask_history: true`.")
    else:
        how = (f"Train with `--dataset {Path(options.out).resolve() / 'train.jsonl'}`; image paths are absolute.\n\n"
               f"- Images are already resized for a budget of {most} pixels{assumed}: run with `MAX_PIXELS={most}` "
               f"and `MIN_PIXELS={least}` so they are fed as written. Serve the trained model at the same budget.\n"
               f"- The longest sample is {settings['longest_sample_tokens']} tokens: pass `--max_length {cutoff}` or more.\n"
               "- Earlier replies carry `loss: false`: only the last reply of each row is learned.")
    if options.keep_invalid_turns:
        how += ("\n- Invalid turns (unparseable, off-screen, refused replies) were kept as assistant turns, as the "
                "model saw them: learn only the last reply (`mask_history: true`, or swift's `loss: false`).")
    else:
        how += ("\n- Invalid turns (unparseable, off-screen, refused replies) are never assistant turns: they appear "
                "only as \"[not executed] ...\" lines of the history (`--keep-invalid-turns` keeps them as turns).")
    return (f"# ScreenPilot export ({options.format})\n\n{report.samples} samples from {report.episodes} episodes, "
            f"{report.images} images.\n\n{how}\n\n"
            "Each row is one step: the prompt the model saw (or rendered again by its dialect for this pixel budget "
            "and history window) and the target reply, with coordinates in the image written. `index.jsonl` maps "
            "each row to its episode and step, with its length in tokens and who acted (`actor`: model, person or "
            "replay; filter on it to train on demonstrations only). `export.json` lists what was left out and why.\n")
