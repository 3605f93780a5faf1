"""End-to-end figures: time per message through REST (NLU + actions + database) and memory.

Starts the real stack (trained model, action server, SQLite directory) on free ports, sends a
fixed set of French requests several times, and prints `name: value` lines.

    python scripts/bench_e2e.py [--rounds 5] [--model models/aiguillage.tar.gz]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.processes import Ports, base_env, free_port, start_stack  # noqa: E402

MESSAGES = [
    "patiente 87 ans seule à domicile à Saint-Amand-Montrond, chutes à répétition, refuse les aides",
    "pt 82a seul ds le 36, chutes ++, refus aides",
    "mr 52 ans alcool, veut arrêter, Vierzon",
    "patient en fin de vie à domicile à Chartres, besoin soins palliatifs",
    "bébé de 3 semaines, mère isolée et épuisée, Le Blanc",
    "ado de 15 ans, mal-être, déscolarisée, Lucé",
    "douleur thoracique depuis 20 min chez un patient de 60 ans à Bourges",
    "le CMP de Vierzon est-il ouvert samedi ?",
    "patient sans couverture sociale qui a besoin de soins, Nogent-le-Rotrou",
    "dame 88 ans à Gien, démence, troubles du comportement, fille à bout",
]


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (MB), from /proc."""
    total = 0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(q * (len(values) - 1))))
    return values[k]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--model", default=str(ROOT / "models" / "aiguillage.tar.gz"))
    args = ap.parse_args()
    model = Path(args.model)
    if not model.exists():
        print(f"modèle absent : {model} (make model)", file=sys.stderr)
        return 1
    from knowledge.directory import Directory

    tmp = Path(tempfile.mkdtemp(prefix="aiguillage-bench-"))
    url = f"sqlite:///{tmp / 'aiguillage.db'}"
    Directory(url).load()
    ports = Ports(rasa=free_port(), actions=free_port(), webchat=free_port(), console=free_port())
    t0 = time.perf_counter()
    stack = start_stack(model, ports=ports, env=base_env(db_url=url, tracker_db=str(tmp / "trackers.db")),
                        logs=tmp / "logs", webchat=False, console=False)
    startup = time.perf_counter() - t0
    endpoint = f"http://127.0.0.1:{ports.rasa}/webhooks/rest/webhook"
    times: list[float] = []
    try:
        for _ in range(args.rounds):
            for text in MESSAGES:
                body = json.dumps({"sender": f"bench-{uuid.uuid4().hex[:8]}", "message": text}).encode()
                req = urllib.request.Request(endpoint, data=body, headers={"Content-Type": "application/json"})
                start = time.perf_counter()
                with urllib.request.urlopen(req, timeout=60) as r:
                    json.load(r)
                times.append((time.perf_counter() - start) * 1000)
        print(f"messages: {len(times)}")
        print(f"startup_s: {startup:.1f}")
        print(f"rest_message_p50_ms: {statistics.median(times):.1f}")
        print(f"rest_message_p95_ms: {percentile(times, 0.95):.1f}")
        print(f"rest_message_max_ms: {max(times):.1f}")
        for name, proc in stack.procs.items():
            print(f"rss_{name}_mb: {rss_mb(proc.pid):.0f}")
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
