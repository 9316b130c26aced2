"""``--device sim``: a virtual phone for one run, reached the way a real phone is.

The chain is the user's: the virtual phone's adbd endpoint <- a private adb server (its own port and
HOME, our child, stopped by PID) <- the Android driver. Both come from the ``screenpilot-sim``
distribution; this module only translates its errors into the runtime's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from ._errors import ServerUnavailable
from ._kinds import OpenedDevice

__all__ = ["SimState", "open_sim", "start_sim_phone"]


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


def open_sim(_arg: str = "", *, sim_setup: Callable[[Any], None] | None = None, keep_awake: bool = True,
             **options: Any) -> OpenedDevice:
    """The ``sim`` device kind: a virtual phone, its private adb server, and the Android driver on it.

    ``sim_setup(phone)`` runs on the in-process phone before the driver connects (the demo switches
    Wi-Fi off; scenarios keep the phone to check its state).
    """
    from .android import AndroidDevice
    from .android._open import held_awake

    stack = ExitStack()
    try:
        sim = stack.enter_context(start_sim_phone())
        if sim_setup is not None:
            sim_setup(sim.phone)
        device = AndroidDevice(sim.serial, host="127.0.0.1", port=sim.adb_port, **options)
    except BaseException:
        stack.close()
        raise
    opened = OpenedDevice(device, "sim", note=f"virtual phone {sim.serial} (private adb server on 127.0.0.1:{sim.adb_port})")
    opened.resources.push(stack)
    opened.state = SimState(sim.phone)
    return held_awake(opened, keep_awake)


class SimState:
    """The virtual phone's whole state as bytes (``screenpilot_sim``'s snapshot format)."""

    def __init__(self, phone: Any) -> None:
        self.phone = phone

    def save(self) -> bytes:
        return bytes(self.phone.snapshot())

    def load(self, data: bytes) -> None:
        self.phone.restore(data)
