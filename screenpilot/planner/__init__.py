"""The planner: model dialects (prompts, parsers, coordinate conventions) and model backends.

One step, as the agent drives it::

    dialect = dialect_for("qwen2.5-vl", "phone")
    backend = backend_from_spec("openai:http://127.0.0.1:8000/v1#Qwen2.5-VL-7B-Instruct")
    request = dialect.messages(task, history, frame, previous=last_request)
    reply = backend.generate(request)             # Completion: text, latency, token usage
    plan = dialect.parse(reply.text, request.space)  # Plan, or ParseError (feed str(error) back)
    plan.model_action                              # -> CoordinateSpace.to_device in the agent
"""

from ._backend import (
    BACKENDS,
    SPEC_FORMS,
    Backend,
    BackendKind,
    backend_from_spec,
    backend_help,
    parse_backend_spec,
)
from ._dialect import Dialect, Plan
from ._errors import BackendError, BudgetExceeded, ModelNotFound, ParseError, ScriptExhausted
from ._history import HistoryPolicy, HistoryStep
from ._latency import LatencyBackend, split_latency_spec
from ._qwen import Qwen3VL, Qwen25VL
from ._registry import DEFAULT_DIALECT, DIALECTS, DialectEntry, dialect_for, dialect_help, resolve_dialect
from ._request import Completion, ImagePart, Message, ModelRequest, TextPart, TokenCounter, estimate_tokens
from ._scripted import ReplayBackend, ScriptedBackend, read_raw_outputs
from ._templates import render
from ._uitars import UITars10, UITars15

__all__ = [
    "BACKENDS",
    "DEFAULT_DIALECT",
    "DIALECTS",
    "SPEC_FORMS",
    "Backend",
    "BackendError",
    "BackendKind",
    "BudgetExceeded",
    "Completion",
    "Dialect",
    "DialectEntry",
    "HistoryPolicy",
    "HistoryStep",
    "ImagePart",
    "LatencyBackend",
    "Message",
    "ModelNotFound",
    "ModelRequest",
    "ParseError",
    "Plan",
    "Qwen3VL",
    "Qwen25VL",
    "ReplayBackend",
    "ScriptExhausted",
    "ScriptedBackend",
    "TextPart",
    "TokenCounter",
    "UITars10",
    "UITars15",
    "backend_from_spec",
    "backend_help",
    "dialect_for",
    "dialect_help",
    "estimate_tokens",
    "parse_backend_spec",
    "read_raw_outputs",
    "render",
    "resolve_dialect",
    "split_latency_spec",
]
