"""The export formats: ONE table from which ``export``, ``ExportOptions`` and ``screenpilot export`` are made.

Each row names its writer (``module:function`` inside this package, imported only when used, so a
format's libraries load only for that format), the files it writes, one line for ``--help``, the
format-specific options it honours (any other one given is a usage error, never silently ignored),
and the device kinds whose episodes it can carry. Adding a format is a new ``_export_<name>.py`` module,
one row here, and its section in docs/replay-view-export.md (docs/extending.md shows it).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["CHAT_OPTIONS", "EXPORT_FORMATS", "FORMAT_OPTIONS", "ExportFormat"]

FORMAT_OPTIONS = {
    "history_images": "--history-images",
    "max_pixels": "--max-pixels",
    "max_tokens": "--max-tokens",
    "keep_invalid_turns": "--keep-invalid-turns",
    "tfrecord": "--tfrecord",
}
"""``ExportOptions`` fields that only some formats use, and the CLI flag that sets each."""

CHAT_OPTIONS = frozenset({"history_images", "max_pixels", "max_tokens", "keep_invalid_turns"})


@dataclass(frozen=True)
class ExportFormat:
    """One export format: what writes it, what it writes, and which options it honours."""

    name: str
    writer: str
    layout: str
    description: str
    options: frozenset[str] = frozenset()
    kinds: tuple[str, ...] = ("phone", "desktop")
    preflight: str | None = None

    def _load(self, spec: str) -> Callable[..., Any]:
        module, _, function = spec.partition(":")
        return getattr(import_module(module, __package__), function)  # type: ignore[no-any-return]

    def write(self, episodes: Any, options: Any, report: Any) -> None:
        self._load(self.writer)(episodes, options, report)

    def check(self, episodes: Any, options: Any) -> None:
        """Usage errors that depend on the episodes (a pixel budget too small for a screen), found
        before anything is written."""
        if self.preflight:
            self._load(self.preflight)(episodes, options)


_CHAT = "._export_chat:write_chat"
_CHAT_CHECK = "._export_chat:check_options"

EXPORT_FORMATS: dict[str, ExportFormat] = {f.name: f for f in (
    ExportFormat("llamafactory", _CHAT, "data.jsonl, dataset_info.json, train_args.yaml, index.jsonl, images/, README.md",
                 "LLaMA-Factory sharegpt rows (messages + images), images sized for the pixel budget",
                 CHAT_OPTIONS, preflight=_CHAT_CHECK),
    ExportFormat("swift", _CHAT, "train.jsonl, index.jsonl, images/, README.md",
                 "ms-swift rows (messages with per-turn loss + absolute image paths)", CHAT_OPTIONS,
                 preflight=_CHAT_CHECK),
    ExportFormat("hf", "._export_hf:write_hf", "data/train-NNNNN.parquet, README.md (dataset card)",
                 "a Hugging Face datasets parquet data set, one row per step, screenshots embedded"),
    ExportFormat("aitw", "._export_aitw:write_aitw", "aitw.jsonl, images/, [aitw.tfrecord.gz]",
                 "Android-in-the-Wild steps (action types, (y, x) points, UI annotations); --tfrecord adds "
                 "the data set's own GZIP TFRecord form", frozenset({"tfrecord"}), kinds=("phone",)),
    ExportFormat("odyssey", "._export_odyssey:write_odyssey", "annotations/, screenshots/, splits/screenpilot.json",
                 "GUI-Odyssey episode annotations (0-1000 grid) in the layout its format converter reads",
                 kinds=("phone",)),
    ExportFormat("androidcontrol", "._export_androidcontrol:write_androidcontrol",
                 "android_control-00000-of-00001 (GZIP TFRecord), index.jsonl",
                 "AndroidControl episodes: screenshots, accessibility trees, JSON actions, goal and step "
                 "instructions", kinds=("phone",)),
)}
"""Every export format by name, in the order ``--help`` lists them."""
