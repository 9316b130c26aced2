"""An append-only, bounded record that readers follow: the kernel's input events, the log buffer.

Readers remember the ``serial`` they have seen and ask for what came after it; a condition wakes them
when something is appended, so a streaming ``getevent`` or ``logcat`` never polls.
"""

from __future__ import annotations

import threading
from typing import Generic, TypeVar

__all__ = ["Journal"]

T = TypeVar("T")


class Journal(Generic[T]):
    def __init__(self, keep: int) -> None:
        self.keep = keep
        self.entries: list[T] = []
        self.serial = 0  # entries ever appended
        self.cond = threading.Condition()

    def append(self, items: list[T]) -> None:
        with self.cond:
            self.entries.extend(items)
            self.serial += len(items)
            del self.entries[:-self.keep]
            self.cond.notify_all()

    def since(self, serial: int) -> tuple[list[T], int]:
        """Entries appended after ``serial`` (those still kept) and the serial to ask from next time."""
        with self.cond:
            new = self.serial - serial
            return (self.entries[-new:] if new > 0 else []), self.serial

    def clear(self) -> None:
        with self.cond:
            self.entries.clear()
            self.cond.notify_all()
