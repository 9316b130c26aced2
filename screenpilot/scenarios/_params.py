"""Scenario parameters: fixed values, or drawn from a seed so one scenario yields many task instances.

A parameter is a literal, or one of ``{choice: [...]}`` (one item, any YAML value),
``{range: [lo, hi], step: s}`` (an integer, both ends included), ``{sample: [...], k: n}`` (n distinct
items, in drawn order) or ``{template: "..."}`` (rendered from the parameters before it). The draw is
``random.Random("ID#SEED")``: the same scenario and seed give the same instance on every machine;
without a seed the first choice / the low end / the first k items are taken (the canonical instance).
"""

from __future__ import annotations

import random
from typing import Any

from ._text import render

__all__ = ["PARAM_FORMS", "sample_params"]

PARAM_FORMS = ("a literal", "{choice: [...]}", "{range: [lo, hi], step: s}", "{sample: [...], k: n}",
               "{template: '...'}")


def _is_spec(value: Any) -> bool:
    return isinstance(value, dict) and bool(set(value) & {"choice", "range", "sample", "template"})


def _draw(name: str, spec: Any, rng: random.Random | None, values: dict[str, Any]) -> Any:
    if not _is_spec(spec):
        return spec
    keys = set(spec)
    if "choice" in spec:
        options = spec["choice"]
        if keys != {"choice"} or not isinstance(options, list) or not options:
            raise ValueError(f"params.{name}: choice takes a non-empty list and nothing else")
        return options[0] if rng is None else rng.choice(options)
    if "range" in spec:
        bounds, step = spec["range"], spec.get("step", 1)
        if (keys - {"range", "step"} or not isinstance(bounds, list) or len(bounds) != 2
                or not all(isinstance(b, int) and not isinstance(b, bool) for b in [*bounds, step]) or step < 1
                or bounds[0] > bounds[1]):
            raise ValueError(f"params.{name}: range takes [lo, hi] integers with lo <= hi, and an optional step >= 1")
        return bounds[0] if rng is None else rng.randrange(bounds[0], bounds[1] + 1, step)
    if "sample" in spec:
        items, k = spec["sample"], spec.get("k")
        if keys - {"sample", "k"} or not isinstance(items, list) or not isinstance(k, int) or not 0 < k <= len(items):
            raise ValueError(f"params.{name}: sample takes a list and k between 1 and its length")
        return list(items[:k]) if rng is None else rng.sample(items, k)
    if keys != {"template"} or not isinstance(spec["template"], str):
        raise ValueError(f"params.{name}: template takes one string")
    return render(spec["template"], values)


def sample_params(specs: dict[str, Any], *, scenario_id: str, seed: int | None,
                  context: dict[str, Any] | None = None) -> dict[str, Any]:
    """The parameter values of one instance (in declaration order, so templates see earlier ones)."""
    rng = None if seed is None else random.Random(f"{scenario_id}#{seed}")
    values: dict[str, Any] = dict(context or {})
    out: dict[str, Any] = {}
    for name, spec in specs.items():
        if not name.isidentifier():
            raise ValueError(f"params.{name}: a parameter name must be an identifier (letters, digits, _)")
        out[name] = values[name] = _draw(name, spec, rng, values)
    return out
