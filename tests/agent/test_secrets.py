"""Secrets as a task author meets them: named in the task, found in the environment or a file, never echoed."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from screenpilot.actions import SecretText, Size, Tap, Type
from screenpilot.agent import SecretError, Secrets, secret_names
from screenpilot.perception import DeviceAction

TASK = "Log in as {{secret:USER}} with password {{ secret:PASSWORD }}"


def test_names_come_from_the_task_in_order() -> None:
    assert secret_names(TASK) == ["USER", "PASSWORD"]
    assert secret_names("no secrets here {{secret:}} {{secret:9X}}") == []


def test_values_come_from_the_environment_with_the_prefix() -> None:
    env = {"SCREENPILOT_SECRET_USER": "ada", "SCREENPILOT_SECRET_PASSWORD": "pa55-word!", "PASSWORD": "wrong"}
    secrets = Secrets.for_task(TASK, env=env)
    assert secrets.resolve("{{secret:USER}}/{{secret:PASSWORD}}") == "ada/pa55-word!"
    assert "pa55" not in repr(secrets)


@pytest.mark.parametrize(
    ("name", "content"),
    [("s.env", "# mine\nexport USER=ada\nPASSWORD='pa55-word!'\n"),
     ("s.json", '{"USER": "ada", "PASSWORD": "pa55-word!"}'),
     ("s.yaml", "USER: ada\nPASSWORD: pa55-word!\n")],
)
def test_a_secrets_file_wins_over_the_environment(tmp_path: Path, name: str, content: str) -> None:
    (tmp_path / name).write_text(content)
    secrets = Secrets.for_task(TASK, file=tmp_path / name, env={"SCREENPILOT_SECRET_USER": "bob"})
    assert secrets.resolve("{{secret:USER}} {{secret:PASSWORD}}") == "ada pa55-word!"


def test_a_missing_value_stops_the_run_before_it_starts_and_says_how_to_set_it() -> None:
    with pytest.raises(SecretError, match="SCREENPILOT_SECRET_PASSWORD") as info:
        Secrets.for_task(TASK, env={"SCREENPILOT_SECRET_USER": "ada"})
    assert "{{secret:PASSWORD}}" in str(info.value)


def test_a_bad_secrets_file_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "s.env").write_text("PASSWORD pa55\n")
    with pytest.raises(SecretError, match="line 1 is not NAME=value"):
        Secrets.for_task(TASK, file=tmp_path / "s.env")
    with pytest.raises(SecretError, match="cannot read"):
        Secrets.for_task(TASK, file=tmp_path / "absent.env")


def test_redaction_puts_the_placeholder_back_longest_value_first() -> None:
    secrets = Secrets({"PIN": "1234", "LONG": "1234-5678"})
    assert secrets.redact("typed 1234-5678 then 1234") == "typed {{secret:LONG}} then {{secret:PIN}}"


def test_only_a_type_action_gets_the_value_and_only_for_the_driver() -> None:
    secrets = Secrets({"PASSWORD": "pa55"})
    typed = DeviceAction(action=Type(text="{{secret:PASSWORD}}\n"), size=Size(1080, 2400))
    resolved = secrets.resolve_action(typed)
    # the text keeps the placeholder; the value rides beside it for the driver, and is never serialized
    assert resolved.action.text == "{{secret:PASSWORD}}\n" and resolved.secrets == {"PASSWORD": "pa55"}
    assert "pa55" not in resolved.model_dump_json() and "pa55" not in repr(resolved) and not typed.secrets
    assert SecretText.of(resolved.action.text, resolved.secrets).real == "pa55\n"
    tap = DeviceAction(action=Tap(point=(1, 2)), size=Size(1080, 2400))
    assert secrets.resolve_action(tap) is tap


def test_a_secret_the_task_did_not_name_is_a_problem_for_the_model() -> None:
    secrets = Secrets({"PASSWORD": "pa55"})
    assert secrets.problems("{{secret:PASSWORD}}") == []
    [problem] = secrets.problems("{{secret:AWS_KEY}}")
    assert "not a secret of this task" in problem and "{{secret:PASSWORD}}" in problem
    assert secrets.resolve("{{secret:AWS_KEY}}") == "{{secret:AWS_KEY}}"


def test_secrets_refuse_to_be_pickled_into_a_checkpoint() -> None:
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(Secrets({"PASSWORD": "pa55"}))
