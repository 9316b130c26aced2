"""The ``screenpilot-sim`` command (typer). ScreenPilot's own CLI mounts this app as ``screenpilot sim``.

A failure a user can cause (a port in use, a bad size) is one line on stderr, exit 1; bad usage is
exit 2; never a traceback.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Annotated

import typer

from ._errors import SimError

__all__ = ["app", "main", "parse_size"]

app = typer.Typer(
    name="screenpilot-sim",
    help="The virtual phone: an Android device simulated in Python, reached over adb.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

_SIZE = re.compile(r"^\s*(\d+)\s*[xX×]\s*(\d+)\s*$")


def parse_size(text: str) -> tuple[int, int]:
    """``1080x2400`` -> (1080, 2400); anything else is a one-line BadParameter."""
    m = _SIZE.match(text)
    if not m or int(m[1]) == 0 or int(m[2]) == 0:
        raise typer.BadParameter(f"{text!r} is not a size: write WIDTHxHEIGHT, e.g. 1080x2400")
    return int(m[1]), int(m[2])


def _check_clock(value: str | None) -> str | None:
    if value is not None:
        hh, _, mm = value.partition(":")
        if not (hh.isdigit() and mm.isdigit() and int(hh) < 24 and int(mm) < 60):
            raise typer.BadParameter(f"write HH:MM, e.g. 10:30 (got {value!r})")
    return value


def _check_profile(value: str) -> str:
    from ._timing import profile_named

    try:
        profile_named(value)
    except ValueError as e:
        raise typer.BadParameter(str(e)) from None
    return value


def _check_faults(value: str | None) -> str | None:
    from ._faults import Faults, apply_spec

    if value:
        try:
            apply_spec(Faults(), value)
        except ValueError as e:
            raise typer.BadParameter(str(e)) from None
    return value


@app.callback()
def _root() -> None:
    """The virtual phone: an Android device simulated in Python, reached over adb."""


@app.command("serve")
def serve_cmd(
    port: Annotated[int, typer.Option(min=1, max=65535, help="First port (adb connect HOST:PORT). 5555-5585 "
                                      "would also be found by adb's emulator scan, so the phone would be listed twice."
                                      )] = 6555,
    size: Annotated[str, typer.Option(help="Screen size WIDTHxHEIGHT.")] = "1080x2400",
    devices: Annotated[int, typer.Option(min=1, max=16, help="How many phones, each on its own port.")] = 1,
    density: Annotated[int, typer.Option(min=72, max=960, help="Screen density in dpi.")] = 420,
    animation_ms: Annotated[float, typer.Option(min=0, help="Length of a screen transition.")] = 300.0,
    clock: Annotated[str | None, typer.Option(help="Fix the status-bar time, HH:MM.", callback=_check_clock)] = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    auth: Annotated[bool, typer.Option("--auth", help="Start unauthorized, as a phone asking to allow USB debugging.")] = False,
    profile: Annotated[str, typer.Option(help="Timing profile: instant (no costs) or phone (a real phone's costs).",
                                         callback=_check_profile)] = "instant",
    clock_rate: Annotated[float, typer.Option(min=0.001, help="Phone seconds per host second (10: costs and "
                                              "timeouts pass ten times faster).")] = 1.0,
    snapshot: Annotated[Path | None, typer.Option(help="Start every phone from this snapshot file.")] = None,
    faults: Annotated[str | None, typer.Option(help="Inject faults, e.g. 'drop=0.05,stall=0.1:3s,lost=0.02,"
                                               "offline=0.01:5s,capture=0.2,latency=50ms,seed=7'.",
                                               callback=_check_faults)] = None,
    web: Annotated[bool, typer.Option("--web", help="Also serve a web page that shows each phone's screen and lets a "
                                      "person operate it with mouse and keyboard.")] = False,
    web_port: Annotated[int, typer.Option(min=0, max=65535, help="Port of the --web page (0: any free port).")] = 6580,
) -> None:
    """Run virtual phones in the foreground until Ctrl+C; connect with `adb connect HOST:PORT`."""
    from ._serve import serve

    width, height = parse_size(size)
    data = _read_snapshot(snapshot) if snapshot is not None else None
    serve(host=host, port=port, devices=devices, width=width, height=height, density=density,
          animation_ms=animation_ms, clock=clock, require_auth=auth, profile=profile, clock_rate=clock_rate,
          snapshot=data, faults=faults, web_port=web_port if web else None,
          print_line=lambda line: print(line, flush=True))


def _read_snapshot(path: Path) -> bytes:
    from ._snapshot import read_manifest

    try:
        data = path.read_bytes()
    except OSError as e:
        raise SimError(f"cannot read the snapshot {path}: {e.strerror}") from None
    read_manifest(data)  # one clear line now if it is not a snapshot
    return data


snapshot_app = typer.Typer(help="Save or load the whole state of a served phone (through its admin channel).",
                           no_args_is_help=True)
app.add_typer(snapshot_app, name="snapshot")

_HOST = Annotated[str, typer.Option(help="Where the phone listens.")]
_PORT = Annotated[int, typer.Option(min=1, max=65535, help="The phone's adbd port (as given to serve).")]


@snapshot_app.command("save")
def snapshot_save(file: Annotated[Path, typer.Argument(help="Where to write the snapshot.")],
                  host: _HOST = "127.0.0.1", port: _PORT = 6555) -> None:
    """Write the served phone's whole state to FILE."""
    from ._admin import AdminClient
    from ._snapshot import write_atomic

    data = AdminClient(host, port).snapshot()
    try:
        write_atomic(file, data)
    except OSError as e:
        raise SimError(f"cannot write {file}: {e.strerror}") from None
    print(f"saved the phone on {host}:{port} to {file} ({len(data) / 1024:.0f} KiB)")


@snapshot_app.command("load")
def snapshot_load(file: Annotated[Path, typer.Argument(help="A snapshot written by `snapshot save`.")],
                  host: _HOST = "127.0.0.1", port: _PORT = 6555) -> None:
    """Put the served phone back into the state FILE holds."""
    from ._admin import AdminClient

    AdminClient(host, port).restore(_read_snapshot(file))
    print(f"restored the phone on {host}:{port} from {file}")


@snapshot_app.command("info")
def snapshot_info(file: Annotated[Path, typer.Argument(help="A snapshot file.")]) -> None:
    """Print what a snapshot file holds (format, version, when, which screen)."""
    import time as _time

    from ._snapshot import read_manifest

    m = read_manifest(_read_snapshot(file))
    c = m.get("config", {})
    print(f"{m['format']} version {m['version']}, taken {_time.strftime('%Y-%m-%d %H:%M:%S', _time.localtime(m['created']))}"
          f" (phone time), {c.get('width')}x{c.get('height')} at {c.get('density')} dpi, {c.get('model')}")


@app.command("faults")
def faults_cmd(spec: Annotated[str, typer.Argument(help="A fault SPEC (as serve --faults), 'off', or '' to only "
                                                    "show them.", callback=_check_faults)] = "",
               host: _HOST = "127.0.0.1", port: _PORT = 6555) -> None:
    """Set or show the faults of a served phone, and the faults injected so far."""
    from ._admin import AdminClient

    state = AdminClient(host, port).faults(spec)
    log = state.pop("log", [])
    print(" ".join(f"{k}={v}" for k, v in sorted(state.items())))
    for entry in log[-20:]:
        print(f"  {entry['kind']}" + (f" ({entry['service']})" if entry.get("service") else ""))


def main(argv: list[str] | None = None) -> None:
    """Entry point: one line on stderr for every expected failure."""
    try:
        code = app(args=argv, prog_name="screenpilot-sim", standalone_mode=False)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        print("screenpilot-sim: interrupted", file=sys.stderr)
        sys.exit(130)
    except SimError as exc:
        print(f"screenpilot-sim: error: {exc}", file=sys.stderr)
        sys.exit(1)
    except Exception as exc:  # click's usage errors
        if hasattr(exc, "format_message") and hasattr(exc, "exit_code"):
            print(f"screenpilot-sim: error: {' '.join(exc.format_message().split())}", file=sys.stderr)
            sys.exit(exc.exit_code)
        raise
    sys.exit(code if isinstance(code, int) else 0)
