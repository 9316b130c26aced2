"""A small real GTK 3 application for the desktop driver's accessibility tests.

It shows a form (a labelled entry with a tooltip, a labelled password entry, Delete and Save buttons, a
check box),
a 40-row list in a short scrolled window, and a File menu. It reports, as JSON lines on stdout:
``ready`` (with its X window id) once mapped, then every button click, toggle and entry change;
on stdin it takes ``{"cmd": "state"}`` (answered after every pending event is handled),
``{"cmd": "dialog"}`` (opens a "Confirm" dialog window with Cancel and Send) and end of input (quits).

    python gtk_probe_app.py --title T --geometry +40+40
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def emit(**record: Any) -> None:
    sys.stdout.write(json.dumps(record) + "\n")
    sys.stdout.flush()


def main() -> None:
    import gi

    gi.require_version("Gtk", "3.0")
    gi.require_version("Gdk", "3.0")
    from gi.repository import Gdk, GLib, Gtk

    parser = argparse.ArgumentParser()
    parser.add_argument("--title", required=True)
    parser.add_argument("--geometry", default="+40+40")
    args = parser.parse_args()
    x, y = (int(v) for v in args.geometry.lstrip("+").split("+"))

    window = Gtk.Window(title=args.title)
    window.set_default_size(420, 0)
    box = Gtk.Box(orientation=Gtk.Orientation.VERTICAL, spacing=6)
    window.add(box)
    menubar = Gtk.MenuBar()
    file_item = Gtk.MenuItem(label="File")
    menu = Gtk.Menu()
    for label in ("New", "Open", "Quit"):
        item = Gtk.MenuItem(label=label)
        item.connect("activate", lambda _w, text=label: emit(event="menu", item=text))
        menu.append(item)
    file_item.set_submenu(menu)
    menubar.append(file_item)
    box.pack_start(menubar, False, False, 0)
    box.pack_start(Gtk.Label(label="Accessibility probe"), False, False, 4)

    grid = Gtk.Grid(column_spacing=8, row_spacing=6, margin=8)
    entries: dict[str, Any] = {}
    for row, (label, secret) in enumerate((("Name", False), ("Password", True))):
        caption = Gtk.Label(label=label, xalign=0)
        entry = Gtk.Entry(hexpand=True, visibility=not secret)
        caption.set_mnemonic_widget(entry)  # the entry's accessible name comes from its label
        entry.connect("changed", lambda e, name=label: emit(event="entry", name=name, text=e.get_text()))
        if not secret:
            entry.set_tooltip_text("Your name as on your passport")  # shows below the pointer, over Password
        grid.attach(caption, 0, row, 1, 1)
        grid.attach(entry, 1, row, 1, 1)
        entries[label] = entry
    box.pack_start(grid, False, False, 0)

    buttons = Gtk.Box(spacing=8, margin=8)
    for label in ("Delete", "Save"):
        button = Gtk.Button(label=label)
        button.connect("clicked", lambda _b, text=label: emit(event="clicked", name=text))
        buttons.pack_start(button, False, False, 0)
    check = Gtk.CheckButton(label="Remember me")
    check.connect("toggled", lambda c: emit(event="toggled", name="Remember me", active=c.get_active()))
    buttons.pack_start(check, False, False, 0)
    box.pack_start(buttons, False, False, 0)

    rows = Gtk.ListBox()
    for k in range(40):
        rows.add(Gtk.Label(label=f"Row {k}", xalign=0, margin=4))
    scrolled = Gtk.ScrolledWindow(min_content_height=150, max_content_height=150, propagate_natural_height=True)
    scrolled.add(rows)
    box.pack_start(scrolled, False, False, 0)

    dialog: dict[str, Any] = {}

    def open_dialog() -> None:
        if dialog:
            return
        d = Gtk.Window(title="Confirm", transient_for=window)
        inner = Gtk.Box(orientation=Gtk.Orientation.VERTICAL, spacing=8, margin=12)
        inner.pack_start(Gtk.Label(label="Send the form?"), False, False, 0)
        row = Gtk.Box(spacing=8)
        for label in ("Cancel", "Send"):
            b = Gtk.Button(label=label)
            b.connect("clicked", lambda _b, text=label: emit(event="clicked", name=text))
            row.pack_start(b, True, True, 0)
        inner.pack_start(row, False, False, 0)
        d.add(inner)
        d.set_default_size(260, 200)
        wx, wy = window.get_position()
        d.move(wx + 60, wy + 60)
        d.connect("map-event", lambda *_: GLib.idle_add(lambda: emit(event="dialog", window=d.get_window().get_xid())))
        d.show_all()
        dialog["window"] = d

    def on_stdin(source: Any, _condition: Any) -> bool:
        line = source.readline()
        if not line:
            Gtk.main_quit()
            return False
        cmd = json.loads(line).get("cmd")
        Gdk.Display.get_default().sync()  # a round trip: every input the server already took is queued here
        while Gtk.events_pending():  # and handled before the answer
            Gtk.main_iteration_do(False)
        if cmd == "state":
            emit(event="state", entries={k: e.get_text() for k, e in entries.items()}, remember=check.get_active(),
                 position=list(window.get_position()), size=list(window.get_size()))
        elif cmd == "dialog":
            open_dialog()
        return True

    GLib.io_add_watch(sys.stdin, GLib.PRIORITY_DEFAULT, GLib.IO_IN | GLib.IO_HUP, on_stdin)
    window.connect("destroy", lambda *_: Gtk.main_quit())
    window.move(x, y)
    window.connect("map-event", lambda *_: GLib.idle_add(lambda: emit(event="ready", window=window.get_window().get_xid())))
    window.show_all()
    Gtk.main()


if __name__ == "__main__":
    main()
