"""A failure after the phone accepted an action's command is an unknown outcome, never a plain failure.

Each test lets one command of an action through and then takes the phone offline (as a cable pulled
right after it) for longer than the driver's retry budget, at each point where the driver still has
work to do after sending: the field read back after ``input text``, the keyboard put back after
ADBKeyBoard typed, the launcher read after Home on the way to an app. Before the fix each was an
ordinary DeviceError, which the agent journals as "failed" and a resumed run sends again.
The keyboard a cut-short typing left switched is put back by the next driver that opens the phone.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from screenpilot_sim.testing import offline_after as sim_offline_after

from screenpilot.actions import OpenApp, Size, Tap, Type
from screenpilot.devices import ActionOutcomeUnknown, AndroidDevice
from screenpilot.devices.android import Backoff
from screenpilot.devices.android._restore import RESTORE_FILE
from screenpilot.perception import DeviceAction

PORTRAIT = Size(1080, 2400)
NOTES = "org.screenpilot.notes"
LATIN = "com.android.inputmethod.latin/.LatinIME"


@contextmanager
def offline_after(adb_device: Any, pattern: str, seconds: float) -> Iterator[threading.Event]:
    """The virtual phone goes away right after a command matching ``pattern`` ran (screenpilot_sim.testing)."""
    with sim_offline_after(adb_device.phone, adb_device.endpoint, pattern, seconds) as fired:
        yield fired


def _device(adb_device: Any) -> AndroidDevice:
    return AndroidDevice(adb_device.serial, port=adb_device.server.port, timeout=2.0, backoff=Backoff(total=0.6))


def _count(adb_device: Any, prefix: str) -> int:
    return sum(1 for line in adb_device.phone.records.lines() if line.startswith(prefix))


def _back_online(adb_device: Any) -> None:
    adb_device.phone.faults.reset()
    if adb_device.server.devices().get(adb_device.serial) != "device":
        adb_device.server.run("disconnect", adb_device.serial)
        adb_device.server.connect(adb_device.serial)


@pytest.fixture
def note(adb_device: Any) -> AndroidDevice:
    device = _device(adb_device)
    device.shell(f"am start -n {NOTES}/.EditorActivity")
    body = next(e for e in device.ui_tree() or [] if e.resource_id.endswith("note_body_edit"))
    device.execute(DeviceAction(action=Tap(point=body.bounds.center), size=PORTRAIT))
    return device


def test_typed_then_the_read_back_fails_is_an_unknown_outcome(note: AndroidDevice, adb_device: Any) -> None:
    with offline_after(adb_device, r"^input text ", 5.0) as fired:
        with pytest.raises(ActionOutcomeUnknown, match="1 command"):
            note.execute(DeviceAction(action=Type(text="hello there"), size=PORTRAIT))
    assert fired.is_set()
    assert _count(adb_device, "input text") == 1
    _back_online(adb_device)
    assert adb_device.phone.state().draft["body"] == "hello there"  # it did run: re-sending would type it twice


def test_typed_through_adbkeyboard_then_the_keyboard_is_not_restored(note: AndroidDevice, adb_device: Any) -> None:
    phone = adb_device.phone
    with offline_after(adb_device, r"^am broadcast ", 5.0) as fired:
        with pytest.raises(ActionOutcomeUnknown):
            note.execute(DeviceAction(action=Type(text="où ça"), size=PORTRAIT))
    assert fired.is_set()
    assert phone.current_ime == "com.android.adbkeyboard/.AdbIME"  # left switched: the link died before the reset
    _back_online(adb_device)
    assert phone.state().draft["body"] == "où ça"
    assert LATIN in phone.shell(f"cat {RESTORE_FILE}")[1]  # the way back was written down before the switch
    again = _device(adb_device)  # the next driver on this phone (a resumed run) puts the keyboard back
    assert again.restored == [f"keyboard {LATIN}"]
    assert phone.current_ime == LATIN
    assert phone.shell(f"cat {RESTORE_FILE}")[0] != 0  # and the note is gone


def test_home_pressed_then_the_launcher_cannot_be_read(adb_device: Any) -> None:
    device = _device(adb_device)
    with offline_after(adb_device, r"^input keyevent 3$", 5.0) as fired:
        with pytest.raises(ActionOutcomeUnknown, match="1 command"):
            device.execute(DeviceAction(action=OpenApp(app="Calculator Pro"), size=PORTRAIT))
    assert fired.is_set()
    assert _count(adb_device, "input keyevent 3") == 1


def test_a_failure_before_anything_was_accepted_stays_an_infrastructure_fault(note: AndroidDevice,
                                                                              adb_device: Any) -> None:
    """The control case: offline before the command, nothing ran, so a retry may send it."""
    from screenpilot.errors import InfraFault

    adb_device.phone.faults.go_offline(5.0)
    adb_device.endpoint.kick()
    adb_device.server.wait_state(adb_device.serial, "offline")  # the host knows: nothing will be sent
    with pytest.raises(InfraFault):
        note.execute(DeviceAction(action=Type(text="never typed"), size=PORTRAIT))
    _back_online(adb_device)
    assert _count(adb_device, "input text") == 0


def test_doctor_restore_puts_the_keyboard_back(note: AndroidDevice, adb_device: Any,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """``screenpilot doctor --restore android:SERIAL``: the command a person runs after a killed run."""
    from screenpilot.cli import main

    phone = adb_device.phone
    with offline_after(adb_device, r"^am broadcast ", 5.0):
        with pytest.raises(ActionOutcomeUnknown):
            note.execute(DeviceAction(action=Type(text="où"), size=PORTRAIT))
    _back_online(adb_device)
    assert phone.current_ime == "com.android.adbkeyboard/.AdbIME"
    with pytest.raises(SystemExit) as exit_:
        main(["doctor", "--restore", f"android:{adb_device.serial}"])
    assert exit_.value.code == 0
    assert f"put back keyboard {LATIN}" in capsys.readouterr().out
    assert phone.current_ime == LATIN
