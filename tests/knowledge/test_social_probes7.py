"""Social emergency probes of the seventh pass (issue 16): the scene families of the dev6 misses,
written blind by a helper session from a description of each family while the social7 rules were
being written (tests/knowledge/social_probes7.yaml), then used as a second dev set to widen them.
Two scenes stay missed (a groom's age read as the child's, "pour savoir où passer la nuit" read as
an information question): the floor is per class 0.8 (4 of 5) and 0.95 overall.

The rules alone are tested (`net=False`): every family must be caught by a rule, and no trap
(past episode, negation, supposed case, information request, eviction threat, figure of speech,
harmless near scene) may raise a number, with or without the learned net.
"""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from knowledge.situation import analyse
from tests.knowledge.probes import raised, recall_by, rule_alarms

HERE = Path(__file__).parent
DATA = yaml.safe_load((HERE / "social_probes7.yaml").read_text(encoding="utf-8"))
FLOOR = 0.8
OVERALL = 0.95
# False alarms of earlier rules on traps of this file, left open (not of the social7 rules).
KNOWN = {"t7-02": "a neighbour who 'ne répondait pas' raises the consciousness rule (15) although the "
                  "sentence says she was only away; open"}


def test_probe_file_covers_every_class_and_voice():
    classes = defaultdict(int)
    for item in DATA["scenes"]:
        classes[item["classe"]] += 1
    assert min(classes.values()) >= 5 and len(classes) >= 11
    assert {i["voice"] for i in DATA["scenes"]} == {"proche", "medecin", "sms", "operateur", "recit"}
    assert len(DATA["traps"]) >= 40
    assert len({i["id"] for i in DATA["scenes"] + DATA["traps"]}) == len(DATA["scenes"]) + len(DATA["traps"])


def test_every_scene_family_is_caught_by_the_rules(rules):
    low, missed = recall_by(rules, DATA["scenes"], "classe", FLOOR)
    assert not low, f"recall under {FLOOR} for {low}; missed {missed}"
    assert 1 - len(missed) / len(DATA["scenes"]) >= OVERALL, f"missed {missed}"


@pytest.mark.parametrize("net", [False, True])
def test_traps_raise_nothing(rules, net):
    """No rule fires on a trap, with the net on or off (the learned net's own conditional line and
    the KNOWN false alarms of earlier rules left out)."""
    assert rule_alarms(rules, DATA["traps"], net=net, known=KNOWN) == []


@pytest.mark.parametrize("text,numero", [
    # a shot fired last night is today's danger (the rule ignores the past of "hier soir")
    ("Son compagnon a tiré au fusil dans le salon hier soir, elle dort chez sa sœur à Vierzon.", "3919"),
    # a month named dates the wedding to come, not a past episode
    ("Élève de 4e à Dreux, son oncle veut la marier au pays en juillet.", "119"),
])
def test_mechanisms(rules, text, numero):
    assert numero in raised(rules, text, net=False)


@pytest.mark.parametrize("text", [
    "Il y a dix ans son mari l'a menacée avec un fusil ; ils sont séparés depuis et elle va bien.",
    "Ma tante devait être mariée au pays à 15 ans, il y a quarante ans ; elle a refusé.",
    "Le bébé pleure depuis une heure dans mes bras, il a des coliques, que faire ?",
])
def test_past_or_harmless_variants_raise_nothing(rules, text):
    assert not [u for u in rules.triage(analyse(text), net=False).urgences if u.regle.startswith("signes:social7")]
