"""The public read-only view of the phone (``phone.state()``) and the package's public names."""

from __future__ import annotations

import pytest
import screenpilot_sim
from screenpilot_sim import PhoneConfig, VirtualPhone


def test_public_names_are_pinned() -> None:
    assert screenpilot_sim.__all__ == [
        "AdbServer", "AdbdEndpoint", "AdminClient", "AuthState", "CommandLine", "Faults", "FieldState",
        "PhoneClock", "PhoneConfig", "PhoneState", "ServedPhone", "ShellRecords", "SimError", "Substitution",
        "SyntaxFailure", "TaskState", "TimingProfile", "UnknownCommand", "VirtualPhone", "WebPage", "find_adb",
        "free_port", "port_plan", "profile_named", "read_manifest", "serve", "served_phone", "start_phones",
        "wait_until",
    ]
    assert screenpilot_sim.__all__ == sorted(screenpilot_sim.__all__)
    for name in screenpilot_sim.__all__:
        assert getattr(screenpilot_sim, name) is not None
    with pytest.raises(AttributeError):
        _ = screenpilot_sim.NoSuchName  # type: ignore[attr-defined]


def _center(box: tuple[int, int, int, int]) -> tuple[float, float]:
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


def test_the_view_shows_the_foreground_fields_draft_and_dialogs() -> None:
    phone = VirtualPhone(PhoneConfig(animation_ms=0))
    home = phone.state()
    assert home.task is None and home.page == "home" and home.foreground == "com.android.launcher3"
    assert home.activity == "com.android.launcher3/com.android.launcher3.uioverrides.QuickstepLauncher"
    phone.shell("am start -n com.android.contacts/.activities.ContactEditorActivity")
    view = phone.state()
    assert view.foreground == "com.android.contacts" and view.page == "edit"
    assert view.task is not None and view.task.pages == ("edit",)
    assert view.draft == {"given": "", "family": "", "number": "", "email": ""}
    given = view.field("given_name")
    assert given is not None and given.hint == "First name" and not given.focused
    phone.tap(*_center(given.bounds))
    phone.type_text("Ada")
    view = phone.state()
    assert view.focused_field is not None and view.focused_field.text == "Ada" and view.ime_shown
    assert view.draft is not None and view.draft["given"] == "Ada"
    phone.key(4)  # hides the keyboard
    phone.key(4)  # leaving a changed form asks first
    assert phone.state().dialog == "discard"
    assert phone.state().setting("global", "wifi_on") == "1"


def test_the_view_is_a_copy_that_cannot_change_the_phone() -> None:
    phone = VirtualPhone(PhoneConfig(animation_ms=0))
    phone.shell("am start -n org.screenpilot.notes/.EditorActivity")
    view = phone.state()
    with pytest.raises(TypeError):
        view.draft["body"] = "x"  # type: ignore[index]
    with pytest.raises(TypeError):
        view.settings["global"]["wifi_on"] = "0"  # type: ignore[index]
    with pytest.raises(AttributeError):
        view.page = "list"  # type: ignore[misc]
    phone.clear_text(every_field=True)
    assert phone.state().draft == {"title": "", "body": ""}
