"""A private Xvfb for a desktop worker (``--devices desktop:N``): each worker its own display."""

from __future__ import annotations

import os
import select
import shutil
import subprocess

from ..devices import DisplayUnavailable

__all__ = ["PrivateDisplay"]


class PrivateDisplay:
    """``Xvfb -displayfd`` picks a free display number itself (no race between workers); stopped by PID."""

    def __init__(self, size: str = "1280x1024x24", timeout_s: float = 20.0) -> None:
        if shutil.which("Xvfb") is None:
            raise DisplayUnavailable("Xvfb is not installed", hint="apt-get install xvfb (desktop:N starts one per device)")
        read, write = os.pipe()
        self.process = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", size, "-nolisten", "tcp"],
                                        pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        start_new_session=True)
        os.close(write)
        try:
            ready, _, _ = select.select([read], [], [], timeout_s)
            number = os.read(read, 64).decode().strip() if ready else ""
        finally:
            os.close(read)
        if not number.isdigit():
            self.close()
            raise DisplayUnavailable(f"Xvfb did not start within {timeout_s:g} s")
        self.display = f":{number}"

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
