"""The kill switch stops a running agent at once: by hotkey (ctrl+alt+shift+k), by stop file, or by a
signal when one is chosen; the action in progress stops mid-way and every later action is refused."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time

import pytest

from screenpilot.actions import Click, Drag, Type, Wait
from screenpilot.devices import AgentStopped, DesktopDevice, KillSwitch
from screenpilot.perception import DeviceAction, SettleOptions


def act(device: DesktopDevice, action):
    return device.execute(DeviceAction(action=action, size=device.monitor.size))


def in_background(fn) -> tuple[threading.Thread, dict]:
    outcome: dict = {}

    def run() -> None:
        started = time.monotonic()
        try:
            outcome["result"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            outcome["error"] = exc
        outcome["elapsed"] = time.monotonic() - started

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def test_the_stop_file_refuses_every_action_until_removed(desktop, tk_probe, stop_file) -> None:
    probe = tk_probe()
    stop_file.touch()
    with pytest.raises(AgentStopped, match=f"stop file {stop_file} exists") as caught:
        act(desktop, Click(point=desktop.monitor.from_root(*probe.center("pad"))))
    assert f"remove {stop_file}" in str(caught.value)
    with pytest.raises(AgentStopped):
        act(desktop, Wait(seconds=0))
    probe.state()
    assert not [e for e in probe.events if e["event"] == "press"]
    stop_file.unlink()
    desktop.kill_switch.reset()
    act(desktop, Click(point=desktop.monitor.from_root(*probe.center("pad"))))
    probe.wait_for(lambda e: e["event"] == "press", what="the click after the reset")


def test_the_hotkey_stops_a_long_wait_at_once(desktop, xvfb) -> None:
    assert desktop.info().extra["kill_switch"]["hotkey"] == "ctrl+alt+shift+k"
    thread, outcome = in_background(lambda: act(desktop, Wait(seconds=30)))
    while thread.is_alive() and not desktop.kill_switch.tripped:
        subprocess.run(["xdotool", "key", "ctrl+alt+shift+k"], env={**os.environ, "DISPLAY": xvfb.display}, check=True)
        thread.join(timeout=0.2)
    thread.join(timeout=10)
    assert isinstance(outcome.get("error"), AgentStopped), outcome
    assert "hotkey ctrl+alt+shift+k" in str(outcome["error"])
    assert outcome["elapsed"] < 10  # stopped, not waited out
    with pytest.raises(AgentStopped):
        act(desktop, Wait(seconds=0))
    desktop.kill_switch.reset()
    assert act(desktop, Wait(seconds=0)).ok


def test_the_stop_file_interrupts_typing_mid_text(desktop, tk_probe, stop_file) -> None:
    probe = tk_probe()
    act(desktop, Click(point=desktop.monitor.from_root(*probe.center("entry"))))
    text = "a" * 4000
    thread, outcome = in_background(lambda: act(desktop, Type(text=text)))
    probe.wait_for(lambda e: e["event"] == "entry" and len(e["text"]) >= 48, what="typing under way")
    stop_file.touch()
    thread.join(timeout=30)
    assert isinstance(outcome.get("error"), AgentStopped), outcome
    typed = probe.state()["entry"]
    assert 48 <= len(typed) < len(text) and text.startswith(typed)
    assert probe.state()["entry"] == typed  # nothing more arrives after the stop


def test_a_stopped_drag_releases_the_button(desktop, tk_probe) -> None:
    probe = tk_probe()
    px, py, _, _ = probe.widgets["pad"]
    start, end = desktop.monitor.from_root(px + 10, py + 10), desktop.monitor.from_root(px + 300, py + 190)
    thread, outcome = in_background(lambda: act(desktop, Drag(start=start, end=end, duration_ms=10_000)))
    probe.wait_for(lambda e: e["event"] == "drag_motion", what="the drag moving")
    desktop.kill_switch.trip("test")
    thread.join(timeout=10)
    assert isinstance(outcome.get("error"), AgentStopped), outcome
    assert outcome["elapsed"] < 5
    release = probe.wait_for(lambda e: e["event"] == "release", what="the button released")
    assert release["x"] < 300  # released where the drag was stopped, not at its end


def test_the_kill_switch_stops_a_settle_wait(desktop) -> None:
    desktop.kill_switch.trip("test")
    with pytest.raises(AgentStopped):
        desktop.settle(SettleOptions(timeout_s=30))


def test_a_chosen_signal_trips_the_switch(tmp_path) -> None:
    previous = signal.getsignal(signal.SIGUSR1)
    try:
        switch = KillSwitch(stop_file=tmp_path / "stop", hotkey=None, signal=signal.SIGUSR1)
        assert not switch.tripped
        os.kill(os.getpid(), signal.SIGUSR1)
        deadline = time.monotonic() + 5
        while not switch.tripped and time.monotonic() < deadline:
            time.sleep(0.01)
        assert switch.tripped and "SIGUSR1" in switch.reason
    finally:
        signal.signal(signal.SIGUSR1, previous)


def test_a_hotkey_another_client_holds_is_reported_and_the_file_still_works(desktop, xvfb, tmp_path) -> None:
    assert desktop.kill_switch.describe()["hotkey_active"]
    second_file = tmp_path / "second.stop"
    with DesktopDevice(xvfb.display, kill_switch=KillSwitch(stop_file=second_file)) as second:
        described = second.info().extra["kill_switch"]
        assert not described["hotkey_active"]
        assert "another client already grabs ctrl+alt+shift+k" in described["hotkey_problem"]
        second_file.touch()
        with pytest.raises(AgentStopped):
            act(second, Wait(seconds=0))
