"""The OpenAI-compatible backend against a real HTTP server on 127.0.0.1, through its bad days."""

from __future__ import annotations

import base64
import io
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PIL import Image

from screenpilot.actions import Point, Tap
from screenpilot.perception import Frame
from screenpilot.planner import BackendError, ModelRequest, ParseError, backend_from_spec, dialect_for

ROOT = Path(__file__).resolve().parents[2]
DIALECT = dialect_for("qwen2.5-vl", "phone")


class Server:
    def __init__(self, url: str, log: Path) -> None:
        self.url = url
        self.log = log

    def requests(self) -> list[dict]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines()]


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[[list[str]], Server]]:
    procs: list[subprocess.Popen] = []

    def start(plan: list[str]) -> Server:
        log = tmp_path / f"log{len(procs)}.jsonl"
        proc = subprocess.Popen([sys.executable, "-m", "tests.planner.chat_server", json.dumps(plan), str(log)],
                                cwd=ROOT, stdout=subprocess.PIPE, text=True)
        procs.append(proc)
        port = proc.stdout.readline().strip()  # the server prints its port once it listens
        assert port.isdigit(), f"chat server did not start (exit {proc.poll()})"
        return Server(f"http://127.0.0.1:{port}/v1", log)

    yield start
    for proc in procs:
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def request_() -> ModelRequest:
    frame = Frame.from_image(Image.new("RGB", (1080, 2400), (10, 120, 60)))
    return DIALECT.messages("Open the settings app", [], frame)


def backend(server: Server, **kw):
    return backend_from_spec(f"openai:{server.url}#qwen2.5-vl-7b", backoff=0.01, **kw)


def test_a_reply_with_usage_and_the_request_as_sent(serve, request_: ModelRequest,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCREENPILOT_API_KEY", "sk-test-123")
    server = serve(["ok"])
    reply = backend(server).generate(request_)

    assert DIALECT.parse(reply.text, request_.space).action == Tap(point=Point(10, 20))
    assert (reply.prompt_tokens, reply.completion_tokens, reply.attempts) == (1234, 21, 1)
    assert reply.model == "qwen2.5-vl-7b" and reply.finish_reason == "stop" and reply.latency_s > 0
    (sent,) = server.requests()
    assert sent["path"] == "/v1/chat/completions"
    assert sent["auth"] == "Bearer sk-test-123"
    body = sent["body"]
    assert body["model"] == "qwen2.5-vl-7b" and body["temperature"] == 0.0
    assert body["max_tokens"] == request_.max_new_tokens
    system, user = body["messages"]
    assert system["role"] == "system" and "<tools>" in system["content"]
    text, image = user["content"]
    assert text["text"].startswith("The user query: Open the settings app")
    url = image["image_url"]["url"]
    assert url.startswith("data:image/png;base64,")
    sent_image = Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))
    assert sent_image.size == (1092, 2408)  # the smart-resized size the coordinates refer to


def test_429_is_retried_after_the_servers_retry_after(serve, request_: ModelRequest) -> None:
    server = serve(["429:1", "ok"])
    reply = backend(server).generate(request_)
    assert reply.attempts == 2
    first, second = server.requests()
    assert second["t"] - first["t"] >= 0.9  # it waited as told, not its own 10 ms backoff


def test_500s_are_retried_with_backoff_then_reported(serve, request_: ModelRequest) -> None:
    server = serve(["500", "500", "ok"])
    assert backend(server).generate(request_).attempts == 3
    server = serve(["500"])
    with pytest.raises(BackendError, match=r"failed 3 time\(s\); last: HTTP 500") as info:
        backend(server, max_attempts=3).generate(request_)
    assert "server is up" in info.value.hint
    assert len(server.requests()) == 3


def test_a_timeout_is_retried_and_then_reported(serve, request_: ModelRequest) -> None:
    server = serve(["slow:3", "ok"])
    reply = backend(server, timeout=0.5).generate(request_)
    assert reply.attempts == 2
    server = serve(["slow:3"])
    with pytest.raises(BackendError, match="no answer within the timeout"):
        backend(server, timeout=0.3, max_attempts=2).generate(request_)


@pytest.mark.parametrize(("plan", "words"), [(["garbage"], "not a chat completion: '<html>upstream"),
                                             (["nochoices"], "not a chat completion")])
def test_a_malformed_body_is_a_clear_backend_error(serve, request_: ModelRequest, plan: list[str],
                                                   words: str) -> None:
    server = serve(plan)
    with pytest.raises(BackendError, match=words):
        backend(server).generate(request_)
    assert len(server.requests()) == 1  # not retried: the server answered, wrongly


def test_a_client_error_is_not_retried_and_names_the_key_variable(serve, request_: ModelRequest) -> None:
    server = serve(["401"])
    with pytest.raises(BackendError, match="HTTP 401") as info:
        backend(server).generate(request_)
    assert "SCREENPILOT_API_KEY" in info.value.hint
    assert len(server.requests()) == 1


def test_a_null_content_reply_is_a_parse_error_for_the_model(serve, request_: ModelRequest) -> None:
    server = serve(["null"])
    reply = backend(server).generate(request_)
    assert reply.text == "" and reply.extra == {"non_text_reply": "NoneType"}
    with pytest.raises(ParseError, match="empty"):
        DIALECT.parse(reply.text)


def test_nobody_listening_is_retried_then_reported(request_: ModelRequest) -> None:
    import socket

    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(BackendError, match="cannot reach the server"):
        backend_from_spec(f"openai:http://127.0.0.1:{port}/v1#m", backoff=0.01, max_attempts=2).generate(request_)
