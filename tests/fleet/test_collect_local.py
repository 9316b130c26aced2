"""Collection on a local Ray cluster the CLI starts itself (a phone that never opens is quarantined and
the rest go on), the worker without Ray (free-form tasks), and the parts a user meets first: bad
arguments, the tasks file, the pool file, a torn manifest, the shared model's bounded concurrency."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from screenpilot.fleet import (
    BadDeviceList,
    DeviceWorker,
    FleetError,
    Manifest,
    WorkerOptions,
    build_work,
    parse_pool,
    read_task_file,
)
from screenpilot.planner import backend_from_spec

from .conftest import finals_by_key, manifest


def test_a_mixed_pool_where_a_phone_never_opens(collect_cli: Any, adb_server_factory: Any, tmp_path: Path) -> None:
    server = adb_server_factory()  # a real adb server with no phone attached: android:NOSUCH is not there
    pool = tmp_path / "pool.yaml"
    pool.write_text("- sim: 1\n- android: [NOSUCH]\n- desktop: 1\n")
    out = tmp_path / "c"
    run = collect_cli("settings.wifi_toggle", "settings.airplane_mode", "clock.clock_tab", "desktop.todo.add_items",
                      "--devices", str(pool), "--out", str(out), "--num-cpus", "1",
                      env={"ANDROID_ADB_SERVER_PORT": str(server.port)})
    assert run.wait() == 0, run.stderr[-2000:]
    failed = [e for e in run.events if e["event"] == "device" and e.get("state") == "failed"]
    assert failed and all(e["device"] == "android:NOSUCH" and e["fault"] == "open" for e in failed)
    assert "NOSUCH" in failed[0]["reason"]
    [quarantined] = [e for e in run.events if e["event"] == "quarantine"]
    assert quarantined["device"] == "android:NOSUCH" and "2 failures in a row" in quarantined["reason"]
    records = manifest(out)
    finals = finals_by_key(records)
    assert all(len(v) == 1 and v[0]["outcome"] == "success" and v[0]["check"] for v in finals.values())
    assert len(finals) == 4
    assert {r["device"] for r in records if r["task"].startswith("desktop.")} == {"desktop-1"}  # its own Xvfb
    assert {r["device"] for r in records if not r["task"].startswith("desktop.")} == {"sim-1"}
    summary = json.loads((out / "summary.json").read_text())
    states = {d["device"]: d["state"] for d in summary["devices"]}
    assert states == {"sim-1": "idle", "android:NOSUCH": "quarantined", "desktop-1": "idle"}
    started = next(e for e in run.events if e["event"] == "cluster")
    assert started["started_here"] is True and started["address"].startswith("127.0.0.1:")


def test_a_free_form_task_file_on_a_worker_without_ray(tmp_path: Path) -> None:
    tap_settings = {"name": "mobile_use", "arguments": {"action": "open", "text": "Settings"}}
    done = {"name": "mobile_use", "arguments": {"action": "terminate", "status": "success"}}
    replies = tmp_path / "replies.json"
    replies.write_text(json.dumps([f"<tool_call>\n{json.dumps(c)}\n</tool_call>" for c in (tap_settings, done)]))
    tasks = tmp_path / "tasks.jsonl"
    tasks.write_text(json.dumps({"task": "Open Settings", "id": "open-settings", "setup": [{"launch": "com.android.deskclock"}]})
                     + "\n")
    items, notes = build_work([str(tasks)], model=f"scripted:{replies}", kinds={"phone"})
    assert [i.key for i in items] == ["open-settings#0"] and not notes
    worker = DeviceWorker(parse_pool(["sim:1"])[0], WorkerOptions(model=f"scripted:{replies}"))
    try:
        report = worker.run(items[0], 1)
        phone = worker._target.sim  # type: ignore[union-attr]
        assert phone.state().foreground.startswith("com.android.settings")
    finally:
        worker.close()
    assert report.result.status == "passed" and report.result.model_outcome == "success", report.result
    assert report.result.steps == 2 and report.episode_zip and report.episode_name
    assert worker.status()["episodes"] == 1


def test_a_phone_that_stops_answering_is_an_attempt_and_is_reopened() -> None:
    from screenpilot.devices.android import Backoff

    items, _ = build_work(["launcher.open_app"], kinds={"phone"})
    options = WorkerOptions(model="reference", device_options={"backoff": Backoff(total=0.5)})  # give up soon
    worker = DeviceWorker(parse_pool(["sim:1"])[0], options)
    try:
        worker.open()
        first_phone = worker._target.sim  # type: ignore[union-attr]
        first_phone.faults.drop_probability = 1.0  # every request now drops the connection: the phone is gone
        cut = worker.run(items[0], 1)
            # what the phone's silence looks like depends on when the adb server notices: a dropped link, an
        # offline device, or one no longer attached; each is the device's fault
        assert cut.result.status == "error" and cut.device_fault, cut.result
        assert any(w in (cut.result.error or "") for w in ("dropped", "offline", "not attached")), cut.result
        assert worker._target is None  # closed, to be opened afresh
        again = worker.run(items[0], 2)
        assert again.result.status == "passed" and not again.device_fault, again.result
        assert worker._target.sim is not first_phone  # type: ignore[union-attr]
    finally:
        worker.close()


def test_bad_arguments_are_one_line_and_exit_2(tmp_path: Path) -> None:
    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "screenpilot.cli", "collect", *args], capture_output=True, text=True,
                              timeout=60, check=False)

    for args, words in ((["settings", "--out", str(tmp_path / "a"), "--devices", "pixel:3"], "not a device list"),
                        (["settings", "--out", str(tmp_path / "a"), "--devices", "sim:0"], "count"),
                        (["settings", "--out", str(tmp_path / "a")], "--devices"),
                        (["--devices", "sim:1", "--out", str(tmp_path / "a")], "name the tasks")):
        done = cli(*args)
        assert done.returncode == 2, (args, done.stderr)
        assert done.stderr.count("\n") == 1 and words in done.stderr and "Traceback" not in done.stderr
    done = cli("--resume", "--out", str(tmp_path / "nothing"))
    assert done.returncode == 1 and "holds no collection to resume" in done.stderr


def test_tasks_file_and_pool_file(tmp_path: Path) -> None:
    tasks = tmp_path / "tasks.yaml"
    tasks.write_text("- Turn on Wi-Fi\n- {task: Save the file, device: desktop, max_steps: 5}\n")
    read = read_task_file(tasks)
    assert [t.id for t in read] == ["task-1", "task-2"] and read[1].max_steps == 5
    items, _ = build_work([str(tasks)], repeat=2, seed=3, model="scripted:x", kinds={"phone", "desktop"})
    assert [(i.key, i.device, i.seed) for i in items] == [("task-1#0", "phone", 3), ("task-1#1", "phone", 4),
                                                          ("task-2#0", "desktop", 3), ("task-2#1", "desktop", 4)]
    with pytest.raises(FleetError, match="no reference solution"):
        build_work([str(tasks)], model="reference")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"task": "x", "setup": [{"tapp": 1}]}\n')
    with pytest.raises(FleetError, match="bad.jsonl:1"):
        read_task_file(bad)

    pool = tmp_path / "pool.yaml"
    pool.write_text("- sim: 2\n  profile: phone\n- android: [R58M12, emulator-5554]\n- desktop:1\n")
    slots = parse_pool([str(pool)])
    assert [(s.name, s.resource) for s in slots] == [
        ("sim-1", "screenpilot_sim"), ("sim-2", "screenpilot_sim"), ("android:R58M12", "screenpilot_android:R58M12"),
        ("android:emulator-5554", "screenpilot_android:emulator-5554"), ("desktop-1", "screenpilot_desktop")]
    assert slots[0].options == {"profile": "phone"}
    with pytest.raises(BadDeviceList, match="listed twice"):
        parse_pool(["android:A", "android:A"])


def test_a_torn_last_manifest_line_is_dropped(tmp_path: Path) -> None:
    line = {"key": "a#0", "task": "a", "kind": "task", "repeat": 0, "attempt": 1, "final": True, "device": "sim-1"}
    (tmp_path / "manifest.jsonl").write_text(json.dumps(line) + "\n" + json.dumps(line | {"key": "b#0"})[:40])
    m = Manifest(tmp_path)
    assert list(m.finals()) == ["a#0"]
    m.close()
    assert (tmp_path / "manifest.jsonl").read_text() == json.dumps(line) + "\n"
    (tmp_path / "manifest.jsonl").write_text("{not json}\n" + json.dumps(line) + "\n")
    with pytest.raises(FleetError, match="manifest.jsonl:1"):
        Manifest(tmp_path)


def test_the_latency_backend_holds_each_reply(tmp_path: Path) -> None:
    replies = tmp_path / "r.json"
    replies.write_text(json.dumps(["a", "b"]))
    backend = backend_from_spec(f"latency:0.2:scripted:{replies}")
    started = time.perf_counter()
    reply = backend.generate(None)  # type: ignore[arg-type]
    assert time.perf_counter() - started >= 0.2 and reply.text == "a" and reply.latency_s >= 0.2
    assert backend.calls == 1 and backend.name.startswith("latency:0.2:scripted")


class _SlowChat(BaseHTTPRequestHandler):
    """An OpenAI-compatible chat endpoint that takes 0.3 s and counts the requests in flight."""

    inflight = 0
    peak = 0
    lock = threading.Lock()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        with self.lock:
            type(self).inflight += 1
            type(self).peak = max(type(self).peak, type(self).inflight)
        time.sleep(0.3)
        with self.lock:
            type(self).inflight -= 1
        body = json.dumps({"choices": [{"message": {"content": "ok"}, "finish_reason": "stop"}], "model": "m",
                           "usage": {"prompt_tokens": 3, "completion_tokens": 1}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def test_the_shared_model_never_has_more_than_max_inflight_calls() -> None:
    import ray

    from screenpilot.actions import Size
    from screenpilot.fleet._cluster import model_service_actors
    from screenpilot.perception import CoordinateSpace
    from screenpilot.planner import Message, ModelRequest

    server = ThreadingHTTPServer(("127.0.0.1", 0), _SlowChat)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False)
    try:
        [service] = model_service_actors(f"openai:http://127.0.0.1:{server.server_port}/v1#m", max_inflight=2, gpus=0)
        space = CoordinateSpace(convention="absolute", device=Size(112, 112), model=Size(112, 112))
        request = ModelRequest(messages=(Message.text("user", "hello"),), space=space, dialect="qwen2.5-vl",
                               image_tokens=0, text_tokens=1)
        started = time.monotonic()
        replies = ray.get([service.generate.remote(request) for _ in range(6)])
        elapsed = time.monotonic() - started
        stats = ray.get(service.stats.remote())
    finally:
        ray.shutdown()
        server.shutdown()
    assert [r.text for r in replies] == ["ok"] * 6
    assert _SlowChat.peak == 2 and stats["peak"] == 2, "two calls in flight at most, and two were"
    assert elapsed >= 0.85  # 6 calls of 0.3 s, two at a time


def test_a_restored_phone_does_not_wait_for_the_link_queue_of_before() -> None:
    """Every episode starts from a restored snapshot, whose clock is earlier than the phone's: the USB
    link's queue (kept in phone time) must not make the next transfer wait for the time that vanished
    (on the phone profile each episode's setup waited as long as all the episodes before it)."""
    from screenpilot_sim import PhoneConfig, VirtualPhone

    phone = VirtualPhone(PhoneConfig(profile="phone", clock_rate=100))
    fresh = phone.snapshot()
    phone.link.transfer(int(38e6 * 5), 38.0)  # five seconds of phone time on the link
    phone.restore(fresh)
    started = phone.clock.uptime()
    phone.link.transfer(1000, 38.0)
    assert phone.clock.uptime() - started < 0.5


def test_a_local_model_is_one_actor_serving_every_device(collect_cli: Any, tiny_qwen25vl: Path, tmp_path: Path) -> None:
    """``local:`` is loaded once, in one ModelService actor (no GPU here), and both phones' requests go
    to it with their screenshots (the current one and the history's files travel as bytes)."""
    tasks = tmp_path / "tasks.jsonl"
    tasks.write_text("".join(json.dumps({"task": f"Open the clock {n}"}) + "\n" for n in range(2)))
    out = tmp_path / "c"
    run = collect_cli(str(tasks), "--devices", "sim:2", "--model", f"local:{tiny_qwen25vl}", "--max-steps", "2",
                      "--out", str(out), "--num-cpus", "1", env={"HF_HUB_OFFLINE": "1"})
    assert run.wait() == 0, run.stderr[-2000:]
    finals = finals_by_key(manifest(out))
    assert sorted(finals) == ["task-1#0", "task-2#0"]
    for [r] in finals.values():  # a random tiny model does not do the task, but every turn was asked of it
        assert r["steps"] == 2 and r["check"] is None and r["outcome"] in ("failure", "success")
        assert r["tokens"]["prompt"] and r["tokens"]["prompt"] > 0
    assert {r[0]["device"] for r in finals.values()} == {"sim-1", "sim-2"}
    summary = json.loads((out / "summary.json").read_text())
    assert summary["model_service"]["actors"] == 1 and summary["model_service"]["calls"] == 4

