"""Text helpers shared by selectors and checks: how labels are compared, and how templates render.

Labels are compared after Unicode normalization (NFKC), with every dash-like character read as
``-`` and runs of whitespace (no-break spaces included) as one space, case-folded: Android writes
"Wi‑Fi" with a non-breaking hyphen (U+2011), and a scenario author types "Wi-Fi".
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import Any

__all__ = ["fold", "render", "render_tree"]

_DASHES = re.compile(r"[\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d]")
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """The comparable form of a label: NFKC, dashes as '-', one space for any whitespace run, case-folded."""
    text = unicodedata.normalize("NFKC", text)
    text = _DASHES.sub("-", text)
    return _SPACES.sub(" ", text).strip().casefold()


@cache
def _environment() -> Any:
    from jinja2 import Environment, StrictUndefined

    return Environment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)


def render(template: str, values: dict[str, Any]) -> str:
    """Render one string as a jinja2 template; a name the values lack is an error, never ''."""
    if "{{" not in template and "{%" not in template:
        return template
    return str(_environment().from_string(template).render(**values))


def render_tree(value: Any, values: dict[str, Any]) -> Any:
    """Render every string inside a YAML value (dicts, lists, scalars), keys left as they are."""
    if isinstance(value, str):
        return render(value, values)
    if isinstance(value, dict):
        return {k: render_tree(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [render_tree(v, values) for v in value]
    return value
