"""The model request and reply: plain data every backend consumes and every recorder can write.

Messages follow the OpenAI chat shape (role + a list of text and image parts) because every
backend we speak to understands it: an OpenAI-compatible server takes it as JSON, a processor's
chat template takes it as dicts. An image part points at the capture (a Frame, or a file of an
earlier step) and carries the size actually sent, which is the size the model's coordinates refer to.
"""

from __future__ import annotations

import base64
import hashlib
import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, Union

from ..actions import Size
from ..errors import ScreenPilotError
from ..perception import CoordinateSpace, Frame

__all__ = [
    "Completion",
    "ImagePart",
    "Message",
    "ModelRequest",
    "Part",
    "Role",
    "TextPart",
    "TokenCounter",
    "estimate_tokens",
    "shared_prefix_tokens",
]

Role = Literal["system", "user", "assistant"]
TokenCounter = Callable[[str], int]
Segment = tuple[Literal["text", "image"], str, int]


def estimate_tokens(text: str) -> int:
    """A tokenizer-free count that errs high (UTF-8 bytes / 3), so a budget kept by it holds.

    Qwen's BPE averages about 4 bytes a token on English and JSON; a backend that owns a tokenizer
    (the local one) gives the exact count instead.
    """
    return math.ceil(len(text.encode("utf-8", "surrogatepass")) / 3)


@dataclass(frozen=True)
class TextPart:
    text: str
    type: Literal["text"] = "text"


@dataclass(frozen=True, eq=False)
class ImagePart:
    """One screenshot in a request: where it comes from, its captured size, the size sent, its tokens."""

    source: Frame | Path
    original: Size
    size: Size
    tokens: int
    type: Literal["image"] = "image"

    @classmethod
    def of(cls, source: Frame | Path | str, size: Size, tokens: int) -> ImagePart:
        if isinstance(source, str):
            source = Path(source)
        return cls(source, _size_of(source), size, tokens)

    @cached_property
    def key(self) -> str:
        """Identity for prefix-cache accounting: the same pixels sent at the same size."""
        data = self.source.data if isinstance(self.source, Frame) else str(Path(self.source).resolve()).encode()
        return f"{hashlib.blake2b(data, digest_size=12).hexdigest()}@{self.size}"

    def image(self) -> Any:
        """The RGB picture at the size sent (PIL); resized here so every backend sends the same pixels."""
        from PIL import Image

        if isinstance(self.source, Frame):
            img = self.source.image
        else:
            with Image.open(self.source) as probe:
                probe.load()
                img = probe.copy()
        img = img.convert("RGB")
        if img.size != tuple(self.size):
            img = img.resize(tuple(self.size), Image.Resampling.BICUBIC)
        return img

    def png(self) -> bytes:
        buf = io.BytesIO()
        self.image().save(buf, format="PNG", compress_level=1)
        return buf.getvalue()

    def data_url(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png()).decode("ascii")

    def to_record(self) -> dict[str, Any]:
        ref = str(self.source) if isinstance(self.source, Path) else (self.source.source or "frame")
        return {"type": "image", "image": ref, "original_size": list(self.original), "size": list(self.size),
                "tokens": self.tokens}


Part = Union[TextPart, ImagePart]


def _size_of(source: Frame | Path) -> Size:
    if isinstance(source, Frame):
        return source.size
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(source) as probe:
            return Size(*probe.size)
    except (OSError, UnidentifiedImageError) as exc:
        raise ScreenPilotError(f"cannot read the screenshot {source}: {exc}",
                               hint="pass a Frame, or the path of a PNG/JPEG/WebP file that exists") from None


@dataclass(frozen=True)
class Message:
    role: Role
    content: tuple[Part, ...]

    @classmethod
    def text(cls, role: Role, text: str) -> Message:
        return cls(role, (TextPart(text),))

    @property
    def images(self) -> tuple[ImagePart, ...]:
        return tuple(p for p in self.content if isinstance(p, ImagePart))


@dataclass(frozen=True)
class ModelRequest:
    """Everything one model call needs, and what it costs.

    ``space`` is the coordinate space of the current screenshot: parse the reply against it.
    ``prefix_tokens`` is how many leading tokens this request shares with the previous one, the part a
    server's prefix cache can reuse (counted over the ChatML rendering; text boundaries may be off by one).
    """

    messages: tuple[Message, ...]
    space: CoordinateSpace
    dialect: str
    image_tokens: int
    text_tokens: int
    prefix_tokens: int = 0
    omitted_steps: int = 0
    max_new_tokens: int = 512
    stop: tuple[str, ...] = ()
    segments: tuple[Segment, ...] = field(default=(), repr=False, compare=False)

    @property
    def total_tokens(self) -> int:
        return self.image_tokens + self.text_tokens

    @property
    def images(self) -> tuple[ImagePart, ...]:
        return tuple(p for m in self.messages for p in m.images)

    def to_openai(self) -> list[dict[str, Any]]:
        """Chat-completions ``messages`` with images inlined as base64 PNG data URLs."""
        out = []
        for m in self.messages:
            parts: list[dict[str, Any]] = []
            for p in m.content:
                if isinstance(p, TextPart):
                    parts.append({"type": "text", "text": p.text})
                else:
                    parts.append({"type": "image_url", "image_url": {"url": p.data_url()}})
            if m.role != "user" and all(isinstance(p, TextPart) for p in m.content):
                out.append({"role": m.role, "content": "".join(p.text for p in m.content)})  # type: ignore[union-attr]
            else:
                out.append({"role": m.role, "content": parts})
        return out

    def to_record(self) -> dict[str, Any]:
        """JSON for the trajectory: the exact text, and each image by reference with the size sent."""
        return {
            "dialect": self.dialect,
            "messages": [
                {"role": m.role,
                 "content": [{"type": "text", "text": p.text} if isinstance(p, TextPart) else p.to_record()
                             for p in m.content]}
                for m in self.messages
            ],
            "space": self.space.model_dump(mode="json"),
            "image_tokens": self.image_tokens,
            "text_tokens": self.text_tokens,
            "prefix_tokens": self.prefix_tokens,
            "omitted_steps": self.omitted_steps,
        }


# ---- token accounting over the ChatML rendering ---------------------------------------------------


def segments(messages: Sequence[Message], count: TokenCounter) -> list[Segment]:
    """The request as the chat template lays it out: role headers, texts and image blocks in order."""
    out: list[Segment] = []
    text = ""
    for m in messages:
        text += f"<|im_start|>{m.role}\n"
        for p in m.content:
            if isinstance(p, TextPart):
                text += p.text
            else:
                out.append(("text", text, count(text)))
                out.append(("image", p.key, p.tokens + 2))  # + vision start/end
                text = ""
        text += "<|im_end|>\n"
    text += "<|im_start|>assistant\n"
    out.append(("text", text, count(text)))
    return out


def shared_prefix_tokens(previous: Sequence[Segment], current: Sequence[Segment], count: TokenCounter) -> int:
    """Leading tokens two requests have in common: equal segments whole, then a text segment's common head."""
    total = 0
    for a, b in zip(previous, current):
        if a[:2] == b[:2]:
            total += b[2]
            continue
        if a[0] == b[0] == "text":
            n = 0
            for ca, cb in zip(a[1], b[1]):
                if ca != cb:
                    break
                n += 1
            total += count(a[1][:n]) if n else 0
        break
    return total


@dataclass(frozen=True)
class Completion:
    """One backend call's reply, with its cost: latency and token usage (None where unknown)."""

    text: str
    latency_s: float
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    image_tokens: int | None = None
    model: str = ""
    finish_reason: str | None = None
    attempts: int = 1
    extra: dict[str, Any] = field(default_factory=dict)

    def usage(self) -> dict[str, Any]:
        return {"latency_s": round(self.latency_s, 4), "prompt_tokens": self.prompt_tokens,
                "completion_tokens": self.completion_tokens, "image_tokens": self.image_tokens,
                "attempts": self.attempts, "model": self.model, "finish_reason": self.finish_reason}
