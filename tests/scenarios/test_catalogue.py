"""The shipped scenario files and the format itself: coverage of the suite, seeds, selection, and the
errors a scenario author gets for a bad file (naming the file and the field)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from screenpilot.actions import Bounds, Element
from screenpilot.scenarios import (
    Expect,
    ScenarioError,
    Selector,
    UiNode,
    builtin_scenarios,
    load_scenario_file,
    load_scenarios,
    parse_rows,
    sample_params,
    select_scenarios,
)

SPECS = builtin_scenarios()


def test_the_suite_covers_what_the_issue_asks_for() -> None:
    devices = Counter(s.device for s in SPECS)
    assert devices["phone"] >= 25 and devices["desktop"] >= 5
    phone_tags = {t for s in SPECS if s.device == "phone" for t in s.tags}
    assert {"toggles", "navigation", "scrolling", "forms", "typing", "non-ascii", "dialog", "multi-app", "long",
            "infeasible", "slider", "answer", "files"} <= phone_tags
    apps = {s.id.split(".")[0] for s in SPECS if s.device == "phone"}
    assert {"settings", "contacts", "notes", "clock", "launcher", "multi", "infeasible"} <= apps
    assert len({s.id for s in SPECS}) == len(SPECS)
    assert any(s.real_phone for s in SPECS), "some checks must be the kind a real phone runs"


@pytest.mark.parametrize("spec", SPECS, ids=[s.id for s in SPECS])
def test_every_scenario_instantiates_for_many_seeds(spec) -> None:
    for seed in (None, 0, 1, 2, 3, 17):
        scenario = spec.instantiate(seed, workdir="/tmp/w")
        assert "{{" not in scenario.instruction and "{%" not in scenario.instruction
        assert scenario.solution[-1].kind in ("terminate", "answer")
        assert scenario.negative_solution() != scenario.solution
        assert scenario.id == spec.id and scenario.seed == seed
        assert scenario.device == spec.device


def test_a_seed_always_draws_the_same_task_and_seeds_differ() -> None:
    spec = next(s for s in SPECS if s.id == "contacts.add_contact")
    assert spec.instantiate(7).instruction == spec.instantiate(7).instruction
    assert len({spec.instantiate(k).instruction for k in range(10)}) >= 4
    assert spec.instantiate(None).params["person"] == {"given": "Zoë", "family": "Ångström"}  # the canonical one


def test_param_forms() -> None:
    specs = {"n": {"range": [1, 9], "step": 2}, "pick": {"choice": ["a", "b"]}, "few": {"sample": [1, 2, 3, 4], "k": 2},
             "both": {"template": "{{ pick }}-{{ n }}"}, "fixed": 5}
    values = sample_params(specs, scenario_id="x", seed=3)
    assert values["n"] in (1, 3, 5, 7, 9) and values["pick"] in ("a", "b") and len(set(values["few"])) == 2
    assert values["both"] == f"{values['pick']}-{values['n']}" and values["fixed"] == 5
    assert sample_params(specs, scenario_id="x", seed=None)["both"] == "a-1"
    with pytest.raises(ValueError, match="params.n: range"):
        sample_params({"n": {"range": [5, 1]}}, scenario_id="x", seed=0)
    with pytest.raises(ValueError, match="sample"):
        sample_params({"n": {"sample": [1], "k": 3}}, scenario_id="x", seed=0)


def test_selection_by_suite_tag_id_glob_and_path(tmp_path: Path) -> None:
    assert {s.device for s in select_scenarios(["desktop"])} == {"desktop"}
    assert all(s.id.startswith("clock.") for s in select_scenarios(["clock.*"]))
    assert [s.id for s in select_scenarios(["settings.wifi_toggle"])] == ["settings.wifi_toggle"]
    assert all("infeasible" in s.tags for s in select_scenarios(["infeasible"]))
    assert len(select_scenarios(["settings", "settings.wifi_toggle"])) == len(select_scenarios(["settings"]))
    assert {s.device for s in select_scenarios([], device="phone")} == {"phone"}
    with pytest.raises(ScenarioError, match="did you mean settings"):
        select_scenarios(["setings"])
    own = tmp_path / "mine.yaml"
    own.write_text(_MINIMAL)
    assert [s.id for s in select_scenarios([str(own)])] == ["mine.one"]


_MINIMAL = """
id: mine.one
title: t
device: phone
instruction: Turn Wi-Fi on.
max_steps: 5
success:
  - setting: {namespace: global, key: wifi_on, equals: "1"}
solution:
  - tap: Wi-Fi
  - terminate: success
"""


@pytest.mark.parametrize(("change", "message"), [
    (("  - tap: Wi-Fi", "  - tapp: Wi-Fi"), r"solution\.0.*tapp"),
    (("success:\n  - setting: {namespace: global, key: wifi_on, equals: \"1\"}\n", "success: []\n"),
     r"success: List should have at least 1 item"),
    (("device: phone", "device: desktop"), r"setting.* is not available on a desktop|'tap'"),
    (("Turn Wi-Fi on.", "Turn {{ state }} on."), r"UndefinedError.*state"),
    (("  - terminate: success", "  - back"), r"must end with terminate"),
    (("namespace: global", "namespace: galactic"), r"success\.0\.setting\.namespace"),
    (("max_steps: 5", "max_steps: 0"), r"max_steps"),
    (("id: mine.one", "id: Mine One"), r"id: String should match"),
    (("  - tap: Wi-Fi", "  - tap: {text: Wi-Fi, colour: red}"), r"colour"),
    (("  - tap: Wi-Fi", "  - scroll: {until: Zoe, to_end: true}"), r"not both"),
])
def test_a_bad_file_is_one_clear_error_naming_file_and_field(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    path = tmp_path / "bad.yaml"
    old, new = change
    assert old in _MINIMAL
    path.write_text(_MINIMAL.replace(old, new))
    with pytest.raises(ScenarioError, match=message) as info:
        load_scenario_file(path)
    assert str(path) in str(info.value)


def test_yaml_syntax_errors_and_duplicates(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: x\ninstruction: [unclosed\n")
    with pytest.raises(ScenarioError, match=r"not valid YAML \(line"):
        load_scenario_file(broken)
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / "dup" / name).parent.mkdir(exist_ok=True)
        (tmp_path / "dup" / name).write_text(_MINIMAL)
    with pytest.raises(ScenarioError, match="used twice"):
        load_scenarios([tmp_path / "dup"])
    with pytest.raises(ScenarioError, match="cannot read"):
        load_scenario_file(tmp_path / "missing.yaml")


def _node(text: str = "", desc: str = "", rid: str = "", box: tuple[int, int, int, int] = (0, 0, 10, 10),
          **kw: object) -> UiNode:
    return UiNode(Element(bounds=Bounds(*box), text=text, description=desc, resource_id=rid, **kw))


def test_selectors_match_as_a_person_reads_labels() -> None:
    nodes = [
        _node(text="Wi\u2011Fi", box=(0, 100, 500, 150)),  # Android writes a non-breaking hyphen
        _node(desc="Model", box=(0, 200, 500, 250)), _node(text="Pixel 9", rid="android:id/summary", box=(0, 252, 500, 300)),
        _node(text="Android version", box=(0, 310, 500, 350)), _node(text="14", rid="android:id/summary", box=(0, 352, 500, 400)),
        _node(rid="com.x:id/phone_row", box=(0, 500, 1000, 600)), _node(text="+1 555", rid="title", box=(10, 510, 900, 590)),
        _node(text="+1 556", rid="title", box=(10, 610, 900, 690)),
    ]
    assert Selector.model_validate("wi-fi").pick(nodes) is nodes[0]
    assert Selector.model_validate({"id": "summary", "below": {"label": "Model"}}).pick(nodes).element.text == "Pixel 9"
    assert Selector.model_validate({"id": "title", "within": {"id": "phone_row"}}).pick(nodes).element.text == "+1 555"
    assert Selector.model_validate({"id": "title", "nth": -1}).pick(nodes).element.text == "+1 556"
    assert Selector.model_validate({"text_contains": "version"}).pick(nodes) is nodes[3]
    assert Selector.model_validate({"text": "Wi-Fi", "checked": True}).pick(nodes) is None
    with pytest.raises(ValueError, match="at least one criterion"):
        Selector.model_validate({"nth": 2})


def test_expectations() -> None:
    e = Expect(equals="1")
    assert e.test("1")[0] and not e.test("0")[0] and not e.test(None)[0]
    assert Expect(absent=True).test(None)[0] and not Expect(absent=True).test("x")[0]
    assert Expect(between=(10, 20)).test("15")[0] and not Expect(between=(10, 20)).test("25")[0]
    assert not Expect(between=(10, 20)).test("bright")[0]
    assert Expect(contains="Eggs", lacks="Ham").test("Milk\nEggs")[0]
    assert Expect(one_of=["a", 2]).test("2")[0] and Expect(matches=r"^\+1 555").test("+1 555 0101")[0]
    assert Expect(equals=True).test("1")[0] and Expect(equals=5.0).test("5")[0]


def test_content_query_output_is_read_with_commas_and_newlines_inside_values() -> None:
    out = "Row: 0 _id=1, title=Ideas, body=a, b=c\nnext, modified=1\nRow: 1 _id=2, title=S, body=Milk\nEggs, modified=2\n"
    rows = parse_rows(out, ["_id", "title", "body", "modified"])
    assert rows == [{"_id": "1", "title": "Ideas", "body": "a, b=c\nnext", "modified": "1"},
                    {"_id": "2", "title": "S", "body": "Milk\nEggs", "modified": "2"}]
    assert parse_rows("No result found.\n") == []
