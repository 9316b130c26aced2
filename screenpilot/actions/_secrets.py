"""Secrets in a ``type`` action: written ``{{secret:NAME}}``, filled in only where the device is driven.

The model reads and writes the placeholder; the agent hands the driver the values beside the action
(``DeviceAction.secrets``, never serialized); the driver fills them in for the keystrokes it sends and
reports everything it did in terms of the placeholder (:class:`SecretText`). So no value, and no form a
driver derives from one (shell quoting, ``%s`` spaces, base64 for an IME), is ever in what comes back.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["SECRET_PLACEHOLDER", "SecretText", "placeholder", "secret_names"]

SECRET_PLACEHOLDER = re.compile(r"\{\{\s*secret:([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
"""``{{secret:NAME}}`` (spaces allowed inside the braces); NAME is an identifier."""


def placeholder(name: str) -> str:
    return "{{secret:" + name + "}}"


def secret_names(text: str) -> list[str]:
    """The secret names a text references, in order of first use."""
    return list(dict.fromkeys(SECRET_PLACEHOLDER.findall(text)))


@dataclass(frozen=True)
class SecretText:
    """A text to type: ``real`` with the values filled in (only for the device), ``shown`` with the
    placeholders (for everything reported), and ``scrub`` to clean anything the device says back."""

    real: str
    shown: str
    values: tuple[tuple[str, str], ...] = ()  # (value, name), longest value first

    @classmethod
    def of(cls, text: str, values: Mapping[str, str]) -> SecretText:
        """``text`` (with placeholders) and the values of the secrets it may name."""
        used = {n: values[n] for n in secret_names(text) if values.get(n)}
        if not used:
            return cls(text, text)
        real = SECRET_PLACEHOLDER.sub(lambda m: used.get(m.group(1), m.group(0)), text)
        ordered = tuple(sorted(((v, n) for n, v in used.items()), key=lambda p: -len(p[0])))
        return cls(real, text, ordered)

    @property
    def secret(self) -> bool:
        return bool(self.values)

    def scrub(self, text: str) -> str:
        """``text`` with every value replaced by its placeholder (for output read back from the device)."""
        for value, name in self.values:
            text = text.replace(value, placeholder(name))
        return text
