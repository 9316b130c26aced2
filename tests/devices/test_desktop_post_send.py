"""On the desktop too, a failure after part of an action reached the display is an unknown outcome (never
re-sent), and one before anything was sent stays an infrastructure fault."""

from __future__ import annotations

from typing import Any

import pytest

from screenpilot.actions import Type
from screenpilot.devices import ActionOutcomeUnknown, DeviceError
from screenpilot.perception import DeviceAction
from tests.devices.test_desktop_typing import click_entry


def _failing_at(desktop: Any, monkeypatch: pytest.MonkeyPatch, call: int) -> list[str]:
    real = desktop.typist._type_run
    calls: list[str] = []

    def run(text: str, method: str, report: Any) -> None:
        calls.append(text)
        if len(calls) == call:
            raise DeviceError("the typing tool stopped answering")
        real(text, method, report)

    monkeypatch.setattr(desktop.typist, "_type_run", run)
    return calls


def test_a_failure_after_part_of_the_text_was_typed_is_an_unknown_outcome(desktop, tk_probe, monkeypatch) -> None:
    probe = tk_probe()
    click_entry(desktop, probe)
    calls = _failing_at(desktop, monkeypatch, 2)
    with pytest.raises(ActionOutcomeUnknown, match="1 input"):
        desktop.execute(DeviceAction(action=Type(text="first\nsecond"), size=desktop.monitor.size))
    assert calls == ["first", "\n"]  # the fault came after the first run was typed
    probe.wait_text("main", "first")


def test_a_failure_before_anything_was_typed_stays_an_infrastructure_fault(desktop, tk_probe, monkeypatch) -> None:
    probe = tk_probe()
    click_entry(desktop, probe)
    calls = _failing_at(desktop, monkeypatch, 1)
    with pytest.raises(DeviceError):
        desktop.execute(DeviceAction(action=Type(text="never"), size=desktop.monitor.size))
    assert calls == ["never"]
