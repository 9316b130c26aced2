"""A web page through which a person operates a virtual phone (``serve --web``).

The page shows the phone's live screen and turns the person's mouse and keyboard into what a finger
does on a phone: pointer presses, moves and releases go to the phone's own touchscreen
(``touch_down/move/up``, with the page's own timestamps so a long press lasts what it lasted in the
browser), the page's Back / Home / Overview buttons tap the navigation bar, Power and Volume press
the phone's hardware buttons, and typed characters tap the keys of the on-screen keyboard. Everything
therefore reaches the phone as on glass and appears in ``getevent``, so a recorder reading the
touchscreen sees the person exactly as it would on a real phone.

Why the standard library's ``ThreadingHTTPServer`` and no web framework: the page needs three
requests (the page, the newest frame, one input event) on 127.0.0.1; frames are polled (a request
answers 204 at once when the screen has not changed since the frame the page holds), and input events
are POSTed one at a time in order by the page, so neither websockets nor a streaming response is
needed.
"""

from __future__ import annotations

import io
import json
import threading
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import parse_qs, urlparse

if TYPE_CHECKING:
    from ._phone import VirtualPhone
    from ._ui import View

__all__ = ["DEFAULT_WEB_PORT", "WebPage"]

DEFAULT_WEB_PORT = 6580
"""Where ``serve --web`` puts the page unless ``--web-port`` says otherwise."""

_FRAME_WIDTH = 540
"""Frames are sent at most this wide (JPEG): the page shows the phone at half its size anyway, and a
smaller frame costs the phone's host less to encode while the screen moves."""

_KEY_MS = 0.03
"""How long a typed character's finger stays on its on-screen key, in phone seconds."""

_NAV = {"back": "Back", "home": "Home", "overview": "Overview"}
_BUTTONS = ("power", "volume_up", "volume_down")


@dataclass
class _Session:
    """How one page's clock maps onto the phone's: set again at every finger down, so a stroke keeps the
    durations the browser measured and the clocks never drift apart over a long session."""

    browser_ms: float = 0.0
    phone_s: float = 0.0
    last_s: float = 0.0
    notes: list[str] = field(default_factory=list)


class _Remote:
    """One phone as the page drives it."""

    def __init__(self, phone: VirtualPhone) -> None:
        self.phone = phone
        self.lock = threading.Lock()  # one input event at a time, in the order the page sent them
        self.session = _Session()
        self._frame: tuple[str, bytes] | None = None

    # -- frames ----------------------------------------------------------------------------------------
    def frame(self, seen: str) -> tuple[str, bytes] | None:
        """The screen as a JPEG and its tag, or None when it is still the one tagged ``seen``."""
        phone = self.phone
        moving = not phone.settled()
        with phone.lock:
            tag = f"{phone._version}-{phone._clock_text()}-{int(phone.screen_on)}"
        if not moving and tag == seen:
            return None
        cached = self._frame
        if not moving and cached is not None and cached[0] == tag:
            return cached
        image = phone.frame().convert("RGB")
        if image.width > _FRAME_WIDTH:
            image = image.resize((_FRAME_WIDTH, round(image.height * _FRAME_WIDTH / image.width)))
        buf = io.BytesIO()
        image.save(buf, "JPEG", quality=85)
        shot = (tag if not moving else f"{tag}-moving-{phone.clock.uptime():.3f}", buf.getvalue())
        if not moving:
            self._frame = shot
        return shot

    # -- input -----------------------------------------------------------------------------------------
    def handle(self, event: dict[str, Any]) -> str:
        """Apply one event from the page; returns a note for the person ('' when all went as asked)."""
        kind = event.get("type")
        with self.lock:
            if kind in ("down", "move", "up", "cancel"):
                return self._touch(str(kind), event)
            if kind == "key":
                return self._key(str(event.get("key", "")))
            if kind == "button":
                return self._button(str(event.get("name", "")))
        return f"unknown event {kind!r}"

    def _when(self, browser_ms: Any, *, start: bool) -> float:
        """The phone time of a page event (its timestamp on the page's clock)."""
        phone = self.phone
        s = self.session
        now = phone.clock.uptime()
        try:
            ms = float(browser_ms)
        except (TypeError, ValueError):
            ms = None  # type: ignore[assignment]
        if ms is None:
            t = now
        elif start:
            s.browser_ms, s.phone_s = ms, max(now, s.last_s)
            t = s.phone_s
        else:
            t = s.phone_s + (ms - s.browser_ms) / 1000.0 * phone.clock.rate
        t = max(t, s.last_s)  # kernel timestamps never go back
        s.last_s = t
        return t

    def _point(self, event: dict[str, Any]) -> tuple[float, float]:
        w, h = self.phone.display_size()
        try:
            fx, fy = float(event.get("x", 0.0)), float(event.get("y", 0.0))
        except (TypeError, ValueError):
            fx, fy = 0.0, 0.0
        return min(max(fx, 0.0) * w, w - 1.0), min(max(fy, 0.0) * h, h - 1.0)

    def _touch(self, kind: str, event: dict[str, Any]) -> str:
        phone = self.phone
        if kind == "cancel":
            phone.touch_cancel()
            return ""
        x, y = self._point(event)
        t = self._when(event.get("t"), start=kind == "down")
        if kind == "down":
            phone.touch_down(x, y, t=t)
        elif kind == "move":
            phone.touch_move(x, y, t=t)
        else:
            phone.touch_up(x, y, t=t)
        return ""

    def _tap(self, view: View) -> None:
        """A quick finger on a view's centre, through the touchscreen (so getevent sees it)."""
        l, t, r, b = view.box
        x, y = (l + r) / 2, (t + b) / 2
        start = self._when(None, start=True)
        self.phone.touch_down(x, y, t=start)
        end = start + _KEY_MS
        self.session.last_s = end
        self.phone.touch_up(x, y, t=end)

    def _button(self, name: str) -> str:
        if name in _BUTTONS:
            self.phone.press_button(name)
            return ""
        desc = _NAV.get(name)
        if desc is None:
            return f"unknown button {name!r}"
        bar = next((v for w in self.phone.windows() for v in w.walk() if v.desc == desc and v.rid.endswith(
            ("/back", "/home", "/recent_apps"))), None)
        if bar is None:
            return f"there is no {desc} button on the screen now"
        self._tap(bar)
        return ""

    # -- typing through the on-screen keyboard ----------------------------------------------------------
    def _keys(self) -> dict[str, View]:
        """The keys of the on-screen keyboard now shown, by what they type or do (empty: none shown)."""
        for window in self.phone.windows():
            if window.rid.endswith(":id/keyboard_view"):
                return {v.desc: v for v in window.walk() if v.clickable and v.desc}
        return {}

    def _key(self, key: str) -> str:
        names = {"Enter": "Enter", "Backspace": "Delete", " ": "Space", "Tab": None}
        if key == "Escape":
            return self._button("back")
        if key in names:
            target = names[key]
            if target is None:
                return ""
        elif len(key) == 1:
            target = key
        else:
            return ""  # Shift, arrows, F-keys: nothing a phone's soft keyboard has
        for _ in range(4):  # at most: leave symbols, press shift, then the key
            keys = self._keys()
            if not keys:
                return "no text field is focused: tap one first"
            if target in keys:
                self._tap(keys[target])
                return ""
            step = self._switch(target, keys)
            if step is None:
                return f"the on-screen keyboard has no key for {key!r}"
            self._tap(keys[step])
        return f"the on-screen keyboard has no key for {key!r}"

    def _switch(self, target: str, keys: dict[str, View]) -> str | None:
        """The key that brings ``target`` onto the keyboard: letters/symbols, or shift."""
        letters_shown = "Shift" in keys
        if target.isascii() and target.isalpha():
            if not letters_shown:
                return "Letters" if "Letters" in keys else None
            return "Shift"
        if letters_shown:
            return "Symbols" if "Symbols" in keys else None
        return None


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A page closed while a frame was on its way is no error worth a traceback."""
        import sys

        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class WebPage:
    """The web page for one or more phones: ``http://HOST:PORT/`` (``?phone=K`` for the K-th)."""

    def __init__(self, phones: list[VirtualPhone], *, host: str = "127.0.0.1", port: int = DEFAULT_WEB_PORT,
                 title: str = "Virtual phone") -> None:
        self.remotes = [_Remote(p) for p in phones]
        self.title = title
        page = resources.files(__package__).joinpath("_web_page.html").read_text(encoding="utf-8")
        self._page = page
        self._server = _Server((host, port), self._handler())
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def host(self) -> str:
        return str(self._server.server_address[0])

    def url(self, phone: int = 0) -> str:
        return f"http://{self.host}:{self.port}/" + (f"?phone={phone}" if phone else "")

    def start(self) -> WebPage:
        self._thread = threading.Thread(target=self._server.serve_forever, name="sim-web", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _render(self, k: int) -> bytes:
        phone = self.remotes[k].phone
        w, h = phone.display_size()
        config = {"phone": k, "width": w, "height": h, "title": self.title}
        return self._page.replace("/*CONFIG*/{}", json.dumps(config)).encode("utf-8")

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        page = self

        class Handler(BaseHTTPRequestHandler):
            server_version = "screenpilot-sim-web"

            def log_message(self, format: str, *args: Any) -> None:
                return  # a person's clicks are not server news

            def _remote(self) -> tuple[int, _Remote] | None:
                query = parse_qs(urlparse(self.path).query)
                try:
                    k = int((query.get("phone") or ["0"])[0])
                except ValueError:
                    k = -1
                if not 0 <= k < len(page.remotes):
                    self._send(HTTPStatus.NOT_FOUND, b"no such phone", "text/plain")
                    return None
                return k, page.remotes[k]

            def _send(self, status: HTTPStatus, body: bytes, kind: str, headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                if body:
                    self.wfile.write(body)

            def do_GET(self) -> None:
                path = urlparse(self.path).path
                found = self._remote()
                if found is None:
                    return
                k, remote = found
                if path in ("/", "/index.html"):
                    self._send(HTTPStatus.OK, page._render(k), "text/html; charset=utf-8")
                elif path == "/frame":
                    seen = (parse_qs(urlparse(self.path).query).get("seen") or [""])[0]
                    shot = remote.frame(seen)
                    if shot is None:
                        self.send_response(HTTPStatus.NO_CONTENT)
                        self.send_header("Cache-Control", "no-store")
                        self.end_headers()
                    else:
                        self._send(HTTPStatus.OK, shot[1], "image/jpeg", {"ETag": shot[0]})
                else:
                    self._send(HTTPStatus.NOT_FOUND, b"not found", "text/plain")

            def do_POST(self) -> None:
                if urlparse(self.path).path != "/input":
                    self._send(HTTPStatus.NOT_FOUND, b"not found", "text/plain")
                    return
                found = self._remote()
                if found is None:
                    return
                _k, remote = found
                try:
                    length = int(self.headers.get("Content-Length", "0"))
                    event = json.loads(self.rfile.read(min(length, 65536)) or b"{}")
                    if not isinstance(event, dict):
                        raise TypeError("an input event is a JSON object")
                except (ValueError, TypeError) as exc:
                    self._send(HTTPStatus.BAD_REQUEST, json.dumps({"ok": False, "note": str(exc)}).encode(),
                               "application/json")
                    return
                note = remote.handle(event)
                self._send(HTTPStatus.OK, json.dumps({"ok": not note, "note": note}).encode(), "application/json")

        return Handler
