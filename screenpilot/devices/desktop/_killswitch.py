"""The kill switch: a person stops a desktop agent at once, from the keyboard or from a shell.

Two triggers, both on by default:

- a HOTKEY, ctrl+alt+shift+k, grabbed on the X root window (works without a window manager, and
  whichever window has focus): for the person at the keyboard;
- a STOP FILE, ``$SCREENPILOT_STOP_FILE`` or ``<tmp>/screenpilot-<uid>.stop``: ``touch`` it from any
  shell or script (``rm`` it to allow actions again);
- optionally a SIGNAL (e.g. SIGUSR1), installed only when asked, since a library must not take over
  a process's signals.

Once tripped, the action in progress stops at its next step (typing goes in chunks, drags and waits
step on this switch's clock), held buttons and keys are released, and every later action raises
:class:`AgentStopped` until :meth:`KillSwitch.reset` (and the stop file is gone). pyautogui's own
fail-safe (pointer in a corner) is off by default: see ``DesktopDevice``.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal as signals
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ...actions import normalize_desktop_key
from ...errors import Stopped
from .._errors import DeviceError

__all__ = ["DEFAULT_HOTKEY", "AgentStopped", "KillSwitch", "default_stop_file"]

DEFAULT_HOTKEY = ("ctrl", "alt", "shift", "k")
_POLL_S = 0.05
_MODIFIER_NAMES = {"ctrl": "ControlMask", "shift": "ShiftMask", "alt": "Mod1Mask", "super": "Mod4Mask"}
_KEYSYM_NAMES = {"esc": "Escape", "enter": "Return", "space": "space", "tab": "Tab", "backspace": "BackSpace"}


class AgentStopped(Stopped):
    """The kill switch was tripped (a person's deliberate stop): no action runs until it is reset."""


def default_stop_file() -> Path:
    """``$SCREENPILOT_STOP_FILE``, else ``<tmp>/screenpilot-<uid>.stop``."""
    env = os.environ.get("SCREENPILOT_STOP_FILE")
    if env:
        return Path(env)
    return Path(tempfile.gettempdir()) / f"screenpilot-{os.getuid()}.stop"


class KillSwitch:
    """Stops the driver at once; ``check()`` between steps, ``sleep()`` instead of ``time.sleep``."""

    def __init__(
        self,
        *,
        stop_file: Path | str | None = "default",
        hotkey: Sequence[str] | None = DEFAULT_HOTKEY,
        signal: int | None = None,
    ) -> None:
        self.stop_file = default_stop_file() if stop_file == "default" else (Path(stop_file) if stop_file else None)
        self.hotkey = tuple(normalize_desktop_key(k) for k in hotkey) if hotkey else None
        self._event = threading.Event()
        self._reason = ""
        self._listener: _HotkeyListener | None = None
        self.hotkey_problem = ""
        if signal is not None:
            signals.signal(signal, lambda signum, _frame: self.trip(f"signal {signals.Signals(signum).name}"))

    # -- state -------------------------------------------------------------------------------

    @property
    def tripped(self) -> bool:
        if not self._event.is_set() and self.stop_file is not None and self.stop_file.exists():
            self.trip(f"stop file {self.stop_file} exists")
        return self._event.is_set()

    @property
    def reason(self) -> str:
        return self._reason

    def trip(self, reason: str = "tripped by the program") -> None:
        if not self._event.is_set():
            self._reason = reason
            self._event.set()

    def reset(self) -> None:
        """Allow actions again (the stop file, if it exists, trips the switch again at once)."""
        self._reason = ""
        self._event.clear()

    def check(self) -> None:
        """Raise :class:`AgentStopped` if tripped."""
        if self.tripped:
            raise self.error()

    def error(self) -> AgentStopped:
        how = []
        if self.stop_file is not None:
            how.append(f"remove {self.stop_file}")
        how.append("call KillSwitch.reset()")
        return AgentStopped(f"the agent was stopped by the kill switch ({self._reason})", hint=" and ".join(how))

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds``, or raise :class:`AgentStopped` the moment the switch trips."""
        self.sleep_until(time.monotonic() + seconds)

    def sleep_until(self, deadline: float) -> None:
        while True:
            self.check()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            # The event wakes us at once for the hotkey and signals; the file is polled.
            self._event.wait(min(remaining, _POLL_S) if self.stop_file is not None else remaining)

    # -- the hotkey --------------------------------------------------------------------------

    def listen(self, display: str) -> None:
        """Grab the hotkey on ``display`` (idempotent). A grab another client holds is reported in
        ``hotkey_problem``, not raised: the stop file still works."""
        if self.hotkey is None or self._listener is not None:
            return
        try:
            self._listener = _HotkeyListener(display, self.hotkey, self)
        except (DeviceError, ValueError) as exc:
            self.hotkey_problem = str(exc)

    def close(self) -> None:
        if self._listener is not None:
            self._listener.stop()
            self._listener = None

    def describe(self) -> dict[str, Any]:
        return {
            "hotkey": "+".join(self.hotkey) if self.hotkey else None,
            "hotkey_active": self._listener is not None,
            "hotkey_problem": self.hotkey_problem or None,
            "stop_file": str(self.stop_file) if self.stop_file else None,
            "tripped": self.tripped,
            "reason": self._reason or None,
        }


class _HotkeyListener:
    """A thread with its own X connection that grabs one key combination on the root window."""

    def __init__(self, display: str, keys: tuple[str, ...], switch: KillSwitch) -> None:
        from Xlib import XK, X
        from Xlib import display as xdisplay
        from Xlib import error as xerror

        *mods, key = keys
        unknown = [m for m in mods if m not in _MODIFIER_NAMES]
        if unknown:
            raise ValueError(f"kill-switch hotkey modifiers must be among {sorted(_MODIFIER_NAMES)}, got {unknown}")
        try:
            self._d = xdisplay.Display(display)
        except (xerror.DisplayError, OSError) as exc:
            raise DeviceError(f"cannot open {display} for the kill-switch hotkey: {exc}") from exc
        keysym = XK.string_to_keysym(_KEYSYM_NAMES.get(key, key))
        self._keycode = self._d.keysym_to_keycode(keysym)
        if not self._keycode:
            self._d.close()
            raise ValueError(f"the kill-switch key {key!r} has no key code on {display}")
        mask = 0
        for m in mods:
            mask |= getattr(X, _MODIFIER_NAMES[m])
        self._mask = mask
        root = self._d.screen().root
        catch = xerror.CatchError(xerror.BadAccess)
        # NumLock (Mod2) and CapsLock (Lock) change the modifier state: grab every combination.
        for extra in (0, X.LockMask, X.Mod2Mask, X.LockMask | X.Mod2Mask):
            root.grab_key(self._keycode, mask | extra, True, X.GrabModeAsync, X.GrabModeAsync, onerror=catch)
        self._d.sync()
        if catch.get_error():
            self._d.close()
            raise DeviceError(f"another client already grabs {'+'.join(keys)} on {display}")
        self._switch = switch
        self._wake_r, self._wake_w = os.pipe()
        self._thread = threading.Thread(target=self._run, name="screenpilot-kill-hotkey", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        from Xlib import X

        fd = self._d.fileno()
        try:
            while True:
                readable, _, _ = select.select([fd, self._wake_r], [], [])
                if self._wake_r in readable:
                    return
                while self._d.pending_events():
                    event = self._d.next_event()
                    if event.type == X.KeyPress and event.detail == self._keycode and event.state & self._mask == self._mask:
                        self._switch.trip("kill-switch hotkey " + "+".join(self._switch.hotkey or ()))
        except Exception:  # noqa: BLE001 - the display went away; the stop file still works
            return
        finally:
            os.close(self._wake_r)
            with contextlib.suppress(Exception):  # already closed with the server
                self._d.close()

    def stop(self) -> None:
        try:
            os.write(self._wake_w, b"x")
        except OSError:  # the thread already ended (its display went away) and closed the other end
            pass
        self._thread.join(timeout=2)
        os.close(self._wake_w)
