"""``latency:SECONDS:SPEC``: another backend with a simulated model latency added to every reply.

Benchmarks of fleet collection need "a model that takes 1.5 s per step" without a GPU: the wrapped
backend (scripted replies, a scenario's reference solution) answers, then the reply waits SECONDS more,
as a model server would. The wrapper is a row of the backend table, so every verb that takes
``--model`` understands it and ``parse_backend_spec`` stays the one parser.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

from ._backend import Backend, backend_from_spec, parse_backend_spec
from ._errors import BackendError
from ._request import Completion, ModelRequest

__all__ = ["LatencyBackend", "split_latency_spec"]

_SCHEME = "latency"


def split_latency_spec(spec: str) -> tuple[str, float]:
    """``latency:1.5:reference`` -> (``reference``, 1.5); any other spec -> (spec, 0.0).

    Rooms that build some backends themselves (the scenarios' reference solutions) unwrap the spec
    with this, build the inner one, and wrap it in :class:`LatencyBackend`."""
    kind, rest = parse_backend_spec(spec)
    if kind.name != _SCHEME:
        return spec, 0.0
    seconds, _, inner = rest.partition(":")
    try:
        value = float(seconds)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 3600:  # NaN fails both
        raise BackendError(f"latency:{rest}: {seconds!r} is not a number of seconds between 0 and 3600",
                           hint="write latency:SECONDS:SPEC, e.g. latency:1.5:reference")
    if not inner.strip():
        raise BackendError(f"latency:{rest}: no backend to wrap", hint="write latency:SECONDS:SPEC, e.g. latency:1.5:scripted:replies.json")
    parse_backend_spec(inner)  # the inner spec must be one too
    return inner.strip(), value


class LatencyBackend:
    """``inner`` answers, then the reply is held for ``seconds`` (the simulated model time)."""

    def __init__(self, inner: Backend, seconds: float) -> None:
        self.inner = inner
        self.seconds = seconds
        self.name = f"{_SCHEME}:{seconds:g}:{inner.name}"

    @classmethod
    def from_spec(cls, rest: str, **options: Any) -> LatencyBackend:
        inner, seconds = split_latency_spec(f"{_SCHEME}:{rest}")
        return cls(backend_from_spec(inner, **options), seconds)

    @property
    def calls(self) -> int | None:
        """The inner backend's reply counter, so a resumed scripted run fast-forwards through the wrapper."""
        calls = getattr(self.inner, "calls", None)
        return calls if isinstance(calls, int) else None

    @calls.setter
    def calls(self, value: int) -> None:
        if isinstance(getattr(self.inner, "calls", None), int):
            self.inner.calls = value  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> Any:  # what the inner backend offers besides (a reference's problems)
        if name == "inner":
            raise AttributeError(name)
        return getattr(self.inner, name)

    def generate(self, request: ModelRequest) -> Completion:
        completion = self.inner.generate(request)
        time.sleep(self.seconds)  # the simulation itself: nothing to wait for but the clock
        return dataclasses.replace(completion, latency_s=completion.latency_s + self.seconds, model=self.name)

    def close(self) -> None:
        self.inner.close()
