"""What the verbs that involve a person share: keys read from the terminal while a run or a recording goes
on, and the web page through which a person operates a virtual phone.

Keys: on a terminal, single key presses (cbreak mode, restored afterwards); from a pipe, one key per line
(a test or a script writes ``t`` then a newline). A prompt in between (a confirmation) borrows the input
with :meth:`TerminalKeys.ask`, so the two never race for the same line.
"""

from __future__ import annotations

import os
import select
import sys
import threading
from collections.abc import Callable
from typing import Any, Self, TextIO

from rich.console import Console

__all__ = ["TAKEOVER_KEYS", "TerminalKeys", "takeover_for", "web_page_for"]

TAKEOVER_KEYS = "t: take over"


class TerminalKeys:
    """Calls ``handlers[key]`` for each key pressed (a line from a pipe is its first character, or "\\n")."""

    def __init__(self, handlers: dict[str, Callable[[], None]], stream: TextIO | None = None) -> None:
        self.handlers = handlers
        self.stream = stream or sys.stdin
        self._thread: threading.Thread | None = None
        self._tty = False
        self._saved: Any = None
        self._wake_r, self._wake_w = -1, -1
        self._stop = threading.Event()
        self._paused = threading.Event()
        self._idle = threading.Event()
        self._asked: list[str | None] | None = None
        self._answered = threading.Event()

    def __enter__(self) -> Self:
        try:
            fd = self.stream.fileno()
        except (AttributeError, OSError, ValueError):
            return self  # no real input (an API caller's stream): no keys
        self._tty = os.isatty(fd)
        self._wake_r, self._wake_w = os.pipe()
        if self._tty:
            import termios
            import tty

            self._saved = termios.tcgetattr(fd)
            tty.setcbreak(fd)
        self._thread = threading.Thread(target=self._keys if self._tty else self._lines, args=(fd,),
                                        name="terminal-keys", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._wake_w >= 0:
            os.write(self._wake_w, b"x")
        if self._tty and self._thread is not None:
            self._thread.join(timeout=2)
        self._restore()
        for fd in (self._wake_r, self._wake_w):
            if fd >= 0:
                os.close(fd)
        self._wake_r = self._wake_w = -1

    def _restore(self) -> None:
        if self._saved is not None:
            import termios

            termios.tcsetattr(self.stream.fileno(), termios.TCSADRAIN, self._saved)

    def _dispatch(self, key: str) -> None:
        handler = self.handlers.get(key) or self.handlers.get(key.lower())
        if handler is not None:
            handler()

    def _keys(self, fd: int) -> None:
        """A terminal: one key at a time, except while a prompt has the terminal."""
        while not self._stop.is_set():
            if self._paused.is_set():
                self._idle.set()
                while self._paused.is_set() and not self._stop.is_set():
                    select.select([self._wake_r], [], [])
                    os.read(self._wake_r, 64)
                self._idle.clear()
                continue
            ready, _, _ = select.select([fd, self._wake_r], [], [])
            if self._wake_r in ready:
                os.read(self._wake_r, 64)
                continue
            data = os.read(fd, 1)
            if not data:
                return
            self._dispatch(data.decode("utf-8", "replace"))

    def _lines(self, fd: int) -> None:
        """A pipe: one key per line; a line asked for by a prompt goes to the prompt."""
        for line in self.stream:
            if self._stop.is_set():
                return
            if self._asked is not None:
                self._asked.append(line)
                self._answered.set()
                continue
            self._dispatch(line.strip()[:1] or "\n")
        if self._asked is not None:
            self._asked.append(None)
            self._answered.set()

    def ask(self, show: Callable[[], None] = lambda: None) -> str:
        """One line for a prompt (EOFError at the end of the input). The key reader lets go of the input
        BEFORE ``show`` prints the question: an answer typed at once must reach the prompt, not the keys."""
        if self._thread is None:
            show()
            return input()
        if self._tty:
            self._idle.clear()
            self._paused.set()
            os.write(self._wake_w, b"p")
            self._idle.wait(timeout=2)
            self._restore()
            try:
                show()
                return input()
            finally:
                import tty

                tty.setcbreak(self.stream.fileno())
                self._paused.clear()
                os.write(self._wake_w, b"r")
        self._answered.clear()
        self._asked = []
        try:
            show()
            self._answered.wait()
            line = self._asked[0]
        finally:
            self._asked = None
        if line is None:
            raise EOFError
        return line.rstrip("\n")


def web_page_for(opened: Any, console: Console, *, port: int = 0) -> Any:
    """For a virtual phone (``--device sim``), the web page a person operates it through, stopped with the
    device; its address is printed. None for other devices."""
    phone = getattr(getattr(opened, "state", None), "phone", None)
    if phone is None:
        return None
    from screenpilot_sim import WebPage

    page = WebPage([phone], port=port, title="ScreenPilot virtual phone").start()
    opened.resources.callback(page.stop)
    console.print(f"the virtual phone is on a web page: {page.url()}", soft_wrap=True, highlight=False, markup=False)
    return page


def takeover_for(console: Console) -> tuple[Any, TerminalKeys]:
    """A run's takeover (the device's person channel, made once the run opened the device, with the sim's
    web page) and the keys that drive it: t takes over, h hands back, d says the task is done."""
    from ..agent import Takeover
    from ..agent._console import takeover_line
    from ..record import open_channel

    def channel(device: Any, opened: Any) -> Any:
        web_page_for(opened, console)
        return open_channel(device)

    takeover = Takeover(channel)
    takeover.on_change = lambda active, reason: console.print(takeover_line(active, reason), soft_wrap=True)
    keys = TerminalKeys({"t": lambda: takeover.request("a person pressed t"), "h": takeover.hand_back,
                         "d": lambda: takeover.hand_back(finished=True)})
    return takeover, keys
