"""Rendered prompts of every dialect match their golden files (tests/planner/golden/).

A golden file is the request as the model gets it: each message's role and text, and each image as
its sizes and token count. A diff here is a change in what models are told: review it, then
regenerate with ``UPDATE_GOLDEN=1 pytest tests/planner/test_prompts.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

import jinja2
import pytest
from PIL import Image

from screenpilot.actions import Point, Size, Tap
from screenpilot.perception import Frame
from screenpilot.planner import DIALECTS, HistoryPolicy, HistoryStep, ModelRequest, TextPart, dialect_for, render

GOLDEN = Path(__file__).parent / "golden"
SIZES = {"phone": (1080, 2400), "desktop": (1920, 1080)}
TASKS = {"phone": "Turn on Wi-Fi in the Settings app", "desktop": "Save the open document as report.odt"}


def dump(request: ModelRequest) -> str:
    out = [f"# dialect={request.dialect} space={request.space.convention} model={request.space.model} "
           f"device={request.space.device} image_tokens={request.image_tokens}"]
    for m in request.messages:
        out.append(f"=== {m.role} ===")
        for p in m.content:
            out.append(p.text if isinstance(p, TextPart)
                       else f"[image {p.original} sent as {p.size}, {p.tokens} tokens]")
    return "\n".join(out) + "\n"


def history(dialect, kind: str) -> list[HistoryStep]:
    frame = Frame.from_image(Image.new("RGB", SIZES[kind], (9, 9, 9)))
    first = dialect.format(Tap(point=Point(100, 200))) if kind == "phone" else None
    steps = [HistoryStep(line="Opened the app drawer", reply=first or "(opened the menu)", image=frame),
             HistoryStep(line="Scrolled to the bottom", reply="(scrolled)", image=frame)]
    return steps


def check(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path}: run with UPDATE_GOLDEN=1 and review it"
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("kind", ["phone", "desktop"])
@pytest.mark.parametrize("name", DIALECTS)
def test_prompt_matches_golden(name: str, kind: str) -> None:
    dialect = dialect_for(name, kind)
    frame = Frame.from_image(Image.new("RGB", SIZES[kind], (200, 200, 200)))
    request = dialect.messages(TASKS[kind], history(dialect, kind), frame)
    check(f"{name}-{kind}.txt", dump(request))


def test_prompt_with_screenshots_matches_golden() -> None:
    dialect = dialect_for("qwen2.5-vl", "phone")
    frame = Frame.from_image(Image.new("RGB", SIZES["phone"], (200, 200, 200)))
    request = dialect.messages(TASKS["phone"], history(dialect, "phone"), frame, policy=HistoryPolicy(screenshots=3))
    check("qwen2.5-vl-phone-screenshots3.txt", dump(request))
    dialect = dialect_for("ui-tars-1.5", "desktop")
    frame = Frame.from_image(Image.new("RGB", SIZES["desktop"], (200, 200, 200)))
    request = dialect.messages(TASKS["desktop"], history(dialect, "desktop"), frame,
                               policy=HistoryPolicy(screenshots=2))
    check("ui-tars-1.5-desktop-screenshots2.txt", dump(request))


def test_tool_descriptions_state_the_resolution_the_model_sees() -> None:
    qwen = dialect_for("qwen2.5-vl", "phone")
    tool = qwen.tools(qwen.space(Size(1080, 2400)))
    assert "The screen's resolution is 1092x2408." in tool["function"]["description"]
    qwen3 = dialect_for("qwen3-vl", "desktop")
    assert "resolution is 1000x1000" in qwen3.tools(qwen3.space(Size(1920, 1080)))["function"]["description"]


def test_templates_are_strict_about_missing_variables() -> None:
    with pytest.raises(jinja2.UndefinedError, match="task"):
        render("qwen/user.j2", omitted=0, lines=[])
    with pytest.raises(jinja2.UndefinedError):
        render("uitars/prompt.j2", device="phone", action_space="", language="English", omitted=0)
