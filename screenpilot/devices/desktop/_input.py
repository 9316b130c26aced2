"""Pointer and keyboard through pyautogui, imported on first use and never allowed to pause.

pyautogui reads DISPLAY and opens its X connection when it is IMPORTED, and sleeps ``PAUSE`` (0.1 s)
after every call. So: the import happens here, inside a method, with DISPLAY set to the display this
driver drives; every call passes ``_pause=False`` (the process-wide ``pyautogui.PAUSE`` is left as the
user set it, and never slows an action); pyautogui's FAILSAFE is set to the driver's choice, and its
exception becomes :class:`AgentStopped`. Keys pyautogui cannot press exactly go through xdotool.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator, Sequence
from typing import Any

from .._errors import DeviceError
from ._keys import keysym, pyautogui_name
from ._killswitch import AgentStopped
from ._tools import Tools
from ._x11 import unavailable

__all__ = ["Input"]


def _same_display(a: str, b: str) -> bool:
    def norm(name: str) -> str:
        host, _, rest = name.partition(":")
        number, _, screen = rest.partition(".")
        return f"{host}:{number}.{screen or '0'}"

    return norm(a) == norm(b)


class Input:
    """Mouse and keyboard for one display; every method takes X root coordinates."""

    def __init__(self, display: str, tools: Tools, *, failsafe: bool) -> None:
        self.display = display
        self.tools = tools
        self.failsafe = failsafe
        self._pag: Any = None

    # -- loading -----------------------------------------------------------------------------

    @property
    def pag(self) -> Any:
        if self._pag is None:
            self._pag = self._load()
        return self._pag

    def _load(self) -> Any:
        already = "pyautogui" in sys.modules
        saved = os.environ.get("DISPLAY")
        os.environ["DISPLAY"] = self.display  # pyautogui binds to $DISPLAY at import
        try:
            import pyautogui
        except Exception as exc:  # KeyError('DISPLAY'), Xlib's DisplayConnectionError, ...
            raise unavailable(self.display, f"pyautogui could not connect: {exc!r}") from exc
        finally:
            if saved is None:
                os.environ.pop("DISPLAY", None)
            else:
                os.environ["DISPLAY"] = saved
        x11 = sys.modules.get("pyautogui._pyautogui_x11")
        bound = x11._display.get_display_name() if x11 is not None else self.display
        if already and not _same_display(bound, self.display):
            raise DeviceError(
                f"pyautogui in this process already drives X display {bound}; it cannot also drive {self.display}",
                hint="drive one display per process (pyautogui keeps one global connection)",
            )
        pyautogui.FAILSAFE = self.failsafe
        return pyautogui

    @contextlib.contextmanager
    def guard(self) -> Iterator[None]:
        """pyautogui's and Xlib's exceptions -> ours."""
        from Xlib import error as xerror

        self.pag.FAILSAFE = self.failsafe  # process-wide in pyautogui: re-assert ours before each use
        try:
            yield
        except self.pag.FailSafeException as exc:
            raise AgentStopped(
                "pyautogui's fail-safe stopped the agent: the pointer was moved into a corner of the screen",
                hint="move the pointer away from the corner; the driver's failsafe option turns this off",
            ) from exc
        except (xerror.ConnectionClosedError, xerror.DisplayError, BrokenPipeError, ConnectionError) as exc:
            raise unavailable(self.display, exc) from exc

    # -- pointer -----------------------------------------------------------------------------

    def move(self, x: int, y: int) -> None:
        with self.guard():
            self.pag.moveTo(x, y, _pause=False)

    def click(self, x: int, y: int, button: str, count: int) -> None:
        with self.guard():
            self.pag.click(x, y, clicks=count, interval=0.0, button=button, _pause=False)

    def button(self, down: bool, button: str = "left") -> None:
        with self.guard():
            (self.pag.mouseDown if down else self.pag.mouseUp)(button=button, _pause=False)

    def scroll(self, dx: int, dy: int) -> None:
        """Wheel clicks at the pointer: +dy down, +dx right (pyautogui: + is up / right)."""
        with self.guard():
            if dy:
                self.pag.scroll(-dy, _pause=False)
            if dx:
                self.pag.hscroll(dx, _pause=False)

    # -- keyboard ----------------------------------------------------------------------------

    def _mapping(self) -> dict[object, object]:
        return sys.modules["pyautogui._pyautogui_x11"].keyboardMapping  # type: ignore[no-any-return]

    def keys(self, names: Sequence[str]) -> str:
        """Press ``names`` together (one name: a single key), release in reverse. Returns the command."""
        self.pag  # noqa: B018 - load pyautogui: its key map is built at import
        pag_names = [pyautogui_name(n, self._mapping()) for n in names]
        if all(pag_names):
            pressed: list[str] = []
            with self.guard():
                try:
                    for name in pag_names:
                        assert name is not None
                        self.pag.keyDown(name, _pause=False)
                        pressed.append(name)
                finally:
                    for name in reversed(pressed):
                        self.pag.keyUp(name, _pause=False)
            return f"pyautogui keys {'+'.join(p for p in pag_names if p)}"
        combo = "+".join(keysym(n) for n in names)
        self.tools.run(["xdotool", "key", "--", combo])
        return f"xdotool key {combo}"

    def write(self, text: str) -> None:
        """Type characters pyautogui types exactly (see ``PYAUTOGUI_SAFE_TEXT``)."""
        with self.guard():
            self.pag.write(text, interval=0.0, _pause=False)
