#!/usr/bin/env python3
"""CPU time per message of the Rasa server (and the action server), configurations interleaved.

Wall-clock throughput on a shared machine follows the neighbours' load; the CPU time a process
spends per message does not (much). For each configuration `label=MODEL[,ENV=VALUE...]` the
script starts one action server and one Rasa server (`bot.processes.start_stack`, SQLite
trackers, as `make run`), plays one warm-up round, then for each round and each concurrency
level measures every configuration one after the other: the `utime + stime` of the Rasa process
(all threads, from /proc) before and after a fixed number of whole conversations of
scripts/bench_load.py (every turn checked; the guard's time budgets raised so that no turn is abandoned), divided by the number of messages.

Throughput on a dedicated core is about 1000 / rasa_cpu_ms (Rasa is one process, one event
loop). Prints `name: value` lines per round, then the median over rounds.

    python scripts/bench_cpu.py --config base=.build/model-x.tar.gz \
        --config nopool=.build/model-x.tar.gz,AIGUILLAGE_SQLITE_POOL=0 [--rounds 3] [--levels 1,20] [--conversations 40]
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bot.processes import Ports, Stack, base_env, free_port, start_stack  # noqa: E402
from bench_load import CONVERSATIONS, FIXED_NOW, check_reply, emit, loadavg  # noqa: E402
from bench_load import proc_cpu_s as cpu_seconds  # noqa: E402

# The guard's time budgets (bot/channels/guard.py) raised: on a loaded shared machine a turn must
# not be abandoned, the CPU it costs is what is measured.
BUDGETS = {"AIGUILLAGE_REPLY_BUDGET": "120", "AIGUILLAGE_ACTION_TIMEOUT": "60"}


async def play(url: str, users: int, conversations: int, prefix: str) -> tuple[int, int, float]:
    """`conversations` whole scripts shared by `users` closed-loop users: (messages, errors, s)."""
    import aiohttp

    queue: asyncio.Queue = asyncio.Queue()
    for i in range(conversations):
        queue.put_nowait(CONVERSATIONS[i % len(CONVERSATIONS)])
    counts = {"messages": 0, "errors": 0}

    async def user(session) -> None:
        while not queue.empty():
            script = queue.get_nowait()
            sender = f"{prefix}-{uuid.uuid4().hex[:12]}"
            for text, check in script:
                async with session.post(url, json={"sender": sender, "message": text}) as r:
                    body = await r.json(content_type=None) if r.status == 200 else None
                counts["messages"] += 1
                if body is None or check_reply(body, check):
                    counts["errors"] += 1
                    break

    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=0)) as session:
        t0 = time.perf_counter()
        await asyncio.gather(*(user(session) for _ in range(users)))
        return counts["messages"], counts["errors"], time.perf_counter() - t0


def parse_config(spec: str) -> tuple[str, Path, dict]:
    label, _, rest = spec.partition("=")
    model, *envs = rest.split(",")
    return label, Path(model).resolve(), dict(e.split("=", 1) for e in envs)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", action="append", required=True, help="label=MODEL[,ENV=VALUE...]")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--levels", default="1,20")
    ap.add_argument("--conversations", type=int, default=40, help="whole conversations per measure")
    args = ap.parse_args()
    levels = [int(x) for x in args.levels.split(",") if x]
    tmp = Path(tempfile.mkdtemp(prefix="aiguillage-cpu-"))
    emit("loadavg_start", loadavg())

    from knowledge.directory import Directory

    db_url = f"sqlite:///{tmp / 'aiguillage.db'}"
    Directory(db_url).load()
    running: dict[str, tuple[Stack, str]] = {}
    results: dict[tuple[str, int], list[tuple[float, float, float]]] = {}
    try:
        for spec in args.config:
            label, model, extra = parse_config(spec)
            logs = tmp / label
            logs.mkdir()
            env = base_env(db_url=db_url, tracker_db=str(logs / "trackers.db"),
                           extra={"AIGUILLAGE_NOW": FIXED_NOW, **BUDGETS, **extra})
            stack = start_stack(model, ports=Ports(rasa=free_port(), actions=free_port()), env=env,
                                logs=logs, webchat=False, console=False)
            url = f"http://127.0.0.1:{stack.ports.rasa}/webhooks/rest/webhook"
            running[label] = (stack, url)
            asyncio.run(play(url, len(CONVERSATIONS), len(CONVERSATIONS), f"{label}-warm"))
        for rnd in range(args.rounds):
            for users in levels:
                for label, (stack, url) in running.items():
                    rasa, actions = stack.procs["rasa"].pid, stack.procs["actions"].pid
                    r0, a0 = cpu_seconds(rasa), cpu_seconds(actions)
                    n, errors, wall = asyncio.run(play(url, users, args.conversations, f"{label}-r{rnd}c{users}"))
                    r1, a1 = cpu_seconds(rasa), cpu_seconds(actions)
                    name = f"{label}_c{users}_r{rnd}"
                    rasa_ms, act_ms = (r1 - r0) * 1000 / n, (a1 - a0) * 1000 / n
                    results.setdefault((label, users), []).append((rasa_ms, act_ms, n / wall))
                    emit(f"{name}_messages", n)
                    emit(f"{name}_errors", errors)
                    emit(f"{name}_rasa_cpu_ms_per_msg", rasa_ms)
                    emit(f"{name}_actions_cpu_ms_per_msg", act_ms)
                    emit(f"{name}_wall_msg_per_s", n / wall)
                    emit(f"{name}_loadavg", loadavg())
        for (label, users), rows in results.items():
            rasa_ms = statistics.median(r[0] for r in rows)
            emit(f"{label}_c{users}_median_rasa_cpu_ms_per_msg", rasa_ms)
            emit(f"{label}_c{users}_median_actions_cpu_ms_per_msg", statistics.median(r[1] for r in rows))
            emit(f"{label}_c{users}_dedicated_core_msg_per_s", 1000 / rasa_ms if rasa_ms else 0.0)
            emit(f"{label}_c{users}_median_wall_msg_per_s", statistics.median(r[2] for r in rows))
    finally:
        for stack, _ in running.values():
            stack.stop()
    emit("loadavg_end", loadavg())
    return 0


if __name__ == "__main__":
    sys.exit(main())
