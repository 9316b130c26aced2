"""Small figures the docs quote that no other benchmark measures, each with the command that measures it.

    python benchmarks/docs_probes.py checkpoints [--steps 1000]   # docs/agent.md: why checkpoints are pruned
    python benchmarks/docs_probes.py host-version [--calls 200]   # docs/android.md: adbutils' 10 ms close
    python benchmarks/docs_probes.py model-not-found              # docs/planner.md: a missing local model
    python benchmarks/docs_probes.py                              # all three

checkpoints: a LangGraph loop of 7 nodes over a 3-key state (as the agent's graph: a checkpoint per node),
run for N steps with durability "sync" through LangGraph's plain SqliteSaver and through ScreenPilot's
PruningSqliteSaver; prints the checkpoints kept, their bytes and the file's size.
host-version: ``host:version`` round trips to a private adb server (``$SCREENPILOT_ADB``, Debian's adb or
the adbutils wheel's), through stock adbutils and through the android driver's client (which does not
sleep 10 ms on close); prints the median of each.
model-not-found: how long ``local:`` takes to say a hub id is not there, with HF_HUB_OFFLINE=1 and without
(no network on the project machine: the hub is unreachable); needs the local extra.

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TypedDict


def checkpoints(steps: int) -> None:
    from langgraph.checkpoint.sqlite import SqliteSaver
    from langgraph.graph import END, START, StateGraph

    from screenpilot.agent import open_checkpointer

    class State(TypedDict):
        step: int
        frame: str
        outcome: str | None

    nodes = ["observe", "plan", "check", "confirm", "act", "settle", "record"]
    graph = StateGraph(State)
    for k, name in enumerate(nodes):
        last = k == len(nodes) - 1
        graph.add_node(name, (lambda s: {"step": s["step"] + 1, "frame": f"frames/{s['step']:06d}.png"}) if last
                       else (lambda s: {"frame": s["frame"]}))
    graph.add_edge(START, nodes[0])
    for a, b in zip(nodes, nodes[1:], strict=False):
        graph.add_edge(a, b)
    graph.add_conditional_edges(nodes[-1], lambda s: END if s["step"] >= steps else nodes[0])
    with tempfile.TemporaryDirectory() as tmp:
        for label in ("SqliteSaver", "PruningSqliteSaver"):
            folder = Path(tmp) / label
            folder.mkdir()
            if label == "SqliteSaver":
                saver = SqliteSaver(sqlite3.connect(folder / "checkpoints.sqlite", check_same_thread=False))
                saver.setup()
            else:
                saver = open_checkpointer(folder)
            app = graph.compile(checkpointer=saver)
            start = time.perf_counter()
            app.invoke({"step": 0, "frame": "", "outcome": None},
                       {"configurable": {"thread_id": "t"}, "recursion_limit": len(nodes) * steps + 10}, durability="sync")
            took = time.perf_counter() - start
            rows, blob = saver.conn.execute("SELECT COUNT(*), SUM(LENGTH(checkpoint) + LENGTH(metadata)) "
                                            "FROM checkpoints").fetchone()
            writes = saver.conn.execute("SELECT COALESCE(SUM(LENGTH(value)), 0) FROM writes").fetchone()[0]
            saver.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            saver.conn.close()
            size = sum(p.stat().st_size for p in folder.iterdir())
            print(f"checkpoints  {label:<19} {steps} steps in {took:5.1f} s: {rows} checkpoints kept, "
                  f"{blob / max(rows, 1) / 1e3:.2f} KB each, {(blob + writes) / 1e6:.2f} MB of blobs, file {size / 1e6:.2f} MB")


def host_version(calls: int) -> None:
    import adbutils
    from screenpilot_sim import AdbServer

    from screenpilot.devices.android._adb import _client_class

    server = AdbServer.start()
    try:
        for label, client in (("adbutils", adbutils.AdbClient("127.0.0.1", server.port)),
                              ("driver", _client_class()("127.0.0.1", server.port))):
            client.server_version()
            took = []
            for _ in range(calls):
                start = time.perf_counter()
                client.server_version()
                took.append(time.perf_counter() - start)
            print(f"host-version {label:<9} median {statistics.median(took) * 1000:6.2f} ms of {calls} round trips "
                  f"({server.adb})")
    finally:
        server.stop()


def model_not_found() -> None:
    code = ("import time\nfrom screenpilot.planner import ModelNotFound, backend_from_spec\nstart = time.perf_counter()\n"
            "try:\n    backend_from_spec('local:screenpilot-probe/no-such-model')\nexcept ModelNotFound:\n"
            "    print(f'{time.perf_counter() - start:.2f}')\n")
    for offline in ("1", None):
        env = {k: v for k, v in os.environ.items() if k != "HF_HUB_OFFLINE"}
        if offline:
            env["HF_HUB_OFFLINE"] = offline
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=600, check=False)
        said = f"ModelNotFound after {done.stdout.strip()} s" if done.stdout.strip() else done.stderr.strip()[-200:]
        print(f"model-not-found HF_HUB_OFFLINE={offline or 'unset'}: {said}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("probe", nargs="?", choices=("checkpoints", "host-version", "model-not-found"))
    parser.add_argument("--steps", type=int, default=1000, help="agent steps of the checkpoint probe")
    parser.add_argument("--calls", type=int, default=200, help="round trips of the host:version probe")
    args = parser.parse_args()
    if args.probe in (None, "checkpoints"):
        checkpoints(args.steps)
    if args.probe in (None, "host-version"):
        host_version(args.calls)
    if args.probe in (None, "model-not-found"):
        model_not_found()


if __name__ == "__main__":
    main()
