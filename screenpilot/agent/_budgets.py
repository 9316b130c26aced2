"""Limits of a run: plain, serializable settings."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Budgets"]


class Budgets(BaseModel):
    """When a run stops even though the model has not said it is done."""

    model_config = ConfigDict(frozen=True)

    max_steps: int = Field(30, ge=1, description="model turns, invalid ones included")
    max_wall_s: float = Field(1800.0, gt=0, description="active seconds over every process of the run")
    max_invalid: int = Field(3, ge=1, description="consecutive turns that could not be executed")
    loop_repeats: int = Field(3, ge=2, description="the same action on an unchanged screen this many times is a loop")
    loop_difference: float = Field(0.01, ge=0, le=1, description="screens differing by at most this fraction are 'unchanged'")
