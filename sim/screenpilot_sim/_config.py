"""What a virtual phone is (model, display, timing) and the faults a test can switch on."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ._faults import Faults

if TYPE_CHECKING:
    from ._adbd import _Connection

__all__ = ["AuthState", "Faults", "PhoneConfig"]


@dataclass
class PhoneConfig:
    """The phone's identity and hardware. ``animation_ms`` is the length of a screen transition at
    animation scale 1 (``settings put global transition_animation_scale`` scales it, as on Android);
    ``clock`` fixes the status-bar time (``"10:30"``) so screenshots are reproducible. ``clock_rate`` is
    how many phone seconds pass per host second: every wait inside the phone (animations, the timing
    profile's costs, the screen timeout) runs on phone time, so a rate of 10 makes them ten times
    shorter in wall time without changing what the phone reports. ``profile`` names the timing
    profile: ``instant`` (no costs, the default) or ``phone`` (what a real phone costs)."""

    product: str = "sp_phone"
    model: str = "Virtual Phone"
    device: str = "vphone"
    manufacturer: str = "ScreenPilot"
    serialno: str = "SPVIRT0001"
    android: str = "14"
    sdk: int = 34
    width: int = 1080
    height: int = 2400
    density: int = 420
    rotation: int = 0
    animation_ms: float = 300.0
    clock: str | None = None
    require_auth: bool = False
    adbkeyboard: bool = True
    seed: int = 0
    clock_rate: float = 1.0
    profile: str = "instant"

    def __post_init__(self) -> None:
        if self.width <= 0 or self.height <= 0:
            raise ValueError(f"the screen must have a positive size, got {self.width}x{self.height}")
        if not 72 <= self.density <= 960:
            raise ValueError(f"density {self.density} is outside Android's range 72..960")
        if self.rotation not in (0, 1, 2, 3):
            raise ValueError(f"rotation must be 0, 1, 2 or 3 (quarter turns), got {self.rotation}")
        from ._timing import profile_named

        profile_named(self.profile)
        if not self.clock_rate > 0:
            raise ValueError(f"clock_rate must be positive, got {self.clock_rate}")
        if self.animation_ms < 0:
            raise ValueError("animation_ms cannot be negative")
        if self.clock is not None:
            hh, _, mm = self.clock.partition(":")
            if not (hh.isdigit() and mm.isdigit() and int(hh) < 24 and int(mm) < 60):
                raise ValueError(f"clock must be HH:MM, got {self.clock!r}")


class AuthState:
    """The "Allow USB debugging?" dialog: with ``required`` the phone answers CNXN with an AUTH
    token and stays *unauthorized* until :meth:`authorize` (the person tapping Allow). The signature
    is not checked cryptographically: once a key is accepted, every host is trusted."""

    def __init__(self, required: bool) -> None:
        self.required = required
        self.trusted = not required
        self.keys: list[bytes] = []
        self._pending: list[_Connection] = []
        self._lock = threading.Lock()
        self.on_offer: Callable[[], None] | None = None  # the phone shows its "Allow?" dialog

    def offered(self, key: bytes, conn: _Connection) -> None:
        with self._lock:
            self.keys.append(key)
            self._pending.append(conn)
        if self.on_offer is not None:
            self.on_offer()

    def authorize(self) -> None:
        with self._lock:
            self.trusted = True
            pending, self._pending = self._pending, []
        for conn in pending:
            conn.authorize()

    def revoke(self) -> None:
        with self._lock:
            self.trusted = not self.required
            self.keys.clear()
