"""The desktop scenarios' program: small GTK 3 windows ("scenes") that a person (or an agent) uses and
that AT-SPI exposes, like any GTK application, to the accessibility tree.

Run as ``python -m screenpilot.scenarios._gtkapp --scene form --geometry +0+0 [--options JSON]``. The
window is real (GTK 3 on the X display in DISPLAY, registered with the accessibility bus of the D-Bus
session in DBUS_SESSION_BUS_ADDRESS). Scenarios read what the app shows through the accessibility
tree and what it saves through files; the program also answers one JSON object a line:

    {"event": "ready", "window": ID}                              once, after its window is mapped
    {"cmd": "state", "id": N} -> {"event": "state", "id": N, "state": {...}}   (the scene's own record)
    {"cmd": "quit"} or end of input: the program exits

Before answering, pending events are handled, so an answer includes every input already sent. Scenes
are in ``_gtkscenes``; PyGObject (the ``test`` extra, or ``pip install 'PyGObject<3.51'``) and
Debian's gir1.2-gtk-3.0 are needed only when the program runs.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["Kit", "Scene", "emit", "main"]

CSS = b"""
* { font-family: "DejaVu Sans"; font-size: 13px; }
.heading { font-size: 18px; font-weight: bold; }
.display { font-family: "DejaVu Sans Mono"; font-size: 26px; background: white; padding: 6px; }
"""


def emit(**record: Any) -> None:
    sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    sys.stdout.flush()


class Kit:
    """Gtk plus the few builders every scene uses, each widget given the accessible name a person would
    call it (AT-SPI reads it; selectors and the validator match it)."""

    def __init__(self, gtk: Any, glib: Any) -> None:
        self.Gtk = gtk
        self.GLib = glib

    def named(self, widget: Any, name: str) -> Any:
        widget.get_accessible().set_name(name)
        return widget

    def heading(self, text: str) -> Any:
        label = self.Gtk.Label(label=text, xalign=0)
        label.get_style_context().add_class("heading")
        return label

    def label(self, text: str, **kw: Any) -> Any:
        return self.Gtk.Label(label=text, xalign=0, **kw)

    def button(self, text: str, on_click: Callable[[], None]) -> Any:
        button = self.Gtk.Button(label=text)
        button.connect("clicked", lambda _b: on_click())
        return button

    def form(self, fields: list[tuple[str, dict[str, Any]]]) -> tuple[Any, dict[str, Any]]:
        """A grid of labelled entries: (label, Gtk.Entry options) -> the grid and the entries by label."""
        grid = self.Gtk.Grid(column_spacing=10, row_spacing=8)
        entries: dict[str, Any] = {}
        for row, (text, options) in enumerate(fields):
            caption = self.label(text)
            entry = self.named(self.Gtk.Entry(hexpand=True, width_chars=28, **options), text)
            caption.set_mnemonic_widget(entry)
            grid.attach(caption, 0, row, 1, 1)
            grid.attach(entry, 1, row, 1, 1)
            entries[text] = entry
        return grid, entries

    def scrolled(self, child: Any, height: int, name: str = "") -> Any:
        pane = self.Gtk.ScrolledWindow(min_content_height=height, max_content_height=height,
                                       hscrollbar_policy=self.Gtk.PolicyType.NEVER)
        pane.add(child)
        if name:
            self.named(child, name)
        return pane

    def box(self, *children: Any, vertical: bool = True, spacing: int = 8, margin: int = 0) -> Any:
        orientation = self.Gtk.Orientation.VERTICAL if vertical else self.Gtk.Orientation.HORIZONTAL
        box = self.Gtk.Box(orientation=orientation, spacing=spacing, margin=margin)
        for child in children:
            box.pack_start(child, False, False, 0)
        return box


class Scene:
    """One window's content: builds itself into ``window``, says its state, saves what the app saves."""

    title = ""

    def __init__(self, kit: Kit, window: Any, options: dict[str, Any]) -> None:
        self.kit = kit
        self.Gtk = kit.Gtk
        self.window = window
        self.options = options
        self.body = kit.box(margin=16)
        window.add(self.body)
        self.build()

    def build(self) -> None:
        raise NotImplementedError

    def state(self) -> dict[str, Any]:
        return {}

    def add(self, *widgets: Any) -> None:
        for widget in widgets:
            self.body.pack_start(widget, False, False, 0)

    def save(self, key: str, text: str) -> None:
        """Write ``text`` to the file the scenario named in ``options[key]`` (how the app keeps its data)."""
        path = self.options.get(key)
        if path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            Path(path).write_text(text, encoding="utf-8")

    @staticmethod
    def record(value: Any) -> str:
        """A saved record: JSON, keys sorted, non-ASCII as is, one line (what file checks compare)."""
        return json.dumps(value, ensure_ascii=False, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> None:
    import gi

    gi.require_version("Gtk", "3.0")
    gi.require_version("Gdk", "3.0")
    from gi.repository import Gdk, GLib, Gtk

    from ._gtkscenes import SCENES

    parser = argparse.ArgumentParser(prog="python -m screenpilot.scenarios._gtkapp")
    parser.add_argument("--scene", required=True, choices=sorted(SCENES))
    parser.add_argument("--title", default="")
    parser.add_argument("--geometry", default="+0+0")
    parser.add_argument("--options", default="{}", help="a JSON object of scene options")
    args = parser.parse_args(argv)
    css = Gtk.CssProvider()
    css.load_from_data(CSS)
    Gtk.StyleContext.add_provider_for_screen(Gdk.Screen.get_default(), css, Gtk.STYLE_PROVIDER_PRIORITY_APPLICATION)
    x, y = (int(v) for v in args.geometry.lstrip("+").split("+"))
    scale = Gdk.Display.get_default().get_monitor(0).get_scale_factor()  # GDK_SCALE: positions are logical
    window = Gtk.Window(title=args.title or f"ScreenPilot {args.scene}")
    options = {"origin": (x // scale, y // scale), "scale": scale, **json.loads(args.options)}
    scene = SCENES[args.scene](Kit(Gtk, GLib), window, options)

    def answer(line: str) -> None:
        try:
            request = json.loads(line)
        except ValueError:
            emit(event="error", message=f"not JSON: {line[:80]!r}")
            return
        cmd, rid = request.get("cmd"), request.get("id")
        Gdk.Display.get_default().sync()  # a round trip: every input the server already took is queued here
        while Gtk.events_pending():  # and reaches the widgets before the answer
            Gtk.main_iteration_do(False)
        if cmd == "state":
            emit(event="state", id=rid, state=scene.state())
        elif cmd == "quit":
            Gtk.main_quit()
        else:
            emit(event="error", id=rid, message=f"unknown command {cmd!r}")

    def on_stdin(source: Any, _condition: Any) -> bool:
        line = source.readline()
        if not line:
            Gtk.main_quit()
            return False
        answer(line)
        return True

    reported = False

    def mapped(*_: Any) -> bool:
        nonlocal reported
        if not reported:
            reported = True
            GLib.idle_add(lambda: emit(event="ready", window=window.get_window().get_xid(), title=window.get_title()))
        return False

    GLib.io_add_watch(sys.stdin, GLib.PRIORITY_DEFAULT, GLib.IO_IN | GLib.IO_HUP, on_stdin)
    window.connect("destroy", lambda *_: Gtk.main_quit())
    window.connect("map-event", mapped)
    window.move(x // scale, y // scale)
    window.show_all()
    Gtk.main()


if __name__ == "__main__":
    main()
