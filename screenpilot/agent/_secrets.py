"""Secrets: a task names them as ``{{secret:NAME}}``; only the driver call ever sees the value.

The model reads and writes the placeholder (``type("{{secret:PASSWORD}}")``); the act node hands the
driver the values beside the action (``DeviceAction.secrets``) for the one ``device.execute`` call, and
the driver reports what it did in terms of the placeholder (``actions.SecretText``), derived forms and
all. As a second line, everything that could echo the screen (UI trees, the model's own text, a
driver's message) is redacted back to the placeholder before it reaches the state, the checkpoint, the
trajectory or a log.

Values come from a secrets file (``NAME=value`` lines, or a JSON/YAML mapping) or from the
environment as ``SCREENPILOT_SECRET_<NAME>``. Only names the task mentions can be resolved: a model
cannot fish for others, and a scenario file cannot name an arbitrary environment variable.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

from ..actions import SECRET_PLACEHOLDER, Type, placeholder, secret_names
from ..errors import ScreenPilotError
from ..perception import DeviceAction

__all__ = ["ENV_PREFIX", "SecretError", "Secrets", "placeholder", "secret_names"]

ENV_PREFIX = "SCREENPILOT_SECRET_"


class SecretError(ScreenPilotError):
    """A secret the task names has no value, or the secrets file cannot be read."""


def _read_file(path: Path) -> dict[str, str]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SecretError(f"cannot read the secrets file {path}: {exc.strerror}", hint="check the --secrets path") from None
    stripped = text.lstrip()
    if stripped.startswith("{"):
        doc = json.loads(text)
    elif path.suffix in {".yaml", ".yml"}:
        import yaml

        doc = yaml.safe_load(text) or {}
    else:
        doc = {}
        for number, line in enumerate(text.splitlines(), 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, sep, value = line.partition("=")
            if not sep:
                raise SecretError(f"{path} line {number} is not NAME=value", hint="one secret per line, e.g. PASSWORD=...")
            doc[name.strip().removeprefix("export ").strip()] = value.strip().strip("'\"")
    if not isinstance(doc, dict):
        raise SecretError(f"{path} must map names to values", hint="write NAME=value lines or a JSON object")
    return {str(k): str(v) for k, v in doc.items()}


class Secrets:
    """The values of the secrets one task names; never printed, never pickled into state."""

    def __init__(self, values: Mapping[str, str] | None = None) -> None:
        self._values = dict(values or {})
        # longest first, so a value that contains another is replaced whole
        self._by_value = sorted(((v, k) for k, v in self._values.items() if v), key=lambda p: -len(p[0]))

    @classmethod
    def for_task(
        cls, task: str, *, file: Path | str | None = None, env: Mapping[str, str] | None = None
    ) -> Secrets:
        """Look up every name the task references; a missing one is an error before anything runs."""
        names = secret_names(task)
        if not names:
            return cls()
        env = os.environ if env is None else env
        from_file = _read_file(Path(file)) if file else {}
        values: dict[str, str] = {}
        missing = []
        for name in names:
            value = from_file.get(name, env.get(ENV_PREFIX + name))
            if value:
                values[name] = value
            else:
                missing.append(name)
        if missing:
            raise SecretError(
                f"the task names {', '.join(placeholder(n) for n in missing)} but no value is set",
                hint=f"export {ENV_PREFIX}{missing[0]}=... or pass --secrets FILE with {missing[0]}=...",
            )
        return cls(values)

    @property
    def names(self) -> frozenset[str]:
        return frozenset(self._values)

    def __bool__(self) -> bool:
        return bool(self._values)

    def __repr__(self) -> str:
        return f"Secrets(names={sorted(self._values)})"

    def __reduce__(self) -> object:  # a pickled copy would carry the values out of the process
        raise TypeError("Secrets cannot be pickled")

    def problems(self, text: str) -> list[str]:
        """What is wrong with the placeholders in a model's text, worded for the model."""
        unknown = [n for n in secret_names(text) if n not in self._values]
        if not unknown:
            return []
        known = ", ".join(placeholder(n) for n in sorted(self._values)) or "none"
        return [f"{placeholder(unknown[0])} is not a secret of this task; the task's secrets are: {known}"]

    def resolve(self, text: str) -> str:
        """Placeholders -> values (for a test's expectations; drivers fill them in themselves)."""
        return SECRET_PLACEHOLDER.sub(lambda m: self._values.get(m.group(1), m.group(0)), text)

    def redact(self, text: str) -> str:
        """Values -> placeholders, for anything that is stored, shown or sent to the model."""
        for value, name in self._by_value:
            if value in text:
                text = text.replace(value, placeholder(name))
        return text

    def resolve_action(self, action: DeviceAction) -> DeviceAction:
        """The action the driver gets: a ``type`` carries the values of the secrets it names beside it
        (``DeviceAction.secrets``, never serialized); its text keeps the placeholders."""
        inner = action.action
        if not self._values or not isinstance(inner, Type):
            return action
        named = {n: self._values[n] for n in secret_names(inner.text) if n in self._values}
        return action.model_copy(update={"secrets": named}) if named else action
