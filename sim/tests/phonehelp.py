"""What the sim's adb-level tests share: reading the screen back and acting on it as an agent would."""

from __future__ import annotations

import http.server
import io
import shlex
import socketserver
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from PIL import Image
from screenpilot_sim.testing import AdbDevice
from uidump import Node as Element
from uidump import parse as parse_uiautomator

__all__ = ["Element", "content", "find", "focus", "host_site", "parse_uiautomator", "screenshot", "tap", "tree"]


def tree(dev: AdbDevice) -> list[Element]:
    return parse_uiautomator(dev.adbutils().dump_hierarchy())


def find(dev: AdbDevice, *, text: str | None = None, desc: str | None = None, rid: str | None = None) -> Element:
    for e in tree(dev):
        if (text is not None and e.text == text) or (desc is not None and e.description == desc) or (
                rid is not None and e.resource_id.endswith(rid)):
            return e
    raise AssertionError(f"no element with text={text!r} desc={desc!r} rid={rid!r} on screen")


def tap(dev: AdbDevice, e: Element) -> None:
    x, y = e.bounds.center
    r = dev.shell(f"input tap {int(x)} {int(y)}")
    assert r.returncode == 0, r.stderr


def screenshot(dev: AdbDevice) -> Image.Image:
    r = dev.adb("exec-out", "screencap -p")
    return Image.open(io.BytesIO(r.stdout)).convert("RGB")


def focus(dev: AdbDevice) -> str:
    out = dev.shell("dumpsys window | grep mCurrentFocus").stdout.decode()
    return out.split(" u0 ")[1].rstrip("}\n ")


def content(dev: AdbDevice, uri: str, where: str = "") -> list[dict[str, str]]:
    cmd = f"content query --uri {uri}" + (f" --where {shlex.quote(where)}" if where else "")
    out = dev.shell(cmd).stdout.decode()
    rows = []
    for line in out.splitlines():
        if line.startswith("Row: "):
            fields = line.split(" ", 2)[2]
            rows.append(dict(kv.split("=", 1) for kv in fields.split(", ")))
    return rows


@contextmanager
def host_site(page: Callable[[str], tuple[int, bytes]]) -> Iterator[int]:
    """A real HTTP server on the host's 127.0.0.1 answering ``page(path) -> (status, body)``; its port.
    Stopped (and its socket closed) when the block ends."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # http.server's naming
            status, body = page(self.path)
            self.send_response(status)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = socketserver.TCPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()
