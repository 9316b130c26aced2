"""An OpenAI-compatible chat-completions backend (vLLM, SGLang, DashScope, Ollama, LM Studio).

Images go inline as base64 PNG data URLs at the size the dialect computed, so the server sees the
same pixels the coordinates refer to (a server that resizes again leaves an already smart-resized
image as it is). Transient faults (429, 5xx, timeouts, refused connections) are retried with
exponential backoff, honouring the server's Retry-After; anything else is a BackendError at once.
"""

from __future__ import annotations

import email.utils
import os
import random
import time
from typing import Any

import httpx

from ._errors import BackendError
from ._request import Completion, ModelRequest

__all__ = ["API_KEY_VARS", "OpenAIBackend", "from_spec"]

API_KEY_VARS = ("SCREENPILOT_API_KEY", "OPENAI_API_KEY", "DASHSCOPE_API_KEY")
"""Where the API key is looked for, in order (a local vLLM needs none)."""

_RETRY_STATUS = {408, 429} | set(range(500, 600))


class OpenAIBackend:
    """Chat completions at ``base_url`` (``…/v1`` or the full ``…/chat/completions`` address)."""

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str | None = None,
        timeout: float = 120.0,
        connect_timeout: float = 10.0,
        max_attempts: int = 4,
        backoff: float = 1.0,
        max_wait: float = 60.0,
        temperature: float = 0.0,
        extra_body: dict[str, Any] | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise BackendError(f"not an http(s) address: {base_url!r}",
                               hint="write openai:http://HOST:PORT/v1#MODEL")
        if max_attempts < 1:
            raise ValueError("max_attempts must be >= 1")
        base = base_url.rstrip("/")
        self.url = base if base.endswith("/chat/completions") else base + "/chat/completions"
        self.model = model
        self.name = f"openai:{base}#{model}"
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.max_wait = max_wait
        self.temperature = temperature
        self.extra_body = dict(extra_body or {})
        key = api_key or next((os.environ[v] for v in API_KEY_VARS if os.environ.get(v)), None)
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self._client = httpx.Client(timeout=httpx.Timeout(timeout, connect=connect_timeout), headers=headers,
                                    transport=transport)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> OpenAIBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def payload(self, request: ModelRequest) -> dict[str, Any]:
        body: dict[str, Any] = {"model": self.model, "messages": request.to_openai(),
                                "max_tokens": request.max_new_tokens, "temperature": self.temperature}
        if request.stop:
            body["stop"] = list(request.stop)
        return {**body, **self.extra_body}

    def generate(self, request: ModelRequest) -> Completion:
        body = self.payload(request)
        start = time.perf_counter()
        last = ""
        for attempt in range(1, self.max_attempts + 1):
            wait: float | None = None
            try:
                response = self._client.post(self.url, json=body)
            except httpx.TimeoutException:
                last = f"no answer within the timeout ({type(self._client.timeout).__name__} "\
                       f"read={self._client.timeout.read}s)"
            except httpx.TransportError as exc:
                last = f"cannot reach the server ({type(exc).__name__}: {exc})"
            else:
                if response.status_code in _RETRY_STATUS:
                    last = f"HTTP {response.status_code}: {_snippet(response.text)}"
                    wait = _retry_after(response)
                elif response.status_code >= 400:
                    raise BackendError(f"{self.url} answered HTTP {response.status_code}: {_snippet(response.text)}",
                                       hint=_hint(response.status_code, self.model))
                else:
                    return self._completion(response, time.perf_counter() - start, attempt)
            if attempt == self.max_attempts:
                break
            if wait is None:
                wait = self.backoff * 2 ** (attempt - 1) * (0.5 + random.random() / 2)
            time.sleep(min(max(wait, 0.0), self.max_wait))
        raise BackendError(f"{self.url} failed {self.max_attempts} time(s); last: {last}",
                           hint="check that the server is up and serving the model, or raise max_attempts/timeout")

    def _completion(self, response: httpx.Response, latency: float, attempts: int) -> Completion:
        try:
            data = response.json()
            choice = data["choices"][0]
            message = choice.get("message") or {}
        except (ValueError, KeyError, IndexError, TypeError, AttributeError):
            raise BackendError(
                f"{self.url} answered {response.status_code} with a body that is not a chat completion: "
                f"{_snippet(response.text)}",
                hint="point the spec at an OpenAI-compatible /v1 endpoint",
            ) from None
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, list):  # some servers answer with parts
            content = "".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")
        usage = data.get("usage") if isinstance(data.get("usage"), dict) else {}
        return Completion(
            text=content if isinstance(content, str) else "",
            latency_s=latency,
            prompt_tokens=_int(usage.get("prompt_tokens")),
            completion_tokens=_int(usage.get("completion_tokens")),
            model=str(data.get("model") or self.model),
            finish_reason=choice.get("finish_reason") if isinstance(choice, dict) else None,
            attempts=attempts,
            extra={} if isinstance(content, str) else {"non_text_reply": type(content).__name__},
        )


def from_spec(rest: str, **options: Any) -> OpenAIBackend:
    """``URL#MODEL`` (the text after ``openai:``) as a backend."""
    url, _, model = rest.rpartition("#") if "#" in rest else (rest, "", "")
    if not model.strip() or not url.strip():
        raise BackendError(f"the spec 'openai:{rest}' names no model",
                           hint="write openai:URL#MODEL, e.g. openai:http://127.0.0.1:8000/v1#Qwen2.5-VL-7B-Instruct")
    return OpenAIBackend(url.strip(), model.strip(), **options)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _snippet(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= limit else text[:limit] + "…")


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds the server asked us to wait: a number, or an HTTP date."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _hint(status: int, model: str) -> str:
    if status in (401, 403):
        return f"set the API key in one of {', '.join(API_KEY_VARS)}"
    if status == 404:
        return f"check the URL (…/v1) and that the server serves a model named {model!r}"
    if status in (400, 413, 422):
        return "the server refused the request: the model may not take images, or the prompt is too long"
    return "see the server's log"
