"""The Device protocol every driver implements, and the records it returns."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from ..actions import DeviceKind, Element, Point, Size
from ..perception import DeviceAction, Frame, SettleOptions, SettleResult

__all__ = ["ActionResult", "Device", "DeviceInfo"]


class DeviceInfo(BaseModel):
    """What a trajectory must know about the device to be replayed or trained on."""

    model_config = ConfigDict(frozen=True)

    kind: DeviceKind
    serial: str = Field(description="adb serial, or the X display and monitor")
    physical_size: Size = Field(description="pixels of the panel (phone) or monitor")
    logical_size: Size = Field(description="pixels the screenshots and actions use (wm size override, scaling)")
    scale: float = 1.0
    rotation: int = Field(0, description="0, 1, 2 or 3 quarter turns, as Android reports it")
    origin: Point = Field(Point(0, 0), description="top-left of the captured area on the virtual desktop")
    density: int | None = None
    model: str = ""
    manufacturer: str = ""
    os: str = Field("", description="e.g. 'Android 14 (SDK 34)' or 'Linux X11'")
    foreground: str = Field("", description="current package/activity or focused window")
    extra: dict[str, Any] = Field(default_factory=dict)


class ActionResult(BaseModel):
    """What happened when an action ran: enough for the trajectory and for the model's next turn."""

    ok: bool = True
    detail: str = ""
    duration_s: float = 0.0
    text_after: str | None = Field(None, description="the focused field's text read back after typing")
    ends_episode: bool = False
    commands: list[str] = Field(default_factory=list, description="what was sent to the device, for the record")


@runtime_checkable
class Device(Protocol):
    """A phone or a desktop that can be looked at and acted on, in device pixels."""

    kind: DeviceKind
    default_settle: SettleOptions  # what settle() holds to when given no options

    def info(self) -> DeviceInfo: ...

    def screenshot(self) -> Frame: ...

    def ui_tree(self) -> list[Element] | None:
        """The current UI elements, or None where the device offers no tree."""
        ...

    def execute(self, action: DeviceAction) -> ActionResult: ...

    def settle(self, options: SettleOptions | None = None) -> SettleResult:
        """Wait until the screen stops changing, as ``options`` define it (``perception.settle_screen``; None:
        the driver's own default, fitted to what a capture costs on it); the last capture comes back in the
        result, with the options it kept, to be reused as the next observation."""
        ...

    def close(self) -> None: ...
