"""Trajectories: the crash-safe recorder, the versioned schema and the validating reader.

(Replay, exporters and the HTML report build on these.)
"""

from ._errors import RecordingError, TrajectoryError
from ._jsonl import JsonlAppender, atomic_write, read_jsonl
from ._reader import Episode, load_meta, read_episode
from ._recorder import EPISODE_FILE, FRAMES_DIR, STEPS_FILE, UI_DIR, Recorder, Redactor, redact_value
from ._schema import (
    SCHEMA_VERSION,
    Confirmation,
    DecidedBy,
    EpisodeMeta,
    FrameRef,
    RequestRecord,
    Outcome,
    Source,
    StepRecord,
    StepTimings,
    TokenUsage,
)
from ._writer import BackgroundWriter
from ._discover import find_episodes
from ._export import EXPORT_FORMATS, LLAMAFACTORY_MAX_PIXELS, ExportOptions, ExportReport, export
from ._viewer import REPORT_FILE, render_report, write_report
from ._replay import DEFAULT_THRESHOLD, ReplayOptions, ReplayReport, ReplayStep, replay, replayable
from ._replay_match import Divergence, element_divergence, match_element, screen_divergence

__all__ = [
    "EPISODE_FILE",
    "DEFAULT_THRESHOLD",
    "EXPORT_FORMATS",
    "LLAMAFACTORY_MAX_PIXELS",
    "REPORT_FILE",
    "ExportOptions",
    "ExportReport",
    "Divergence",
    "ReplayOptions",
    "ReplayReport",
    "ReplayStep",
    "element_divergence",
    "match_element",
    "replay",
    "replayable",
    "screen_divergence",
    "export",
    "find_episodes",
    "render_report",
    "write_report",
    "FRAMES_DIR",
    "SCHEMA_VERSION",
    "STEPS_FILE",
    "UI_DIR",
    "BackgroundWriter",
    "Confirmation",
    "DecidedBy",
    "Episode",
    "EpisodeMeta",
    "FrameRef",
    "JsonlAppender",
    "Outcome",
    "Recorder",
    "RecordingError",
    "Redactor",
    "RequestRecord",
    "Source",
    "StepRecord",
    "StepTimings",
    "TokenUsage",
    "TrajectoryError",
    "atomic_write",
    "load_meta",
    "read_episode",
    "read_jsonl",
    "redact_value",
]
