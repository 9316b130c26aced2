"""The command-line X tools the driver leans on (xdotool, xclip), run for one display.

Each call gets DISPLAY in its environment (the driver may drive a display other than $DISPLAY), a
timeout, and our own errors: a missing tool names the Debian package, a hung one is a DeviceTimeout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence

from .._errors import DeviceError, DeviceTimeout

__all__ = ["Tools"]

PACKAGES = {"xdotool": "xdotool", "xclip": "xclip"}


class Tools:
    """Runs X tools against one display."""

    def __init__(self, display: str) -> None:
        self.display = display
        self.env = {**os.environ, "DISPLAY": display}

    @staticmethod
    def available(tool: str) -> bool:
        return shutil.which(tool) is not None

    def missing(self, tool: str) -> DeviceError:
        package = PACKAGES.get(tool, tool)
        return DeviceError(
            f"{tool} is not installed, and the desktop driver needs it for this action",
            hint=f"install it: apt-get install {package}",
        )

    def run(
        self, argv: Sequence[str], *, timeout: float = 5.0, input: bytes | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[bytes]:
        """Run a tool to completion, capturing its output."""
        try:
            result = subprocess.run(
                list(argv), input=input, capture_output=True, env=self.env, timeout=timeout, check=False
            )
        except FileNotFoundError as exc:
            raise self.missing(argv[0]) from exc
        except subprocess.TimeoutExpired as exc:
            raise DeviceTimeout(
                f"`{' '.join(argv[:3])} …` did not finish within {timeout:g} s on display {self.display}",
                hint="the X server may be hung or a window may be grabbing input",
            ) from exc
        if check and result.returncode != 0:
            stderr = result.stderr.decode("utf-8", "replace").strip()
            raise DeviceError(
                f"`{' '.join(argv[:3])} …` failed on display {self.display} (exit {result.returncode}): {stderr}",
            )
        return result

    def spawn(self, argv: Sequence[str]) -> subprocess.Popen[bytes]:
        """Start a tool that keeps running (xclip serving the clipboard); stdout to DEVNULL."""
        try:
            return subprocess.Popen(
                list(argv), stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=self.env
            )
        except FileNotFoundError as exc:
            raise self.missing(argv[0]) from exc

    def detach(self, argv: Sequence[str], input: bytes) -> None:
        """Start a tool that forks a daemon (xclip's default): every stream to DEVNULL or a closed pipe,
        because the daemon inherits them and would hold a pipe open for as long as it lives."""
        try:
            proc = subprocess.Popen(
                list(argv), stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=self.env
            )
        except FileNotFoundError as exc:
            raise self.missing(argv[0]) from exc
        assert proc.stdin is not None
        proc.stdin.write(input)
        proc.stdin.close()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired as exc:
            proc.kill()
            raise DeviceTimeout(f"`{argv[0]}` did not detach within 5 s on display {self.display}") from exc
