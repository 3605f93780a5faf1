#!/usr/bin/env python3
"""Orientation benchmark: the held-out requests of tests/heldout/orientation, each as a first turn.

Each message goes through the real pipeline: the trained Rasa model's NLU (``Agent.parse_message``)
gives the intent and entities, then the domain code the rules would run for that intent
(``actions.orienting.orientation_turn``: the answer or the commune question; hours question;
correction/information) on the sample directory at a fixed time. Printed per split (dev, test):

* ``<split>.first_type_right``: the first recommended type is in ``types_ok`` (overall,
  ``<split>.first_type_right.<voice>`` per voice, ``.sms`` included)
* ``<split>.first_type_or_stand_in_right``: also right when the first service stands in for an
  expected type the directory lacks there and says so ("pas de CLIC ici": the DAC)
* ``<split>.departement_right``: the department of the place understood is the expected one
* ``<split>.asked_commune_needlessly``: the bot asked for a commune although the message names a
  place of the region (the third generation has a few requests that name none: for those, asking
  where is right, and they count in neither department figure)
* ``<split>.per_type.<TYPE>``: first type right among the items whose first expected type is TYPE

``--errors dev,dev3`` lists the failures of those dev splits (never the test ones: test.yml is only counted). The
second- and third-generation sets (tests/heldout/orientation2/, orientation3/) are scored as splits
``dev2``/``test2`` and ``dev3``/``test3`` (scripts/heldout.py).
Usage: python scripts/bench_orientation.py [--model PATH] [--errors dev3] [--splits dev,test,dev2,test2,dev3,test3]
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import sys
import tempfile
import warnings
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("AIGUILLAGE_NOW", "2026-11-23T10:00:00+01:00")  # Monday 10:00, as the e2e tests
warnings.filterwarnings("ignore")

from scripts.heldout import SPLITS, split_file  # noqa: E402


@dataclass
class Outcome:
    intent: str
    first_type: str | None
    departement: str | None
    asked_commune: bool
    text: str = ""
    stands_in: str | None = None   # the type the first service answers for where none serves ("CLIC")


def split_path(split: str) -> Path:
    """The orientation file of `split` (`dev`, `test2`, `dev3`…: see scripts/heldout.py)."""
    return split_file("orientation", split)


def load(split: str) -> list[dict]:
    import yaml

    return yaml.safe_load(split_path(split).read_text(encoding="utf-8")) or []


def first_turn(services, text: str, parsed: dict) -> Outcome:
    """What the bot answers to `text` as the first message of a conversation."""
    from actions import orienting
    from actions.completion import complete
    from actions.service_hours import service_hours
    from actions.ticket_status import ticket_status
    from actions.turn import Reply, Turn
    from knowledge import places

    intent = (parsed.get("intent") or {}).get("name") or "nlu_fallback"
    turn = Turn.of(services, text, Turn.from_message(services, parsed).entities, intent)
    reading = places.read_place(turn.text, services.gazetteer, services.vocabulary, entities=turn.entities)
    dep = reading.departement.code if reading.departement else None
    if intent == "orientation":   # action_orienter: the answer, or the commune question
        r = orienting.orientation_turn(turn)
        slots = r.all_slots()
        return Outcome(intent, _first_type(_payload(r)), slots.get("departement") or dep, r.opens_form is not None,
                       "\n".join(m.text for m in r.messages()), _stands_in(_payload(r)))
    if intent == "horaires_service":   # a type named without a place is asked where (the orientation form)
        r = service_hours(turn, {})
        payload = _payload(r)
        return Outcome(intent, _first_type(payload), dep, r.opens_form is not None,
                       "\n".join(m.text for m in r.messages()), _stands_in(payload))
    if intent in ("correction", "informer", "nier"):
        r = complete(turn, {})
        return Outcome(intent, _first_type(r.payload), dep, _asks_commune(r), r.text, _stands_in(r.payload))
    if intent == "suivi_demande":
        r = ticket_status(turn, "bench")
        return Outcome(intent, _first_type(r.payload), dep, _asks_commune(r), r.text, _stands_in(r.payload))
    if intent == "ouvrir_demande":   # action_verifier_demande, then the form unless redirected
        r = orienting.redirect_request(turn, {}, intent)
        if r is None:
            return Outcome(intent, None, dep, False, "(formulaire de demande d'appui)")
        return Outcome(intent, _first_type(r.payload), dep, _asks_commune(r), r.text, _stands_in(r.payload))
    r = orienting.emergency_or_redirect(turn, {})   # action_verifier_urgence
    r = r if r is not None else Reply()
    return Outcome(intent, _first_type(r.payload), dep, _asks_commune(r), r.text, _stands_in(r.payload))


def _payload(reply) -> dict | None:
    """The last contract payload of the turn's messages (the answer comes after an emergency)."""
    payloads = [m.payload for m in reply.messages() if m.payload]
    return payloads[-1] if payloads else None


def _asks_commune(reply) -> bool:
    return reply.text.startswith("Dans quelle commune") or reply.text.startswith("Plusieurs communes")


def _first_type(payload: dict | None) -> str | None:
    recos = ((payload or {}).get("orientation") or {}).get("recommandations") or []
    return recos[0]["type"] if recos else None


_STANDS_IN = re.compile(r"^Pas de ([A-Z]+) ici : ")


def _stands_in(payload: dict | None) -> str | None:
    """The type the first recommendation stands in for ("Pas de CLIC ici : …": the DAC where the
    CLICs joined it), from its ``pourquoi``."""
    recos = ((payload or {}).get("orientation") or {}).get("recommandations") or []
    found = _STANDS_IN.match(recos[0].get("pourquoi") or "") if recos else None
    return found.group(1) if found else None


def is_right(item: dict, o: Outcome) -> bool:
    """The first type is expected; a request that names no place is also right when the bot asks where."""
    return o.first_type in item["types_ok"] or (item.get("departement") is None and o.asked_commune)


def score(items: list[dict], outcomes: list[Outcome]) -> dict[str, float]:
    n = len(items)
    right = [is_right(it, o) for it, o in zip(items, outcomes)]
    placed = [(it, o) for it, o in zip(items, outcomes) if it.get("departement") is not None]
    dep = [o.departement == str(it["departement"]) for it, o in placed]
    asked = [o.asked_commune for _, o in placed]
    # The stand-in counted: the directory has no service of the expected type there and the answer
    # says which one answers in its place (CLIC → DAC in the Indre and the Loir-et-Cher).
    relayed = [ok or (o.stands_in is not None and o.stands_in in it["types_ok"])
               for it, o, ok in zip(items, outcomes, right)]
    fig: dict[str, float] = {"n": n, "first_type_right": sum(right) / n,
                             "first_type_or_stand_in_right": sum(relayed) / n,
                             "departement_right": sum(dep) / len(placed) if placed else 0.0,
                             "asked_commune_needlessly": sum(asked) / len(placed) if placed else 0.0}
    if len(placed) < n:
        fig["n_without_place"] = n - len(placed)
    by_voice: dict[str, list[bool]] = defaultdict(list)
    by_type: dict[str, list[bool]] = defaultdict(list)
    for it, ok in zip(items, right):
        by_voice[it.get("voice", "?")].append(ok)
        by_type[it["types_ok"][0]].append(ok)
    for voice, oks in sorted(by_voice.items()):
        fig[f"first_type_right.{voice}"] = sum(oks) / len(oks)
        fig[f"n.{voice}"] = len(oks)
    for t, oks in sorted(by_type.items()):
        fig[f"per_type.{t}"] = sum(oks) / len(oks)
        fig[f"per_type_n.{t}"] = len(oks)
    fig["intent_orientation_rate"] = sum(o.intent == "orientation" for o in outcomes) / n
    fig["ticket_form_started"] = sum(o.text == "(formulaire de demande d'appui)" for o in outcomes) / n
    return fig


def model_path(given: str | None) -> Path:
    if given:
        return Path(given)
    env = os.environ.get("AIGUILLAGE_TEST_MODEL")
    if env:
        return Path(env)
    from tests.conftest import trained_model_path  # trains once per set of model inputs into .build/

    return trained_model_path()


def sample_directory() -> None:
    """The shipped sample directory in a temporary SQLite file (as the e2e tests use)."""
    if os.environ.get("AIGUILLAGE_DB_URL"):
        return
    from knowledge.directory import Directory

    url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='bench-orient-')) / 'aiguillage.db'}"
    Directory(url).load()
    os.environ["AIGUILLAGE_DB_URL"] = url


def run(splits: list[str], model: Path, errors: tuple[str, ...] = ()) -> dict[str, dict[str, float]]:
    from rasa.core.agent import Agent

    from actions.services import Services

    sample_directory()
    services = Services.from_settings()
    agent = Agent.load(str(model))
    loop = asyncio.new_event_loop()
    results = {}
    for split in splits:
        items = load(split)
        outcomes = []
        for it in items:
            parsed = loop.run_until_complete(agent.parse_message(it["text"]))
            outcomes.append(first_turn(services, it["text"], parsed))
        results[split] = score(items, outcomes)
        if split in errors and not split.startswith("test"):
            for it, o in zip(items, outcomes):
                bad_type = not is_right(it, o)
                bad_dep = it.get("departement") is not None and o.departement != str(it["departement"])
                if bad_type or bad_dep:
                    print(f"# {it['id']} [{it.get('voice')}] want {it['types_ok']}/{it['departement']} got "
                          f"{o.first_type}/{o.departement} intent={o.intent} asked={o.asked_commune}: "
                          f"{' '.join(it['text'].split())[:200]}")
                    print(f"#    -> {' | '.join(o.text.splitlines()[:2])[:200]}")
    loop.close()
    return results


def _dev_splits(value: str) -> tuple[str, ...]:
    """``--errors dev,dev3``: dev splits only (a test split is only ever counted)."""
    splits = tuple(s for s in value.split(",") if s)
    bad = [s for s in splits if not re.fullmatch(r"dev\d*", s)]
    if bad:
        raise argparse.ArgumentTypeError(f"dev splits only, not {', '.join(bad)}")
    return splits


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", help="a trained model (default: $AIGUILLAGE_TEST_MODEL, else train into .build/)")
    ap.add_argument("--splits", default=",".join(s for s in SPLITS if split_path(s).exists()))
    ap.add_argument("--errors", type=_dev_splits, default=(),
                    help="list the failures of these dev splits (comma-separated: dev,dev3; never a test split)")
    args = ap.parse_args(argv)
    logging.disable(logging.WARNING)
    os.environ["LOG_LEVEL"] = "WARNING"
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    results = run(args.splits.split(","), model_path(args.model), args.errors)
    for split, fig in results.items():
        for k, v in fig.items():
            print(f"orientation.{split}.{k}: {v:.3f}" if isinstance(v, float) else f"orientation.{split}.{k}: {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
