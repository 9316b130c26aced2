"""Serving phones in the foreground: ``screenpilot-sim serve`` (a banner, then wait for Ctrl+C)."""

from __future__ import annotations

import errno
import signal
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from ._adbd import AdbdEndpoint
from ._config import PhoneConfig
from ._errors import SimError
from ._phone import VirtualPhone

if TYPE_CHECKING:
    from ._web import WebPage

__all__ = ["DEFAULT_PORT", "SimError", "port_plan", "serve", "start_phones"]


def port_plan(port: int, devices: int) -> list[int]:
    """The ports N phones listen on: odd ports 2 apart inside adb's emulator range (so a freshly
    started adb server finds each as emulator-N by itself), consecutive ports elsewhere, and any free
    ports for port 0."""
    if devices < 1:
        raise SimError(f"--devices must be at least 1, got {devices}")
    if port == 0:  # each phone on a free port of the system's choosing
        return [0] * devices
    step = 2 if 5555 <= port <= 5585 else 1
    ports = [port + k * step for k in range(devices)]
    if ports[-1] > 65535:
        raise SimError(f"{devices} phones from port {port} would run past port 65535", hint="choose a lower --port")
    return ports


def start_phones(*, host: str = "127.0.0.1", port: int = 6555, devices: int = 1,
                 config: Callable[[int], PhoneConfig] | None = None) -> list[AdbdEndpoint]:
    """Start ``devices`` phones, each on its own port; on any failure the started ones are stopped."""
    endpoints: list[AdbdEndpoint] = []
    try:
        for k, p in enumerate(port_plan(port, devices)):
            cfg = config(k) if config else PhoneConfig()
            cfg.serialno = f"SPVIRT{k + 1:04d}"
            try:
                endpoints.append(AdbdEndpoint(VirtualPhone(cfg), host=host, port=p).start())
            except OSError as e:
                reason = "it is in use" if e.errno == errno.EADDRINUSE else e.strerror
                raise SimError(f"cannot listen on {host}:{p}: {reason}",
                               hint="choose another --port, or stop what listens there") from None
    except BaseException:
        for ep in endpoints:
            ep.stop()
        raise
    return endpoints


DEFAULT_PORT = 6555
"""Outside 5555-5585, the ports a freshly started adb server scans for emulators by itself: a phone
there would be listed twice after ``adb connect`` (as emulator-N and as 127.0.0.1:PORT)."""


def serve(*, host: str = "127.0.0.1", port: int = DEFAULT_PORT, devices: int = 1, width: int = 1080,
          height: int = 2400, density: int = 420, animation_ms: float = 300.0, clock: str | None = None,
          require_auth: bool = False, profile: str = "instant", clock_rate: float = 1.0,
          snapshot: bytes | None = None, faults: str | None = None, web_port: int | None = None,
          print_line: Callable[[str], None] = print, stop: threading.Event | None = None) -> None:
    """Run phones until Ctrl+C (or ``stop`` is set), printing how to connect to them. With
    ``snapshot`` every phone starts from it (its screen size wins over ``width``/``height``/``density``);
    ``faults`` is a fault SPEC applied to every phone, and each injected fault is printed. With
    ``web_port`` (0: any free port) a web page shows each phone and lets a person operate it (``_web``)."""
    from ._faults import Faults, apply_spec
    from ._snapshot import config_of

    try:
        base = config_of(snapshot) if snapshot is not None else PhoneConfig(
            width=width, height=height, density=density)
        PhoneConfig(width=base.width, height=base.height, density=base.density, animation_ms=animation_ms,
                    clock=clock, profile=profile, clock_rate=clock_rate)
        if faults:
            apply_spec(Faults(), faults)  # refuse a bad SPEC before anything listens
    except ValueError as e:
        raise SimError(str(e)) from None

    def config(_k: int) -> PhoneConfig:
        return PhoneConfig(width=base.width, height=base.height, density=base.density, animation_ms=animation_ms,
                           clock=clock, require_auth=require_auth, profile=profile, clock_rate=clock_rate)

    endpoints = start_phones(host=host, port=port, devices=devices, config=config)
    web = _start_web(endpoints, host, web_port) if web_port is not None else None
    stop = stop or threading.Event()
    restore = _stop_on_signals(stop)
    try:
        for ep in endpoints:
            if snapshot is not None:
                ep.phone.restore(snapshot)
            if faults:
                apply_spec(ep.phone.faults, faults)
                ep.phone.faults.on_fault = lambda entry, serial=ep.serial: print_line(
                    f"fault on {serial}: {entry['kind']}" + (f" ({entry['service']})" if entry["service"] else ""))
        c = endpoints[0].phone.config
        print_line(f"ScreenPilot virtual phone{'s' if devices > 1 else ''}: Android {c.android}, {c.width}x{c.height} "
                   f"at {c.density} dpi, {c.profile} timing" + (f", clock x{c.clock_rate:g}" if c.clock_rate != 1 else ""))
        if snapshot is not None:
            print_line("  started from the snapshot given")
        for ep in endpoints:
            print_line(f"  listening on {host}:{ep.port}")
            if ep.serial.startswith("emulator-"):
                print_line(f"    an adb server started after this finds it by itself as {ep.serial}: "
                           "do not also `adb connect` it (it would be listed twice)")
            else:
                print_line(f"    adb connect {host}:{ep.port}")
        if web is not None:
            for k, ep in enumerate(endpoints):
                print_line(f"  web page for {ep.serial}: {web.url(k)}")
        if faults:
            print_line(f"Faults: {faults} (each one is printed as it happens)")
        if require_auth:
            print_line("They start unauthorized: press Enter here to allow USB debugging (as tapping Allow).")
            for ep in endpoints:
                ep.phone.auth.on_offer = lambda: print_line("an adb host asks to connect: press Enter to allow")
            threading.Thread(target=_allow_on_enter, args=(endpoints, print_line), daemon=True,
                             name="sim-allow").start()
        print_line("Press Ctrl+C to stop.")
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        if web is not None:
            web.stop()
        for ep in endpoints:
            ep.stop()
        restore()
        print_line("stopped")


def _start_web(endpoints: list[AdbdEndpoint], host: str, port: int) -> WebPage:
    """The web page for the served phones; a port in use stops the phones with one line."""
    from ._web import WebPage

    try:
        return WebPage([ep.phone for ep in endpoints], host=host, port=port).start()
    except OSError as e:
        for ep in endpoints:
            ep.stop()
        reason = "it is in use" if e.errno == errno.EADDRINUSE else e.strerror
        raise SimError(f"cannot serve the web page on {host}:{port}: {reason}",
                       hint="choose another --web-port") from None


def _allow_on_enter(endpoints: list[AdbdEndpoint], print_line: Callable[[str], None]) -> None:
    """Each line on stdin is the person tapping Allow on every phone (a daemon thread; EOF ends it)."""
    for _line in sys.stdin:
        for ep in endpoints:
            ep.phone.auth.authorize()
        print_line("allowed: adb hosts that asked are connected")


def _stop_on_signals(stop: threading.Event) -> Callable[[], None]:
    """Ctrl+C (SIGINT) and SIGTERM stop the server cleanly, even where a shell started us with
    SIGINT ignored (background jobs); returns how to put the old handlers back."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}

    def handler(_signum: int, _frame: object) -> None:
        stop.set()

    for sig in previous:
        signal.signal(sig, handler)

    def restore() -> None:
        for sig, old in previous.items():
            signal.signal(sig, old)

    return restore
