"""The GTK scenes of the desktop scenario program (``_gtkapp``): each a small, ordinary GTK 3 window.

What a scenario checks is what a person could check: the words and states the window shows (through
the accessibility tree) and the files the app writes (``options`` name them). ``state()`` is the
scene's own record, for the few checks no screen shows (every click of the calibration targets).
Text stays in the Basic Multilingual Plane. Imported only by the running program (it needs Gtk).
"""

from __future__ import annotations

from typing import Any

from ._gtkapp import Scene

__all__ = ["CITIES", "COUNTRIES", "SCENES", "target_color"]

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
COUNTRIES = ["Austria", "Belgium", "Denmark", "Finland", "France", "Germany", "Iceland", "Ireland", "Italy",
             "Norway", "Portugal", "Spain", "Sweden", "Switzerland"]


class FormScene(Scene):
    """A sign-up form: three fields, a check box, Submit (which validates and saves) and Clear."""

    def build(self) -> None:
        kit = self.kit
        grid, self.entries = kit.form([("Full name", {}), ("Email", {}), ("City", {})])
        self.subscribe = self.Gtk.CheckButton(label="Subscribe to the newsletter")
        self.status = kit.label("")
        self.submitted: dict[str, Any] | None = None
        self.add(kit.heading(self.options.get("heading", "Sign up")), grid, self.subscribe,
                 kit.box(kit.button("Submit", self.submit), kit.button("Clear", self.clear), vertical=False),
                 self.status)

    def submit(self) -> None:
        name, email = (self.entries[k].get_text().strip() for k in ("Full name", "Email"))
        if not name or "@" not in email:
            self.status.set_text("Please enter your name and a valid email.")
            return
        self.submitted = {"name": name, "email": email, "city": self.entries["City"].get_text().strip(),
                          "subscribe": self.subscribe.get_active()}
        self.save("path", self.record(self.submitted))
        self.status.set_text(f"Thank you, {name}!")

    def clear(self) -> None:
        for entry in self.entries.values():
            entry.set_text("")
        self.subscribe.set_active(False)
        self.status.set_text("")

    def state(self) -> dict[str, Any]:
        return {**{k: e.get_text() for k, e in self.entries.items()}, "subscribe": self.subscribe.get_active(),
                "submitted": self.submitted}


class ListScene(Scene):
    """Shared by scenes with a list of text rows: a ListBox whose rows are labels."""

    def make_list(self, items: list[str], name: str, height: int) -> Any:
        self.list = self.Gtk.ListBox(selection_mode=self.Gtk.SelectionMode.SINGLE)
        for item in items:
            self.append(item)
        return self.kit.scrolled(self.list, height, name)

    def append(self, text: str) -> None:
        row = self.Gtk.ListBoxRow()
        row.add(self.kit.label(text, margin=5))
        row.text = text  # type: ignore[attr-defined]
        row.show_all()
        self.list.add(row)

    def items(self) -> list[str]:
        return [row.text for row in self.list.get_children()]

    def selected(self) -> str | None:
        row = self.list.get_selected_row()
        return row.text if row is not None else None


class TodoScene(ListScene):
    """A to-do list kept in a file: add with the field (Enter or Add); delete the selected task after a
    confirmation dialog (its own window)."""

    def build(self) -> None:
        kit = self.kit
        grid, entries = kit.form([("New task", {})])
        self.entry = entries["New task"]
        self.entry.connect("activate", lambda _e: self.add_task())
        self.add(kit.heading("To-do"), grid, kit.button("Add", self.add_task),
                 self.make_list(list(self.options.get("items", [])), "Tasks", 240),
                 kit.button("Delete selected", self.ask_delete))
        self.dialog: Any = None

    def keep(self) -> None:
        self.save("path", "".join(f"{item}\n" for item in self.items()))

    def add_task(self) -> None:
        text = self.entry.get_text().strip()
        if text:
            self.append(text)
            self.entry.set_text("")
            self.keep()

    def ask_delete(self) -> None:
        item = self.selected()
        if item is None or self.dialog is not None:
            return
        Gtk = self.Gtk
        self.dialog = Gtk.MessageDialog(transient_for=self.window, modal=True, message_type=Gtk.MessageType.QUESTION,
                                        buttons=Gtk.ButtonsType.NONE, text=f"Delete “{item}”?")
        self.dialog.set_title("Delete task")
        self.dialog.add_buttons("Cancel", Gtk.ResponseType.CANCEL, "Delete", Gtk.ResponseType.OK)
        self.dialog.connect("response", lambda d, r: self.answered(item, r == Gtk.ResponseType.OK))
        self.dialog.show_all()

    def answered(self, item: str, delete: bool) -> None:
        if delete:
            for row in self.list.get_children():
                if row.text == item:
                    self.list.remove(row)
                    break
            self.keep()
        self.dialog.destroy()
        self.dialog = None

    def state(self) -> dict[str, Any]:
        return {"items": self.items(), "selected": self.selected(), "dialog": self.dialog is not None}


class CitiesScene(ListScene):
    """A long list in a short box: find a city (scrolling), choose it by double-click or Choose."""

    def build(self) -> None:
        kit = self.kit
        self.chosen: str | None = None
        self.label = kit.label("Chosen: nothing yet")
        pane = self.make_list(list(self.options.get("cities", CITIES)), "Cities", 360)
        self.list.set_activate_on_single_click(False)
        self.list.connect("row-activated", lambda _l, _r: self.choose())
        self.add(kit.heading("Choose your city"), pane, kit.button("Choose", self.choose), self.label)

    def choose(self) -> None:
        city = self.selected()
        if city is not None:
            self.chosen = city
            self.label.set_text(f"Chosen: {city}")
            self.save("path", f"{city}\n")

    def state(self) -> dict[str, Any]:
        return {"chosen": self.chosen, "selected": self.selected()}


class EditorScene(Scene):
    """A text editor saving to one file: the Save button, Ctrl+S, or File > Save in its menu bar."""

    def build(self) -> None:
        Gtk, kit = self.Gtk, self.kit
        from pathlib import Path

        self.path = Path(self.options["path"])
        menubar = Gtk.MenuBar()
        top = Gtk.MenuItem(label="File")
        menu = Gtk.Menu()
        for text, action in (("Save", self.save_file), ("Revert", self.revert)):
            item = Gtk.MenuItem(label=text)
            item.connect("activate", lambda _i, act=action: act())
            menu.append(item)
        top.set_submenu(menu)
        menubar.append(top)
        self.window.remove(self.body)
        outer = kit.box(spacing=0)
        outer.pack_start(menubar, False, False, 0)
        outer.pack_start(self.body, True, True, 0)
        self.window.add(outer)
        self.text = Gtk.TextView(wrap_mode=Gtk.WrapMode.WORD)
        self.revert()
        accel = Gtk.AccelGroup()
        key, mods = Gtk.accelerator_parse("<Control>s")
        accel.connect(key, mods, Gtk.AccelFlags.VISIBLE, lambda *_: (self.save_file(), True)[1])
        self.window.add_accel_group(accel)
        self.status = kit.label("")
        pane = kit.scrolled(self.text, 220, "Document")
        pane.set_size_request(520, -1)
        self.saves = 0
        self.add(kit.heading(f"Editor — {self.path.name}"), pane, kit.button("Save", self.save_file), self.status)

    def content(self) -> str:
        buffer = self.text.get_buffer()
        return str(buffer.get_text(buffer.get_start_iter(), buffer.get_end_iter(), True))

    def revert(self) -> None:
        self.text.get_buffer().set_text(self.path.read_text(encoding="utf-8") if self.path.exists() else "")

    def save_file(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(self.content(), encoding="utf-8")
        self.saves += 1
        self.status.set_text(f"Saved {self.path.name}")

    def state(self) -> dict[str, Any]:
        return {"text": self.content(), "saves": self.saves}


class PrefsScene(Scene):
    """Preferences: two check boxes, a radio group, a slider, and Apply (nothing counts until then)."""

    def build(self) -> None:
        Gtk, kit = self.Gtk, self.kit
        self.hidden = Gtk.CheckButton(label="Show hidden files", active=bool(self.options.get("hidden", 0)))
        self.autosave = Gtk.CheckButton(label="Autosave every 5 minutes", active=bool(self.options.get("autosave", 1)))
        themes = kit.box(vertical=False, spacing=12)
        self.themes: dict[str, Any] = {}
        first = None
        for value in ("Light", "Dark", "System"):
            radio = Gtk.RadioButton.new_with_label_from_widget(first, value)
            first = first or radio
            themes.pack_start(radio, False, False, 0)
            self.themes[value] = radio
        self.themes[self.options.get("theme", "Light")].set_active(True)
        self.size = kit.named(Gtk.Scale.new_with_range(Gtk.Orientation.HORIZONTAL, 8, 32, 1), "Font size")
        self.size.set_draw_value(False)
        self.size.set_round_digits(0)
        self.size.set_size_request(360, -1)
        self.size_label = kit.label("")
        self.size.connect("value-changed", lambda s: self.size_label.set_text(f"Font size: {int(s.get_value())}"))
        self.size.set_value(int(self.options.get("font_size", 12)))
        self.size_label.set_text(f"Font size: {int(self.size.get_value())}")
        self.status = kit.label("")
        self.applied: dict[str, Any] | None = None
        self.add(kit.heading("Preferences"), self.hidden, self.autosave, kit.label("Theme"), themes,
                 self.size_label, self.size, kit.button("Apply", self.apply), self.status)

    def current(self) -> dict[str, Any]:
        theme = next(k for k, r in self.themes.items() if r.get_active())
        return {"hidden": self.hidden.get_active(), "autosave": self.autosave.get_active(), "theme": theme,
                "font_size": int(self.size.get_value())}

    def apply(self) -> None:
        self.applied = self.current()
        self.save("path", self.record(self.applied))
        self.status.set_text("Applied")

    def state(self) -> dict[str, Any]:
        return {**self.current(), "applied": self.applied}


class CalcScene(Scene):
    """A four-function calculator: its buttons, or keys typed while the window has focus."""

    def build(self) -> None:
        Gtk, kit = self.Gtk, self.kit
        self.display = kit.named(Gtk.Label(label="0", xalign=1, width_chars=14), "Display")
        self.display.get_style_context().add_class("display")
        grid = Gtk.Grid(column_spacing=4, row_spacing=4, column_homogeneous=True)
        for r, row in enumerate(["789/", "456*", "123-", "0C=+"]):
            for c, key in enumerate(row):
                button = kit.button(key, lambda k=key: self.press(k))
                button.set_size_request(64, 48)
                grid.attach(button, c, r, 1, 1)
        self.window.connect("key-press-event", self.on_key)
        self.entry = ""
        self.history: list[str] = []
        self.add(self.display, grid)

    def on_key(self, _w: Any, event: Any) -> bool:
        ch = chr(event.keyval) if 32 <= event.keyval < 127 else ""
        name = self.kit.Gtk.accelerator_name(event.keyval, 0)
        if ch and ch in "0123456789+-*/=":
            self.press(ch)
        elif name in ("Return", "KP_Enter"):
            self.press("=")
        elif name in ("Escape", "c", "C"):
            self.press("C")
        else:
            return False
        return True

    def press(self, key: str) -> None:
        if key == "C":
            self.entry = ""
        elif key == "=":
            result = evaluate(self.entry)
            self.history.append(f"{self.entry}={result}")
            self.entry = result if result != "Error" else ""
            self.display.set_text(result)
            return
        else:
            self.entry += key
        self.display.set_text(self.entry or "0")

    def state(self) -> dict[str, Any]:
        return {"display": self.display.get_text(), "history": list(self.history)}


def evaluate(expression: str) -> str:
    """Left-to-right integer arithmetic, as a pocket calculator does (no eval of arbitrary text)."""
    import re

    tokens = re.findall(r"\d+|[-+*/]", expression)
    if not tokens or not tokens[0].isdigit():
        return "Error"
    value = int(tokens[0])
    for op, num in zip(tokens[1::2], tokens[2::2], strict=False):
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


class LoginScene(Scene):
    """A sign-in form with a password field (typing into it asks a person first)."""

    def build(self) -> None:
        kit = self.kit
        grid, self.entries = kit.form([("User name", {}), ("Password", {"visibility": False})])
        self.entries["Password"].connect("activate", lambda _e: self.sign_in())
        self.status = kit.label("Not signed in")
        self.add(kit.heading("Sign in"), grid, kit.button("Sign in", self.sign_in), self.status)

    def sign_in(self) -> None:
        user, password = (self.entries[k].get_text() for k in ("User name", "Password"))
        ok = user == self.options.get("user") and password == self.options.get("password")
        self.status.set_text(f"Signed in as {user}" if ok else "Wrong user name or password")


class CheckoutScene(Scene):
    """A checkout: a cart, a payment method, and Pay now (a sensitive button) or Cancel order."""

    def build(self) -> None:
        Gtk, kit = self.Gtk, self.kit
        self.cart: list[list[Any]] = self.options.get("cart", [["Notebook", 4.5], ["Pencils", 2.25]])
        rows = [kit.label(f"{name} — {price:.2f} €") for name, price in self.cart]
        self.total = round(sum(price for _, price in self.cart), 2)
        self.methods: dict[str, Any] = {}
        first = None
        methods = kit.box(vertical=False, spacing=12)
        for method in ("Card", "Invoice"):
            radio = Gtk.RadioButton.new_with_label_from_widget(first, method)
            first = first or radio
            methods.pack_start(radio, False, False, 0)
            self.methods[method] = radio
        self.status = kit.label("")
        self.add(kit.heading("Checkout"), *rows, kit.label(f"Total: {self.total:.2f} €"), kit.label("Pay by"),
                 methods, kit.box(kit.button("Pay now", self.pay), kit.button("Cancel order", self.cancel),
                                  vertical=False), self.status)

    def pay(self) -> None:
        method = next(k for k, r in self.methods.items() if r.get_active())
        self.save("path", self.record({"items": [n for n, _ in self.cart], "total": self.total, "method": method}))
        self.status.set_text(f"Paid {self.total:.2f} € by {method.lower()}")

    def cancel(self) -> None:
        self.status.set_text("Order cancelled")


class MailScene(Scene):
    """A mail app whose settings open in a window of their own (OK applies and closes it)."""

    def build(self) -> None:
        kit = self.kit
        self.notifications = bool(self.options.get("notifications", False))
        self.signature = str(self.options.get("signature", ""))
        self.label = kit.label("")
        self.settings: Any = None
        self.show()
        self.add(kit.heading("Mail"), kit.label("Inbox: 3 unread"), self.label, kit.button("Settings…", self.open_settings))

    def show(self) -> None:
        self.label.set_text(f"Notifications: {'on' if self.notifications else 'off'}")

    def open_settings(self) -> None:
        if self.settings is not None:
            return
        Gtk, kit = self.Gtk, self.kit
        window = Gtk.Window(title="Mail settings", transient_for=self.window)
        check = Gtk.CheckButton(label="Enable notifications", active=self.notifications)
        grid, entries = kit.form([("Signature", {})])
        entries["Signature"].set_text(self.signature)

        def ok() -> None:
            self.notifications = check.get_active()
            self.signature = entries["Signature"].get_text()
            self.save("path", self.record({"notifications": self.notifications, "signature": self.signature}))
            self.show()
            close()

        def close() -> None:
            window.destroy()
            self.settings = None

        window.add(kit.box(kit.heading("Settings"), check, grid,
                           kit.box(kit.button("Cancel", close), kit.button("OK", ok), vertical=False), margin=16))
        x, y = self.window.get_position()
        width, _ = self.window.get_size()
        window.move(x + width + 20, y)
        window.show_all()
        self.settings = window

    def state(self) -> dict[str, Any]:
        return {"notifications": self.notifications, "signature": self.signature, "settings_open": self.settings is not None}


class TabsScene(Scene):
    """Settings on three notebook tabs; Apply saves all of them."""

    def build(self) -> None:
        Gtk, kit = self.Gtk, self.kit
        self.checks: dict[str, Any] = {}
        notebook = Gtk.Notebook()
        pages = {"General": ["Open last file on start", "Check for updates"],
                 "Network": ["Use a proxy", "Work offline"],
                 "Privacy": ["Send usage statistics", "Remember recent files"]}
        on = set(self.options.get("on", ["Check for updates", "Send usage statistics", "Remember recent files"]))
        for tab, names in pages.items():
            page = kit.box(margin=12)
            for name in names:
                check = Gtk.CheckButton(label=name, active=name in on)
                page.pack_start(check, False, False, 0)
                self.checks[name] = check
            notebook.append_page(page, Gtk.Label(label=tab))
        self.status = kit.label("")
        self.add(kit.heading("Settings"), notebook, kit.button("Apply", self.apply), self.status)

    def apply(self) -> None:
        self.save("path", self.record({k: c.get_active() for k, c in self.checks.items()}))
        self.status.set_text("Settings saved")


class ShippingScene(Scene):
    """A shipping address: a country from a drop-down list, a postcode, Save."""

    def build(self) -> None:
        Gtk, kit = self.Gtk, self.kit
        self.country = kit.named(Gtk.ComboBoxText(), "Country")
        for name in COUNTRIES:
            self.country.append_text(name)
        self.country.set_active(COUNTRIES.index(self.options.get("country", "Austria")))
        grid, self.entries = kit.form([("Postcode", {})])
        grid.attach(kit.label("Country"), 0, 1, 1, 1)
        grid.attach(self.country, 1, 1, 1, 1)
        self.status = kit.label("")
        self.add(kit.heading("Shipping address"), grid, kit.button("Save", self.save_address), self.status)

    def save_address(self) -> None:
        self.save("path", self.record({"country": self.country.get_active_text(),
                                       "postcode": self.entries["Postcode"].get_text().strip()}))
        self.status.set_text("Address saved")


class InvoiceScene(Scene):
    """An invoice viewer (read only): what another app's form needs to be filled in with."""

    def build(self) -> None:
        kit = self.kit
        self.add(kit.heading("Ledger"), kit.label(f"Invoice {self.options.get('invoice', 'INV-1000')}"),
                 kit.label(f"Payee: {self.options.get('payee', 'Nordlicht GmbH')}"),
                 kit.label(f"Amount due: {self.options.get('amount', '100.00')}"))


class TransferScene(Scene):
    """A bank transfer form: payee, reference, amount, and Send (sensitive) which saves the transfer."""

    def build(self) -> None:
        kit = self.kit
        grid, self.entries = kit.form([("Payee", {}), ("Reference", {}), ("Amount", {})])
        self.status = kit.label("")
        self.add(kit.heading("Bank transfer"), grid, kit.button("Send", self.send), self.status)

    def send(self) -> None:
        values = {k.lower(): e.get_text().strip() for k, e in self.entries.items()}
        if not all(values.values()):
            self.status.set_text("Fill in every field.")
            return
        self.save("path", self.record(values))
        self.status.set_text("Transfer sent")


class TargetsScene(Scene):
    """Calibration: the window fills its monitor; targets T1..T9 sit at the corners, edges and centre,
    each a button of one flat colour (``target_color``) named T1..T9 for the accessibility tree. Every
    click is recorded: on which target, or where it missed."""

    def build(self) -> None:
        Gtk, kit = self.Gtk, self.kit
        scale = int(self.options.get("scale", 1))
        screen = self.options.get("screen") or (1280, 1024)  # the monitor, physical pixels (the probe says)
        width, height = (int(self.options.get("width") or screen[0] // scale),
                         int(self.options.get("height") or screen[1] // scale))
        size = int(self.options.get("size", 40))
        self.window.set_default_size(width, height)
        self.window.set_resizable(False)
        self.window.remove(self.body)
        events = Gtk.EventBox()
        fixed = Gtk.Fixed()
        events.add(fixed)
        self.window.add(events)
        self.hits: list[str] = []
        self.misses: list[list[float]] = []
        events.connect("button-press-event", lambda _w, e: self.misses.append([round(e.x, 1), round(e.y, 1)]))
        css = Gtk.CssProvider()
        rules = []
        margin = 6
        xs = [margin, (width - size) // 2, width - size - margin]
        ys = [margin, (height - size) // 2, height - size - margin]
        for k, (x, y) in enumerate([(x, y) for y in ys for x in xs]):
            name = f"T{k + 1}"
            button = kit.named(kit.button("", lambda n=name: self.hits.append(n)), name)  # no glyphs: one colour
            button.set_name(name.lower())
            button.set_size_request(size, size)
            r, g, b = target_color(k + 1)
            rules.append(f"#{name.lower()} {{ background: rgb({r},{g},{b}); border: none; box-shadow: none; "
                         "background-image: none; padding: 0; min-width: 0; min-height: 0; border-radius: 0; }")
            fixed.put(button, x, y)
        css.load_from_data("\n".join(rules).encode())
        from gi.repository import Gdk

        Gtk.StyleContext.add_provider_for_screen(Gdk.Screen.get_default(), css, Gtk.STYLE_PROVIDER_PRIORITY_USER)

    def state(self) -> dict[str, Any]:
        return {"hits": list(self.hits), "misses": list(self.misses)}


def target_color(number: int) -> tuple[int, int, int]:
    """The flat colour of calibration target T<number> (1..9): what its pixels are in a screenshot."""
    k = number - 1
    return 40 + 20 * k, 200 - 15 * k, 90 + 15 * k


SCENES: dict[str, type[Scene]] = {
    "form": FormScene, "todo": TodoScene, "cities": CitiesScene, "editor": EditorScene, "prefs": PrefsScene,
    "calc": CalcScene, "login": LoginScene, "checkout": CheckoutScene, "mail": MailScene, "tabs": TabsScene,
    "shipping": ShippingScene, "invoice": InvoiceScene, "transfer": TransferScene, "targets": TargetsScene,
}
