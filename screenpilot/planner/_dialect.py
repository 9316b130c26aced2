"""What every dialect shares: image sizing, the coordinate convention, history layout, the Plan.

A dialect is everything model-specific about one step: how the request is worded (templates), which
tool or action space is offered (generated from its verb table), how the reply is read (its parser),
and which coordinate space the numbers are in. The agent sees only this class's public methods.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..actions import BaseAction, DeviceKind, Size
from ..perception import CoordinateSpace, Frame, ModelAction, image_tokens, smart_resize
from ._errors import BudgetExceeded, ParseError
from ._history import HistoryPolicy, HistoryStep
from ._request import (
    ImagePart,
    Message,
    ModelRequest,
    TokenCounter,
    estimate_tokens,
    segments,
    shared_prefix_tokens,
)
from ._verbs import Verbs

__all__ = ["Dialect", "Plan", "Prompt"]


@dataclass(frozen=True)
class Plan:
    """A parsed reply: the action in MODEL space, and what the model said around it.

    ``call`` is the action written back in the dialect (canonical form, for history lines);
    ``ignored`` holds further calls the reply contained (only the first is executed); ``notes`` says
    what the lenient reader had to forgive (single quotes, a missing tag, ``tap`` read as ``click``).
    """

    action: BaseAction
    raw: str
    call: str
    thought: str | None = None
    summary: str | None = None
    ignored: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    space: CoordinateSpace | None = None

    @property
    def model_action(self) -> ModelAction:
        """The action tied to its coordinate space (needs ``space``: pass it to ``parse``)."""
        if self.space is None:
            raise ValueError("this plan was parsed without a coordinate space: pass space= to Dialect.parse")
        return ModelAction(action=self.action, space=self.space)

    def step(self, image: Frame | Path | str | None = None) -> HistoryStep:
        """This plan as an earlier step of the next request's history."""
        return HistoryStep(line=self.summary or self.call, reply=self.raw.strip(), image=image)


@dataclass(frozen=True)
class Prompt:
    """The parts a dialect lays out as messages (chosen by the history policy)."""

    task: str
    space: CoordinateSpace
    current: ImagePart
    lines: tuple[tuple[int, HistoryStep], ...]  # (1-based index, step) shown as text
    turns: tuple[tuple[int, HistoryStep, ImagePart | None], ...]  # shown as screenshot + reply
    omitted: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


class Dialect(ABC):
    """One model family's way of talking. Subclasses set the class attributes and the two hooks."""

    name: str = ""
    factor: int = 28
    min_pixels: int | None = None
    max_pixels: int | None = None
    grid: int | None = None  # None: absolute pixels of the resized image; else a relative 0..grid square

    def __init__(self, kind: DeviceKind = "phone", *, min_pixels: int | None = None,
                 max_pixels: int | None = None) -> None:
        if kind not in ("phone", "desktop"):
            raise ValueError(f"kind must be 'phone' or 'desktop', got {kind!r}")
        self.kind: DeviceKind = kind
        if min_pixels is not None:
            self.min_pixels = min_pixels
        if max_pixels is not None:
            self.max_pixels = max_pixels

    def __repr__(self) -> str:
        return f"{type(self).__name__}(kind={self.kind!r}, max_pixels={self.max_pixels})"

    # -- geometry ----------------------------------------------------------------------------

    def image_size(self, device: Size) -> Size:
        """The size a screenshot of ``device`` pixels is sent at (smart-resized for the model)."""
        h, w = smart_resize(device.height, device.width, self.factor, self.min_pixels, self.max_pixels)
        return Size(w, h)

    def image_tokens(self, device: Size) -> int:
        return image_tokens(device.height, device.width, self.factor,
                            min_pixels=self.min_pixels, max_pixels=self.max_pixels)

    def space(self, device: Size) -> CoordinateSpace:
        """The coordinate space this dialect's numbers live in for a screen of ``device`` pixels."""
        if self.grid is not None:
            return CoordinateSpace.relative(device, self.grid)
        return CoordinateSpace.resized(device, factor=self.factor, min_pixels=self.min_pixels,
                                       max_pixels=self.max_pixels)

    def image_part(self, source: Frame | Path | str) -> ImagePart:
        part = ImagePart.of(source, Size(1, 1), 0)
        return ImagePart(part.source, part.original, self.image_size(part.original),
                         self.image_tokens(part.original))

    # -- request -----------------------------------------------------------------------------

    def messages(
        self,
        task: str,
        history: Sequence[HistoryStep],
        frame: Frame | Path | str,
        *,
        policy: HistoryPolicy | None = None,
        count: TokenCounter = estimate_tokens,
        previous: ModelRequest | None = None,
    ) -> ModelRequest:
        """The request for the next step: task, earlier steps as the policy says, and the current screen.

        ``count`` counts text tokens (a backend's tokenizer, or the default estimate that errs high);
        ``previous`` is the last request sent, for the prefix-cache figure.
        Raises BudgetExceeded if even task + current screen exceed ``policy.max_tokens``.
        """
        policy = policy or HistoryPolicy()
        current = self.image_part(frame)
        space = self.space(current.original)
        window = history[len(history) - min(policy.screenshots - 1, len(history)):] if policy.screenshots > 1 else []
        parts = {id(s): self.image_part(s.image) for s in window if s.image is not None}  # older images are never read

        def build(omitted: int, turns: int) -> ModelRequest:
            indexed = list(enumerate(history, start=1))
            text_end = len(indexed) - turns
            prompt = Prompt(
                task=task,
                space=space,
                current=current,
                lines=tuple(indexed[omitted:text_end]),
                turns=tuple((i, s, parts.get(id(s))) for i, s in indexed[text_end:]),
                omitted=omitted,
            )
            msgs = tuple(self._messages(prompt))
            segs = segments(msgs, count)
            images = sum(p.tokens for m in msgs for p in m.images)
            texts = sum(n for kind, _, n in segs if kind == "text")
            texts += sum(2 for kind, _, _ in segs if kind == "image")
            prefix = shared_prefix_tokens(previous.segments, segs, count) if previous is not None else 0
            return ModelRequest(
                messages=msgs, space=space, dialect=self.name, image_tokens=images, text_tokens=texts,
                prefix_tokens=prefix, omitted_steps=omitted, max_new_tokens=policy.max_new_tokens,
                stop=self.stop, segments=tuple(segs),
            )

        budget = policy.max_tokens
        n = len(history)
        most = 0  # screenshot turns need screenshots: a step without one ends the window
        while most < len(window) and id(history[n - 1 - most]) in parts:
            most += 1
        for turns in range(most, -1, -1):
            request = build(0, turns)
            if budget is None or request.total_tokens <= budget:
                return request
        lo, hi, best = 1, n, None
        while lo <= hi:  # fewest dropped lines that fit: the total only shrinks as more are dropped
            mid = (lo + hi) // 2
            request = build(mid, 0)
            if request.total_tokens <= budget:  # type: ignore[operator]
                best, hi = request, mid - 1
            else:
                lo = mid + 1
        if best is not None:
            return best
        raise BudgetExceeded(
            f"the request needs {request.total_tokens} tokens with no history at all, over the budget of "
            f"{budget} ({request.image_tokens} of them for the screenshot)",
            hint="raise the history policy's max_tokens, or lower the dialect's max_pixels",
        )

    stop: tuple[str, ...] = ()

    @abstractmethod
    def _messages(self, prompt: Prompt) -> list[Message]:
        """Lay the prompt out as chat messages (templates do the wording)."""

    # -- reply -------------------------------------------------------------------------------

    @property
    @abstractmethod
    def verbs(self) -> Verbs:
        """The dialect's verb table for this kind of device."""

    @abstractmethod
    def tools(self, space: CoordinateSpace | None = None) -> Any:
        """What the prompt offers the model (a tool schema, or an action-space text), for a resized screen."""

    @abstractmethod
    def parse(self, raw: object, space: CoordinateSpace | None = None) -> Plan:
        """The action in a reply, or a ParseError whose message tells the model what to fix."""

    @abstractmethod
    def format(self, action: BaseAction, *, thought: str | None = None, summary: str | None = None) -> str:
        """An action written as this model would write it (scripted replies, history lines, tests)."""

    # -- shared helpers ----------------------------------------------------------------------

    def _text(self, raw: object) -> str:
        """The reply as text, or the ParseError for an empty or non-text reply."""
        if isinstance(raw, bytes | bytearray):
            raise ParseError(self._fix("your reply was bytes, not text"), raw=raw)
        if not isinstance(raw, str):
            raise ParseError(self._fix(f"your reply was not text ({type(raw).__name__})"), raw=raw)
        text = raw.replace("\r\n", "\n").replace("\x00", "")
        from ._lenient import MAX_CHARS

        text = text[:MAX_CHARS]
        if not text.strip():
            raise ParseError(self._fix("your reply was empty"), raw=raw)
        return text

    def _fix(self, problem: str) -> str:
        """A problem plus the form a correct reply takes, for the model's next try."""
        return f"{problem}. {self.example()}"

    @abstractmethod
    def example(self) -> str:
        """One sentence with a correct reply, appended to every ParseError."""


_WS = re.compile(r"\s+")


def one_line(text: str | None, limit: int = 300) -> str | None:
    """Collapse whitespace for a history line; None stays None."""
    if text is None:
        return None
    text = _WS.sub(" ", text).strip()
    return (text[: limit - 1] + "…" if len(text) > limit else text) or None
