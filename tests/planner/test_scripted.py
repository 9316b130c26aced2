"""Scripted and replay backends, and the one spec string that picks a backend."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from screenpilot.actions import Point, Tap, Terminate
from screenpilot.perception import Frame
from screenpilot.planner import (
    BackendError,
    ModelRequest,
    ParseError,
    ReplayBackend,
    ScriptedBackend,
    ScriptExhausted,
    backend_from_spec,
    dialect_for,
)

DIALECT = dialect_for("qwen2.5-vl", "phone")


@pytest.fixture(scope="module")
def request_() -> ModelRequest:
    frame = Frame.from_image(Image.new("RGB", (1080, 2400), (40, 90, 160)))
    return DIALECT.messages("open the settings", [], frame)


def test_a_list_is_answered_in_order_then_exhausted(request_: ModelRequest) -> None:
    replies = [DIALECT.format(Tap(point=Point(10, 20))), DIALECT.format(Terminate(status="success"))]
    backend = ScriptedBackend(replies)
    first, second = backend.generate(request_), backend.generate(request_)
    assert DIALECT.parse(first.text).action == Tap(point=Point(10, 20))
    assert DIALECT.parse(second.text).action == Terminate(status="success")
    assert first.latency_s >= 0 and first.model == "scripted"
    with pytest.raises(ScriptExhausted, match="asked for reply 3 but holds 2"):
        backend.generate(request_)


def test_a_callable_sees_the_request(request_: ModelRequest) -> None:
    seen: list[ModelRequest] = []

    def solve(request: ModelRequest) -> str:
        seen.append(request)
        w, h = request.space.model
        return DIALECT.format(Tap(point=Point(w // 2, h // 2)))

    reply = ScriptedBackend(solve).generate(request_)
    assert seen == [request_]
    assert DIALECT.parse(reply.text, request_.space).model_action.space.model == (1092, 2408)


def test_a_non_text_reply_becomes_a_parse_error_not_a_crash(request_: ModelRequest) -> None:
    reply = ScriptedBackend(lambda r: None).generate(request_)  # type: ignore[arg-type, return-value]
    assert reply.text == ""
    with pytest.raises(ParseError, match="empty"):
        DIALECT.parse(reply.text)


def test_spec_strings_choose_scripted_and_replay(tmp_path: Path, request_: ModelRequest) -> None:
    replies = tmp_path / "replies.json"
    replies.write_text(json.dumps([DIALECT.format(Tap(point=Point(1, 2)))]))
    backend = backend_from_spec(f"scripted:{replies}")
    assert DIALECT.parse(backend.generate(request_).text).action == Tap(point=Point(1, 2))

    episode = tmp_path / "episode"
    episode.mkdir()
    lines = [
        json.dumps({"index": 0, "raw_output": "first"}),
        json.dumps({"index": 1, "note": "a step no model decided"}),
        json.dumps({"index": 2, "raw_output": "second"}),
        '{"index": 3, "raw_out',  # torn by a crash mid-write
    ]
    (episode / "steps.jsonl").write_text("\n".join(lines))
    replay = backend_from_spec(f"replay:{episode}")
    assert isinstance(replay, ReplayBackend)
    assert [replay.generate(request_).text for _ in range(2)] == ["first", "second"]
    with pytest.raises(ScriptExhausted):
        replay.generate(request_)


def test_scripted_spec_can_name_a_function(request_: ModelRequest) -> None:
    backend = backend_from_spec("scripted:tests.planner.test_scripted:always_done")
    assert DIALECT.parse(backend.generate(request_).text).action == Terminate(status="success")


def always_done(request: ModelRequest) -> str:
    return DIALECT.format(Terminate(status="success"))


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ("nonsense", "not a backend spec"),
        ("gpt:foo", "unknown backend 'gpt'"),
        ("openai:http://127.0.0.1:1/v1", "names no model"),
        ("scripted:/no/such/file.json", "no script"),
        ("scripted:no_such_module_xyz:fn", "cannot load the script function"),
        ("replay:/no/such/episode", "no steps.jsonl"),
    ],
)
def test_bad_specs_say_what_to_write(spec: str, words: str) -> None:
    with pytest.raises(BackendError, match=words) as info:
        backend_from_spec(spec)
    assert info.value.hint


def test_a_damaged_episode_is_reported_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "steps.jsonl").write_text('{"raw_output": "a"}\nnot json\n{"raw_output": "b"}\n')
    with pytest.raises(BackendError, match=r"steps.jsonl:2"):
        ReplayBackend(tmp_path)
