"""Typed text arrives exactly (ASCII, ``<>``, accented capitals, CJK), in the window that had focus
and nowhere else, and the clipboard the user had is put back."""

from __future__ import annotations

import string
import subprocess

import pytest

from screenpilot.actions import Click, Move, Type
from screenpilot.devices import DesktopDevice, KillSwitch, UnsupportedAction
from screenpilot.perception import DeviceAction

ASCII = "".join(c for c in string.printable if c not in "\t\n\r\x0b\x0c")
EXACT_CASES = {
    "ascii": "Hello, World! 0123456789 ~`!@#$%^&*()_+-=[]{}|\\;:'\",./?",
    "angle brackets": "a<b>c <tag attr=\"x\"> 1 < 2 > 0",
    "accented capitals": "ÀÉÎÕÜ Ça été l'Œuvre de Ñoño, ÅNGSTRÖM",
    "cjk": "漢字テスト 한국어 中文输入",
    "mixed": "Größe: 10 < 20 > 5 — «ÉTÉ» 東京",
}


def act(device: DesktopDevice, action) -> object:
    return device.execute(DeviceAction(action=action, size=device.monitor.size))


def click_entry(device: DesktopDevice, probe, widget: str = "entry") -> None:
    x, y = probe.center(widget)
    act(device, Click(point=device.monitor.from_root(x, y)))


def set_clipboard(display: str, text: str) -> None:
    """Copy ``text`` as an application would (xclip's daemon), and wait until it owns the clipboard: xclip
    returns before its daemon has taken it, and a late take would steal the selection from a paste."""
    import time

    from Xlib import display as xdisplay

    d = xdisplay.Display(display)
    try:
        clipboard = d.intern_atom("CLIPBOARD")
        before = d.get_selection_owner(clipboard)
        subprocess.run(
            ["xclip", "-selection", "clipboard", "-i"], input=text.encode(), env={"DISPLAY": display, "PATH": "/usr/bin:/bin"},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, timeout=5,
        )
        deadline = time.monotonic() + 5
        while d.get_selection_owner(clipboard) in (before, 0) and time.monotonic() < deadline:
            time.sleep(0.002)
    finally:
        d.close()


def get_clipboard(display: str) -> str | None:
    out = subprocess.run(
        ["xclip", "-selection", "clipboard", "-o"], capture_output=True, env={"DISPLAY": display, "PATH": "/usr/bin:/bin"},
        timeout=5, check=False,
    )
    return out.stdout.decode() if out.returncode == 0 else None


@pytest.mark.parametrize("name", list(EXACT_CASES))
def test_text_arrives_exactly(desktop, tk_probe, xvfb, name) -> None:
    text = EXACT_CASES[name]
    probe = tk_probe()
    set_clipboard(xvfb.display, "what the user had copied ✓")
    click_entry(desktop, probe)
    result = act(desktop, Type(text=text))
    probe.wait_text("main", text)
    assert probe.state()["entry"] == text
    assert get_clipboard(xvfb.display) == "what the user had copied ✓"
    expected_method = "keys" if name == "ascii" else "clipboard"
    assert f"by {expected_method}" in result.detail


def test_every_printable_ascii_character_but_angle_brackets_types_exactly_with_keys(desktop, tk_probe) -> None:
    text = ASCII.replace("<", "").replace(">", "")
    probe = tk_probe()
    click_entry(desktop, probe)
    result = act(desktop, Type(text=text))
    probe.wait_text("main", text)
    assert "by keys" in result.detail


@pytest.mark.parametrize("method", ["clipboard", "xdotool", "keys"])
def test_each_method_types_what_it_can_exactly(xvfb, stop_file, tk_probe, method) -> None:
    # xdotool gets only characters of the keymap here: others it types by remapping a spare key code
    # for an instant, and an application that reads the key after the mapping is reverted sees
    # nothing (a race in xdotool, and the reason ``auto`` pastes instead).
    text = {"clipboard": EXACT_CASES["mixed"], "xdotool": "a<b> [x] ~C:\\ <>", "keys": EXACT_CASES["ascii"]}[method]
    probe = tk_probe()
    with DesktopDevice(xvfb.display, typing=method, kill_switch=KillSwitch(stop_file=stop_file, hotkey=None)) as device:
        click_entry(device, probe)
        result = act(device, Type(text=text))
    probe.wait_text("main", text)
    assert f"by {method}" in result.detail


def test_keys_refuse_what_pyautogui_would_get_wrong(xvfb, stop_file, tk_probe) -> None:
    probe = tk_probe()
    with DesktopDevice(xvfb.display, typing="keys", kill_switch=KillSwitch(stop_file=stop_file, hotkey=None)) as device:
        click_entry(device, probe)
        with pytest.raises(UnsupportedAction, match="cannot type '<é'"):
            act(device, Type(text="a<é"))
    assert probe.state()["entry"] == ""


def test_an_empty_clipboard_is_left_empty(desktop, tk_probe, xvfb) -> None:
    env = {"DISPLAY": xvfb.display, "PATH": "/usr/bin:/bin"}
    owner = subprocess.Popen(["xclip", "-selection", "clipboard", "-i", "-quiet", "-loops", "1"],
                             stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    owner.stdin.write(b"gone after one paste")
    owner.stdin.close()
    owner.stderr.readline()  # it owns the clipboard now
    assert get_clipboard(xvfb.display) == "gone after one paste"
    owner.wait(timeout=5)
    owner.stderr.close()
    assert get_clipboard(xvfb.display) is None  # nobody owns the clipboard
    probe = tk_probe()
    click_entry(desktop, probe)
    act(desktop, Type(text="Été"))
    probe.wait_text("main", "Été")
    assert get_clipboard(xvfb.display) is None


def test_newlines_and_tabs_press_enter_and_tab(desktop, tk_probe) -> None:
    probe = tk_probe()
    click_entry(desktop, probe)
    mark = probe.mark()
    act(desktop, Type(text="É1\nx2\ty"))
    keys = [e["keysym"] for e in probe.since(mark) if e["event"] == "key" and e["keysym"] in {"Return", "Tab"}]
    assert keys == ["Return", "Tab"]
    probe.wait_text("main", "É1x2")  # the entry takes the text; Enter does nothing there; Tab moves focus away
    assert probe.state()["focus"] != ".entry"


def test_control_characters_are_refused_and_nothing_is_typed(desktop, tk_probe) -> None:
    probe = tk_probe()
    click_entry(desktop, probe)
    with pytest.raises(UnsupportedAction, match=r"'\\x07'"):
        act(desktop, Type(text="ring\x07bell"))
    assert probe.state()["entry"] == ""


@pytest.mark.parametrize("text", ["plain ascii text", "Ünïcödé <über>"])
def test_nothing_is_typed_into_the_window_under_the_pointer(desktop, tk_probe, text) -> None:
    """Without a window manager X sends keys to the window under the pointer; after a click the
    driver gives that window focus, so moving over another window does not redirect the typing."""
    probe = tk_probe(geometry="+40+40", decoy="+700+40")
    click_entry(desktop, probe)
    dx, dy = probe.center("decoy_entry")
    act(desktop, Move(point=desktop.monitor.from_root(dx, dy)))
    mark = probe.mark()
    result = act(desktop, Type(text=text))
    probe.wait_text("main", text)
    state = probe.state()
    assert (state["entry"], state["decoy"]) == (text, "")
    assert not [e for e in probe.since(mark) if e["event"] == "key" and str(e["widget"]).startswith(".decoy")]
    assert probe.title in result.detail  # the record says which window received the text


def test_typing_follows_a_click_into_the_other_window(desktop, tk_probe) -> None:
    probe = tk_probe(geometry="+40+40", decoy="+700+40")
    click_entry(desktop, probe)
    act(desktop, Type(text="first"))
    click_entry(desktop, probe, "decoy_entry")
    ex, ey = probe.center("entry")
    act(desktop, Move(point=desktop.monitor.from_root(ex, ey)))
    act(desktop, Type(text="sécond"))
    probe.wait_text("decoy", "sécond")
    state = probe.state()
    assert (state["entry"], state["decoy"]) == ("first", "sécond")


def test_a_paste_nobody_fetches_falls_back_to_xdotool(desktop, tk_probe, xvfb) -> None:
    """The focused widget (a canvas) has no paste binding: the driver notices nobody asked for the
    clipboard, types the text with xdotool instead, and still restores the clipboard."""
    probe = tk_probe()
    set_clipboard(xvfb.display, "kept")
    px, py = probe.center("pad")
    act(desktop, Click(point=desktop.monitor.from_root(px, py)))
    desktop.typist.paste_timeout_s = 0.3
    mark = probe.mark()
    result = act(desktop, Type(text="<"))  # pyautogui would type '>': auto pastes it
    assert "typed with xdotool instead" in result.detail
    probe.wait_for(lambda e: e["event"] == "key" and e["keysym"] == "less", since=mark, what="< typed by xdotool")
    assert get_clipboard(xvfb.display) == "kept"
