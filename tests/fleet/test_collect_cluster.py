"""``screenpilot collect`` on a real two-node Ray cluster with virtual phones behind real adb servers:
a suite on three phones across both nodes, a worker killed mid-episode, the driver killed and resumed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.fixtures.processes import alive

from .conftest import finals_by_key, manifest

SUITE = ["settings.wifi_toggle", "settings.dark_theme", "clock.clock_tab", "launcher.open_app", "contacts.find_number"]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "screenpilot.cli", *args], capture_output=True, text=True, timeout=180,
                          check=False)


def test_a_suite_on_three_phones_on_two_nodes(cluster: Any, collect_cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "c"
    run = collect_cli(*SUITE, "--devices", "sim:3", "--out", str(out), "--address", cluster.address)
    assert run.wait() == 0, run.stderr[-2000:]
    records = manifest(out)
    finals = finals_by_key(records)
    assert sorted(finals) == sorted(f"{t}#0" for t in SUITE)
    assert all(len(v) == 1 for v in finals.values())
    for [r] in finals.values():  # the reference solves every scenario, and the checks read it off the phone
        assert r["outcome"] == "success" and r["check"] is True, r
        assert r["checks"] and all(c["passed"] for c in r["checks"])
        assert r["steps"] >= 2 and r["durations"]["episode_s"] > 0 and r["durations"]["reset_s"] >= 0
        assert (out / r["episode"] / "episode.json").is_file()
    assert len({r["node"] for r in records}) == 2, "episodes ran on both Ray nodes"
    assert len({r["device"] for r in records}) >= 2
    episodes = sorted(p.name for p in (out / "episodes").iterdir())
    assert episodes == sorted(Path(r["episode"]).name for [r] in finals.values())

    summary = json.loads((out / "summary.json").read_text())
    assert summary["done"] == summary["total"] == len(SUITE) and summary["success_rate"] == 1.0
    assert set(summary["per_task"]) == set(SUITE) and summary["episodes_per_hour"] > 0
    assert set(summary["utilisation"]) == {"sim-1", "sim-2", "sim-3"}

    kinds = {e["event"] for e in run.events}
    assert {"start", "cluster", "device", "dispatch", "final", "end"} <= kinds
    assert any(e["event"] == "progress" and e["devices"] for e in run.events)

    exported = _cli("export", str(out), "--format", "llamafactory", "--out", str(tmp_path / "ds"))
    assert exported.returncode == 0, exported.stderr
    assert f"from {len(SUITE)} episodes" in exported.stdout
    viewed = _cli("view", str(out), "--out", str(tmp_path / "report.html"))
    assert viewed.returncode == 0, viewed.stderr
    assert (tmp_path / "report.html").stat().st_size > 10_000


def test_a_worker_killed_mid_episode_is_rerun_elsewhere(cluster: Any, collect_cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "c"
    run = collect_cli("multi.night_routine", "settings.wifi_toggle", "--devices", "sim:2", "--out", str(out),
                      "--address", cluster.address, "--model", "latency:0.25:reference")
    busy = run.wait_for(lambda e: e["event"] == "progress" and any(
        d["state"] == "running" and d["key"] == "multi.night_routine#0" and (d["step"] or 0) >= 2 for d in e["devices"]))
    victim = next(d for d in busy["devices"] if d["key"] == "multi.night_routine#0")
    os.kill(victim["pid"], signal.SIGKILL)  # the device's worker process dies mid-episode
    assert run.wait() == 0, run.stderr[-2000:]

    records = manifest(out)
    night = [r for r in records if r["key"] == "multi.night_routine#0"]
    assert [r["final"] for r in night] == [False, True], night
    cut, settled = night
    assert cut["fault"] == "worker" and "died" in cut["reason"] and cut["device"] == victim["device"]
    assert settled["attempt"] == 2 and settled["device"] != victim["device"], "re-run on the other device"
    assert settled["outcome"] == "success" and settled["check"] is True
    finals = finals_by_key(records)
    assert all(len(v) == 1 for v in finals.values()) and len(finals) == 2
    assert len(list((out / "episodes").iterdir())) == 2  # the cut attempt never reached episodes/
    assert any(e["event"] == "attempt" and e["key"] == "multi.night_routine#0" for e in run.events)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["failures_by_cause"] == {"worker": 1} and summary["failed_attempts"] == 1


def test_the_driver_killed_then_resumed_gives_no_duplicates(cluster: Any, collect_cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "c"
    tasks = ["settings.wifi_toggle", "clock.clock_tab", "launcher.open_app"]
    args = ["--devices", "sim:2", "--out", str(out), "--address", cluster.address, "--model", "latency:0.2:reference"]
    first = collect_cli(*tasks, "--repeat", "2", *args)
    first.wait_for(lambda e: e["event"] == "final" and sum(x["event"] == "final" for x in first.events) >= 2)
    first.process.send_signal(signal.SIGKILL)  # the driver dies with episodes in flight
    first.wait()
    before = finals_by_key(manifest(out))
    assert 2 <= len(before) < 6

    second = collect_cli("--resume", *args)
    assert second.wait() == 0, second.stderr[-2000:]
    records = manifest(out)
    finals = finals_by_key(records)
    assert sorted(finals) == sorted(f"{t}#{k}" for t in tasks for k in range(2))
    assert all(len(v) == 1 for v in finals.values()), "exactly one final line per task x repeat"
    for key, [r] in before.items():  # what was settled before the kill is kept, not run again
        assert finals[key] == [r]
    dispatched = {e["key"] for e in second.events if e["event"] == "dispatch"}
    assert dispatched.isdisjoint(before), "the resumed driver skips finished episodes"
    folders = sorted(p.name for p in (out / "episodes").iterdir())
    assert folders == sorted(Path(r["episode"]).name for [r] in finals.values())
    assert not list(out.rglob("*.partial"))
    assert all(r["outcome"] == "success" for [r] in finals.values())


def test_a_hung_episode_is_ended_by_its_wall_budget(cluster: Any, collect_cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "c"
    # a model that takes 30 s a reply, against an episode budget of 6 s: the episode hangs as far as
    # the driver can tell; its worker is killed, Ray restarts it, and the attempt is recorded as a hang
    run = collect_cli("settings.wifi_toggle", "--devices", "sim:1", "--out", str(out), "--address", cluster.address,
                      "--model", "latency:30:reference", "--episode-timeout", "6", "--max-attempts", "1")
    assert run.wait() == 0, run.stderr[-2000:]
    [record] = manifest(out)
    assert record["final"] and record["outcome"] == "error" and record["fault"] == "hang"
    assert "no result within 6 s" in record["reason"] and record["durations"]["total_s"] < 25
    assert any(e["event"] == "hang" for e in run.events)
    [ready] = [e for e in run.events if e["event"] == "device" and e.get("state") == "ready"]
    for pid in [ready["pid"], *ready["children"]]:  # the worker was killed, and the adb server it started stopped
        assert not alive(pid), pid
