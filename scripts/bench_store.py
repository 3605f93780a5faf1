#!/usr/bin/env python3
"""CPU time of the tracker store per turn (one retrieve + one save), in this process.

The Rasa server spends about 30 % of its CPU per message fetching and saving the conversation
(docs/measurements/pyspy-rasa-2026-12-06-top.txt). This script plays whole conversations of
realistic turns (a user message with its parse data, the turn's action, slots, a bot answer with
its orientation payload, `action_listen`) against the store, configurations interleaved, and
prints the process CPU milliseconds and the wall milliseconds (`time.process_time`, not wall time: it does not follow the
neighbours' load much; wall time includes waiting for the database) per turn for each:

- `rasa`: Rasa 3.6's own `SQLTrackerStore` (no masking);
- `ours_orm`: `bot.stores.MaskingSQLTrackerStore` with `AIGUILLAGE_STORE_CORE=0` (ORM rows);
- `ours_sync`: the same with `AIGUILLAGE_PG_SYNC_COMMIT=1` (each commit waits for the WAL flush);
- `ours`: `MaskingSQLTrackerStore` as deployed (Core statements, no wait for the WAL flush).

    python scripts/bench_store.py [--pg postgresql://root@127.0.0.1:5432/test] [--sqlite]
        [--conversations 40] [--turns 8] [--rounds 3]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TEXTS = ("dame 87 ans seule à St-Amand, chutes ++, refuse les aides, fille épuisée",
         "ssiad vierzon ?", "et le week-end ?", "merci beaucoup", "cmp gien",
         "patient 54 ans sortie d'hospitalisation, besoin d'aide à domicile sur Bourges")


_LOOP = asyncio.new_event_loop()


def _turn_events(i: int, t0: float) -> list:
    from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered

    text = TEXTS[i % len(TEXTS)]
    parse = {"text": text, "intent": {"name": "orientation", "confidence": 0.91},
             "entities": [{"entity": "commune", "value": "Saint-Amand-Montrond", "start": 20, "end": 28,
                           "extractor": "CommuneExtractor", "confidence_entity": 1.0},
                          {"entity": "age", "value": "87", "start": 5, "end": 11, "extractor": "AgeExtractor"},
                          {"entity": "besoin", "value": "chutes", "start": 30, "end": 36,
                           "extractor": "VocabularyExtractor"}],
             "intent_ranking": [{"name": f"intent_{k}", "confidence": 0.9 / (k + 1)} for k in range(10)],
             "message_id": uuid.uuid4().hex}
    payload = {"orientation": {"niveau": 3, "motifs": ["gestion de cas : personne âgée en situation complexe",
                                                       "situation complexe : 3 dimensions touchées"],
                               "services": [{"type": t, "nom": f"Service {t} du Cher (exemple)",
                                             "telephone": "02 61 91 00 12", "ouvert": True,
                                             "horaires": "lundi au vendredi 9 h – 17 h"}
                                            for t in ("DAC", "CLIC", "EMG", "SSIAD")]}}
    return [UserUttered(text, parse, timestamp=t0),
            ActionExecuted("action_tour", timestamp=t0 + 0.01),
            SlotSet("commune", "Saint-Amand-Montrond", timestamp=t0 + 0.02),
            SlotSet("departement", "18", timestamp=t0 + 0.02),
            SlotSet("derniere_orientation", "DAC", timestamp=t0 + 0.02),
            SlotSet("question_horaire", None, timestamp=t0 + 0.02),
            BotUttered("Appelez le DAC du Cher : gestion de cas pour une personne âgée en situation complexe.",
                       {"custom": payload}, timestamp=t0 + 0.03),
            ActionExecuted("action_listen", timestamp=t0 + 0.04)]


def _store(kind: str, db: dict, domain):
    from rasa.core.tracker_store import SQLTrackerStore

    from bot.stores import MaskingSQLTrackerStore

    cls = SQLTrackerStore if kind == "rasa" else MaskingSQLTrackerStore
    return cls(domain, **db)


def _conversation(store, turns: int, t0: float) -> None:
    from rasa.shared.core.events import ActionExecuted, SessionStarted

    sender = f"bench-{uuid.uuid4().hex[:12]}"
    run = _LOOP.run_until_complete
    tracker = run(store.get_or_create_tracker(sender))
    tracker.update(ActionExecuted("action_session_start", timestamp=t0))
    tracker.update(SessionStarted(timestamp=t0))
    tracker.update(ActionExecuted("action_listen", timestamp=t0))
    run(store.save(tracker))
    for i in range(turns):
        tracker = run(store.retrieve(sender))
        for e in _turn_events(i, t0 + i + 1):
            tracker.update(e)
        run(store.save(tracker))


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pg", default="postgresql://root@127.0.0.1:5432/test")
    ap.add_argument("--sqlite", action="store_true", help="a temporary SQLite file instead of PostgreSQL")
    ap.add_argument("--conversations", type=int, default=40)
    ap.add_argument("--turns", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)

    from rasa.shared.core.domain import Domain
    from sqlalchemy.engine import make_url

    domain = Domain.load(str(ROOT / "domain.yml"))
    if args.sqlite:
        db = {"dialect": "sqlite", "db": str(Path(tempfile.mkdtemp()) / "trackers.db")}
    else:
        url = make_url(args.pg)
        db = {"dialect": "postgresql", "url": url.host, "port": url.port, "db": url.database,
              "username": url.username, "password": url.password}
    configs = {"rasa": {}, "ours_orm": {"AIGUILLAGE_STORE_CORE": "0"},
               "ours_sync": {"AIGUILLAGE_STORE_CORE": "1"}, "ours": {"AIGUILLAGE_STORE_CORE": "1"}}
    stores = {}
    for name in configs:  # the commit mode is read when the store connects
        os.environ["AIGUILLAGE_PG_SYNC_COMMIT"] = "0" if name == "ours" else "1"
        stores[name] = _store("rasa" if name == "rasa" else "ours", db, domain)
    os.environ.pop("AIGUILLAGE_PG_SYNC_COMMIT")
    print(f"backend: {'sqlite' if args.sqlite else 'postgresql'}")
    print(f"turns_per_conversation: {args.turns}")
    results: dict[str, list[float]] = {name: [] for name in configs}
    walls: dict[str, list[float]] = {name: [] for name in configs}
    t0 = time.time()
    for name in configs:  # warm-up: connections, compiled statements, masking memo
        os.environ.update(configs[name])
        _conversation(stores[name], 2, t0)
    for r in range(args.rounds):
        for name, env in configs.items():
            os.environ.pop("AIGUILLAGE_STORE_CORE", None)
            os.environ.update(env)
            start, wall = time.process_time(), time.perf_counter()
            for _ in range(args.conversations):
                _conversation(stores[name], args.turns, t0)
            n = args.conversations * (args.turns + 1)
            ms = 1000 * (time.process_time() - start) / n
            results[name].append(ms)
            walls[name].append(1000 * (time.perf_counter() - wall) / n)
            print(f"round{r + 1}.{name}_cpu_ms_per_turn: {ms:.2f}")
    for name, values in results.items():
        print(f"{name}_cpu_ms_per_turn: {statistics.median(values):.2f}")
        print(f"{name}_wall_ms_per_turn: {statistics.median(walls[name]):.2f}")
    base = statistics.median(results["ours_orm"])
    print(f"ours_vs_ours_orm: {statistics.median(results['ours']) / base:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
