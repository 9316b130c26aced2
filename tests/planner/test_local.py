"""The transformers backend on a tiny random Qwen2.5-VL that the fixture builds offline."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from screenpilot.actions import Size
from screenpilot.perception import Frame, image_tokens
from screenpilot.planner import (
    BackendError,
    HistoryStep,
    ModelNotFound,
    ParseError,
    backend_from_spec,
    dialect_for,
)

pytest.importorskip("transformers")


@pytest.fixture(scope="module")
def backend(tiny_qwen25vl: Path):
    return backend_from_spec(f"local:{tiny_qwen25vl}", min_new_tokens=8)


@pytest.fixture(scope="module")
def phone_frame() -> Frame:
    image = Image.new("RGB", (1080, 2400), (240, 240, 240))
    for y in range(0, 2400, 200):  # some structure, so the vision tower sees more than a flat colour
        image.paste((30, 100, 200), (100, y, 980, y + 80))
    return Frame.from_image(image)


def test_generates_on_a_1080x2400_screen_with_the_processors_image_tokens(backend, phone_frame: Frame) -> None:
    dialect = dialect_for("qwen2.5-vl", "phone")
    request = dialect.messages("Open the settings app", [HistoryStep("Opened the app drawer")], phone_frame,
                               count=backend.count_tokens)
    request = replace(request, max_new_tokens=24)
    reply = backend.generate(request)

    assert isinstance(reply.text, str)
    assert 8 <= reply.completion_tokens <= 24
    assert reply.latency_s > 0
    # The size sent is the smart-resized one, and the processor agrees on its token count.
    assert request.images[0].size == Size(1092, 2408)
    assert reply.image_tokens == request.image_tokens == 3354 == image_tokens(2400, 1080)
    assert backend.processor._get_num_multimodal_tokens(image_sizes=[(2408, 1092)]).num_image_tokens == [3354]
    # With the model's own tokenizer as the counter, our request accounting is the processor's prompt length.
    assert reply.prompt_tokens == request.total_tokens
    try:  # a random model says random things: whatever it says must be a Plan or a ParseError
        dialect.parse(reply.text, request.space)
    except ParseError:
        pass


def test_loads_in_fp32_on_cpu_with_an_image_only_processor(backend) -> None:
    import torch

    assert backend.device == "cpu" and backend.dtype == torch.float32
    assert next(backend.model.parameters()).dtype == torch.float32
    assert backend.processor.video_processor is None
    assert type(backend.processor).__name__ == "Qwen2_5_VLProcessor"


def test_tool_call_tags_survive_decoding(backend) -> None:
    ids = backend.tokenizer('<tool_call>\n{"a": 1}\n</tool_call><|im_end|>', add_special_tokens=False)["input_ids"]
    assert backend.tokenizer.decode(ids, skip_special_tokens=True) == '<tool_call>\n{"a": 1}\n</tool_call>'


def test_selectable_attention_and_dtype(tiny_qwen25vl: Path) -> None:
    import torch

    eager = backend_from_spec(f"local:{tiny_qwen25vl}", attn_implementation="eager", dtype="bfloat16")
    assert eager.model.config._attn_implementation == "eager"
    assert next(eager.model.parameters()).dtype == torch.bfloat16
    with pytest.raises(BackendError, match="unknown dtype"):
        backend_from_spec(f"local:{tiny_qwen25vl}", dtype="float7")


@pytest.mark.timeout(30)  # failing fast is the point: a hang on the network would trip this
def test_an_unreachable_hub_id_fails_fast_and_says_what_to_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelNotFound) as info:
        backend_from_spec("local:Qwen/Qwen2.5-VL-7B-Instruct")
    text = str(info.value)
    assert "HF_HUB_OFFLINE" in text and "local path" in text and "openai:" in text


def test_a_missing_folder_is_not_mistaken_for_a_hub_id(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFound, match="no model folder"):
        backend_from_spec(f"local:{tmp_path / 'nothing' / 'here'}")
    with pytest.raises(ModelNotFound, match="no config.json"):
        backend_from_spec(f"local:{tmp_path}")
