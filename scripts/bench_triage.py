"""Emergency triage on the frozen held-out sets: recall, false alarms, time per message.

    .venv/bin/python scripts/bench_triage.py [--failures] [--split=dev|test]

Reads tests/heldout/urgences/{dev,test}.yml and tests/heldout/non_urgences/{dev,test}.yml (and
the second-generation sets urgences2/ and non_urgences2/ as splits `dev2`, `test2`) and prints `name: value` figures for each split, for the rules alone (cue phrases + signs reader)
and for the rules + the learned net. An emergency item is caught when one of its `numeros`
is raised; a conditional line of the net counts as raised (it names the number) and, on a
non-emergency, as a false alarm. `orientation_requests_alarmed` counts the held-out orientation
requests of the same split (tests/heldout/orientation*/) that raise a number. `--failures` lists the misses and false alarms of the dev
splits only: the test splits are never shown item by item.
"""
from __future__ import annotations

import sys
import time
from collections import defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from knowledge.situation import analyse  # noqa: E402
from knowledge.triage import Rules  # noqa: E402

from scripts.heldout import HELDOUT, SPLITS, split_file  # noqa: E402
VITAL = {"15", "112"}
SHOW_RULES = False


def load(kind: str, split: str) -> list[dict]:
    """One split (`dev`, `test2`, `dev3`…: see scripts/heldout.py)."""
    return yaml.safe_load(split_file(kind, split).read_text(encoding="utf-8")) or []


def available(split: str) -> bool:
    return split_file("urgences", split).exists() and split_file("non_urgences", split).exists()


def _source(regle: str) -> str:
    return "net" if regle.startswith("net:") else "signs" if regle.startswith("signes:") else "cues"


def raised(rules: Rules, text: str, *, net: bool, sources: dict | None = None) -> tuple[list[str], float]:
    t0 = time.perf_counter()
    triage = rules.triage(analyse(text), net=net)
    dt = time.perf_counter() - t0
    if sources is not None:
        for src in {_source(u.regle) for u in triage.urgences}:
            sources[src] = sources.get(src, 0) + 1
    if SHOW_RULES:
        return [f"{u.numero}({u.regle})" for u in triage.urgences], dt
    return [u.numero for u in triage.urgences], dt


def measure(split: str, *, net: bool, rules: Rules | None = None) -> tuple[dict, list[str]]:
    """Figures (name -> value) for one split and one configuration, and the dev failures."""
    rules = rules or Rules.default()
    urg, non = load("urgences", split), load("non_urgences", split)
    fig: dict[str, float] = {}
    failures: list[str] = []
    times: list[float] = []
    caught = defaultdict(lambda: [0, 0])          # key -> [caught, total]
    for item in urg:
        nums, dt = raised(rules, item["text"], net=net)
        times.append(dt)
        want = {str(n) for n in item["numeros"]}
        ok = bool(want & set(nums))
        kind = item["kind"]
        keys = [kind, f"{kind}:{'+'.join(sorted(want - {'112'}))}"]
        if kind == "vital":
            keys.append(f"vital_theme:{item.get('theme')}")
        for k in keys:
            caught[k][0] += ok
            caught[k][1] += 1
        if not ok:
            failures.append(f"MISS {item['id']} {kind} {sorted(want)} -> {nums} : {item['text']}")
    alarms = defaultdict(lambda: [0, 0])
    sources: dict[str, int] = {}
    for item in non:
        nums, dt = raised(rules, item["text"], net=net, sources=sources)
        times.append(dt)
        cat = item["category"]
        for k in ("all", cat):
            alarms[k][0] += bool(nums)
            alarms[k][1] += 1
        if nums:
            failures.append(f"ALARM {item['id']} {cat} -> {nums} : {item['text']}")
    for k, (c, n) in sorted(caught.items()):
        name = "recall" if ":" not in k else "recall"
        fig[f"{k}_{name}" if ":" not in k else f"recall[{k}]"] = round(c / n, 3) if n else 0.0
        fig[f"n[{k}]"] = n
    for k, (a, n) in sorted(alarms.items()):
        fig[f"false_alarm_rate[{k}]"] = round(a / n, 4) if n else 0.0
        fig[f"false_alarms[{k}]"] = a
    for src in ("cues", "signs", "net"):
        fig[f"false_alarms_by_source[{src}]"] = sources.get(src, 0)
    times.sort()
    fig["ms_per_message_median"] = round(1000 * times[len(times) // 2], 1) if times else 0.0
    fig["ms_per_message_p95"] = round(1000 * times[int(len(times) * 0.95)], 1) if times else 0.0
    return fig, failures


def orientation_alarms(split: str, rules: Rules) -> dict[str, float]:
    """Emergencies raised on the held-out orientation requests of `split` (requests for a service,
    not emergencies: a raised number there is said before the answer, a false alarm in practice)."""
    f = split_file("orientation", split)
    if not f.exists():
        return {}
    items = yaml.safe_load(f.read_text(encoding="utf-8")) or []
    alarmed = sum(bool(raised(rules, item["text"], net=True)[0]) for item in items)
    return {"orientation_requests_alarmed": alarmed,
            "orientation_alarm_rate": round(alarmed / len(items), 4) if items else 0.0}


def main(argv: list[str]) -> int:
    show = "--failures" in argv
    splits = [a.split("=", 1)[1] for a in argv if a.startswith("--split=")] or [
        s for s in SPLITS if available(s)]
    rules = Rules.default()
    analyse("chauffe")  # load the spaCy model and the net before timing
    rules.triage(analyse("il ne respire plus"))
    for split in splits:
        for net in (False, True):
            label = f"{split}_{'rules_net' if net else 'rules'}"
            fig, failures = measure(split, net=net, rules=rules)
            for k, v in fig.items():
                if k.startswith("n["):
                    continue
                print(f"{label}.{k}: {v}")
            if show and split.startswith("dev") and net:
                print("\n".join(failures))
        for k, v in orientation_alarms(split, rules).items():
            print(f"{split}_rules_net.{k}: {v}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
