"""Faults injected between a host and the phone, decided by a seeded generator and logged.

The kinds are those a real link and a real phone show: a request answered late (``latency``), the link
dropped on a request (``drop``), a reply that stalls halfway (``stall``), a command that runs but
whose reply never arrives (``lost``: the outcome is unknown to the host), the phone gone ``offline``
for a while, and ``screencap`` failing. In-process they are attributes of ``phone.faults``; for a
served phone they come from ``serve --faults SPEC`` or the admin channel (``sim:faults:SPEC``).

SPEC is a comma-separated list: ``latency=200ms``, ``drop=0.05``, ``stall=0.1:3s`` (chance : length),
``lost=0.02``, ``offline=0.01:5s`` (chance per request : length), ``offline_now=5s``, ``capture=0.2``
(chance that screencap fails), ``seed=7``; ``off`` turns everything off first.
"""

from __future__ import annotations

import random
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Faults", "apply_spec", "parse_duration"]

_LOG_KEEP = 1000


@dataclass
class Faults:
    """Faults a test can inject. All default to off; ``reset()`` turns them off again."""

    latency_s: float = 0.0
    drop_probability: float = 0.0
    screencap_fails: bool = False
    offline_until: float = 0.0
    seed: int | None = None
    stall_probability: float = 0.0
    stall_s: float = 0.0
    lost_probability: float = 0.0
    offline_probability: float = 0.0
    offline_s: float = 0.0
    capture_fail_probability: float = 0.0
    log: list[dict[str, Any]] = field(default_factory=list)
    on_fault: Callable[[dict[str, Any]], None] | None = field(default=None, repr=False)
    _rng: random.Random = field(default_factory=random.Random, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self._rng.seed(self.seed)

    def _chance(self, p: float) -> bool:
        if p <= 0:
            return False
        with self._lock:
            return self._rng.random() < p

    def record(self, kind: str, service: str = "", **detail: Any) -> None:
        """Log one injected fault (and tell the ``on_fault`` listener, e.g. ``serve``'s output)."""
        entry = {"at": round(time.time(), 3), "kind": kind, "service": service[:120], **detail}
        with self._lock:
            self.log.append(entry)
            del self.log[:-_LOG_KEEP]
        if self.on_fault is not None:
            self.on_fault(entry)

    def should_drop(self) -> bool:
        return self._chance(self.drop_probability)

    def should_stall(self) -> bool:
        return self._chance(self.stall_probability)

    def should_lose(self) -> bool:
        return self._chance(self.lost_probability)

    def should_go_offline(self) -> bool:
        return self._chance(self.offline_probability)

    def capture_fails(self) -> bool:
        return self.screencap_fails or self._chance(self.capture_fail_probability)

    def offline_remaining(self) -> float:
        return max(0.0, self.offline_until - time.monotonic())

    def go_offline(self, seconds: float) -> None:
        self.offline_until = time.monotonic() + seconds

    def reseed(self, seed: int | None) -> None:
        with self._lock:
            self.seed = seed
            self._rng.seed(seed)

    def reset(self) -> None:
        """Every fault off and the log emptied (a fresh phone)."""
        self.turn_off()
        with self._lock:
            self.log.clear()

    def turn_off(self) -> None:
        """Every fault off; the log of those injected so far stays (``off`` in a SPEC)."""
        self.latency_s = 0.0
        self.drop_probability = 0.0
        self.screencap_fails = False
        self.offline_until = 0.0
        self.stall_probability = 0.0
        self.stall_s = 0.0
        self.lost_probability = 0.0
        self.offline_probability = 0.0
        self.offline_s = 0.0
        self.capture_fail_probability = 0.0

    def describe(self) -> dict[str, Any]:
        """The settings and the log as plain data (what ``sim:faults`` answers)."""
        with self._lock:
            log = list(self.log)
        return {"latency_s": self.latency_s, "drop": self.drop_probability, "stall": self.stall_probability,
                "stall_s": self.stall_s, "lost": self.lost_probability, "offline": self.offline_probability,
                "offline_s": self.offline_s, "offline_remaining_s": round(self.offline_remaining(), 3),
                "capture": 1.0 if self.screencap_fails else self.capture_fail_probability, "seed": self.seed,
                "log": log}


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$")


def parse_duration(text: str) -> float:
    """``200ms``, ``3s``, ``1.5`` (seconds), ``2m`` -> seconds; ValueError otherwise."""
    m = _DURATION.match(text)
    if not m:
        raise ValueError(f"{text!r} is not a duration (write e.g. 200ms, 3s, 1m)")
    value = float(m[1])
    return value / 1000 if m[2] == "ms" else value * 60 if m[2] == "m" else value


def _probability(key: str, text: str) -> float:
    try:
        p = float(text)
    except ValueError:
        raise ValueError(f"{key}={text!r}: write a chance between 0 and 1") from None
    if not 0 <= p <= 1:
        raise ValueError(f"{key}={text!r}: a chance lies between 0 and 1")
    return p


def _chance_and_length(key: str, text: str) -> tuple[float, float]:
    chance, sep, length = text.partition(":")
    if not sep:
        raise ValueError(f"{key}={text!r}: write CHANCE:LENGTH, e.g. {key}=0.05:3s")
    return _probability(key, chance), parse_duration(length)


def apply_spec(faults: Faults, spec: str) -> None:
    """Apply a fault SPEC (see the module doc); ValueError with one readable line when it is wrong.
    Nothing changes unless the whole SPEC is valid."""
    changes: list[Callable[[], None]] = []
    for item in (p.strip() for p in spec.split(",")):
        if not item:
            continue
        if item == "off":
            changes.append(faults.turn_off)
            continue
        key, sep, value = item.partition("=")
        key = key.strip().lower()
        if not sep:
            raise ValueError(f"{item!r}: write KIND=VALUE (kinds: latency, drop, stall, lost, offline, "
                             "offline_now, capture, seed) or off")
        if key == "latency":
            s = parse_duration(value)
            changes.append(lambda s=s: setattr(faults, "latency_s", s))
        elif key == "drop":
            p = _probability(key, value)
            changes.append(lambda p=p: setattr(faults, "drop_probability", p))
        elif key == "lost":
            p = _probability(key, value)
            changes.append(lambda p=p: setattr(faults, "lost_probability", p))
        elif key == "capture":
            p = _probability(key, value)
            changes.append(lambda p=p: setattr(faults, "capture_fail_probability", p))
        elif key == "stall":
            p, s = _chance_and_length(key, value)
            changes.append(lambda p=p, s=s: (setattr(faults, "stall_probability", p), setattr(faults, "stall_s", s)))
        elif key == "offline":
            p, s = _chance_and_length(key, value)
            changes.append(lambda p=p, s=s: (setattr(faults, "offline_probability", p),
                                             setattr(faults, "offline_s", s)))
        elif key == "offline_now":
            s = parse_duration(value)
            changes.append(lambda s=s: (faults.go_offline(s), faults.record("offline", "", seconds=s)))
        elif key == "seed":
            try:
                seed = int(value)
            except ValueError:
                raise ValueError(f"seed={value!r}: write a whole number") from None
            changes.append(lambda seed=seed: faults.reseed(seed))
        else:
            raise ValueError(f"unknown fault kind {key!r} (kinds: latency, drop, stall, lost, offline, "
                             "offline_now, capture, seed)")
    for change in changes:
        change()
