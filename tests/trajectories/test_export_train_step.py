"""A llamafactory export fed to a real Qwen2.5-VL processor and model (the tiny random one) the way
LLaMA-Factory feeds it (qwen2_vl template, its image_max_pixels pre-shrink, labels on every assistant turn
as with its default mask_history: false), and an optimizer step taken on every sample.

Checks what breaks training when an export is wrong: the processor must see exactly the images written
(its grid times the patch is the image size, so no resize moves a coordinate), each ``<image>`` must
expand to as many pads as the image has features ("Image features and image tokens do not match"
otherwise), the image tokens the export counts must be those pads, and no invalid reply may be a label.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from PIL import Image

from screenpilot.actions import Swipe, Tap, Terminate
from screenpilot.trajectories import ExportOptions, export, read_episode

from ._builders import Turn, build_episode

BUDGET = 160 * 28 * 28  # small images keep the CPU quick


def _feed(img: Image.Image, image_max_pixels: int) -> Image.Image:
    """LLaMA-Factory's pre-shrink: an image over image_max_pixels is scaled down before the processor."""
    w, h = img.size
    if w * h > image_max_pixels:
        f = math.sqrt(image_max_pixels / (w * h))
        img = img.resize((int(w * f), int(h * f)))
    return img


def _template(messages: list[dict], pads: list[int], tokenizer) -> tuple[list[int], list[int]]:
    """qwen2_vl template: ChatML; every assistant turn is a label (mask_history: false)."""
    ids: list[int] = []
    labels: list[int] = []
    images = iter(pads)
    for m in messages:
        content = m["content"]
        while "<image>" in content:
            content = content.replace("<image>", "<|vision_start|>" + "<|image_pad|>" * next(images) + "<|vision_end|>", 1)
        if m["role"] == "assistant":
            part = tokenizer.encode(content + "<|im_end|>\n", add_special_tokens=False)
            ids += part
            labels += part
        else:
            head = f"<|im_start|>{m['role']}\n{content}<|im_end|>\n"
            if m["role"] == "user":
                head += "<|im_start|>assistant\n"
            part = tokenizer.encode(head, add_special_tokens=False)
            ids += part
            labels += [-100] * len(part)
    return ids, labels


def test_training_steps_on_the_export_as_llamafactory_feeds_it(tiny_qwen25vl: Path, tmp_path: Path) -> None:
    import torch
    from transformers import Qwen2_5_VLForConditionalGeneration

    from screenpilot.planner._local import load_processor

    folder = build_episode(tmp_path / "ep", [
        Turn(Tap(point=(135, 525)), summary="Opened Settings."),
        Turn(Swipe(start=(540, 1900), end=(540, 700))),
        Turn(Tap(point=(1300, 500)), invalid=True),
        Turn(None, raw="hmm <tool_call>{broken", error="the reply has no complete tool call"),
        Turn(Tap(point=(600, 530))),
        Turn(Terminate(status="success")),
    ], screenshots=2)
    out = tmp_path / "lf"
    report = export(folder, ExportOptions(format="llamafactory", out=out, history_images=2, max_pixels=BUDGET))
    settings = report.trainer_settings
    rows = [json.loads(line) for line in (out / "data.jsonl").read_text().splitlines()]
    index = [json.loads(line) for line in (out / "index.jsonl").read_text().splitlines()]
    processor = load_processor(tiny_qwen25vl)
    tokenizer = processor.tokenizer
    model = Qwen2_5_VLForConditionalGeneration.from_pretrained(tiny_qwen25vl).train()
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)
    pad_id = tokenizer.convert_tokens_to_ids("<|image_pad|>")
    invalid = [s.raw_output.strip() for s in read_episode(folder).steps if s.error]
    losses = []
    for row, entry in zip(rows, index):
        images = [_feed(Image.open(out / p).convert("RGB"), settings["image_max_pixels"]) for p in row["images"]]
        pixels = processor.image_processor(images=images, return_tensors="pt")
        grid = pixels["image_grid_thw"]
        for img, (t, gh, gw) in zip(images, grid.tolist()):
            assert (gw * 14, gh * 14) == img.size and t == 1  # the processor resized nothing
        pads = [int(g.prod()) // 4 for g in grid]  # merge 2x2
        ids, labels = _template(row["messages"], pads, tokenizer)
        assert ids.count(pad_id) == sum(pads)
        text_free = entry["tokens"] - sum(pads) - 2 * len(pads)
        assert text_free > 0  # the export's count is its image pads, their start/end, and the text
        label_text = tokenizer.decode([i for i, lab in zip(ids, labels) if lab != -100])
        assert not any(bad in label_text for bad in invalid)  # nothing invalid is learned
        batch = {"input_ids": torch.tensor([ids]), "labels": torch.tensor([labels]),
                 "attention_mask": torch.ones(1, len(ids), dtype=torch.long),
                 "pixel_values": pixels["pixel_values"], "image_grid_thw": grid}
        loss = model(**batch).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.item())
    assert [len(r["images"]) for r in rows] == [1, 2, 1, 2]  # the window stops at the invalid turns
    assert len(losses) == 4 and all(math.isfinite(v) for v in losses)
