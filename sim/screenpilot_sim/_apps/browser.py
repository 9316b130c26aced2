"""WebView Browser: VIEW intents for web pages, shown as their text and links.

``am start -a android.intent.action.VIEW -d URL`` opens it (``adbutils``' ``open_browser`` does). Pages
are fetched as on a phone without internet access except through adb: ``file:///sdcard/...`` from the
phone's files, ``http://localhost:PORT/`` (or 127.0.0.1) through a reverse tunnel to the host
(``adb reverse tcp:PORT tcp:HOSTPORT``), ``data:text/html,...``, ``about:blank``; any other host is
"This site can't be reached" (ERR_NAME_NOT_RESOLVED). Headings, paragraphs, list items and links are
shown; a link opens its page, the address bar takes a typed URL, Back goes to the previous page. On
its first start it asks for permission to post notifications, as Android 14's Chrome does.
"""

from __future__ import annotations

import threading
import urllib.parse
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any, ClassVar

from .._ui import FieldBinding, Paint, Ui, View, wrap_text
from .._vfs import FsError
from ._base import App, Page, Task

if TYPE_CHECKING:
    from .._phone import VirtualPhone

__all__ = ["BrowserApp", "parse_html"]

_BLOCKS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "br", "section", "article", "header",
           "footer", "blockquote", "pre", "ul", "ol", "table", "form", "main", "nav"}
_SKIP = {"script", "style", "head", "noscript", "template"}


class _Text(HTMLParser):
    """HTML -> [kind, text, href] blocks: headings, paragraphs and links, in reading order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[list[str]] = []
        self.title = ""
        self._buf: list[str] = []
        self._kind = "p"
        self._skip = 0
        self._in_title = False
        self._href: str | None = None
        self._link: list[str] = []

    def _flush(self) -> None:
        text = " ".join("".join(self._buf).split())
        if text:
            self.blocks.append([self._kind, text, ""])
        self._buf.clear()
        self._kind = "p"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP and tag != "head":
            self._skip += 1
        elif tag == "title":
            self._in_title = True
        elif tag == "a":
            self._flush()
            self._href = dict(attrs).get("href") or ""
            self._link = []
        elif tag in _BLOCKS:
            self._flush()
            if tag[0] == "h" and tag[1:].isdigit():
                self._kind = "h"
            elif tag == "li":
                self._buf.append("• ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP and tag != "head":
            self._skip = max(0, self._skip - 1)
        elif tag == "title":
            self._in_title = False
        elif tag == "a" and self._href is not None:
            text = " ".join("".join(self._link).split()) or self._href
            self.blocks.append(["a", text, self._href])
            self._href = None
        elif tag in _BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._in_title:
            self.title += data
        elif self._href is not None:
            self._link.append(data)
        else:
            self._buf.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def parse_html(html: str) -> tuple[str, list[list[str]]]:
    """(title, blocks) of a page."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    return " ".join(parser.title.split()), parser.blocks


def _error(code: str) -> dict[str, Any]:
    return {"status": "error", "error": code, "title": "This site can’t be reached", "blocks": []}


def fetch(phone: VirtualPhone, url: str) -> dict[str, Any]:
    """Load ``url`` as the phone can: files, data: URLs, and localhost through reverse tunnels."""
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    if url in ("about:blank", ""):
        return {"status": "done", "title": "", "blocks": []}
    if scheme == "file":
        try:
            html = phone.fs.read(urllib.parse.unquote(parts.path)).decode("utf-8", "replace")
        except FsError:
            return _error("ERR_FILE_NOT_FOUND")
    elif scheme == "data":
        _meta, _, payload = url[5:].partition(",")
        html = urllib.parse.unquote(payload)
    elif scheme in ("http", "https"):
        g = phone.settings["global"]
        host = (parts.hostname or "").lower()
        if not host:
            return _error("ERR_INVALID_URL")
        if host not in ("localhost", "127.0.0.1"):
            offline = g.get("airplane_mode_on") == "1" or (g.get("wifi_on") != "1" and g.get("mobile_data") != "1")
            return _error("ERR_INTERNET_DISCONNECTED" if offline else "ERR_NAME_NOT_RESOLVED")
        stream = phone.reverses.connect(parts.port or (443 if scheme == "https" else 80))
        if stream is None:
            return _error("ERR_CONNECTION_REFUSED")
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        from .._adbd import StreamClosed

        body = b""
        try:
            stream.write(f"GET {path} HTTP/1.0\r\nHost: {parts.netloc}\r\nUser-Agent: Mozilla/5.0 (Linux; Android 14) "
                         "ScreenPilotBrowser/1.0\r\nConnection: close\r\n\r\n".encode())
            while (chunk := stream.read(timeout=10)) is not None:
                body += chunk
        except StreamClosed:
            pass
        finally:
            stream.close()
        head, _, content = body.partition(b"\r\n\r\n")
        if not head.startswith(b"HTTP/"):
            return _error("ERR_EMPTY_RESPONSE")
        html = content.decode("utf-8", "replace")
    else:
        return _error("ERR_UNKNOWN_URL_SCHEME")
    title, blocks = parse_html(html)
    return {"status": "done", "title": title, "blocks": blocks}


class BrowserApp(App):
    """AOSP's WebView browser (what emulator images ship), with a text-and-links engine."""

    package = "org.chromium.webview_shell"
    label = "WebView Browser"
    icon = "search"
    color = (52, 168, 83)
    activities: ClassVar[dict[str, str]] = {".WebViewBrowserActivity": "page"}
    views: ClassVar[dict[str, str]] = {"http://": "page", "https://": "page", "file://": "page", "about:": "page",
                                       "data:text/html": "page"}
    runtime_permissions = ("android.permission.POST_NOTIFICATIONS",)

    def new_page(self, name: str, **extra: Any) -> Page:
        return {"name": name, "scroll": 0, "dialog": None, "url": extra.get("url", "about:blank"),
                "history": [], "status": "new", "title": "", "blocks": [], "error": "", "typed": None}

    # -- loading ---------------------------------------------------------------------------------------------
    def opened(self, phone: VirtualPhone, task: Task) -> None:
        if task.top.get("status") == "new":
            self.load(phone, task.top, str(task.top.get("url", "about:blank")))

    def new_intent(self, phone: VirtualPhone, task: Task, extras: dict[str, Any]) -> None:
        url = extras.get("url")
        if isinstance(url, str) and url != task.top.get("url"):
            self.navigate(phone, task.top, url)

    def navigate(self, phone: VirtualPhone, page: Page, url: str) -> None:
        with phone.transaction():
            page["history"] = [*page.get("history", []), page["url"]]
            page["scroll"] = 0
            self.load(phone, page, url)

    def load(self, phone: VirtualPhone, page: Page, url: str) -> None:
        """Start loading ``url`` into ``page``: files at once, network pages on a thread."""
        with phone.transaction():
            page.update(url=url, status="loading", title="", blocks=[], error="", typed=None)
        if not url.startswith(("http://", "https://")):
            self._show(phone, page, url, fetch(phone, url))
            return

        def run() -> None:
            self._show(phone, page, url, fetch(phone, url))

        threading.Thread(target=run, daemon=True, name="browser-load").start()

    @staticmethod
    def _show(phone: VirtualPhone, page: Page, url: str, result: dict[str, Any]) -> None:
        with phone.transaction():
            if page.get("url") == url:  # not navigated elsewhere meanwhile
                page.update(result)
                page["status"] = result.get("status", "done")

    def back(self, phone: VirtualPhone, task: Task) -> bool:
        page = task.top
        if page.get("typed") is not None:
            page["typed"] = None
            phone.clear_focus()
            return True
        if page.get("history"):
            previous = page["history"].pop()
            self.load(phone, page, previous)
            return True
        return super().back(phone, task)

    # -- the screen ------------------------------------------------------------------------------------------
    def build(self, ui: Ui, phone: VirtualPhone, task: Task) -> View:
        page = task.top
        t = ui.theme
        bar_h = ui.dp(64)
        bar = View(cls="android.widget.FrameLayout", box=(0, ui.top, ui.width, ui.top + bar_h),
                   rid=f"{self.package}:id/toolbar", package=self.package, paint=Paint(kind="box", fill=t.surface))

        def typed(value: str) -> None:
            page["typed"] = value.replace("\n", "")

        def go() -> None:
            target = (page.get("typed") or "").strip()
            if target:
                if "://" not in target and not target.startswith(("about:", "data:")):
                    target = "http://" + target
                phone.clear_focus()
                self.navigate(phone, page, target)

        shown = page["typed"] if page.get("typed") is not None else page["url"]
        bar.add(ui.edit((ui.dp(12), ui.top + ui.dp(8), ui.width - ui.dp(12), ui.top + bar_h - ui.dp(8)),
                        FieldBinding(key=f"browser:{task.id}:url", value=shown, on_change=typed, on_submit=go,
                                     select_on_focus=True),
                        hint="Search or type URL", rid="url_bar", size=15, outlined=False))
        top = ui.top + bar_h
        rows: list[View] = []
        y = ui.dp(12)
        width = ui.width - ui.dp(32)
        status = page.get("status")
        if status == "loading":
            rows.append(ui.text((ui.dp(16), y, ui.width - ui.dp(16), y + ui.dp(40)), "Loading…", size=16,
                                color=t.on_surface_variant, rid="progress"))
        elif status == "error":
            rows.append(ui.text((ui.dp(16), y, ui.width - ui.dp(16), y + ui.dp(48)), page.get("title", ""), size=22,
                                bold=True, rid="error_title"))
            y += ui.dp(56)
            rows.append(ui.text((ui.dp(16), y, ui.width - ui.dp(16), y + ui.dp(32)), page.get("error", ""), size=14,
                                color=t.on_surface_variant, rid="error_code"))
        for kind, text, href in page.get("blocks", []):
            size = 22 if kind == "h" else 16
            lines = wrap_text(text, ui.sp(size), width, kind == "h")
            h = max(ui.dp(28), int(len(lines) * ui.sp(size) * 1.45)) + ui.dp(8)
            if kind == "a":
                target = urllib.parse.urljoin(page["url"], href)
                v = ui.text((ui.dp(16), y, ui.width - ui.dp(16), y + h), text, size=size, color=t.primary,
                            lines=len(lines), rid="link")
                v.clickable = v.focusable = True
                v.on_tap = lambda target=target: self.navigate(phone, page, target)
            else:
                v = ui.text((ui.dp(16), y, ui.width - ui.dp(16), y + h), text, size=size, bold=kind == "h",
                            lines=len(lines), rid="heading" if kind == "h" else "text")
            rows.append(v)
            y += h + ui.dp(4)
        lst = self.scroll_list(ui, phone, page, rows, top)
        return self.window(ui, lst, bar)

    def activity_of(self, page: Page) -> str:
        return self.full_class(".WebViewBrowserActivity")
