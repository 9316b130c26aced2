"""The desktop scenarios' program: small Tk windows ("scenes") that report their state and widgets.

Run as ``python -m screenpilot.scenarios._tkapp --scene form --geometry +0+0 [--options JSON]``. The
window is real (Tk on the X display in DISPLAY), so the agent sees pixels and acts with real input;
what the scenario checks comes from the program itself, over its stdin/stdout, one JSON object a line:

    {"event": "ready", "window": ID}                                       once, after the window is mapped
    {"cmd": "state", "id": N}   -> {"event": "state", "id": N, "state": {...}}
    {"cmd": "widgets", "id": N} -> {"event": "widgets", "id": N, "widgets": [...]}   (root coordinates)
    {"cmd": "quit"} or end of input: the program exits

Before answering, pending X events are handled, so an answer includes every input already sent.
Scenes: form, todo, cities, editor, prefs, calc. Text stays in the Basic Multilingual Plane (Tk 8.6
entries break on emoji). tkinter is imported only when the program runs.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

__all__ = ["CITIES", "SCENES", "main"]

SCENES = ("form", "todo", "cities", "editor", "prefs", "calc")
CITIES = sorted([
    "Aarhus", "Accra", "Adelaide", "Algiers", "Amman", "Amsterdam", "Ankara", "Antwerp", "Asunción", "Athens",
    "Atlanta", "Auckland", "Baghdad", "Baku", "Bangkok", "Barcelona", "Basel", "Beirut", "Belgrade", "Bergen",
    "Berlin", "Bern", "Bilbao", "Bogotá", "Bologna", "Bordeaux", "Boston", "Bratislava", "Bremen", "Brisbane",
    "Brno", "Bruges", "Brussels", "Bucharest", "Budapest", "Buenos Aires", "Cairo", "Calgary", "Cape Town",
    "Caracas", "Cardiff", "Casablanca", "Chicago", "Cologne", "Copenhagen", "Córdoba", "Cork", "Dakar", "Dallas",
    "Delhi", "Denver", "Doha", "Dresden", "Dublin", "Dubrovnik", "Durban", "Edinburgh", "Florence", "Frankfurt",
    "Gdańsk", "Geneva", "Genoa", "Ghent", "Glasgow", "Gothenburg", "Graz", "Hamburg", "Hanoi", "Havana",
    "Helsinki", "Hobart", "Houston", "Innsbruck", "Istanbul", "Jakarta", "Kraków", "Kyiv", "Kyoto", "Lagos",
    "Lausanne", "Leipzig", "Lima", "Lisbon", "Ljubljana", "London", "Luxembourg", "Lyon", "Madrid", "Málaga",
    "Malmö", "Manila", "Marseille", "Medellín", "Melbourne", "Mexico City", "Milan", "Montréal", "Mumbai",
    "Munich", "Nairobi", "Nantes", "Naples", "Nice", "Nuremberg", "Osaka", "Oslo", "Ottawa", "Oulu", "Palermo",
    "Paris", "Perth", "Porto", "Prague", "Quito", "Reykjavík", "Riga", "Rome", "Rotterdam", "Salzburg",
    "San Sebastián", "Santiago", "São Paulo", "Sapporo", "Seattle", "Seoul", "Seville", "Sofia", "Split",
    "Stockholm", "Strasbourg", "Stuttgart", "Sydney", "Tallinn", "Tampere", "Tbilisi", "Tokyo", "Toronto",
    "Toulouse", "Trieste", "Tromsø", "Turin", "Turku", "Utrecht", "Valencia", "Vancouver", "Venice", "Vienna",
    "Vilnius", "Warsaw", "Wellington", "Wrocław", "Yerevan", "Zagreb", "Zaragoza", "Zürich",
])

_FONT = ("DejaVu Sans", 13)
_BIG = ("DejaVu Sans", 18, "bold")


def emit(**record: Any) -> None:
    sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    sys.stdout.flush()


class Scene:
    """One window: builds its widgets, names them for the report, and says what its state is."""

    def __init__(self, tk: Any, root: Any, options: dict[str, Any]) -> None:
        self.tk = tk
        self.root = root
        self.options = options
        self.names: dict[Any, str] = {}  # widget -> accessible name (what a label next to it says)
        self.extra: dict[Any, Any] = {}  # widget -> function giving extra report fields
        self.build()

    def build(self) -> None:
        raise NotImplementedError

    def state(self) -> dict[str, Any]:
        raise NotImplementedError

    # -- helpers ----------------------------------------------------------------------------------
    def title(self, parent: Any, text: str) -> None:
        self.tk.Label(parent, text=text, font=_BIG, anchor="w", name="heading").pack(fill="x", padx=16, pady=(14, 6))

    def field(self, parent: Any, label: str, name: str, width: int = 32) -> Any:
        row = self.tk.Frame(parent)
        row.pack(fill="x", padx=16, pady=4)
        self.tk.Label(row, text=label, font=_FONT, width=12, anchor="w", name=f"{name}_label").pack(side="left")
        entry = self.tk.Entry(row, font=_FONT, width=width, name=name)
        entry.pack(side="left", fill="x", expand=True)
        self.names[entry] = label
        return entry

    def button(self, parent: Any, text: str, name: str, command: Any, **pack: Any) -> Any:
        b = self.tk.Button(parent, text=text, font=_FONT, name=name, command=command)
        b.pack(**({"padx": 16, "pady": 6, "anchor": "w"} | pack))
        return b


class FormScene(Scene):
    """A sign-up form: three fields, a checkbox, Submit (which validates) and Clear."""

    def build(self) -> None:
        tk = self.tk
        self.title(self.root, self.options.get("heading", "Sign up"))
        self.name = self.field(self.root, "Full name", "name")
        self.email = self.field(self.root, "Email", "email")
        self.city = self.field(self.root, "City", "city")
        self.subscribe = tk.IntVar(self.root, value=0)
        tk.Checkbutton(self.root, text="Subscribe to the newsletter", variable=self.subscribe, font=_FONT,
                       name="subscribe").pack(anchor="w", padx=16, pady=6)
        bar = tk.Frame(self.root)
        bar.pack(fill="x")
        self.button(bar, "Submit", "submit", self.submit, side="left")
        self.button(bar, "Clear", "clear", self.clear, side="left")
        self.status = tk.Label(self.root, text="", font=_FONT, anchor="w", name="status")
        self.status.pack(fill="x", padx=16, pady=6)
        self.submitted: dict[str, Any] | None = None

    def submit(self) -> None:
        name, email = self.name.get().strip(), self.email.get().strip()
        if not name or "@" not in email:
            self.status.configure(text="Please enter your name and a valid email.")
            return
        self.submitted = {"name": name, "email": email, "city": self.city.get().strip(),
                          "subscribe": bool(self.subscribe.get())}
        self.status.configure(text=f"Thank you, {name}!")

    def clear(self) -> None:
        for entry in (self.name, self.email, self.city):
            entry.delete(0, "end")
        self.subscribe.set(0)
        self.status.configure(text="")

    def state(self) -> dict[str, Any]:
        return {"name": self.name.get(), "email": self.email.get(), "city": self.city.get(),
                "subscribe": bool(self.subscribe.get()), "submitted": self.submitted,
                "status": self.status.cget("text")}


class TodoScene(Scene):
    """A to-do list: add with the field (Enter or Add), delete the selected item behind a confirmation."""

    def build(self) -> None:
        tk = self.tk
        self.title(self.root, "To-do")
        self.entry = self.field(self.root, "New task", "new_task")
        self.entry.bind("<Return>", lambda _e: self.add())
        self.button(self.root, "Add", "add", self.add)
        self.list = tk.Listbox(self.root, font=_FONT, height=8, name="tasks", exportselection=False,
                               activestyle="none")
        self.list.pack(fill="x", padx=16, pady=6)
        self.names[self.list] = "Tasks"
        for item in self.options.get("items", []):
            self.list.insert("end", item)
        self.button(self.root, "Delete selected", "delete", self.ask_delete)
        self.dialog: Any = None

    def add(self) -> None:
        text = self.entry.get().strip()
        if text:
            self.list.insert("end", text)
            self.entry.delete(0, "end")

    def selected(self) -> str | None:
        sel = self.list.curselection()
        return self.list.get(sel[0]) if sel else None

    def ask_delete(self) -> None:
        item = self.selected()
        if item is None or self.dialog is not None:
            return
        tk = self.tk
        self.dialog = tk.Frame(self.root, borderwidth=2, relief="raised", background="#f4f4f4", name="confirm")
        tk.Label(self.dialog, text=f"Delete “{item}”?", font=_BIG, background="#f4f4f4",
                 name="question").pack(padx=20, pady=(16, 8))
        row = tk.Frame(self.dialog, background="#f4f4f4")
        row.pack(pady=(0, 14))
        tk.Button(row, text="Cancel", font=_FONT, name="cancel", command=self.close_dialog).pack(side="left", padx=8)
        tk.Button(row, text="Delete", font=_FONT, name="confirm_delete",
                  command=lambda: self.delete(item)).pack(side="left", padx=8)
        self.dialog.place(relx=0.5, rely=0.45, anchor="center")

    def close_dialog(self) -> None:
        if self.dialog is not None:
            self.dialog.destroy()
            self.dialog = None

    def delete(self, item: str) -> None:
        items = list(self.list.get(0, "end"))
        if item in items:
            self.list.delete(items.index(item))
        self.close_dialog()

    def state(self) -> dict[str, Any]:
        return {"items": list(self.list.get(0, "end")), "selected": self.selected(), "dialog": self.dialog is not None,
                "new_task": self.entry.get()}


class CitiesScene(Scene):
    """A long list in a short box: find a city (scrolling), select it, Choose (or double-click)."""

    def build(self) -> None:
        tk = self.tk
        self.title(self.root, "Choose your city")
        box = tk.Frame(self.root)
        box.pack(fill="x", padx=16, pady=6)
        self.list = tk.Listbox(box, font=("DejaVu Sans", 15), height=14, width=26, name="cities",
                               exportselection=False, activestyle="none")
        bar = tk.Scrollbar(box, orient="vertical", command=self.list.yview, name="scrollbar")
        self.list.configure(yscrollcommand=bar.set)
        self.list.pack(side="left", fill="x", expand=True)
        bar.pack(side="left", fill="y")
        self.names[self.list] = "Cities"
        # Rows are banded by initial letter, as grouped lists are: scrolling visibly changes the box
        # (a loop detector comparing thumbnails would take plain text moving in a small box for no change).
        bands = ["#e3f2fd", "#fff8e1", "#e8f5e9", "#fce4ec", "#ede7f6", "#e0f7fa"]
        for k, city in enumerate(self.options.get("cities", CITIES)):
            self.list.insert("end", city)
            self.list.itemconfigure(k, background=bands[(ord(city[0].upper()) - 65) % len(bands)])
        self.list.bind("<Double-Button-1>", lambda _e: self.choose())
        self.button(self.root, "Choose", "choose", self.choose)
        self.chosen: str | None = None
        self.label = tk.Label(self.root, text="Chosen: nothing yet", font=_FONT, anchor="w", name="chosen")
        self.label.pack(fill="x", padx=16, pady=6)

    def choose(self) -> None:
        sel = self.list.curselection()
        if sel:
            self.chosen = self.list.get(sel[0])
            self.label.configure(text=f"Chosen: {self.chosen}")

    def state(self) -> dict[str, Any]:
        sel = self.list.curselection()
        return {"chosen": self.chosen, "selected": self.list.get(sel[0]) if sel else None,
                "first_visible": self.list.nearest(0)}


class EditorScene(Scene):
    """A text editor saving to one file (the Save button or Ctrl+S)."""

    def build(self) -> None:
        tk = self.tk
        self.path = Path(self.options["path"])
        self.title(self.root, f"Editor — {self.path.name}")
        self.text = tk.Text(self.root, font=_FONT, height=10, width=48, name="document", undo=True)
        self.text.pack(fill="x", padx=16, pady=6)
        self.names[self.text] = "Document"
        if self.path.exists():
            self.text.insert("1.0", self.path.read_text(encoding="utf-8"))
        self.text.bind("<Control-s>", lambda _e: (self.save(), "break")[1])
        self.button(self.root, "Save", "save", self.save)
        self.status = tk.Label(self.root, text="", font=_FONT, anchor="w", name="status")
        self.status.pack(fill="x", padx=16, pady=6)
        self.saves = 0

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(self.text.get("1.0", "end-1c"), encoding="utf-8")
        self.saves += 1
        self.status.configure(text=f"Saved {self.path.name}")

    def state(self) -> dict[str, Any]:
        return {"text": self.text.get("1.0", "end-1c"), "saves": self.saves, "path": str(self.path),
                "status": self.status.cget("text")}


class PrefsScene(Scene):
    """Preferences: two checkboxes, a radio group, a slider, and Apply (nothing counts until then)."""

    def build(self) -> None:
        tk = self.tk
        self.title(self.root, "Preferences")
        self.hidden = tk.IntVar(self.root, value=int(self.options.get("hidden", 0)))
        self.autosave = tk.IntVar(self.root, value=int(self.options.get("autosave", 1)))
        tk.Checkbutton(self.root, text="Show hidden files", variable=self.hidden, font=_FONT,
                       name="hidden").pack(anchor="w", padx=16, pady=4)
        tk.Checkbutton(self.root, text="Autosave every 5 minutes", variable=self.autosave, font=_FONT,
                       name="autosave").pack(anchor="w", padx=16, pady=4)
        tk.Label(self.root, text="Theme", font=_FONT, anchor="w", name="theme_label").pack(fill="x", padx=16,
                                                                                         pady=(10, 0))
        self.theme = tk.StringVar(self.root, value=self.options.get("theme", "Light"))
        for value in ("Light", "Dark", "System"):
            tk.Radiobutton(self.root, text=value, value=value, variable=self.theme, font=_FONT,
                           name=f"theme_{value.lower()}").pack(anchor="w", padx=32)
        self.size = tk.Scale(self.root, from_=8, to=32, orient="horizontal", length=360, font=_FONT,
                             label="Font size", name="font_size", sliderlength=30)
        self.size.set(int(self.options.get("font_size", 12)))
        self.size.pack(anchor="w", padx=16, pady=8)
        self.names[self.size] = "Font size"
        self.extra[self.size] = self._scale_geometry
        self.button(self.root, "Apply", "apply", self.apply)
        self.status = tk.Label(self.root, text="", font=_FONT, anchor="w", name="status")
        self.status.pack(fill="x", padx=16, pady=4)
        self.applied: dict[str, Any] | None = None

    def _scale_geometry(self, w: Any) -> dict[str, Any]:
        lo, hi = float(w.cget("from")), float(w.cget("to"))
        x0, y0 = w.coords(lo)
        x1, _ = w.coords(hi)
        rx, ry = w.winfo_rootx(), w.winfo_rooty()
        return {"from": lo, "to": hi, "value": float(w.get()), "x_from": rx + x0, "x_to": rx + x1, "y": ry + y0}

    def apply(self) -> None:
        self.applied = self.current()
        self.status.configure(text="Applied")

    def current(self) -> dict[str, Any]:
        return {"hidden": bool(self.hidden.get()), "autosave": bool(self.autosave.get()), "theme": self.theme.get(),
                "font_size": int(self.size.get())}

    def state(self) -> dict[str, Any]:
        return {**self.current(), "applied": self.applied}


class CalcScene(Scene):
    """A four-function calculator: buttons, or keys typed while the window has focus."""

    def build(self) -> None:
        tk = self.tk
        self.display = tk.Label(self.root, text="0", font=("DejaVu Sans Mono", 26), anchor="e", width=14,
                                background="white", relief="sunken", name="display")
        self.display.pack(padx=16, pady=14)
        self.names[self.display] = "Display"
        grid = tk.Frame(self.root)
        grid.pack(padx=16, pady=6)
        rows = ["789/", "456*", "123-", "0C=+"]
        names = {"/": "divide", "*": "times", "-": "minus", "+": "plus", "=": "equals", "C": "clear"}
        for r, row in enumerate(rows):
            for c, key in enumerate(row):
                tk.Button(grid, text=key, font=_BIG, width=3, name=f"key_{names.get(key, key)}",
                          command=lambda k=key: self.press(k)).grid(row=r, column=c, padx=3, pady=3)
        self.root.bind("<Key>", self.on_key)
        self.entry = ""
        self.history: list[str] = []

    def on_key(self, event: Any) -> None:
        ch = event.char
        if ch in "0123456789+-*/=":
            self.press(ch)
        elif event.keysym in ("Return", "KP_Enter"):
            self.press("=")
        elif event.keysym in ("Escape", "c", "C"):
            self.press("C")

    def press(self, key: str) -> None:
        if key == "C":
            self.entry = ""
        elif key == "=":
            result = _evaluate(self.entry)
            self.history.append(f"{self.entry}={result}")
            self.entry = result if result != "Error" else ""
            self.display.configure(text=result)
            return
        else:
            self.entry += key
        self.display.configure(text=self.entry or "0")

    def state(self) -> dict[str, Any]:
        return {"display": self.display.cget("text"), "history": list(self.history)}


def _evaluate(expression: str) -> str:
    """Left-to-right integer arithmetic, as a pocket calculator does (no eval of arbitrary text)."""
    import re

    tokens = re.findall(r"\d+|[-+*/]", expression)
    if not tokens or not tokens[0].isdigit():
        return "Error"
    value = int(tokens[0])
    for op, num in zip(tokens[1::2], tokens[2::2], strict=False):
        if not num.isdigit():
            return "Error"
        n = int(num)
        if op == "+":
            value += n
        elif op == "-":
            value -= n
        elif op == "*":
            value *= n
        elif n == 0:
            return "Error"
        else:
            value //= n
    return str(value)


_CLASSES = {"form": FormScene, "todo": TodoScene, "cities": CitiesScene, "editor": EditorScene, "prefs": PrefsScene,
            "calc": CalcScene}
_CLICKABLE = {"Button", "Checkbutton", "Radiobutton", "Entry", "Listbox", "Text", "Scale"}
_REPORTED = _CLICKABLE | {"Label"}


def _report(scene: Scene) -> list[dict[str, Any]]:
    """Every viewable widget worth naming, with root-window rectangles (listbox rows as their own nodes)."""
    root = scene.root
    focus = root.focus_get()
    out: list[dict[str, Any]] = []
    pending = [root]
    depth = {root: 0}
    while pending:
        w = pending.pop(0)
        for child in w.winfo_children():
            depth[child] = depth[w] + 1
            pending.append(child)
        cls = w.winfo_class()
        if cls not in _REPORTED or not w.winfo_viewable():
            continue
        x, y, width, height = w.winfo_rootx(), w.winfo_rooty(), w.winfo_width(), w.winfo_height()
        node: dict[str, Any] = {
            "id": w.winfo_name(), "class": cls, "bounds": [x, y, x + width, y + height], "text": "",
            "desc": scene.names.get(w, ""), "clickable": cls in _CLICKABLE, "focusable": cls in _CLICKABLE,
            "focused": focus is w, "enabled": str(w.cget("state")) != "disabled" if "state" in w.keys() else True,  # noqa: SIM118
            "scrollable": cls in ("Listbox", "Text"), "depth": depth[w],
        }
        if cls in ("Button", "Label", "Checkbutton", "Radiobutton"):
            node["text"] = str(w.cget("text"))
        elif cls == "Entry":
            node["text"] = w.get()
        elif cls == "Text":
            node["text"] = w.get("1.0", "end-1c")
        elif cls == "Scale":
            node["text"] = str(w.get())
        if cls == "Checkbutton":
            node["checkable"] = True
            node["checked"] = bool(int(w.getvar(str(w.cget("variable")))))
        elif cls == "Radiobutton":
            node["checkable"] = True
            node["checked"] = str(w.getvar(str(w.cget("variable")))) == str(w.cget("value"))
        if w in scene.extra:
            node["extra"] = scene.extra[w](w)
        out.append(node)
        if cls == "Listbox":
            selected = set(w.curselection())
            inner_right = x + width - int(w.cget("borderwidth")) - int(w.cget("highlightthickness"))
            for i in range(w.size()):
                box = w.bbox(i)
                if not box:
                    continue
                bx, by, _bw, bh = box
                out.append({"id": f"{w.winfo_name()}_row", "class": "ListboxItem", "text": str(w.get(i)), "desc": "",
                            "bounds": [x + bx, y + by, inner_right, y + by + bh], "clickable": True,
                            "focusable": False, "focused": False, "enabled": True, "scrollable": False,
                            "selected": i in selected, "depth": depth[w] + 1, "extra": {"index": i}})
    return out


def main(argv: list[str] | None = None) -> None:
    import tkinter as tk

    parser = argparse.ArgumentParser(prog="python -m screenpilot.scenarios._tkapp")
    parser.add_argument("--scene", required=True, choices=SCENES)
    parser.add_argument("--title", default="")
    parser.add_argument("--geometry", default="+0+0")
    parser.add_argument("--options", default="{}", help="a JSON object of scene options")
    args = parser.parse_args(argv)
    root = tk.Tk()
    root.title(args.title or f"ScreenPilot {args.scene}")
    root.geometry(args.geometry)
    root.option_add("*Font", _FONT)
    scene = _CLASSES[args.scene](tk, root, json.loads(args.options))

    def answer(line: str) -> None:
        try:
            request = json.loads(line)
        except ValueError:
            emit(event="error", message=f"not JSON: {line[:80]!r}")
            return
        cmd, rid = request.get("cmd"), request.get("id")
        root.update()  # every X event already sent reaches the widgets before the answer
        if cmd == "state":
            emit(event="state", id=rid, state=scene.state())
        elif cmd == "widgets":
            emit(event="widgets", id=rid, widgets=_report(scene))
        elif cmd == "quit":
            root.destroy()
        else:
            emit(event="error", id=rid, message=f"unknown command {cmd!r}")

    def on_stdin(*_: object) -> None:
        line = sys.stdin.readline()
        if not line:
            root.tk.deletefilehandler(sys.stdin)
            root.destroy()
            return
        answer(line)

    root.tk.createfilehandler(sys.stdin, tk.READABLE, on_stdin)
    reported = False

    def mapped(_event: Any) -> None:
        nonlocal reported
        if not reported:
            reported = True
            root.after_idle(lambda: emit(event="ready", window=root.winfo_id(), title=root.title()))

    root.bind("<Map>", mapped, add="+")
    root.mainloop()


if __name__ == "__main__":
    main()
