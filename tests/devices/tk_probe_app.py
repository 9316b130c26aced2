"""A small real Tk application that reports what reaches it, for the desktop driver's tests.

Run as ``python tk_probe_app.py --title T --geometry +X+Y [--decoy-geometry +X+Y]``. It prints one JSON
object per line on stdout (flushed): ``ready`` with every widget's root-window rectangle, then one line
per event that reached a widget (button presses with button and position, double/triple clicks, drag
motion, pointer moves, wheel turns with the resulting scroll offsets, key presses with their
modifiers, every change of an entry's text, the end of an animation). It reads JSON commands on stdin:
``{"cmd": "state"}`` answers with a ``state`` line. No window manager is needed: windows sit exactly
where ``--geometry`` puts them.

Only the Basic Multilingual Plane is used: Tk 8.6 entries break on characters beyond it (emoji).
"""

from __future__ import annotations

import argparse
import json
import sys
import tkinter as tk

MODIFIERS = {0x1: "Shift", 0x4: "Control", 0x8: "Alt", 0x40: "Super"}
SCROLL_UNIT_X = 7
SCROLL_UNIT_Y = 5


def emit(**record: object) -> None:
    sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    sys.stdout.flush()


class Probe:
    def __init__(self, root: tk.Tk, title: str, decoy_geometry: str | None) -> None:
        self.root = root
        root.title(title)
        root.configure(background="#dddddd")
        self.pad = tk.Canvas(root, width=320, height=200, background="white", highlightthickness=0, name="pad")
        self.pad.pack(padx=0, pady=0)
        self.text = tk.StringVar(root, name="entry_text")
        self.entry = tk.Entry(root, textvariable=self.text, width=40, name="entry", font=("DejaVu Sans", 12))
        self.entry.pack(pady=4)
        self.scroller = tk.Canvas(
            root, width=200, height=150, background="#eeeeff", highlightthickness=0, name="scroller",
            scrollregion=(0, 0, 4000, 4000), xscrollincrement=SCROLL_UNIT_X, yscrollincrement=SCROLL_UNIT_Y,
        )
        self.scroller.pack(pady=4)
        for i in range(0, 4000, 100):
            self.scroller.create_text(i + 5, i + 5, text=str(i), anchor="nw")
        self.light = tk.Label(root, text="idle", width=12, background="grey", name="light")
        self.light.pack(pady=4)
        self.button = tk.Button(root, text="animate", command=self.animate, name="animate")
        self.button.pack(pady=4)

        self.text.trace_add("write", lambda *_: emit(event="entry", name="main", text=self.text.get()))
        for sequence in ("<ButtonPress>", "<ButtonRelease>"):
            self.pad.bind(sequence, self.on_button)
        for n in (1, 2, 3):
            self.pad.bind(f"<Double-ButtonPress-{n}>", lambda e, n=n: self.on_multi(e, n, "double"))
            self.pad.bind(f"<Triple-ButtonPress-{n}>", lambda e, n=n: self.on_multi(e, n, "triple"))
        self.pad.bind("<B1-Motion>", lambda e: emit(event="drag_motion", x=e.x, y=e.y, time=e.time))
        self.pad.bind("<Motion>", lambda e: emit(event="hover", widget="pad", x=e.x, y=e.y))
        self.scroller.bind("<ButtonPress>", self.on_wheel)
        self.scroller.bind("<Shift-ButtonPress>", self.on_wheel)

        self.decoy_text = tk.StringVar(root, name="decoy_text")
        self.decoy: tk.Toplevel | None = None
        if decoy_geometry:
            self.decoy = tk.Toplevel(root, name="decoy")
            self.decoy.title(f"{title}-decoy")
            self.decoy.geometry(decoy_geometry)
            entry = tk.Entry(self.decoy, textvariable=self.decoy_text, width=30, name="entry")
            entry.pack(padx=10, pady=10)
            self.decoy_entry = entry
            self.decoy_text.trace_add("write", lambda *_: emit(event="entry", name="decoy", text=self.decoy_text.get()))

        # Keys are logged through a bind tag of our own, first on every widget: a <KeyPress> on
        # "all" would lose to Tk's more specific built-ins (<Tab> traversal, <Alt-Key> menus).
        root.bind_class("probe", "<KeyPress>", self.on_key)
        pending = [root]
        while pending:
            widget = pending.pop()
            widget.bindtags(("probe", *widget.bindtags()))
            pending.extend(widget.winfo_children())
        root.tk.createfilehandler(sys.stdin, tk.READABLE, self.on_command)

    # -- events ------------------------------------------------------------------------------

    def on_button(self, e: tk.Event) -> None:
        kind = "press" if e.type == tk.EventType.ButtonPress else "release"
        emit(event=kind, widget="pad", button=e.num, x=e.x, y=e.y, x_root=e.x_root, y_root=e.y_root, time=e.time)

    def on_multi(self, e: tk.Event, button: int, kind: str) -> None:
        emit(event=kind, widget="pad", button=button, x=e.x, y=e.y, x_root=e.x_root, y_root=e.y_root, time=e.time)

    def on_wheel(self, e: tk.Event) -> None:
        shift = bool(e.state & 0x1)
        if e.num in (4, 5):
            view = self.scroller.xview_scroll if shift else self.scroller.yview_scroll
            view(-1 if e.num == 4 else 1, "units")
        elif e.num in (6, 7):
            self.scroller.xview_scroll(-1 if e.num == 6 else 1, "units")
        else:
            return
        emit(
            event="scroll", button=e.num, shift=shift,
            left=int(self.scroller.canvasx(0)), top=int(self.scroller.canvasy(0)),
        )

    def on_key(self, e: tk.Event) -> None:
        mods = [name for bit, name in MODIFIERS.items() if e.state & bit]
        focus = self.root.focus_get()
        emit(event="key", keysym=e.keysym, char=e.char, modifiers=mods, widget=str(focus) if focus else None)

    def animate(self, step: int = 0) -> None:
        colours = ["#ff0000", "#00ff00", "#0000ff", "#ffff00", "#00ffff", "#ff00ff", "#880000", "#008800"]
        if step < len(colours):
            self.light.configure(background=colours[step], text=f"step {step}")
            self.root.after(60, self.animate, step + 1)
        else:
            self.light.configure(background="black", text="done")
            self.root.update_idletasks()
            emit(event="animation_done")

    def on_command(self, *_: object) -> None:
        line = sys.stdin.readline()
        if not line:
            self.root.tk.deletefilehandler(sys.stdin)
            self.root.destroy()
            return
        cmd = json.loads(line).get("cmd")
        if cmd == "state":
            # Handle every X event already sent to us first: the driver's input reached the server
            # before the test asked, so the answer must include its effects.
            self.root.update()
            focus = self.root.focus_get()
            emit(
                event="state", entry=self.text.get(), decoy=self.decoy_text.get(),
                left=int(self.scroller.canvasx(0)), top=int(self.scroller.canvasy(0)),
                focus=str(focus) if focus else None,
            )
        elif cmd == "quit":
            self.root.destroy()

    # -- the ready report --------------------------------------------------------------------

    def report_ready(self) -> None:
        widgets = {
            "pad": self.pad, "entry": self.entry, "scroller": self.scroller, "animate": self.button, "light": self.light,
        }
        if self.decoy is not None:
            widgets["decoy_entry"] = self.decoy_entry
        rects = {
            name: [w.winfo_rootx(), w.winfo_rooty(), w.winfo_width(), w.winfo_height()] for name, w in widgets.items()
        }
        emit(event="ready", window=self.root.winfo_id(), widgets=rects)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--title", required=True)
    parser.add_argument("--geometry", default="+0+0")
    parser.add_argument("--decoy-geometry")
    args = parser.parse_args()
    root = tk.Tk()
    root.geometry(args.geometry)
    probe = Probe(root, args.title, args.decoy_geometry)
    pending = {w for w in (root, probe.decoy) if w is not None}

    def mapped(event: tk.Event) -> None:
        if event.widget in pending:
            pending.discard(event.widget)
            if not pending:
                root.after_idle(probe.report_ready)

    for window in list(pending):
        window.bind("<Map>", mapped, add="+")
    root.mainloop()


if __name__ == "__main__":
    main()
