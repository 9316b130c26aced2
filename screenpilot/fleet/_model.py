"""A model shared by every device: one Ray actor serving ``generate`` with bounded concurrency.

``local:`` (a model in memory, on a GPU where there is one) and ``openai:`` (a vLLM/SGLang server)
are loaded once, in a ``ModelService`` actor whose ``max_concurrency`` is ``--max-inflight``: Ray
queues the calls beyond it, so a server is never sent more than that at once. With GPUs there is one
service per GPU and devices are spread over them. The OpenAI backend itself retries 429/5xx with
exponential backoff; a service that dies is restarted by Ray and the call is retried with backoff.
Requests travel through Ray's object store; images that are files of an earlier step (the device's
worker has them, the service may be on another host) travel as their bytes.
"""

from __future__ import annotations

import dataclasses
import random
import threading
import time
from pathlib import Path
from typing import Any

from ..errors import InfraFault
from ..perception import Frame
from ..planner import (
    Backend,
    Completion,
    ImagePart,
    Message,
    ModelRequest,
    backend_from_spec,
    parse_backend_spec,
)

__all__ = ["SHARED_BACKENDS", "ModelService", "RemoteBackend", "portable_request", "shares_model"]

SHARED_BACKENDS = ("local", "openai")
"""Backends loaded once and served to every device; the others (reference, scripted, replay,
latency) are cheap and hold per-episode state, so each worker builds its own for every episode."""


def shares_model(spec: str) -> bool:
    return parse_backend_spec(spec)[0].name in SHARED_BACKENDS


class ModelService:
    """The backend a spec names, built once; counts calls in flight (the peak proves the bound)."""

    def __init__(self, spec: str, options: dict[str, Any] | None = None) -> None:
        self.backend: Backend = backend_from_spec(spec, **(options or {}))
        self._lock = threading.Lock()
        self.inflight = 0
        self.peak = 0
        self.calls = 0

    def generate(self, request: ModelRequest) -> Completion:
        with self._lock:
            self.inflight += 1
            self.calls += 1
            self.peak = max(self.peak, self.inflight)
        try:
            return self.backend.generate(request)
        finally:
            with self._lock:
                self.inflight -= 1

    def stats(self) -> dict[str, int]:
        return {"calls": self.calls, "inflight": self.inflight, "peak": self.peak}

    def ready(self) -> str:
        return self.backend.name


def portable_request(request: ModelRequest) -> ModelRequest:
    """The request with every image that is a file on this host carried as its bytes."""
    def part(p: Any) -> Any:
        if isinstance(p, ImagePart) and isinstance(p.source, Path):
            return ImagePart(Frame.from_bytes(p.source.read_bytes(), source=str(p.source)), p.original, p.size, p.tokens)
        return p

    messages = tuple(Message(m.role, tuple(part(p) for p in m.content)) for m in request.messages)
    return dataclasses.replace(request, messages=messages)


class RemoteBackend:
    """A device worker's view of a shared ModelService: a Backend whose ``generate`` is a Ray call."""

    def __init__(self, service: Any, name: str, *, retries: int = 3, backoff_s: float = 1.0) -> None:
        self.service = service
        self.name = name
        self.retries = retries
        self.backoff_s = backoff_s

    def generate(self, request: ModelRequest) -> Completion:
        import ray
        from ray.exceptions import RayActorError

        portable = portable_request(request)
        for attempt in range(1, self.retries + 1):
            try:
                return ray.get(self.service.generate.remote(portable))  # type: ignore[no-any-return]
            except RayActorError as exc:  # the service died; Ray restarts it
                if attempt == self.retries:
                    raise InfraFault(f"the model service is gone: {exc}",
                                     hint="look at the Ray logs of the ModelService actor") from None
                time.sleep(self.backoff_s * 2 ** (attempt - 1) * (0.5 + random.random() / 2))
            except Exception as exc:  # the backend's own error, raised in the service: re-raise it here
                cause = getattr(exc, "cause", None)
                if isinstance(cause, BaseException):
                    raise cause from None
                raise
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        pass  # the service outlives every episode
