"""Timing profiles: what operations cost inside the phone, as real waits on the phone's clock.

``instant`` (the default) costs nothing beyond the simulation itself, so tests stay fast. ``phone``
charges what a real phone charges, from published measurements (docs/sim.md lists each source):
a capture that costs 1.2 s on a phone takes 1.2 s of phone time through adb, ``uiautomator dump``
waits for the screen to be idle for a second and gives up after ten, and every byte crosses a USB 2.0
link. Costs are phone time: a phone whose clock runs at rate 10 pays a tenth of the wall time.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._clock import PhoneClock

__all__ = ["COMMAND_COSTS", "PROFILES", "Link", "TimingProfile", "profile_named"]


@dataclass(frozen=True)
class TimingProfile:
    """Costs in milliseconds of phone time (bandwidth in MB/s; 0 means free)."""

    name: str = "instant"
    request_ms: float = 0.0
    """adbd answering one request (an OPEN: a shell, a sync session)."""
    binder_ms: float = 0.0
    """A framework command that is a thin ``cmd`` client (am, pm, settings, wm, ime, content, svc, cmd)."""
    dumpsys_ms: float = 0.0
    input_ms: float = 0.0
    """One ``input`` command (start-up plus waiting for the injected events to be handled)."""
    screencap_raw_ms_per_mpix: float = 0.0
    """``screencap`` (raw): reading the frame back from the compositor, per megapixel."""
    screencap_png_ms_per_mpix: float = 0.0
    """``screencap -p``: the PNG encode on the phone's CPU, per megapixel, on top of the raw cost."""
    uiautomator_ms: float = 0.0
    """``uiautomator dump``: process start, connecting to the accessibility service, serializing."""
    uiautomator_idle_ms: float = 0.0
    """How long the screen must have been still before the dump reads it (waitForIdle's quiet period)."""
    uiautomator_timeout_ms: float = 0.0
    """The longest it waits for that quiet period before ``ERROR: could not get idle state.``"""
    launch_cold_ms: float = 0.0
    """``am start -W`` of an app that is not running, until its first frame is drawn."""
    launch_hot_ms: float = 0.0
    """``am start -W`` of an app that has a task already."""
    bandwidth_mb_s: float = 0.0
    """The adb link between host and phone (both directions share it)."""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


PROFILES: dict[str, TimingProfile] = {
    "instant": TimingProfile(),
    "phone": TimingProfile(
        name="phone",
        request_ms=20.0,
        binder_ms=20.0,
        dumpsys_ms=45.0,
        input_ms=200.0,
        screencap_raw_ms_per_mpix=150.0,
        screencap_png_ms_per_mpix=322.0,
        uiautomator_ms=1400.0,
        uiautomator_idle_ms=1000.0,
        uiautomator_timeout_ms=10000.0,
        launch_cold_ms=1380.0,
        launch_hot_ms=300.0,
        bandwidth_mb_s=38.0,
    ),
}


COMMAND_COSTS: dict[str, str] = {
    "input": "input_ms",
    **{name: "binder_ms" for name in ("am", "pm", "settings", "wm", "ime", "content", "svc", "cmd", "monkey")},
    "dumpsys": "dumpsys_ms",
}
"""What running each command costs, by profile field (screencap and uiautomator charge their own)."""


def profile_named(name: str) -> TimingProfile:
    """The profile called ``name``; ValueError listing the known ones otherwise."""
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown timing profile {name!r} (known: {', '.join(sorted(PROFILES))})") from None


class Link:
    """The adb link's bandwidth: transfers queue behind each other, as on one USB cable."""

    def __init__(self, clock: PhoneClock) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._free_at = 0.0  # phone uptime when the link is free again

    def transfer(self, nbytes: int, mb_s: float, cancelled: threading.Event | None = None) -> bool:
        """Wait while ``nbytes`` cross the link; True when cancelled meanwhile."""
        if mb_s <= 0 or nbytes <= 0:
            return False
        with self._lock:
            now = self.clock.uptime()
            start = max(now, self._free_at)
            self._free_at = start + nbytes / (mb_s * 1e6)
            wait = self._free_at - now
        return self.clock.sleep(wait, cancelled)
