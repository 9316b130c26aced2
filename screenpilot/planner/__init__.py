"""The planner: model dialects (prompts, parsers, coordinate conventions) and model backends.

One step, as the agent drives it::

    dialect = dialect_for("qwen2.5-vl", "phone")
    backend = backend_from_spec("openai:http://127.0.0.1:8000/v1#Qwen2.5-VL-7B-Instruct")
    request = dialect.messages(task, history, frame, previous=last_request)
    reply = backend.generate(request)             # Completion: text, latency, token usage
    plan = dialect.parse(reply.text, request.space)  # Plan, or ParseError (feed str(error) back)
    plan.model_action                              # -> CoordinateSpace.to_device in the agent
"""

from ._backend import SPEC_FORMS, Backend, backend_from_spec
from ._dialect import Dialect, Plan
from ._errors import BackendError, BudgetExceeded, ModelNotFound, ParseError, ScriptExhausted
from ._history import HistoryPolicy, HistoryStep
from ._qwen import Qwen3VL, Qwen25VL
from ._registry import DIALECTS, dialect_for
from ._request import Completion, ImagePart, Message, ModelRequest, TextPart, TokenCounter, estimate_tokens
from ._scripted import ReplayBackend, ScriptedBackend, read_raw_outputs
from ._templates import render
from ._uitars import UITars10, UITars15

__all__ = [
    "DIALECTS",
    "SPEC_FORMS",
    "Backend",
    "BackendError",
    "BudgetExceeded",
    "Completion",
    "Dialect",
    "HistoryPolicy",
    "HistoryStep",
    "ImagePart",
    "Message",
    "ModelNotFound",
    "ModelRequest",
    "ParseError",
    "Plan",
    "Qwen25VL",
    "Qwen3VL",
    "ReplayBackend",
    "ScriptExhausted",
    "ScriptedBackend",
    "TextPart",
    "TokenCounter",
    "UITars10",
    "UITars15",
    "backend_from_spec",
    "dialect_for",
    "estimate_tokens",
    "read_raw_outputs",
    "render",
]
