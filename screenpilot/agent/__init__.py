"""The agent loop: a LangGraph graph from screenshot to action to record, with persistence.

``run(task, device=..., model=...)`` is the whole thing; the pieces are public for tests, benchmarks
and callers that bring their own device or backend.
"""

from ._budgets import Budgets
from ._checkpoint import CHECKPOINT_FILE, PruningSqliteSaver, open_checkpointer
from ._context import ConfirmMode, Event, RunContext
from ._graph import NODES, build_graph
from ._run import ConfirmRequest, RunResult, run
from ._secrets import ENV_PREFIX, SecretError, Secrets, secret_names
from ._takeover import HandBack, PersonAction, PersonChannel, Takeover, asks_for_help, person_fields, person_step

__all__ = [
    "CHECKPOINT_FILE",
    "ENV_PREFIX",
    "NODES",
    "Budgets",
    "ConfirmMode",
    "ConfirmRequest",
    "Event",
    "HandBack",
    "PersonAction",
    "PersonChannel",
    "PruningSqliteSaver",
    "RunContext",
    "RunResult",
    "SecretError",
    "Secrets",
    "Takeover",
    "asks_for_help",
    "build_graph",
    "open_checkpointer",
    "person_fields",
    "person_step",
    "run",
    "secret_names",
]
