"""``screenpilot doctor``: what this machine can drive, and putting back what a killed run left changed."""

from __future__ import annotations

import importlib.util
import os
import shutil
from typing import Annotated

import typer

from ..devices import device_help
from ._app import app, device_option, out


def _check(name: str, ok: bool, detail: str) -> bool:
    out.print(f"{'[green]ok[/green]  ' if ok else '[yellow]--[/yellow]  '}{name}: {detail}", highlight=False, soft_wrap=True)
    return ok


def _module(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


@app.command()
def doctor(
    restore: Annotated[str | None, typer.Option(metavar="DEVICE", callback=device_option, help="Put back what a run that was killed left "
                                                "changed on this phone (its keyboard, the screen kept on): "
                                                + device_help())] = None,
) -> None:
    """Say what this machine can drive (adb, phones, the X display, local models); with --restore, undo what
    a killed run left changed on a phone. Exit code 0 when the checks needed for phones pass."""
    if restore is not None:
        from ..devices import AndroidDevice, open_device

        opened = open_device(restore, keep_awake=False)
        try:
            device = opened.device
            if not isinstance(device, AndroidDevice):
                raise typer.BadParameter("only a phone keeps notes of what a run changed", param_hint="--restore")
            done = device.restored  # the driver puts back what it finds noted as soon as it opens the phone
            out.print(f"{restore}: " + ("put back " + ", ".join(done) if done else "nothing to put back"), highlight=False,
                      soft_wrap=True)
        finally:
            opened.close()
        return
    from screenpilot_sim import SimError, find_adb

    try:
        adb = find_adb()
        phones = _check("adb", True, adb)
    except SimError as exc:
        phones = _check("adb", False, exc.hint or exc.message)
    display = os.environ.get("DISPLAY")
    _check("X display", bool(display), display or "DISPLAY is not set (the desktop driver needs an X11 session)")
    tools = [t for t in ("xdotool", "xclip") if shutil.which(t) is None]
    _check("desktop tools", not tools, "xdotool, xclip" if not tools else f"missing: {', '.join(tools)} (apt-get install)")
    _check("desktop extra", _module("pyautogui"), "pyautogui" if _module("pyautogui") else "pip install 'screenpilot[desktop]'")
    local = _module("torch") and _module("transformers")
    _check("local models", local, "torch + transformers" if local else "install torch first, then pip install 'screenpilot[local]'")
    _check("scrcpy stream", _module("av"), "PyAV" if _module("av") else "pip install 'screenpilot[stream]' for --capture stream")
    _check("fleet collection", _module("ray"), "Ray" if _module("ray") else "pip install 'screenpilot[fleet]'")
    raise typer.Exit(0 if phones else 1)
