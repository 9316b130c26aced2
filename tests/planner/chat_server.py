"""A tiny chat-completions server for tests: answers by a script of behaviours, logs what it received.

Run as ``python -m tests.planner.chat_server PLAN_JSON LOG_PATH``; it binds 127.0.0.1 on a free port
and prints the port on its first line. The plan is a list of behaviours answered in order (the last
repeats): ``ok``, ``ok:TEXT``, ``null`` (content null), ``429:SECONDS`` (Retry-After), ``500``,
``401``, ``slow:SECONDS``, ``garbage`` (a 200 that is not JSON), ``nochoices``.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DEFAULT_REPLY = '<tool_call>\n{"name": "mobile_use", "arguments": {"action": "click", "coordinate": [10, 20]}}\n</tool_call>'


def main() -> None:
    plan: list[str] = json.loads(sys.argv[1])
    log_path = sys.argv[2]
    lock = threading.Lock()
    counter = {"n": 0}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length) or b"{}")
            with lock:
                n = counter["n"]
                counter["n"] += 1
                with open(log_path, "a", encoding="utf-8") as log:
                    log.write(json.dumps({"t": time.time(), "path": self.path,
                                          "auth": self.headers.get("Authorization"), "body": body}) + "\n")
            step = plan[min(n, len(plan) - 1)]
            kind, _, arg = step.partition(":")
            if kind == "slow":
                time.sleep(float(arg))
                kind, arg = "ok", ""
            if kind in ("ok", "null"):
                content = None if kind == "null" else (arg or DEFAULT_REPLY)
                reply = {"id": f"c{n}", "object": "chat.completion", "model": body.get("model"),
                         "choices": [{"index": 0, "finish_reason": "stop",
                                      "message": {"role": "assistant", "content": content}}],
                         "usage": {"prompt_tokens": 1234, "completion_tokens": 21, "total_tokens": 1255}}
                self._send(200, json.dumps(reply).encode())
            elif kind == "429":
                self._send(429, b'{"error": "slow down"}', {"Retry-After": arg or "0"})
            elif kind in ("500", "401"):
                self._send(int(kind), b'{"error": "server says no"}')
            elif kind == "garbage":
                self._send(200, b"<html>upstream proxy error</html>")
            elif kind == "nochoices":
                self._send(200, b'{"object": "error", "message": "model overloaded"}')

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
