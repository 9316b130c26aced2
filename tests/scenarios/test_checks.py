"""Checks read device state through the real adb path (no model involved): each flips with the state
it reads. Setup, teardown and undo; what happens when setup fails or a reference step finds nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter

from screenpilot.scenarios import (
    Check,
    Ending,
    PhoneProbe,
    SetupStep,
    Target,
    evaluate_check,
    run_scenario,
    run_steps,
    spec_from_dict,
)

CHECK = TypeAdapter(Check)
SETUP = TypeAdapter(list[SetupStep])


@pytest.fixture
def probe(phone_target: Target) -> PhoneProbe:
    assert phone_target.reset is not None
    phone_target.reset()
    return PhoneProbe(phone_target.device)


def _passes(probe: PhoneProbe, check: Any, ending: Ending | None = None) -> bool:
    return evaluate_check(CHECK.validate_python(check), probe, ending or Ending()).passed


def test_setting_check_follows_the_setting(probe: PhoneProbe) -> None:
    check = {"setting": {"namespace": "global", "key": "wifi_on", "equals": "1"}}
    probe.shell("svc wifi enable")
    assert _passes(probe, check)
    probe.shell("svc wifi disable")
    assert not _passes(probe, check)
    assert _passes(probe, {"setting": {"namespace": "global", "key": "no_such_key", "absent": True}})


def test_ui_and_foreground_checks_follow_the_screen(probe: PhoneProbe) -> None:
    probe.shell("input keyevent 3")
    assert _passes(probe, {"ui": {"contains": "Contacts"}}) and not _passes(probe, {"ui": {"lacks": "Contacts"}})
    assert _passes(probe, {"foreground": {"package": "com.android.launcher3"}})
    probe.shell("am start -n com.android.settings/.Settings")
    assert _passes(probe, {"foreground": {"package": "com.android.settings", "activity": "Settings"}})
    assert _passes(probe, {"ui": {"contains": {"text": "Network & internet"}}})
    assert not _passes(probe, {"ui": {"contains": "Contacts"}})


def test_file_content_and_shell_checks(probe: PhoneProbe) -> None:
    path = "/sdcard/Download/scenario check.txt"
    assert _passes(probe, {"file": {"path": path, "absent": True}})
    probe.write_file(path, "héllo\nwörld")
    assert _passes(probe, {"file": {"path": path, "equals": "héllo\nwörld"}})
    assert not _passes(probe, {"file": {"path": path, "contains": "bye"}})
    assert _passes(probe, {"shell": {"command": "getprop ro.product.model", "equals": "Virtual Phone"}})
    assert not _passes(probe, {"shell": {"command": "false", "equals": ""}})


def test_content_checks_count_rows_and_find_values(probe: PhoneProbe) -> None:
    uri = "content://com.android.contacts/contacts"
    assert _passes(probe, {"content": {"uri": uri, "count": 40}})
    assert not _passes(probe, {"content": {"uri": uri, "where": "display_name='Zoë Ångström'", "min_count": 1}})
    probe.shell(f"content insert --uri {uri} --bind given_name:s:Zoë --bind family_name:s:Ångström "
                "--bind number:s:'+1 555, 0199'")
    assert _passes(probe, {"content": {"uri": uri, "where": "display_name='Zoë Ångström'",
                                       "row": {"number": "+1 555, 0199"}}})
    assert not _passes(probe, {"content": {"uri": uri, "no_row": {"given_name": "Zoë"}}})


def test_checks_about_the_models_word(probe: PhoneProbe) -> None:
    said_failure = Ending(outcome="failure", decided_by="model")
    budget = Ending(outcome="failure", decided_by="budget")
    assert _passes(probe, {"reported": "failure"}, said_failure)
    assert not _passes(probe, {"reported": "failure"}, budget), "running out of steps is not reporting failure"
    answered = Ending(outcome="success", decided_by="model", answer="  virtual PHONE ")
    assert _passes(probe, {"answer": {"equals_output_of": "getprop ro.product.model"}}, answered)
    assert not _passes(probe, {"answer": "Pixel 9"}, answered)


def test_setup_writes_state_and_undo_gives_it_back(probe: PhoneProbe) -> None:
    before = probe.shell("settings get system screen_brightness").stdout.strip()
    undo: list[Any] = []
    run_steps(SETUP.validate_python([
        {"setting": {"namespace": "system", "key": "screen_brightness", "value": 7}},
        {"setting": {"namespace": "global", "key": "sp_made_up", "value": "x"}},
        {"file": {"path": "/sdcard/Documents/Notes/Setup.txt", "content": "from setup"}},
        {"launch": "org.screenpilot.notes"},
    ]), probe, undo=undo)
    assert probe.shell("settings get system screen_brightness").stdout.strip() == "7"
    assert probe.foreground().package == "org.screenpilot.notes"
    assert any(n.label == "Setup" for n in probe.nodes()), "a pushed note is in the app's list"
    for restore in reversed(undo):
        restore()
    assert probe.shell("settings get system screen_brightness").stdout.strip() == before
    assert probe.shell("settings get global sp_made_up").stdout.strip() == "null"


def _scenario(**changes: Any) -> Any:
    raw = {"id": "test.one", "title": "t", "device": "phone", "instruction": "Turn Wi-Fi on.", "max_steps": 6,
           "setup": [{"shell": "svc wifi disable"}, "home"],
           "success": [{"setting": {"namespace": "global", "key": "wifi_on", "equals": "1"}}],
           "solution": [{"tap": "Settings"}, {"tap": "Network & internet"}, {"tap": "Wi-Fi"}, {"terminate": "success"}]}
    raw.update(changes)
    return spec_from_dict(raw).instantiate(0)


def test_a_failing_setup_is_an_error_result_not_a_crash(phone_target: Target, tmp_path: Path) -> None:
    scenario = _scenario(setup=[{"shell": "am start -n does.not/.Exist && false"}])
    result = run_scenario(scenario, phone_target, out=tmp_path)
    assert result.status == "error" and "setup" in (result.error or "") and result.episode is None


def test_a_step_that_finds_nothing_ends_the_episode_as_failure(phone_target: Target, tmp_path: Path) -> None:
    scenario = _scenario(solution=[{"tap": "Settings"}, {"tap": "Bluetooth & NFC"}, {"terminate": "success"}])
    result = run_scenario(scenario, phone_target, out=tmp_path)
    assert result.status == "failed" and result.model_outcome == "failure" and result.steps == 2
    assert "'Bluetooth & NFC' is not on the screen" in result.problems[0]
    assert "Network & internet" in result.problems[0], "the message lists what the screen does show"


def test_on_a_real_phone_sim_only_scenarios_are_skipped_and_settings_restored(phone_target: Target,
                                                                              tmp_path: Path) -> None:
    from screenpilot.scenarios import builtin_scenarios

    assert phone_target.reset is not None
    phone_target.reset()
    real = Target(phone_target.device, "android:test", reset=None, real_phone=True)  # nothing resets a real phone
    notes = next(s for s in builtin_scenarios() if s.id == "notes.create_note").instantiate(0)
    skipped = run_scenario(notes, real, out=tmp_path)
    assert skipped.status == "skipped" and "Notes is the virtual phone's app" in (skipped.error or "")
    probe = PhoneProbe(phone_target.device)
    probe.shell("settings put system accelerometer_rotation 1")
    rotate = next(s for s in builtin_scenarios() if s.id == "settings.auto_rotate").instantiate(0)
    assert rotate.params["state"] == "on"  # setup turns it off first, the task turns it on
    result = run_scenario(rotate, real, out=tmp_path)
    assert result.status == "passed"
    assert probe.shell("settings get system accelerometer_rotation").stdout.strip() == "1"
    # the undo put back what setup overwrote: here the same value the task left, so prove it with a wrong one
    wrong = rotate.model_copy(update={"solution": rotate.negative_solution()})
    probe.shell("settings put system accelerometer_rotation 1")
    assert run_scenario(wrong, real, out=tmp_path).status == "failed"
    assert probe.shell("settings get system accelerometer_rotation").stdout.strip() == "1", "teardown restored it"


def test_teardown_runs_after_the_checks(phone_target: Target, tmp_path: Path) -> None:
    from screenpilot.scenarios import builtin_scenarios

    spec = next(s for s in builtin_scenarios() if s.id == "notes.read_pushed_note")
    result = run_scenario(spec.instantiate(2), phone_target, out=tmp_path)
    assert result.status == "passed", result.first_failure()  # the check saw the pushed note...
    probe = PhoneProbe(phone_target.device)
    assert probe.read_file("/sdcard/Documents/Notes/Packing.txt") is None  # ...and teardown removed it


def test_a_backend_that_fails_is_an_error_result_and_the_phone_is_torn_down(phone_target: Target,
                                                                           tmp_path: Path) -> None:
    from screenpilot.planner import BackendError, ScriptedBackend

    def broken(_request: object) -> str:
        raise BackendError("the model server answered 500", hint="check the server")

    scenario = _scenario(setup=[{"setting": {"namespace": "system", "key": "screen_brightness", "value": 3}}])
    before = PhoneProbe(phone_target.device).shell("settings get system screen_brightness").stdout.strip()
    result = run_scenario(scenario, Target(phone_target.device, "android:test", real_phone=False), out=tmp_path,
                          model=ScriptedBackend(broken))
    assert result.status == "error" and "answered 500" in (result.error or "")
    assert PhoneProbe(phone_target.device).shell("settings get system screen_brightness").stdout.strip() == before
