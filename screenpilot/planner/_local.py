"""A transformers backend: the model runs in this process, from a local folder or a hub id.

bf16 on a GPU that has it (else fp16), fp32 on CPU; greedy decoding unless asked otherwise; the
attention implementation is selectable. The processor is the model's own; where torchvision is
missing (it cannot be installed on every machine) an image-only variant of the same processor class
is used, since the stock one insists on building a video processor that needs torchvision.
Images arrive already smart-resized, and the processor is told the pixel limits that keep them as they
are, so the image the model sees is exactly the one the coordinates were computed for.
"""

from __future__ import annotations

import importlib.util
import os
import re
import time
from pathlib import Path
from typing import Any

from ._errors import BackendError, ModelNotFound
from ._request import Completion, ModelRequest

__all__ = ["LocalBackend", "image_only_processor", "load_processor", "resolve_model"]

_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
_HINT = "pass a local path (local:/path/to/model) or an endpoint (openai:http://HOST:PORT/v1#MODEL)"
_WEIGHTS = ["*.json", "*.safetensors", "*.model", "*.txt", "*.jinja", "*.py", "tokenizer*"]


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


def resolve_model(model: str) -> Path:
    """A local folder, or a hub id fetched (or found in the cache when HF_HUB_OFFLINE is set)."""
    path = Path(model).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise ModelNotFound(f"{path} has no config.json: not a transformers model folder", hint=_HINT)
        return path
    if not _HUB_ID.match(model):
        raise ModelNotFound(f"no model folder at {model!r}", hint=_HINT)
    try:
        from huggingface_hub import snapshot_download
    except ImportError:
        raise ModelNotFound(f"{model!r} is not a local folder and huggingface_hub is not installed",
                            hint=_HINT) from None
    offline = _offline()
    try:
        return Path(snapshot_download(model, allow_patterns=_WEIGHTS, local_files_only=offline))
    except Exception as exc:  # the hub client raises many types (HTTP, cache, auth): all mean "not here"
        where = "the local cache (HF_HUB_OFFLINE is set)" if offline else "the Hugging Face hub"
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        raise ModelNotFound(f"{model!r} is not a local folder and could not be found in {where}: {first}",
                            hint=_HINT) from None


def image_only_processor(base: type) -> type:
    """A subclass of a Qwen-VL processor class that needs no video processor (hence no torchvision).

    It keeps the base class's name, so a processor saved with it reads back as the stock class on a
    machine that has torchvision.
    """

    def __init__(self: Any, image_processor: Any = None, tokenizer: Any = None, chat_template: Any = None,
                 **kwargs: Any) -> None:
        base.__init__(self, image_processor, tokenizer, None, chat_template=chat_template, **kwargs)
        self.video_processor = None

    return type(base.__name__, (base,), {"__init__": __init__, "__module__": base.__module__,
                                         "__doc__": f"{base.__name__} without its video processor."})


def load_processor(path: Path) -> Any:
    """The model's processor; its image-only variant where torchvision is absent."""
    from transformers import AutoConfig, AutoProcessor

    if importlib.util.find_spec("torchvision") is not None:
        return AutoProcessor.from_pretrained(path)
    model_type = AutoConfig.from_pretrained(path).model_type
    import transformers

    names = {"qwen2_5_vl": "Qwen2_5_VLProcessor", "qwen2_vl": "Qwen2VLProcessor", "qwen3_vl": "Qwen3VLProcessor",
             "qwen3_vl_moe": "Qwen3VLProcessor"}
    if model_type not in names:
        return AutoProcessor.from_pretrained(path)
    return image_only_processor(getattr(transformers, names[model_type])).from_pretrained(path)


def _dtype(torch: Any, device: str, dtype: str | None) -> Any:
    if dtype not in (None, "auto"):
        try:
            return getattr(torch, dtype)
        except AttributeError:
            raise BackendError(f"unknown dtype {dtype!r}", hint="use bfloat16, float16 or float32") from None
    if device.startswith("cuda"):
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return torch.float32


class LocalBackend:
    """A vision-language model loaded with transformers, generating in this process."""

    def __init__(
        self,
        model: str,
        *,
        device: str | None = None,
        dtype: str | None = None,
        attn_implementation: str | None = None,
        do_sample: bool = False,
        temperature: float | None = None,
        min_new_tokens: int = 0,
    ) -> None:
        self.path = resolve_model(model)
        try:
            import torch
            from transformers import AutoModelForImageTextToText
        except ImportError as exc:
            raise BackendError(f"the local backend needs torch and transformers ({exc})",
                               hint="pip install 'screenpilot[local]' (install torch first)") from None
        start = time.perf_counter()
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self.dtype = _dtype(torch, self.device, dtype)
        self.processor = load_processor(self.path)
        if not getattr(self.processor, "chat_template", None):
            raise BackendError(f"the model at {self.path} has no chat template",
                               hint="use an instruction-tuned checkpoint (…-Instruct), which ships one")
        kwargs: dict[str, Any] = {"dtype": self.dtype}
        if attn_implementation:
            kwargs["attn_implementation"] = attn_implementation
        self.model = AutoModelForImageTextToText.from_pretrained(self.path, **kwargs).to(self.device).eval()
        self.load_s = time.perf_counter() - start
        self.name = f"local:{model}"
        self.do_sample = do_sample
        self.temperature = temperature
        self.min_new_tokens = min_new_tokens

    @property
    def tokenizer(self) -> Any:
        return self.processor.tokenizer

    def count_tokens(self, text: str) -> int:
        """Exact text tokens by the model's tokenizer (a history policy's ``count``)."""
        return len(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def image_tokens(self, height: int, width: int) -> int:
        """Image tokens by the processor's own rule, for an image of this size as sent."""
        data = self.processor._get_num_multimodal_tokens(image_sizes=[(height, width)],
                                                         images_kwargs=self._limits([(width, height)]))
        return int(data.num_image_tokens[0])

    @staticmethod
    def _limits(sizes: list[tuple[int, int]]) -> dict[str, Any]:
        """Pixel limits under which the processor leaves every (already resized) image as it is."""
        pixels = [w * h for w, h in sizes]
        return {"size": {"shortest_edge": min(pixels), "longest_edge": max(pixels)}}

    def chat(self, request: ModelRequest) -> list[dict[str, Any]]:
        """The request as the processor's chat template expects it (images as placeholders)."""
        out = []
        for m in request.messages:
            parts = [{"type": "text", "text": p.text} if p.type == "text" else {"type": "image"} for p in m.content]
            out.append({"role": m.role, "content": parts})
        return out

    def generate(self, request: ModelRequest) -> Completion:
        import torch

        start = time.perf_counter()
        prompt = self.processor.apply_chat_template(self.chat(request), tokenize=False, add_generation_prompt=True)
        images = [p.image() for p in request.images]
        kwargs: dict[str, Any] = {}
        if images:
            kwargs["images"] = images
            kwargs["images_kwargs"] = self._limits([im.size for im in images])
        inputs = self.processor(text=[prompt], return_tensors="pt", **kwargs).to(self.device)
        image_tokens = None
        if "image_grid_thw" in inputs:
            merge = self.processor.image_processor.merge_size
            image_tokens = int((inputs["image_grid_thw"].prod(-1) // (merge * merge)).sum())
        options: dict[str, Any] = {"max_new_tokens": request.max_new_tokens, "do_sample": self.do_sample,
                                   "min_new_tokens": min(self.min_new_tokens, request.max_new_tokens)}
        if self.do_sample and self.temperature is not None:
            options["temperature"] = self.temperature
        with torch.inference_mode():
            out = self.model.generate(**inputs, **options)
        prompt_len = int(inputs["input_ids"].shape[1])
        new = out[0, prompt_len:]
        text = self.tokenizer.decode(new, skip_special_tokens=True)
        for stop in request.stop:
            text = text.split(stop, 1)[0]
        return Completion(
            text=text,
            latency_s=time.perf_counter() - start,
            prompt_tokens=prompt_len,
            completion_tokens=int(new.shape[0]),
            image_tokens=image_tokens,
            model=self.name,
            finish_reason="length" if new.shape[0] >= request.max_new_tokens else "stop",
        )

    def close(self) -> None:
        self.model = None
