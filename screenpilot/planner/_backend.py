"""The backend protocol, and ONE table of the spec strings that choose a backend (``--model``).

A backend turns a ModelRequest into a Completion (text + latency + token usage) and knows nothing of
dialects or actions, so any dialect runs on any backend. Every verb parses ``--model`` through
:func:`parse_backend_spec` and writes its help with :func:`backend_help`, so the forms cannot drift.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from ._errors import BackendError
from ._request import Completion, ModelRequest

__all__ = ["BACKENDS", "SPEC_FORMS", "Backend", "BackendKind", "backend_from_spec", "backend_help", "parse_backend_spec"]


@runtime_checkable
class Backend(Protocol):
    """Anything that answers a request with text; ``name`` says which model, for the record."""

    name: str

    def generate(self, request: ModelRequest) -> Completion: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class BackendKind:
    """One form of ``--model``: how it is written, what it is, and what builds it.

    ``build`` names the builder as ``module:function`` (called with the text after the scheme and the
    caller's options), imported on first use: rooms above the planner provide some (the built-in demo,
    the scenarios' reference solutions) without the planner importing them. ``exact`` makes a row match
    only those whole specs (checked before the schemes); ``commands`` are the verbs that take it.
    """

    name: str
    form: str
    summary: str
    build: str | None
    exact: tuple[str, ...] = ()
    commands: tuple[str, ...] = ("run", "eval", "collect")

    def make(self, rest: str, **options: Any) -> Backend:
        if self.build is None:
            raise BackendError(f"{self.form} is not a model a run can ask",
                               hint=f"use it with screenpilot {' or '.join(self.commands)}")
        module, _, path = self.build.partition(":")
        target: Any = importlib.import_module(module, __package__)
        for attr in path.split("."):
            target = getattr(target, attr)
        return target(rest, **options)  # type: ignore[no-any-return]


BACKENDS: dict[str, BackendKind] = {
    k.name: k
    for k in (
        BackendKind("demo", "scripted:demo", "the built-in demo (Turn on Wi-Fi on the virtual phone)",
                    "screenpilot.agent._demo:demo_from_spec", exact=("scripted:demo",), commands=("run", "replay")),
        BackendKind("reference", "reference[:negative]", "each scenario's reference solution (or its negative control)",
                    None, exact=("reference", "reference:negative"), commands=("eval", "collect")),
        BackendKind("local", "local:PATH_OR_HUB_ID", "transformers in this process", "._local:LocalBackend"),
        BackendKind("openai", "openai:URL#MODEL", "any OpenAI-compatible chat server (vLLM, SGLang, DashScope...)",
                    "._openai:from_spec"),
        BackendKind("scripted", "scripted:FILE.json|FILE.jsonl|MODULE:FUNCTION", "replies from a list or a function",
                    "._scripted:ScriptedBackend.from_spec"),
        BackendKind("replay", "replay:EPISODE_DIR", "a recorded episode's raw outputs, in order",
                    "._scripted:ReplayBackend"),
        BackendKind("latency", "latency:SECONDS:SPEC", "another backend with SECONDS of simulated model latency "
                    "per reply (benchmarks)", "._latency:LatencyBackend.from_spec"),
    )
}

SPEC_FORMS = tuple(k.form for k in BACKENDS.values() if k.build is not None and "run" in k.commands)


def parse_backend_spec(spec: str) -> tuple[BackendKind, str]:
    """The row a spec is written in, and the text after its scheme; one clear error for anything else."""
    text = spec.strip()
    for kind in BACKENDS.values():
        if kind.exact and text.lower() in kind.exact:
            return kind, text.partition(":")[2]
    scheme, sep, rest = text.partition(":")
    kind = BACKENDS.get(scheme.strip().lower())
    if kind is None or kind.exact or not sep or not rest.strip():
        forms = ", ".join(k.form for k in BACKENDS.values())
        what = f"unknown backend {scheme.strip()!r} in {spec!r}" if sep and kind is None else f"not a backend spec: {spec!r}"
        raise BackendError(what, hint="use one of " + forms)
    return kind, rest.strip()


def backend_from_spec(spec: str, **options: Any) -> Backend:
    """Build the backend a spec string names; ``options`` go to its builder (timeouts, dtype, ...)."""
    kind, rest = parse_backend_spec(spec)
    return kind.make(rest, **options)


def backend_help(command: str = "run") -> str:
    """``--model``'s help for a verb, written from the table."""
    return "Model: " + " | ".join(k.form for k in BACKENDS.values() if command in k.commands) + "."
