"""Coordinate spaces: where a model's numbers live, and the only road from them to device pixels.

An action leaves the planner as a :class:`ModelAction` (action + the space its numbers are in) and
reaches a driver only as a :class:`DeviceAction`, made by :meth:`CoordinateSpace.to_device`. Two
conventions exist: ``absolute`` pixels in the smart-resized image (Qwen2.5-VL, UI-TARS 1.5) and
``relative`` numbers on a 0..grid square (Qwen3-VL and UI-TARS 1.0: grid 1000; some cookbooks 999).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..actions import Action, ActionError, BaseAction, Point, Size, points_of
from ._resize import QWEN25_FACTOR, smart_resize

__all__ = ["Convention", "CoordinateSpace", "DeviceAction", "ModelAction"]

Convention = Literal["absolute", "relative"]


class CoordinateSpace(BaseModel):
    """A model space tied to one device size; maps points and whole actions both ways."""

    model_config = ConfigDict(frozen=True)

    convention: Convention
    device: Size = Field(description="device pixels, width x height")
    model: Size = Field(description="absolute: the resized image's size; relative: the grid (e.g. 1000x1000)")

    @classmethod
    def resized(
        cls,
        device: Size,
        *,
        factor: int = QWEN25_FACTOR,
        min_pixels: int | None = None,
        max_pixels: int | None = None,
    ) -> CoordinateSpace:
        """Absolute pixels in the image ``smart_resize`` makes of a device screenshot."""
        h, w = smart_resize(device.height, device.width, factor, min_pixels, max_pixels)
        return cls(convention="absolute", device=device, model=Size(w, h))

    @classmethod
    def relative(cls, device: Size, grid: int = 1000) -> CoordinateSpace:
        """Numbers on a 0..grid square stretched over the screen."""
        return cls(convention="relative", device=device, model=Size(grid, grid))

    @property
    def identity(self) -> bool:
        return self.convention == "absolute" and self.device == self.model

    # -- points ------------------------------------------------------------------------------

    def _scale(self) -> tuple[float, float]:
        return self.device.width / self.model.width, self.device.height / self.model.height

    @property
    def largest(self) -> Point:
        """The largest valid model coordinates: a relative grid includes its upper end (0..1000), an
        image's pixels end one short of its size (0..w-1). The one place that rule is written."""
        w, h = self.model
        return Point(w, h) if self.convention == "relative" else Point(w - 1, h - 1)

    def contains(self, point: Point) -> bool:
        """Whether a model-space point is on the screen."""
        hi = self.largest
        return 0 <= point.x <= hi.x and 0 <= point.y <= hi.y

    def to_device_point(self, point: Point) -> Point:
        """Model space -> the device pixel under it (integers, clamped onto the screen)."""
        sx, sy = self._scale()
        x = min(max(round(point.x * sx), 0), self.device.width - 1)
        y = min(max(round(point.y * sy), 0), self.device.height - 1)
        return Point(float(x), float(y))

    def to_model_point(self, point: Point, *, integral: bool = False) -> Point:
        """Device pixels -> model space; ``integral`` rounds as a model would write the numbers."""
        sx, sy = self._scale()
        x, y = point.x / sx, point.y / sy
        if integral:
            x, y = round(x), round(y)
        return Point(float(x), float(y))

    # -- actions -----------------------------------------------------------------------------

    def check(self, action: BaseAction) -> list[str]:
        """Model-space bounds problems, worded in the model's own numbers."""
        w, h = self.model
        hi_x, hi_y = (f"{v:g}" for v in self.largest)
        what = f"0..{w} grid" if self.convention == "relative" else f"{w}x{h} {'screen' if self.identity else 'image'}"
        return [
            f"{action.action}.{name} ({p.x:g}, {p.y:g}) is outside the {what}: x must be in 0..{hi_x} and y in 0..{hi_y}"
            for name, p in points_of(action).items()
            if not self.contains(p)
        ]

    def to_device(self, action: BaseAction | ModelAction) -> DeviceAction:
        """The one way to device pixels; an off-screen model point is an ActionError, not a clamp."""
        if isinstance(action, ModelAction):
            if action.space != self:
                return action.space.to_device(action)
            action = action.action
        problems = self.check(action)
        if problems:
            raise ActionError(problems)
        update = {name: self.to_device_point(p) for name, p in points_of(action).items()}
        return DeviceAction(action=action.model_copy(update=update), size=self.device)

    def to_model(self, action: BaseAction | DeviceAction, *, integral: bool = False) -> ModelAction:
        """Device pixels back to model space (for exports and for replaying into a new model)."""
        if isinstance(action, DeviceAction):
            action = action.action
        update = {name: self.to_model_point(p, integral=integral) for name, p in points_of(action).items()}
        return ModelAction(action=action.model_copy(update=update), space=self)


class ModelAction(BaseModel):
    """An action whose points are in a model's coordinate space."""

    model_config = ConfigDict(frozen=True)

    action: Action
    space: CoordinateSpace


class DeviceAction(BaseModel):
    """An action in device pixels, for a screen of ``size``: what drivers accept.

    ``secrets`` carries the values of the ``{{secret:NAME}}`` placeholders a ``type`` names, for the one
    driver call that types them: never serialized, never shown (``actions.SecretText``).
    """

    model_config = ConfigDict(frozen=True)

    action: Action
    size: Size
    secrets: dict[str, str] = Field(default_factory=dict, exclude=True, repr=False)
