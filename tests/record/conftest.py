"""Recording helpers: a person's finger on the virtual phone's own touchscreen, and a demonstration
recorded on a thread while the test plays the person.

The finger goes through ``phone.touch_down/move/up`` (what the sim's web page does too), so the phone
logs it for ``getevent`` and the recorder reads it through a real adb server, as on a phone. Gestures
carry their own timestamps (a long press lasts what it says) instead of the test sleeping.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from screenpilot.devices import AndroidDevice
from screenpilot.record import Demonstration, RecordResult
from screenpilot.trajectories import StepRecord


def center(box: tuple[int, int, int, int]) -> tuple[float, float]:
    l, t, r, b = box
    return (l + r) / 2, (t + b) / 2


def view_box(phone: Any, *, text: str | None = None, desc: str | None = None, rid: str | None = None,
             window: str | None = None) -> tuple[int, int, int, int]:
    """The box of the first view on the phone's screen with that text, description or id suffix."""
    for w in phone.windows():
        if window is not None and not w.rid.endswith(window):
            continue
        for v in w.walk():
            if (text is not None and v.text == text) or (desc is not None and v.desc == desc) or \
                    (rid is not None and v.rid.endswith(rid)):
                return v.box
    raise AssertionError(f"no view {text or desc or rid!r} on the screen")


@dataclass
class Finger:
    """A person's finger on the phone's touchscreen, with phone-clock timestamps that only go forward."""

    phone: Any
    t: float = 0.0

    def _now(self) -> float:
        self.t = max(self.t + 0.05, self.phone.clock.uptime())
        return self.t

    def tap(self, x: float, y: float, ms: float = 60) -> None:
        t = self._now()
        self.phone.touch_down(x, y, t=t)
        self.t = t + ms / 1000
        self.phone.touch_up(x, y, t=self.t)

    def hold(self, x: float, y: float, ms: float) -> None:
        self.tap(x, y, ms)

    def swipe(self, x1: float, y1: float, x2: float, y2: float, ms: float = 300) -> None:
        t = self._now()
        self.phone.touch_down(x1, y1, t=t)
        steps = max(2, int(ms // 16))
        for k in range(1, steps):
            a = k / steps
            self.phone.touch_move(x1 + (x2 - x1) * a, y1 + (y2 - y1) * a, t=t + ms / 1000 * a)
        self.t = t + ms / 1000
        self.phone.touch_up(x2, y2, t=self.t)

    def type(self, text: str) -> None:
        """Taps on the on-screen keyboard's keys (shift and the symbols page as needed)."""
        for ch in text:
            for _ in range(3):
                keys = {v.desc: v.box for w in self.phone.windows() if w.rid.endswith(":id/keyboard_view")
                        for v in w.walk() if v.clickable}
                assert keys, "the on-screen keyboard is not shown"
                want = "Space" if ch == " " else ch
                if want in keys:
                    self.tap(*center(keys[want]), ms=40)
                    break
                letters = "Shift" in keys
                self.tap(*center(keys["Shift" if ch.isalpha() and letters else "Letters" if ch.isalpha() else "Symbols"]),
                         ms=40)
            else:
                raise AssertionError(f"cannot type {ch!r} on the on-screen keyboard")


@dataclass
class Recording:
    """A demonstration running on a thread; ``ready(n)`` waits until the screen for action n was taken."""

    demo: Demonstration
    steps: list[StepRecord] = field(default_factory=list)
    result: RecordResult | None = None
    error: BaseException | None = None
    _ready: int = -1
    _cond: threading.Condition = field(default_factory=threading.Condition)
    _thread: threading.Thread | None = None

    def on_ready(self, step: int) -> None:
        with self._cond:
            self._ready = step
            self._cond.notify_all()

    def on_step(self, record: StepRecord) -> None:
        self.steps.append(record)

    def start(self) -> Recording:
        def work() -> None:
            try:
                self.result = self.demo.run()
            except BaseException as exc:  # noqa: BLE001 - handed to the test
                self.error = exc
            finally:
                with self._cond:
                    self._ready = 10**9
                    self._cond.notify_all()

        self._thread = threading.Thread(target=work, daemon=True, name="demonstration")
        self._thread.start()
        return self

    def ready(self, step: int, timeout: float = 60.0) -> None:
        with self._cond:
            assert self._cond.wait_for(lambda: self._ready >= step, timeout=timeout), \
                f"the recorder never got ready for action {step} (steps so far: {len(self.steps)})"
        if self.error is not None:
            raise self.error

    def stop(self) -> RecordResult:
        self.demo.stop()
        assert self._thread is not None
        self._thread.join(timeout=60)
        if self.error is not None:
            raise self.error
        assert self.result is not None
        return self.result


@pytest.fixture
def phone_driver(adb_device: Any) -> Iterator[AndroidDevice]:
    device = AndroidDevice(adb_device.serial, port=adb_device.server.port, capture="png")
    try:
        yield device
    finally:
        device.close()


@pytest.fixture
def recording(phone_driver: AndroidDevice, tmp_path: Path) -> Iterator[Any]:
    """``recording(task, **options)`` starts a demonstration on the fixture's phone."""
    started: list[Recording] = []

    def start(task: str, **options: Any) -> Recording:
        rec = Recording(Demonstration(task, phone_driver, spec="sim", out=tmp_path / "runs", **options))
        rec.demo.on_ready, rec.demo.on_step = rec.on_ready, rec.on_step
        started.append(rec.start())
        return rec

    yield start
    for rec in started:
        if rec._thread is not None and rec._thread.is_alive():
            rec.demo.stop()
            rec._thread.join(timeout=30)
