"""Takeover during a run: a person takes the device (a request, the model's call for help, or a refused
confirmation), acts on it, and hands back; their steps are recorded as a person's, the model's next
prompt shows them, and the outcome says who finished the task.

The person is a finger on the virtual phone's own touchscreen, read back through ``getevent`` over a real
adb server by the record room's phone channel, as a person on a real phone would be.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from screenpilot.actions import Point, Policy, Size, Tap, Terminate
from screenpilot.agent import ConfirmRequest, Event, Takeover, run
from screenpilot.devices import AndroidDevice
from screenpilot.planner import ScriptedBackend, dialect_for
from screenpilot.record import PhoneChannel
from screenpilot.trajectories import read_episode

from ..record.conftest import Finger
from ._script import NETWORK_ROW, SETTINGS_ICON, WIFI_SWITCH, done, tap, taps


class Person:
    """Acts on the phone whenever the run hands it the device: ``plan`` is a list of callables, one per
    takeover, each getting (finger, takeover) and doing the person's part (actions, then hand back)."""

    def __init__(self, phone: Any, takeover: Takeover, plan: list[Callable[[Finger, Takeover], None]]) -> None:
        self.finger = Finger(phone)
        self.takeover = takeover
        self.plan = list(plan)
        self.turn = threading.Event()
        self.recorded = threading.Semaphore(0)
        self.errors: list[BaseException] = []
        self.thread = threading.Thread(target=self._work, daemon=True)
        self.thread.start()

    def on_event(self, event: Event) -> None:
        if event.kind == "phase" and event.phase == "person" and not self.turn.is_set():
            self.turn.set()
        if event.kind == "step" and event.record is not None and event.record.actor == "person":
            self.recorded.release()

    def step_recorded(self) -> None:
        assert self.recorded.acquire(timeout=60), "the person's action was never recorded"

    def _work(self) -> None:
        while self.plan:
            if not self.turn.wait(timeout=120):
                return
            part = self.plan.pop(0)
            try:
                part(self.finger, self.takeover)
            except BaseException as exc:  # noqa: BLE001 - shown by the test
                self.errors.append(exc)
                self.takeover.hand_back()
            self.turn.clear()


def _takeover() -> Takeover:
    return Takeover(lambda device, _opened: PhoneChannel(device, typing_pause_s=0.5))  # type: ignore[arg-type]


def _run(adb: Any, person: Person, replies: list[str], tmp_path: Path, **options: Any) -> Any:
    """The Wi-Fi task on the fixture's phone, with the person at hand; the person's own mistakes fail the test."""
    device = AndroidDevice(adb.serial, port=adb.server.port, capture="png")
    try:
        result = run("Turn on Wi-Fi", device=device, model=ScriptedBackend(replies), out=tmp_path,
                     takeover=person.takeover, **{"on_event": person.on_event, **options})
    finally:
        device.close()
    assert not person.errors, person.errors
    return result


def test_a_person_takes_over_on_request_and_hands_back_to_the_model(phone: Any, tmp_path: Path) -> None:
    takeover = _takeover()

    def opens_network(finger: Finger, t: Takeover) -> None:
        finger.tap(*NETWORK_ROW)
        person.step_recorded()
        t.hand_back()

    person = Person(phone.phone, takeover, [opens_network])

    def on_event(event: Event) -> None:
        person.on_event(event)
        if event.kind == "step" and event.step == 0:
            takeover.request("the test pressed t")  # taken at the next step

    result = _run(phone, person, [tap(SETTINGS_ICON), tap(WIFI_SWITCH), done()], tmp_path, on_event=on_event)
    assert (result.outcome, result.decided_by) == ("success", "model")
    assert phone.phone.get_setting("global", "wifi_on") == "1"
    steps = read_episode(result.folder).steps
    assert [s.actor for s in steps] == ["model", "person", "model", "model"]
    person_step = steps[1]
    assert isinstance(person_step.device_action.action, Tap) and person_step.executed  # type: ignore[union-attr]
    hit = person_step.element  # what the model's own step would name: the clickable row under the point
    assert hit is not None and hit.clickable and hit.bounds.contains(Point(*NETWORK_ROW))
    assert person_step.request is None and person_step.model_action is not None and person_step.frame_after is not None
    prompt = json.dumps(steps[2].request.messages)  # type: ignore[union-attr]
    assert "(done by a person)" in prompt  # the model's history includes what the person did
    assert len(taps(phone)) == 2  # the person's tap was never sent by ScreenPilot: only the model's two


def test_the_model_asks_for_help_and_the_person_finishes_the_task(phone: Any, tmp_path: Path) -> None:
    dialect = dialect_for("ui-tars-1.5", "phone")
    settings = dialect.space(Size(1080, 2400)).to_model(Tap(point=SETTINGS_ICON), integral=True).action
    replies = [dialect.format(settings, thought="Open Settings."),
               "Thought: The Wi-Fi needs the owner's consent; I cannot go on alone.\nAction: call_user()"]
    takeover = _takeover()

    def finishes(finger: Finger, t: Takeover) -> None:
        finger.tap(*NETWORK_ROW)
        person.step_recorded()
        finger.tap(*WIFI_SWITCH)
        person.step_recorded()
        t.hand_back(finished=True)  # "the task is done"

    person = Person(phone.phone, takeover, [finishes])
    result = _run(phone, person, replies, tmp_path, dialect=dialect)
    assert (result.outcome, result.decided_by) == ("success", "person")
    assert phone.phone.get_setting("global", "wifi_on") == "1"
    steps = read_episode(result.folder).steps
    assert [s.actor for s in steps] == ["model", "model", "person", "person", "person"]
    assert steps[1].error == "you asked for help: a person took over" and not steps[1].executed
    assert steps[4].device_action.action == Terminate(status="success")  # type: ignore[union-attr]
    meta = read_episode(result.folder).meta
    assert meta.decided_by == "person" and "said the task is done" in meta.outcome_detail


def test_a_person_refuses_a_sensitive_action_and_does_it_themselves(phone: Any, tmp_path: Path) -> None:
    takeover = _takeover()
    answers = iter([True, True, "takeover"])

    def decide(request: ConfirmRequest) -> bool | str:
        return next(answers)

    def flips_the_switch(finger: Finger, t: Takeover) -> None:
        finger.tap(*WIFI_SWITCH)
        person.step_recorded()
        t.hand_back()

    person = Person(phone.phone, takeover, [flips_the_switch])
    result = _run(phone, person, [tap(SETTINGS_ICON), tap(NETWORK_ROW), tap(WIFI_SWITCH), done()], tmp_path,
                  policy=Policy(confirm_actions=frozenset({"tap"})), confirm=decide)
    assert (result.outcome, result.decided_by) == ("success", "model")
    steps = read_episode(result.folder).steps
    assert [s.actor for s in steps] == ["model", "model", "model", "person", "model"]
    refused = steps[2]
    assert refused.error_kind == "refused" and "took over" in (refused.error or "") and not refused.executed
    assert steps[3].element is not None and steps[3].executed
    assert phone.phone.get_setting("global", "wifi_on") == "1"
    assert len(taps(phone)) == 2  # the refused tap never went out; the switch was the person's finger


def test_screenpilot_run_takes_keys_from_its_input_t_takes_over_and_h_hands_back(phone: Any, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    script = tmp_path / "replies.json"
    script.write_text(json.dumps([tap(SETTINGS_ICON), tap(WIFI_SWITCH), done()]))
    env = {**os.environ, "ANDROID_ADB_SERVER_PORT": str(phone.server.port), "COLUMNS": "200"}
    proc = subprocess.Popen([sys.executable, "-m", "screenpilot.cli", "run", "Turn on Wi-Fi", "--device",
                             f"android:{phone.serial}", "--model", f"scripted:{script}", "--takeover", "--out",
                             str(tmp_path / "runs")], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
    assert proc.stdin is not None and proc.stdout is not None
    seen: list[str] = []

    def until(words: str) -> None:
        for line in proc.stdout:  # type: ignore[union-attr]
            seen.append(line)
            if words in line:
                return
        raise AssertionError(f"never printed {words!r}: {''.join(seen)} {proc.stderr.read()}")  # type: ignore[union-attr]

    try:
        until("step 1:")  # the model tapped Settings
        proc.stdin.write("t\n")  # a person presses t: the next step is theirs
        proc.stdin.flush()
        until("takeover: a person pressed t")
        Finger(phone.phone).tap(*NETWORK_ROW)
        until("step 2:")
        proc.stdin.write("h\n")
        proc.stdin.flush()
        until("the model has the device again")
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    seen.append(out)
    assert proc.returncode == 0, "".join(seen) + err
    folder = next(line for line in "".join(seen).splitlines() if line.startswith("trajectory: ")).split(": ", 1)[1]
    steps = read_episode(Path(folder) if Path(folder).is_absolute() else tmp_path / folder).steps
    assert [s.actor for s in steps] == ["model", "person", "model", "model"]
    assert phone.phone.get_setting("global", "wifi_on") == "1"
