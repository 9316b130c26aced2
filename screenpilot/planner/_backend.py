"""The backend protocol, and the one spec string that chooses a backend.

A backend turns a ModelRequest into a Completion (text + latency + token usage) and knows nothing of
dialects or actions, so any dialect runs on any backend. Four exist: ``local:PATH_OR_HUB_ID``
(transformers in this process), ``openai:URL#MODEL`` (any chat-completions server),
``scripted:FILE_OR_MODULE:FUNC`` (replies from a list or a function) and ``replay:EPISODE_DIR``
(a recorded episode's raw outputs, in order).
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from ._errors import BackendError
from ._request import Completion, ModelRequest

__all__ = ["SPEC_FORMS", "Backend", "backend_from_spec"]

SPEC_FORMS = ("local:PATH_OR_HUB_ID", "openai:URL#MODEL", "scripted:FILE.json|FILE.jsonl|MODULE:FUNCTION",
              "replay:EPISODE_DIR")


@runtime_checkable
class Backend(Protocol):
    """Anything that answers a request with text; ``name`` says which model, for the record."""

    name: str

    def generate(self, request: ModelRequest) -> Completion: ...

    def close(self) -> None: ...


def backend_from_spec(spec: str, **options: Any) -> Backend:
    """Build the backend a spec string names; ``options`` go to its constructor (timeouts, dtype, ...)."""
    scheme, sep, rest = spec.partition(":")
    if not sep or not rest.strip():
        raise BackendError(f"not a backend spec: {spec!r}", hint="use one of " + ", ".join(SPEC_FORMS))
    scheme = scheme.strip().lower()
    rest = rest.strip()
    if scheme == "local":
        from ._local import LocalBackend

        return LocalBackend(rest, **options)
    if scheme == "openai":
        from ._openai import OpenAIBackend

        url, hash_, model = rest.rpartition("#") if "#" in rest else (rest, "", "")
        if not model.strip():
            raise BackendError(f"the spec {spec!r} names no model",
                               hint="write openai:URL#MODEL, e.g. openai:http://127.0.0.1:8000/v1#Qwen2.5-VL-7B-Instruct")
        return OpenAIBackend(url, model.strip(), **options)
    if scheme == "scripted":
        from ._scripted import ScriptedBackend

        return ScriptedBackend.from_spec(rest, **options)
    if scheme == "replay":
        from ._scripted import ReplayBackend

        return ReplayBackend(rest, **options)
    raise BackendError(f"unknown backend {scheme!r} in {spec!r}", hint="use one of " + ", ".join(SPEC_FORMS))
