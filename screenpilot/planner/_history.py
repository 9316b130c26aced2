"""History policy: what of the earlier steps goes into the next request, within a token budget.

The default is the Qwen cookbook's: every earlier step as one line of text ("Step i: …") and only the
current screenshot. Optionally the last K screenshots ride along as turns of a conversation (their
replies as assistant turns). A hard token budget, when set, is kept by degrading the oldest parts
first: an old screenshot turn becomes a text line, then the oldest text lines are dropped and counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..perception import Frame

__all__ = ["HistoryPolicy", "HistoryStep"]


@dataclass(frozen=True)
class HistoryStep:
    """One earlier step as the prompt needs it (plain data: the agent keeps these, or rebuilds them).

    ``line`` is the short text for a "Step i: …" history (the model's own summary when it gave one,
    else its call); ``reply`` is what it said, for conversation-style history; ``image`` the screenshot
    the step was decided on (a Frame, or the path of a saved one).
    """

    line: str
    reply: str = ""
    image: Frame | Path | str | None = None


@dataclass(frozen=True)
class HistoryPolicy:
    """``screenshots``: images per request, the current one included (1 = text history only).
    ``max_tokens``: hard budget for the whole request (text + images), or None.
    ``max_new_tokens``: the reply's budget, passed to the backend."""

    screenshots: int = 1
    max_tokens: int | None = None
    max_new_tokens: int = 512

    def __post_init__(self) -> None:
        if self.screenshots < 1:
            raise ValueError(f"screenshots must be >= 1 (the current screen is always sent), got {self.screenshots}")
        if self.max_tokens is not None and self.max_tokens <= 0:
            raise ValueError(f"max_tokens must be positive or None, got {self.max_tokens}")
        if self.max_new_tokens <= 0:
            raise ValueError(f"max_new_tokens must be positive, got {self.max_new_tokens}")
