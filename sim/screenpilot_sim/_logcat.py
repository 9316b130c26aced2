"""The phone's log buffer: what ``log`` and the system write, what ``logcat`` prints and streams.

Entries keep the phone's wall time, pid, tid, priority, tag and message, and ``logcat`` formats them
as Android does (``threadtime`` by default; ``-v time``, ``brief``, ``tag``, ``process``, ``raw``),
filters them (``TAG:PRIORITY`` specs, ``-s``, ``*:S``), dumps (``-d``, ``-t N``) or streams new ones
as they are written until the reader goes away.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._journal import Journal

if TYPE_CHECKING:
    from ._clock import PhoneClock

__all__ = ["PRIORITIES", "LogBuffer", "LogEntry", "format_entry", "parse_filters"]

PRIORITIES = "VDIWEFS"  # verbose .. fatal, silent
CHATTER_S = 1.0  # a phone's log is never quiet: the system writes about this often (phone seconds)
_CHATTER = [
    ("D", "BatteryService", 1003, "Processing new values: chargerAcOnline=true, batteryLevel=85, batteryVoltage=4100"),
    ("I", "wpa_supplicant", 1210, "wlan0: CTRL-EVENT-SIGNAL-CHANGE above=1 signal=-52 noise=9999 txrate=144400"),
    ("D", "ConnectivityService", 612, "NetworkAgentInfo [WIFI () - 100] validation passed"),
    ("I", "ActivityManager", 612, "Background started FGS: Allowed [callingPackage: com.android.systemui]"),
    ("D", "WifiNative", 612, "signalPoll: rssi=-52 linkspeed=144 frequency=5180"),
]


@dataclass(frozen=True)
class LogEntry:
    wall: float
    pid: int
    tid: int
    priority: str
    tag: str
    message: str

    def plain(self) -> dict[str, Any]:
        return {"wall": self.wall, "pid": self.pid, "tid": self.tid, "priority": self.priority, "tag": self.tag,
                "message": self.message}


def format_entry(e: LogEntry, style: str) -> str:
    stamp = time.strftime("%m-%d %H:%M:%S", time.localtime(e.wall)) + f".{int(e.wall * 1000) % 1000:03d}"
    if style == "time":
        return f"{stamp} {e.priority}/{e.tag}({e.pid:5d}): {e.message}"
    if style == "brief":
        return f"{e.priority}/{e.tag}({e.pid:5d}): {e.message}"
    if style == "tag":
        return f"{e.priority}/{e.tag}: {e.message}"
    if style == "process":
        return f"{e.priority}({e.pid:5d}) {e.message}  ({e.tag})"
    if style == "raw":
        return e.message
    return f"{stamp} {e.pid:5d} {e.tid:5d} {e.priority} {e.tag:<8}: {e.message}"  # threadtime


def parse_filters(specs: list[str], silent_default: bool) -> dict[str, str]:
    """``TAG:P`` specs -> tag -> lowest priority shown (``*`` for the rest)."""
    rules = {"*": "S" if silent_default else "V"}
    for spec in specs:
        tag, _, prio = spec.partition(":")
        rules[tag] = (prio or "V").upper()[:1]
    return rules


def shown(e: LogEntry, rules: dict[str, str]) -> bool:
    level = rules.get(e.tag, rules.get("*", "V"))
    return level != "S" and PRIORITIES.index(e.priority) >= PRIORITIES.index(level)


class LogBuffer(Journal[LogEntry]):
    """The main log buffer (the newest 5,000 entries)."""

    def __init__(self, clock: PhoneClock, keep: int = 5000) -> None:
        super().__init__(keep)
        self.clock = clock
        self._chatter = 0
        self._last_write = clock.uptime()

    def write(self, priority: str, tag: str, message: str, *, pid: int = 612, tid: int | None = None) -> None:
        entry = LogEntry(self.clock.wall(), pid, pid if tid is None else tid, priority.upper()[:1] or "I", tag,
                         message)
        with self.cond:
            self._last_write = self.clock.uptime()
            self.append([entry])

    def wait(self, serial: int, cancelled: threading.Event) -> None:
        """Until an entry newer than ``serial`` is written (or ``cancelled``); a quiet phone writes a line
        of system chatter every CHATTER_S, as the services of a real one do."""
        with self.cond:
            quiet_left = CHATTER_S - (self.clock.uptime() - self._last_write)
            self.cond.wait_for(lambda: self.serial != serial or cancelled.is_set(),
                               timeout=min(0.5, self.clock.host_seconds(max(0.01, quiet_left))))
            if self.serial == serial and not cancelled.is_set() and (
                    self.clock.uptime() - self._last_write >= CHATTER_S):
                priority, tag, pid, message = _CHATTER[self._chatter % len(_CHATTER)]
                self._chatter += 1
                self.write(priority, tag, message, pid=pid)

    def plain(self) -> list[dict[str, Any]]:
        with self.cond:
            return [e.plain() for e in self.entries]

    def load(self, entries: list[Any]) -> None:
        with self.cond:
            self.entries = [LogEntry(**e) for e in entries if isinstance(e, dict)]
            self.cond.notify_all()
