"""Small builders shared by the trajectory tests: real frames, a device, a step."""

from __future__ import annotations

import time

from PIL import Image

from screenpilot.actions import Size, Tap
from screenpilot.devices import ActionResult, DeviceInfo
from screenpilot.perception import CoordinateSpace, Frame
from screenpilot.trajectories import EpisodeMeta, FrameRef, Recorder, StepRecord, StepTimings

DEVICE = DeviceInfo(kind="phone", serial="emulator-5554", physical_size=Size(1080, 2400),
                    logical_size=Size(1080, 2400), density=420, os="Android 14 (SDK 34)")


def frame(shade: int, size: Size = Size(108, 240)) -> Frame:
    return Frame.from_image(Image.new("RGB", size, (shade % 256, 40, 90)))


def meta(episode_id: str = "ep-1", instruction: str = "Turn on Wi-Fi") -> EpisodeMeta:
    return EpisodeMeta(id=episode_id, instruction=instruction, model="scripted:test", dialect="qwen2.5-vl",
                       device=DEVICE, software={"screenpilot": "test"}, started_at=time.time())


def step(index: int, pre: FrameRef, post: FrameRef | None = None, ui: str | None = None) -> StepRecord:
    space = CoordinateSpace.resized(DEVICE.logical_size)
    model_action = space.to_model(Tap(point=(540, 1200)), integral=True)
    device_action = space.to_device(model_action)
    now = time.time()
    return StepRecord(
        index=index, started_at=now, ended_at=now, frame=pre, frame_after=post, ui_tree=ui,
        raw_output='<tool_call>{"name": "mobile_use", "arguments": {"action": "click", "coordinate": [546, 1204]}}</tool_call>',
        thought="tap the switch", model_action=model_action, device_action=device_action, executed=True,
        result=ActionResult(ok=True, detail="tapped"), timings=StepTimings(model_s=0.01, total_s=0.02),
    )


def record_steps(recorder: Recorder, count: int, start: int = 0) -> list[Frame]:
    """Record ``count`` steps as the agent does: pre-frame, action, post-frame = the next pre-frame."""
    frames = []
    pre_frame = frame(start)
    pre = recorder.save_frame(pre_frame, f"{start:06d}")
    frames.append(pre_frame)
    for i in range(start, start + count):
        post_frame = frame(i + 1)
        post = recorder.save_frame(post_frame, f"{i:06d}-after")
        frames.append(post_frame)
        recorder.append_step(step(i, pre, post))
        pre = post
    return frames
