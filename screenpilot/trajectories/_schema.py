"""The trajectory format: one episode's metadata and one record per step, as versioned pydantic models.

Every field a training export or a replay needs is here (docs/formats.md, "What every trajectory keeps"): the
action travels in BOTH spaces (``ModelAction`` carries its ``CoordinateSpace`` and sizes,
``DeviceAction`` the device size), frames are files referenced by path relative to the episode
folder, and the model's raw text is kept verbatim in ``raw_output`` (the replay backend reads it).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..actions import Element, Size
from ..devices import ActionResult, DeviceInfo
from ..perception import DeviceAction, FrameFormat, ModelAction

__all__ = [
    "SCHEMA_VERSION",
    "Confirmation",
    "DecidedBy",
    "EpisodeMeta",
    "FrameRef",
    "Outcome",
    "RequestRecord",
    "SettleRecord",
    "Source",
    "StepRecord",
    "StepTimings",
    "TokenUsage",
]

SCHEMA_VERSION = 1
"""Bumped on any change a reader of an older version could misread; readers refuse newer versions."""

Outcome = Literal["success", "failure", "infeasible", "aborted"]
Source = Literal["agent", "human", "scripted"]
DecidedBy = Literal["model", "scenario", "budget", "loop", "person", "error"]
"""Who ended the episode: the model's own terminate/answer, a scenario's success check, a budget
(steps, wall time, invalid outputs), the loop detector, a person (refusal, Ctrl-C), or a fault."""


class _Record(BaseModel):
    # Unknown fields are kept, not refused: a newer writer of the same major version may add some.
    model_config = ConfigDict(extra="allow")


class FrameRef(_Record):
    """A screenshot stored in the episode folder, exactly as the device produced it."""

    path: str = Field(description="relative to the episode folder, e.g. frames/000003.png")
    size: Size = Field(description="the frame's pixels, width x height (device pixels)")
    format: FrameFormat = Field(description="what the device sent; raw layouts are stored as PNG")
    captured_at: float = Field(description="unix time of the capture")
    bytes: int | None = Field(None, ge=0, description="size of the stored file (None: raw pixels stored as PNG)")


class RequestRecord(_Record):
    """The exact input the model got: messages with images replaced by references to stored frames.

    Each image part names its frame file (relative to the episode folder) and the size it was sent
    at, which is the size the model's absolute coordinates refer to.
    """

    messages: list[dict[str, Any]] = Field(default_factory=list)
    images: list[str] = Field(default_factory=list, description="frame paths, in the order the images appear")
    image_size: Size | None = Field(None, description="the size of the current image as SENT (after resizing)")


class TokenUsage(_Record):
    prompt: int | None = None
    completion: int | None = None


class StepTimings(_Record):
    """Seconds spent in each phase of the step; ``total_s`` is wall time from observe to record."""

    observe_s: float = 0.0
    ui_tree_s: float = Field(0.0, description="of observe_s, reading the UI tree (slow on real phones)")
    prompt_s: float = Field(0.0, description="building the request (history, images, tokens)")
    model_s: float = Field(0.0, description="the backend call alone")
    parse_s: float = 0.0
    act_s: float = 0.0
    settle_s: float = 0.0
    total_s: float = 0.0


class SettleRecord(_Record):
    """How the wait for a still screen after the action ended, and the definition of "still" it kept."""

    settled: bool
    waited_s: float
    frames: int = Field(description="captures taken, the first included")
    difference: float = Field(description="fraction of thumbnail cells that changed between the last two captures")
    source: str = Field("", description="how the frames were taken: screencap, mss, stream")
    options: dict[str, Any] | None = Field(None, description="perception.SettleOptions as used")


class Confirmation(_Record):
    """A sensitive action's approval: why it was asked, the answer, and who gave it."""

    reasons: list[str]
    approved: bool
    by: Literal["person", "--yes", "--no-input", "callback"] = Field(
        description="a person at the prompt, a blanket flag, or the API's callback"
    )
    at: float = Field(description="unix time of the decision")


class StepRecord(_Record):
    """One model turn: what it saw, what it said, what ran, and what came of it.

    A turn whose output could not be parsed, validated, or was refused still gets a record (with
    ``error`` and no ``result``): invalid outputs are data too, and the model saw the feedback.
    """

    index: int = Field(ge=0)
    actor: Literal["model", "person", "replay"] = Field(
        "model", description="who chose the action: the model, a person (demonstration or takeover), or a replay")
    instruction: str | None = Field(None, description="a per-step instruction, when one was written for it")
    started_at: float
    ended_at: float
    frame: FrameRef = Field(description="the pre-action screenshot the model saw")
    frame_after: FrameRef | None = Field(None, description="the settled screen after the action")
    ui_tree: str | None = Field(None, description="path of the UI elements (JSON) captured with the frame")
    request: RequestRecord | None = None
    raw_output: str | None = Field(None, description="the model's text, verbatim")
    thought: str | None = None
    summary: str | None = Field(None, description="the model's own one-line account of the step, if it gave one")
    call: str | None = Field(None, description="the parsed action written back in the dialect (the history line)")
    parse_notes: list[str] = Field(default_factory=list, description="what the lenient parser had to forgive")
    model_action: ModelAction | None = Field(None, description="the action in the model's coordinate space")
    device_action: DeviceAction | None = Field(None, description="the same action in device pixels")
    element: Element | None = Field(None, description="the UI element under the action's point, when known")
    confirmation: Confirmation | None = None
    executed: bool = Field(False, description="whether the action was sent to the device")
    result: ActionResult | None = None
    error: str | None = Field(None, description="why the output was not executed, as fed back to the model")
    error_kind: Literal["parse", "invalid", "refused", "loop", "device", "unknown_outcome"] | None = None
    notes: list[str] = Field(default_factory=list, description="what the loop noticed, e.g. why no UI tree was read")
    timings: StepTimings = Field(default_factory=StepTimings)
    settle: SettleRecord | None = Field(None, description="the wait after the action (None: no action ran)")
    usage: TokenUsage | None = None


class EpisodeMeta(_Record):
    """Everything about an episode that is not a step; ``outcome`` stays None until it ends."""

    schema_version: int = SCHEMA_VERSION
    id: str
    instruction: str = Field(description="the task as given; secrets stay as {{secret:NAME}} placeholders")
    source: Source = "agent"
    model: str = Field("", description="the backend spec, e.g. local:PATH or scripted:demo")
    dialect: str = ""
    device: DeviceInfo
    software: dict[str, str] = Field(default_factory=dict, description="package -> version")
    config: dict[str, Any] = Field(default_factory=dict, description="budgets and options the run used")
    started_at: float
    ended_at: float | None = None
    outcome: Outcome | None = None
    decided_by: DecidedBy | None = None
    outcome_detail: str = ""
    answer: str | None = None
    steps: int = Field(0, ge=0, description="step records written when the metadata was last saved")
    tokens: TokenUsage = Field(default_factory=TokenUsage)
