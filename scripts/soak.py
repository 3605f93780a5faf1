"""Soak: N concurrent doctors talk to the bot through REST for a bounded time while the action
server is killed and frozen; prints `name: value` figures (answers, silences, errors, lost or
duplicated support requests, memory before and after).

    .venv/bin/python scripts/soak.py --seconds 300 --conversations 50     # make soak / bench-load
"""
from __future__ import annotations

import argparse
import os
import random
import signal
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.processes import wait_http  # noqa: E402
from knowledge.degraded import REASONS  # noqa: E402
from scripts.silence_report import load_inputs  # noqa: E402
from tests.faults.harness import ORIENTATION, confirmation, next_message, post, requests_of, start_fault_stack  # noqa: E402

SHORT = [
    "patiente 92 ans à Bourges, troubles cognitifs, aidant épuisé", "le CMP de Vierzon est-il ouvert samedi ?",
    "bonjour", "merci", "aide", "oui", "non", "15", "3.14159", "enfant 6 ans à Tours, suspicion d'autisme",
    "femme victime de violences conjugales à Blois", "quelle posologie de paracétamol ?", "Orléans",
]


def load_average() -> str:
    """The machine's 1-, 5- and 15-minute load averages (this machine's cores are shared)."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


class Figures:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.replies = []
        self.senders_with_request: list[str] = []
        self.confirmed: dict[str, set[str]] = {}

    def add(self, reply) -> None:
        with self.lock:
            self.replies.append(reply)


def doctor(port: int, stop_at: float, figures: Figures, hostile: list[str], seed: int,
           think: tuple[float, float] = (5.0, 15.0)) -> None:
    """One conversation after another: a support request (1 in 3), short exchanges, hostile input.

    `think`: seconds between a reply and the next message (a doctor reads and types)."""
    rnd = random.Random(seed)
    while time.monotonic() < stop_at:
        sender = f"soak-{uuid.uuid4().hex[:10]}"
        kind = rnd.random()
        if kind < 0.35:
            with figures.lock:
                figures.senders_with_request.append(sender)
            message, retries = ORIENTATION, 0
            for _ in range(30):
                if time.monotonic() > stop_at + 60:  # let a started request finish, within bounds
                    break
                reply = post(port, sender, message, timeout=10)
                figures.add(reply)
                numero = confirmation(reply.texts)
                if numero:
                    with figures.lock:
                        figures.confirmed.setdefault(sender, set()).add(numero)
                    break
                answer = next_message(reply.texts) if reply.status == 200 else None
                if answer is None:
                    retries += 1
                    if retries > 8:
                        break
                    time.sleep(1.0)
                    continue
                retries, message = 0, answer
                time.sleep(rnd.uniform(*think) / 2)  # form answers are short
        else:
            messages = rnd.sample(SHORT, 3) if kind < 0.85 else [rnd.choice(hostile), rnd.choice(SHORT)]
            for m in messages:
                if time.monotonic() >= stop_at:
                    break
                figures.add(post(port, sender, m, timeout=10))
                time.sleep(rnd.uniform(*think))


def faults(stack, start: float, seconds: float, log: list[str], stop: threading.Event) -> None:
    """Kill the action server at 20 % and 70 % of the run, freeze it 6 s at 45 %."""
    plan = [(0.20, "kill"), (0.45, "stop"), (0.70, "kill")]
    for share, kind in plan:
        while time.monotonic() < start + share * seconds:
            if stop.wait(0.2):
                return
        if kind == "kill":
            stack.signal("actions", signal.SIGKILL)
            log.append("kill-actions")
            time.sleep(1.0)
            stack.restart("actions")
            wait_http(f"http://127.0.0.1:{stack.ports.actions}/health", stack, timeout=120)
        else:
            stack.signal("actions", signal.SIGSTOP)
            log.append("stop-actions")
            time.sleep(6.0)
            stack.signal("actions", signal.SIGCONT)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=float(os.environ.get("SOAK_SECONDS", 300)))
    ap.add_argument("--conversations", type=int, default=50)
    ap.add_argument("--model", type=Path)
    ap.add_argument("--no-faults", action="store_true")
    ap.add_argument("--think", type=float, nargs=2, default=(5.0, 15.0), metavar=("MIN", "MAX"),
                    help="seconds a doctor takes to read and answer (default 5 15)")
    args = ap.parse_args(argv)
    model = args.model or max([*ROOT.glob(".build/model-*.tar.gz"), *ROOT.glob("models/*.tar.gz")], key=os.path.getmtime)
    singles, _ = load_inputs()
    hostile = [s for s in singles if len(s) > 200 or not s.strip() or any(c in s for c in "<{%$\\/'\"")]
    stack = start_fault_stack(model, Path(tempfile.mkdtemp(prefix="soak-")))
    try:
        port = stack.ports.rasa
        for m in [ORIENTATION, *SHORT, *hostile[:5]]:  # warm-up: caches filled before "memory before"
            post(port, f"soak-warm-{uuid.uuid4().hex[:6]}", m, timeout=30)
        load_before = load_average()
        rasa_before = rss_mb(stack.procs["rasa"].pid)
        actions_before = rss_mb(stack.procs["actions"].pid)
        figures = Figures()
        start = time.monotonic()
        stop_at = start + args.seconds
        injected: list[str] = []
        stop = threading.Event()
        threads = [threading.Thread(target=doctor, args=(port, stop_at, figures, hostile, i, tuple(args.think)), daemon=True)
                   for i in range(args.conversations)]
        for t in threads:
            t.start()
            time.sleep(args.think[0] / args.conversations)  # doctors arrive one after another
        injector = None
        if not args.no_faults:
            injector = threading.Thread(target=faults, args=(stack, start, args.seconds, injected, stop), daemon=True)
            injector.start()
        for t in threads:
            t.join(timeout=max(1.0, stop_at + 120 - time.monotonic()))
        stop.set()
        if injector:
            injector.join(timeout=30)
        elapsed = time.monotonic() - start
        rasa_after = rss_mb(stack.procs["rasa"].pid)
        actions_after = rss_mb(stack.procs["actions"].pid)
        replies = list(figures.replies)
        written = {s: requests_of(stack, s) for s in figures.senders_with_request}
        confirmed = figures.confirmed
        lost = sum(len(nums - set(written.get(s, []))) for s, nums in confirmed.items())
        duplicates = sum(max(0, len(w) - 1) for w in written.values())
        load_after = load_average()
        secs = sorted(r.seconds for r in replies)  # a request without an answer waited until the client gave up

        def pct(q: float):
            return round(secs[min(len(secs) - 1, int(q * len(secs)))], 2) if secs else None

        out = {
            "conversations": args.conversations,
            "think_s": f"{args.think[0]:g}-{args.think[1]:g}",
            "duration_s": round(elapsed, 1),
            "faults_injected": len(injected),
            "messages": len(replies),
            "answered": sum(1 for r in replies if r.status == 200 and r.texts),
            "silent": sum(1 for r in replies if r.silent),
            "errors": sum(1 for r in replies if r.status != 200),
            "no_http_answer": sum(1 for r in replies if r.status is None),
            "fallback_answers": sum(1 for r in replies if any(reason in r.text for reason in REASONS.values())),
            "out_of_time_answers": sum(1 for r in replies if REASONS["lent"] in r.text),
            "over_5s": sum(1 for r in replies if r.seconds > 5.0),
            "p50_s": pct(0.50),
            "p95_s": pct(0.95),
            "p99_s": pct(0.99),
            "max_s": round(secs[-1], 2) if secs else None,
            "requests_started": len(figures.senders_with_request),
            "requests_confirmed": sum(len(n) for n in confirmed.values()),
            "requests_written": sum(len(w) for w in written.values()),
            "written_not_confirmed": sum(1 for s, w in written.items() if w and s not in confirmed),
            "lost_requests": lost,
            "duplicate_requests": duplicates,
            "rasa_rss_mb_before": rasa_before,
            "rasa_rss_mb_after": rasa_after,
            "rasa_memory_growth_pct": round(100 * (rasa_after - rasa_before) / rasa_before, 1) if rasa_before and rasa_after else None,
            "actions_rss_mb_before": actions_before,
            "actions_rss_mb_after_restarts": actions_after,
            "load_average_before": load_before,
            "load_average_after": load_after,
        }
        for k, v in out.items():
            print(f"{k}: {v}", flush=True)
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
