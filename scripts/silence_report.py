"""Silent replies on varied and hostile inputs (tests/faults/inputs.yml), with the action server
healthy, down (SIGKILL) and frozen (SIGSTOP). Prints `name: value` lines per phase.

    .venv/bin/python scripts/silence_report.py                 # starts its own stack
    .venv/bin/python scripts/silence_report.py --port 5005 --actions-pgid 1234   # a running one
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.faults.harness import post  # noqa: E402

INPUTS = ROOT / "tests" / "faults" / "inputs.yml"


def load_inputs(path: Path = INPUTS) -> tuple[list[str], list[list[str]]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))

    def build(item) -> str:
        if isinstance(item, dict):
            return str(item["repeat"]) * int(item["times"])
        return "" if item is None else str(item)

    return [build(i) for i in data["single"]], [[build(i) for i in c] for c in data["conversations"]]


def run_phase(port: int, singles: list[str], conversations: list[list[str]], workers: int = 4,
              timeout: float = 30.0) -> dict:
    jobs = [[m] for m in singles] + conversations

    def run(messages: list[str]):
        sender = f"silence-{uuid.uuid4().hex[:10]}"
        return [post(port, sender, m, timeout=timeout) for m in messages]

    with ThreadPoolExecutor(workers) as pool:
        replies = [r for rs in pool.map(run, jobs) for r in rs]
    secs = sorted(r.seconds for r in replies if r.status is not None)
    return {
        "inputs": len(replies),
        "answered_text": sum(1 for r in replies if r.status == 200 and r.texts),
        "silent": sum(1 for r in replies if r.silent),
        "http_4xx": sum(1 for r in replies if r.status and 400 <= r.status < 500),
        "http_5xx": sum(1 for r in replies if r.status and r.status >= 500),
        "no_answer": sum(1 for r in replies if r.status is None),
        "over_5s": sum(1 for r in replies if r.seconds > 5.0),
        "p95_s": round(secs[int(0.95 * (len(secs) - 1))], 2) if secs else None,
        "max_s": round(max((r.seconds for r in replies), default=0.0), 2),
    }


def print_phase(name: str, figures: dict) -> None:
    for k, v in figures.items():
        print(f"{name}_{k}: {v}", flush=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, help="REST port of a running Rasa server (else a stack is started)")
    ap.add_argument("--actions-pgid", type=int, help="process group of the running action server (fault phases)")
    ap.add_argument("--model", type=Path, help="model file (default: the newest in .build/ or models/)")
    ap.add_argument("--phases", default="normal,actions_down,actions_frozen")
    ap.add_argument("--fault-sample", type=int, default=5, help="every n-th single input in the fault phases")
    args = ap.parse_args(argv)
    singles, conversations = load_inputs()
    phases = args.phases.split(",")
    stack = None
    if args.port is None:
        from tests.faults.harness import start_fault_stack

        model = args.model or max([*ROOT.glob(".build/model-*.tar.gz"), *ROOT.glob("models/*.tar.gz")], key=os.path.getmtime)
        stack = start_fault_stack(model, Path(tempfile.mkdtemp(prefix="silence-")))
        port, pgid = stack.ports.rasa, stack.procs["actions"].pid
    else:
        port, pgid = args.port, args.actions_pgid
    try:
        if "normal" in phases:
            print_phase("normal", run_phase(port, singles, conversations))
        sample = singles[:: args.fault_sample]
        some_convs = conversations[::3]
        if "actions_down" in phases and pgid:
            os.killpg(pgid, signal.SIGKILL)
            time.sleep(0.5)
            print_phase("actions_down", run_phase(port, sample, some_convs))
            if stack:
                stack.restart("actions")
                pgid = stack.procs["actions"].pid
                from bot.processes import wait_http

                wait_http(f"http://127.0.0.1:{stack.ports.actions}/health", stack)
        if "actions_frozen" in phases and pgid and (stack or "actions_down" not in phases):
            os.killpg(pgid, signal.SIGSTOP)
            try:
                print_phase("actions_frozen", run_phase(port, sample, some_convs, workers=8, timeout=400))
            finally:
                os.killpg(pgid, signal.SIGCONT)
    finally:
        if stack:
            stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
