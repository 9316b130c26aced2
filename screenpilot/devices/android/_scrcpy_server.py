"""Finding the scrcpy server jar on this computer: configuration, ``$SCRCPY_SERVER_PATH``, then where scrcpy
installs it (Debian/Ubuntu and source builds, Homebrew, snap, a release folder next to ``scrcpy`` on PATH).

The jar is scrcpy's own (ScreenPilot does not ship one): its version decides the protocol, and the
phone's server refuses a client of any other version.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from .._errors import DeviceError
from ._scrcpy_wire import Wire, read_jar_version, wire_for

__all__ = ["ENV_VAR", "ServerJar", "StreamUnavailable", "find_server_jar"]

ENV_VAR = "SCRCPY_SERVER_PATH"  # the variable scrcpy itself reads
REMOTE_PATH = "/data/local/tmp/scrcpy-server.jar"
_INSTALLED = (
    "/usr/share/scrcpy/scrcpy-server",
    "/usr/local/share/scrcpy/scrcpy-server",
    "/opt/homebrew/share/scrcpy/scrcpy-server",
    "/snap/scrcpy/current/usr/share/scrcpy/scrcpy-server",
    "~/.local/share/scrcpy/scrcpy-server",
)


class StreamUnavailable(DeviceError):
    """The scrcpy stream cannot be used: no server jar, an unsupported version, or a server that did not start."""


@dataclass(frozen=True)
class ServerJar:
    path: Path
    wire: Wire

    @property
    def version(self) -> str:
        return self.wire.version


def _candidates(explicit: str | os.PathLike[str] | None) -> list[tuple[str, Path]]:
    if explicit:
        return [("scrcpy_server=", Path(explicit).expanduser())]
    if os.environ.get(ENV_VAR):
        return [(f"${ENV_VAR}", Path(os.environ[ENV_VAR]).expanduser())]
    found = [("installed", Path(p).expanduser()) for p in _INSTALLED]
    exe = shutil.which("scrcpy")
    if exe:
        real = Path(exe).resolve().parent
        found += [("next to scrcpy", real / "scrcpy-server"), ("next to scrcpy", real.parent / "share/scrcpy/scrcpy-server")]
    return found


def find_server_jar(explicit: str | os.PathLike[str] | None = None) -> ServerJar:
    """The first jar found, with the protocol its version speaks; StreamUnavailable says how to get one."""
    looked = []
    for origin, path in _candidates(explicit):
        if not path.is_file():
            looked.append(str(path))
            continue
        version = read_jar_version(path)
        if version is None:
            raise StreamUnavailable(f"{path} ({origin}) is not a scrcpy server jar (no version in it)",
                                    hint=f"point {ENV_VAR} at the scrcpy-server file of a scrcpy 3.x or 4.x install")
        try:
            return ServerJar(path, wire_for(version))
        except ValueError as exc:
            raise StreamUnavailable(f"{path} ({origin}): {exc}",
                                    hint="install scrcpy 3.x or 4.x, or set " + ENV_VAR) from exc
    raise StreamUnavailable(
        "no scrcpy server jar found (looked at: " + ", ".join(looked) + ")",
        hint=f"install scrcpy (Debian/Ubuntu: `apt install scrcpy`, macOS: `brew install scrcpy`, or unpack a "
        f"scrcpy release), or set {ENV_VAR}=/path/to/scrcpy-server (any scrcpy 3.x or 4.x server works)",
    )
