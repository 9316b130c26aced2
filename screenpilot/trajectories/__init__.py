"""Trajectories: the crash-safe recorder, the versioned schema and the validating reader.

(Replay, exporters and the HTML report build on these.)
"""

from ._annotations import ANNOTATIONS_FILE, read_annotations, write_annotations
from ._discover import find_episodes
from ._errors import RecordingError, TrajectoryError
from ._export import (
    EXPORT_FORMATS,
    LLAMAFACTORY_MAX_PIXELS,
    ExportFormat,
    ExportOptionError,
    ExportOptions,
    ExportReport,
    export,
)
from ._history import history_entry, history_line, ran_as_recorded
from ._journal import JOURNAL_FILE, ActionJournal, JournalEntry
from ._jsonl import JsonlAppender, atomic_write, read_jsonl
from ._reader import Episode, load_meta, read_episode
from ._recorder import EPISODE_FILE, FRAMES_DIR, STEPS_FILE, UI_DIR, Recorder, Redactor, redact_value
from ._replay import DEFAULT_THRESHOLD, ReplayOptions, ReplayReport, ReplayStep, replay, replayable
from ._replay_match import Divergence, element_divergence, match_element, screen_divergence
from ._schema import (
    SCHEMA_VERSION,
    Confirmation,
    DecidedBy,
    EpisodeMeta,
    FrameRef,
    Outcome,
    RequestRecord,
    SettleRecord,
    Source,
    StepRecord,
    StepTimings,
    TokenUsage,
)
from ._steps import UNKNOWN_OUTCOME, Executed, Observed, Settled, execute, observe, settle
from ._viewer import REPORT_FILE, render_report, write_report
from ._writer import BackgroundWriter

__all__ = [
    "ANNOTATIONS_FILE",
    "DEFAULT_THRESHOLD",
    "EPISODE_FILE",
    "EXPORT_FORMATS",
    "FRAMES_DIR",
    "JOURNAL_FILE",
    "LLAMAFACTORY_MAX_PIXELS",
    "REPORT_FILE",
    "SCHEMA_VERSION",
    "STEPS_FILE",
    "UI_DIR",
    "UNKNOWN_OUTCOME",
    "ActionJournal",
    "BackgroundWriter",
    "Confirmation",
    "DecidedBy",
    "Divergence",
    "Episode",
    "EpisodeMeta",
    "Executed",
    "ExportFormat",
    "ExportOptionError",
    "ExportOptions",
    "ExportReport",
    "FrameRef",
    "JournalEntry",
    "JsonlAppender",
    "Observed",
    "Outcome",
    "Recorder",
    "RecordingError",
    "Redactor",
    "ReplayOptions",
    "ReplayReport",
    "ReplayStep",
    "RequestRecord",
    "SettleRecord",
    "Settled",
    "Source",
    "StepRecord",
    "StepTimings",
    "TokenUsage",
    "TrajectoryError",
    "atomic_write",
    "element_divergence",
    "execute",
    "export",
    "find_episodes",
    "history_entry",
    "history_line",
    "load_meta",
    "match_element",
    "observe",
    "ran_as_recorded",
    "read_annotations",
    "read_episode",
    "read_jsonl",
    "redact_value",
    "render_report",
    "replay",
    "replayable",
    "screen_divergence",
    "settle",
    "write_annotations",
    "write_report",
]
