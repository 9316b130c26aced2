"""Typing through the android driver on the virtual phone: 200+ hostile strings arrive exactly, the
phone's shell never substitutes a command or meets an unknown one, the user's keyboard is restored.

The field is the body of a note (multi-line, like a message box). The phone's own record of the
field (its draft) is compared as well as the driver's read-back from the UI tree.
"""

from __future__ import annotations

import pytest

from screenpilot.actions import Size, Tap, Type
from screenpilot.devices import AndroidDevice, UnsupportedAction
from screenpilot.devices.android import Backoff
from screenpilot.perception import DeviceAction
from tests.devices.android_corpus import corpus

PORTRAIT = Size(1080, 2400)
NOTES = "org.screenpilot.notes"
ADB_IME = "com.android.adbkeyboard/.AdbIME"
CORPUS = corpus()


def act(device: AndroidDevice, action: object):
    return device.execute(DeviceAction(action=action, size=PORTRAIT))


@pytest.fixture
def editor(adb_device):
    """A new note open in the editor; returns (driver, phone, title element, body element)."""
    device = AndroidDevice(adb_device.serial, port=adb_device.server.port, backoff=Backoff(total=3.0))
    device.shell(f"am start -n {NOTES}/.EditorActivity")
    tree = device.ui_tree() or []
    title = next(e for e in tree if e.resource_id.endswith("note_title_edit"))
    body = next(e for e in tree if e.resource_id.endswith("note_body_edit"))
    return device, adb_device.phone, title, body


def draft(phone) -> dict[str, str]:
    """The note being edited, as the Notes app holds it."""
    return dict(phone.state().draft or {"title": "", "body": ""})


def focus(device: AndroidDevice, element) -> None:
    act(device, Tap(point=element.bounds.center))


def test_the_corpus_is_hostile_enough() -> None:
    assert len(CORPUS) >= 200
    for needle in ("$(", "`", ";", "|", "'", '"', "%s", "%%s", "\n", "\t", "-n", "你", "é", "ש", "😀"):
        assert any(needle in s for s in CORPUS), needle
    assert any(len(s) == 2000 for s in CORPUS)


def test_the_phone_would_catch_a_leak(editor, adb_device) -> None:
    """The records these tests rely on do see an escape: adbutils' send_keys quotes the text once, so
    AOSP's %s rule is its only trap, but a hand-built command line leaks at once."""
    device, phone, _, body = editor
    focus(device, body)
    device.shell("input text $(echo pwned)", check=False)
    assert [s.text for s in phone.records.substitutions] == ["$(echo pwned)"]
    adb_device.adbutils().send_keys("50%sale")
    assert draft(phone)["body"].endswith("50 ale")  # the library's own typing mangles %s


def _tab_free(s: str) -> bool:
    return "\t" not in s


@pytest.mark.parametrize("start", [0, 120])
def test_hostile_strings_arrive_exactly_and_run_nothing(editor, adb_device, start: int) -> None:
    """Every tab-free string of the corpus, typed into the note body and read back exactly.

    (Split in two runs so a failure points at a smaller slice; strings with tabs have their own test.)
    """
    device, phone, _, body = editor
    focus(device, body)
    strings = [s for s in CORPUS if _tab_free(s)][start : start + 120 if start == 0 else None]
    mismatches = []
    for text in strings:
        phone.clear_text()
        result = act(device, Type(text=text))
        if result.text_after != text or draft(phone)["body"] != text:
            mismatches.append((text, result.text_after, draft(phone)["body"]))
    assert mismatches == []
    assert phone.records.substitutions == []
    assert phone.records.unknown == []
    assert phone.records.syntax_errors == []
    assert phone.current_ime == "com.android.inputmethod.latin/.LatinIME"


def test_tabs_move_to_the_next_field_like_a_keyboard_tab(editor) -> None:
    """``\\t`` is Android's TAB key: focus moves on (title -> body); Enter in the one-line title does too."""
    device, phone, title, _ = editor
    for text in [s for s in CORPUS if not _tab_free(s)] + ["Groceries\tMilk\nEggs", "Trip\nPack bags"]:
        phone.clear_focus()
        focus(device, title)
        phone.clear_text(every_field=True)
        act(device, Type(text=text))
        expected = {"title": "", "body": ""}
        field = "title"
        for ch in text:
            if ch == "\t" or (ch == "\n" and field == "title"):
                field = "body"
            else:
                expected[field] += ch
        assert draft(phone) == expected, repr(text)
    assert phone.records.substitutions == [] and phone.records.unknown == []


def test_non_ascii_goes_through_adbkeyboard_and_the_keyboard_is_restored(editor, adb_device) -> None:
    device, _phone, _, body = editor
    focus(device, body)
    before = {k: device.shell(f"settings get secure {k}").text for k in ("default_input_method", "enabled_input_methods")}
    assert before["default_input_method"] != ADB_IME
    result = act(device, Type(text="Grüße, 世界! 👋"))
    assert result.text_after == "Grüße, 世界! 👋" and "ADBKeyBoard" in result.detail
    assert f"ime set {ADB_IME}" in result.commands
    assert any(c.startswith("am broadcast -a ADB_INPUT_B64") for c in result.commands)
    assert result.commands[-1] == f"ime set {before['default_input_method']}" or result.commands[-1].startswith("ime disable")
    after = {k: device.shell(f"settings get secure {k}").text for k in before}
    assert after == before  # selected AND enabled keyboards exactly as they were


def test_an_adbkeyboard_already_selected_stays_selected(editor, adb_device) -> None:
    device, _phone, _, body = editor
    device.shell(f"ime enable {ADB_IME} && ime set {ADB_IME}")
    focus(device, body)
    result = act(device, Type(text="ça va"))
    assert result.text_after == "ça va"
    assert not any(c.startswith("ime set") for c in result.commands)
    assert device.shell("settings get secure default_input_method").text.strip() == ADB_IME


def test_non_ascii_without_adbkeyboard_is_a_clear_error_and_types_nothing(editor, adb_device) -> None:
    device, phone, _, body = editor
    focus(device, body)
    phone.installed.discard("com.android.adbkeyboard")  # a phone without the keyboard app
    with pytest.raises(UnsupportedAction, match="ADBKeyBoard is not installed") as info:
        act(device, Type(text="naïve"))
    assert "'ï'" in str(info.value) and "install ADBKeyBoard" in str(info.value)
    assert draft(phone)["body"] == ""
    assert act(device, Type(text="naive")).text_after == "naive"  # ASCII still works


def test_read_back_reports_what_the_field_really_holds(editor) -> None:
    device, _phone, _, body = editor
    focus(device, body)
    act(device, Type(text="first "))
    result = act(device, Type(text="second"))
    assert result.text_after == "first second" and "ends with it" in result.detail
    device.read_back = False
    assert act(device, Type(text="!")).text_after is None


def test_a_link_lost_during_the_broadcast_is_unknown_and_the_keyboard_still_restored(editor, adb_device) -> None:
    device, phone, _, body = editor
    focus(device, body)
    original_run = device.link.run

    def run(command: str, **kw: object):
        if command.startswith("am broadcast"):
            phone.faults.drop_probability = 1.0  # the link dies as the text is sent
            try:
                return original_run(command, **kw)
            finally:
                phone.faults.drop_probability = 0.0
        return original_run(command, **kw)

    device.link.run = run  # type: ignore[method-assign]
    from screenpilot.devices import ActionOutcomeUnknown

    with pytest.raises(ActionOutcomeUnknown, match="0 of 1 command lines had finished"):
        act(device, Type(text="où"))
    assert phone.current_ime == "com.android.inputmethod.latin/.LatinIME"
    assert ADB_IME not in phone.settings["secure"].get("enabled_input_methods", "")
