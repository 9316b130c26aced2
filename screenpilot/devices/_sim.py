"""``--device sim``: a virtual phone for one run, reached the way a real phone is.

The chain is the user's: the virtual phone's adbd endpoint <- a private adb server (its own port and
HOME, our child, stopped by PID) <- the Android driver. Both come from the ``screenpilot-sim``
distribution; this module only translates its errors into the runtime's.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from ._errors import ServerUnavailable

__all__ = ["start_sim_phone"]


@contextmanager
def start_sim_phone(*, width: int = 1080, height: int = 2400, animation_ms: float = 150.0,
                    clock: str | None = None) -> Iterator[Any]:
    """A virtual phone on 127.0.0.1 plus a private adb server that has it connected (a ``ServedPhone``)."""
    from screenpilot_sim import PhoneConfig, SimError, served_phone

    with ExitStack() as stack:
        try:
            sim = stack.enter_context(served_phone(PhoneConfig(width=width, height=height, animation_ms=animation_ms,
                                                               clock=clock)))
        except SimError as exc:
            raise ServerUnavailable(exc.message, hint=exc.hint or "check that the adb binary runs (adb version)") from None
        yield sim
