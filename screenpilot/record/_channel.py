"""What every person channel shares (``agent.PersonChannel``): a queue of what the person did, typing
grouped into one action, and the step runner's ``settle`` after each action.

A device's channel (phone, desktop) reads its input into ``items`` on its own thread and says what each
item means on the screen the person saw (``_meaning``): an action, a key of a typing group, or nothing
worth a step. Typing keys join one group until the person pauses for ``typing_pause_s`` or does
anything else; then the channel says what the group typed (``_typed``), possibly as several actions
(deletions, then the text, then Enter), which are handed out one per step with the same after-screen.
"""

from __future__ import annotations

import queue
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ..actions import BaseAction
from ..agent import HandBack, PersonAction
from ..errors import InfraFault
from ..perception import DeviceAction, SettleOptions
from ..trajectories import Observed, Recorder, Settled, settle

__all__ = ["DEFAULT_TYPING_PAUSE_S", "ChannelBase", "Failed", "Meaning"]

DEFAULT_TYPING_PAUSE_S = 1.5
"""A typing group ends when no key follows for this long (or anything else happens)."""


@dataclass(frozen=True)
class Failed:
    """The input reader broke: raised from ``next_action``."""

    error: InfraFault


@dataclass(frozen=True)
class Meaning:
    """What one input item is on the screen it happened on."""

    kind: str  # "action" | "typing" | "ignore"
    action: BaseAction | None = None
    notes: tuple[str, ...] = ()


Screen = TypeVar("Screen")


class ChannelBase(ABC, Generic[Screen]):
    """The shared half of a person channel; subclasses read the device's input and give it meaning."""

    def __init__(self, device: Any, *, typing_pause_s: float = DEFAULT_TYPING_PAUSE_S) -> None:
        self.device = device
        self.typing_pause_s = typing_pause_s
        self.items: queue.Queue[Any] = queue.Queue()
        self._pending: Any = None
        self._ready: list[PersonAction] = []
        self._notes: list[str] = []

    # -- what a device's channel provides -------------------------------------------------------------
    @abstractmethod
    def begin(self, reason: str) -> None: ...

    @abstractmethod
    def end(self) -> None: ...

    @abstractmethod
    def _screen_of(self, observed: Observed) -> Screen:
        """What the channel needs to know of the screen the person is about to act on."""

    @abstractmethod
    def _meaning(self, item: Any, observed: Observed, screen: Screen) -> Meaning: ...

    @abstractmethod
    def _times(self, item: Any) -> tuple[float, float, float]:
        """(start, end) of an item on the device's clock, and the host time it was read."""

    @abstractmethod
    def _typed(self, keys: list[Any], observed: Observed, screen: Screen,
               after: Any) -> tuple[list[BaseAction], str | None, list[str]]:
        """What a typing group did: the actions that redo it, the field's text after, notes."""

    def _after_keys(self, observed: Observed) -> tuple[Any, Screen | None, list[str]]:
        """What to read once keys stopped (the field's text on a phone) and the screen as it is now."""
        return None, None, []

    # -- the channel ----------------------------------------------------------------------------------
    def close(self) -> None:
        self.end()

    def hand_back(self, finished: bool = False) -> None:
        self.items.put(HandBack(finished=finished))

    def next_action(self, step: int, observed: Observed, recorder: Recorder,
                    settle_options: SettleOptions | None) -> PersonAction | HandBack:
        if self._ready:
            return self._ready.pop(0)
        screen = self._screen_of(observed)
        while True:
            item = self._take(None)
            if isinstance(item, HandBack):
                return item
            meaning = self._meaning(item, observed, screen)
            if meaning.kind == "ignore":
                self._notes.extend(meaning.notes)
                continue
            if meaning.kind == "typing":
                done = self._typing(item, step, observed, screen, recorder, settle_options, list(meaning.notes))
                if done is None:
                    continue
                return done
            assert meaning.action is not None
            after = settle(self.device, recorder, settle_options, f"{step:06d}-after")
            return self._action(meaning.action, item, observed, after, list(meaning.notes))

    # -- reading ----------------------------------------------------------------------------------------
    def _get(self, timeout: float | None) -> Any:
        """The next raw item of the queue (None after ``timeout``; 0: only what is there)."""
        try:
            item = self.items.get(timeout=timeout) if timeout is None or timeout > 0 else self.items.get_nowait()
        except queue.Empty:
            return None
        if isinstance(item, Failed):
            raise item.error
        return item

    def _take(self, timeout: float | None) -> Any:
        if self._pending is not None:
            item, self._pending = self._pending, None
            return item
        return self._get(timeout)

    def _stale(self, item: Any, observed: Observed) -> list[str]:
        received = self._times(item)[2]
        if received and received < observed.frame.captured_at:
            return ["the person began before this screen was captured: it may already show the action's effect"]
        return []

    def _action(self, action: BaseAction, first: Any, observed: Observed, after: Settled, notes: list[str], *,
                last: Any = None, text: str | None = None) -> PersonAction:
        t0, _, received = self._times(first)
        t1 = self._times(last if last is not None else first)[1]
        carried, self._notes = self._notes, []
        return PersonAction(action=DeviceAction(action=action, size=observed.frame.size),  # type: ignore[arg-type]
                            started_at=received or time.time(), duration_s=max(0.0, t1 - t0), after=after,
                            notes=tuple(dict.fromkeys([*carried, *self._stale(first, observed), *notes])),
                            text_after=text)

    # -- typing -----------------------------------------------------------------------------------------
    def _is_typing(self, item: Any, observed: Observed, screen: Screen) -> bool:
        return item is not None and not isinstance(item, HandBack) and \
            self._meaning(item, observed, screen).kind == "typing"

    def _typing(self, first: Any, step: int, observed: Observed, screen: Screen, recorder: Recorder,
                settle_options: SettleOptions | None, notes: list[str]) -> PersonAction | None:
        """Keys until a pause or anything else; then the group's actions (the first now, the rest next)."""
        keys = [first]
        after: Settled | None = None
        read: Any = None
        now = screen
        while True:
            nxt = self._take(0)  # every key already waiting joins before the screen is looked at
            while self._is_typing(nxt, observed, now):
                keys.append(nxt)
                nxt = self._take(0)
            if nxt is not None:  # something else happened at once
                self._pending = nxt
                break
            after = settle(self.device, recorder, settle_options, f"{step:06d}-after")
            read, changed, more = self._after_keys(observed)
            notes += more
            now = changed if changed is not None else now  # e.g. Enter closed the keyboard
            nxt = self._take(self.typing_pause_s)
            if nxt is None:
                break
            if not self._is_typing(nxt, observed, now):
                self._pending = nxt
                break
            keys.append(nxt)
        if after is None:
            after = settle(self.device, recorder, settle_options, f"{step:06d}-after")
            read, _changed, more = self._after_keys(observed)
            notes += [*more, "the screen after typing was captured after the next action began"]
        actions, text, more = self._typed(keys, observed, screen, read)
        notes += more
        if not actions:
            self._notes.extend(more or [f"{len(keys)} key(s) typed nothing"])
            return None
        if len(actions) > 1:
            notes.append("one of several steps that redo one typing group (the screens between them were not captured)")
        notes.append(f"typed with {len(keys)} key(s)")
        done = [self._action(a, first, observed, after, notes, last=keys[-1], text=text) for a in actions]
        self._ready.extend(done[1:])
        return done[0]
