"""The phone's own time: uptime for animations and costs, wall time for ``date`` and the status bar.

Phone time runs at ``rate`` times host time, so a test can use the ``phone`` timing profile (a capture
that costs 600 ms of phone time) and still be short: at rate 20 that capture waits 30 ms of host
time. Every wait inside the phone goes through :meth:`PhoneClock.sleep`, which a cancelled stream
interrupts. A snapshot carries the clock (wall time and uptime), and a restored phone goes on from
the saved moment.
"""

from __future__ import annotations

import threading
import time
from typing import Any

__all__ = ["PhoneClock"]


class PhoneClock:
    """Callable: ``clock()`` is the phone's uptime in seconds (monotonic, the animations' time base)."""

    def __init__(self, rate: float = 1.0, *, wall: float | None = None, uptime: float = 0.0) -> None:
        if rate <= 0:
            raise ValueError(f"the clock rate must be positive, got {rate}")
        self._lock = threading.Lock()
        self._rate = rate
        self._host0 = time.monotonic()
        self._up0 = uptime
        self._wall0 = time.time() if wall is None else wall

    @property
    def rate(self) -> float:
        """Phone seconds per host second."""
        return self._rate

    @rate.setter
    def rate(self, value: float) -> None:
        if value <= 0:
            raise ValueError(f"the clock rate must be positive, got {value}")
        with self._lock:
            up, wall = self._now()
            self._host0, self._up0, self._wall0, self._rate = time.monotonic(), up, wall, value

    def _now(self) -> tuple[float, float]:
        elapsed = (time.monotonic() - self._host0) * self._rate
        return self._up0 + elapsed, self._wall0 + elapsed

    def __call__(self) -> float:
        return self.uptime()

    def uptime(self) -> float:
        with self._lock:
            return self._now()[0]

    def wall(self) -> float:
        """The phone's wall-clock time (seconds since the epoch)."""
        with self._lock:
            return self._now()[1]

    def host_seconds(self, phone_seconds: float) -> float:
        return max(0.0, phone_seconds) / self._rate

    def sleep(self, seconds: float, cancelled: threading.Event | None = None) -> bool:
        """Wait ``seconds`` of phone time; True when ``cancelled`` was set meanwhile."""
        if seconds <= 0:
            return bool(cancelled and cancelled.is_set())
        host = self.host_seconds(seconds)
        if cancelled is None:
            time.sleep(host)
            return False
        return cancelled.wait(host)

    def state(self) -> dict[str, Any]:
        """What a snapshot keeps: where phone time stood."""
        up, wall = self.uptime(), self.wall()
        return {"uptime": up, "wall": wall}

    def restore(self, state: dict[str, Any]) -> None:
        with self._lock:
            self._host0 = time.monotonic()
            self._up0 = float(state.get("uptime", 0.0))
            self._wall0 = float(state.get("wall", time.time()))
