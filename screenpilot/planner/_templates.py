"""Prompt templates: jinja2 files shipped in the package, rendered strictly.

Prompt prose lives in ``templates/`` rather than in code, so it can be read and diffed as text; a
variable a template uses but the caller did not pass is an error (StrictUndefined), never an empty
string silently sent to the model.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2

__all__ = ["render"]


@cache
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("screenpilot.planner", "templates"),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(name: str, **variables: Any) -> str:
    """Render ``templates/<name>``; a missing variable raises jinja2.UndefinedError."""
    return _env().get_template(name).render(**variables)
