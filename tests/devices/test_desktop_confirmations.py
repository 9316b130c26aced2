"""The validator's confirmations on a real GTK window, through the whole agent loop: clicking a button
labelled Delete, or typing into a password field, waits for a person; what the person refuses never
reaches the window. Every step records the accessibility tree (the password never in it), and the HTML
report names the element under each desktop action."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from screenpilot.actions import BaseAction, Click, Element, Terminate, Type
from screenpilot.agent import ConfirmRequest, run
from screenpilot.planner import ModelRequest, ScriptedBackend, dialect_for
from screenpilot.trajectories import read_episode, render_report

DIALECT = dialect_for("qwen2.5-vl", "desktop")


def _model(device: Any, plan: list[Callable[[list[Element]], BaseAction]]) -> ScriptedBackend:
    """A scripted model that looks at the live tree, picks its action in device pixels and answers in the
    model's own coordinates (Qwen2.5-VL: pixels of the resized screenshot), as a real model would."""
    steps = iter(plan)

    def reply(request: ModelRequest) -> str:
        action = next(steps)(device.ui_tree() or [])
        return DIALECT.format(request.space.to_model(action, integral=True).action, thought="next")

    return ScriptedBackend(reply)


def _click(label: str, role: str | None = None) -> Callable[[list[Element]], BaseAction]:
    def pick(elements: list[Element]) -> BaseAction:
        found = next(e for e in elements if (e.label == label or e.description == label)
                     and (role is None or e.class_name == role))
        return Click(point=found.bounds.center)

    return pick


def test_delete_and_a_password_ask_a_person_and_a_refusal_never_reaches_the_window(desktop, gtk_probe,
                                                                                   tmp_path: Path) -> None:
    app = gtk_probe(geometry="+40+40")
    asked: list[ConfirmRequest] = []

    def person(request: ConfirmRequest) -> bool:
        asked.append(request)
        return not any("Delete" in reason for reason in request.reasons)  # no to Delete, yes to the password

    plan = [_click("Delete", "push button"), _click("Password", "password text"),
            lambda _e: Type(text="hunter2-secret"), _click("Save", "push button"), lambda _e: Terminate(status="success")]
    result = run("Fill in the probe", device=desktop, model=_model(desktop, plan), dialect=DIALECT, out=tmp_path,
                 confirm=person)
    assert result.outcome == "success"

    assert len(asked) == 2
    assert "'Delete' looks sensitive" in asked[0].reasons[0]
    assert asked[1].reasons == ["typing into the password field 'Password'"]
    state = app.state()
    assert state["entries"]["Password"] == "hunter2-secret"  # approved: typed
    clicked = [e["name"] for e in app.events if e["event"] == "clicked"]
    assert clicked == ["Save"], "the refused Delete never reached the window"

    episode = read_episode(result.folder)
    delete, field, typing, save = episode.steps[:4]
    assert delete.error_kind == "refused" and not delete.executed and delete.element.label == "Delete"
    assert delete.element.class_name == "push button" and delete.confirmation.approved is False
    assert field.element.password and field.confirmation is None
    assert typing.confirmation.approved and save.executed and save.confirmation is None
    for step in episode.steps:
        tree = json.loads((episode.folder / step.ui_tree).read_text(encoding="utf-8"))
        assert any(node["class_name"] == "frame" for node in tree)
        assert "hunter2" not in json.dumps(tree)

    html = render_report([episode])
    for label in ("Delete", "Password", "Save"):  # named under each action, as on the phone
        assert f"<dt>element</dt><dd>{label}</dd>" in html
    assert html.count('class="element"') >= 3  # and its rectangle drawn on the screenshot
