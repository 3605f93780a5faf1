"""Social emergency probes of the sixth pass (issue 16): scene families and mechanisms found on
the dev misses, written before the social6 rules (tests/knowledge/social_probes6.yaml).

The rules alone are tested (`net=False`): every family must be caught by a rule, and no trap
(past episode, negation, supposed case, information request, eviction threat, figure of speech,
harmless near scene) may raise a number, with or without the learned net.
"""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from tests.knowledge.probes import raised, recall_by, rule_alarms

HERE = Path(__file__).parent
DATA = yaml.safe_load((HERE / "social_probes6.yaml").read_text(encoding="utf-8"))
FLOOR = 0.9


def test_probe_file_covers_every_class_and_voice():
    classes = defaultdict(int)
    for item in DATA["scenes"]:
        classes[item["classe"]] += 1
    assert min(classes.values()) >= 3 and len(classes) >= 12
    assert {i["voice"] for i in DATA["scenes"]} == {"proche", "medecin", "sms", "operateur", "recit"}
    assert len(DATA["traps"]) >= 30
    assert len({i["id"] for i in DATA["scenes"] + DATA["traps"]}) == len(DATA["scenes"]) + len(DATA["traps"])


def test_every_scene_family_is_caught_by_the_rules(rules):
    low, missed = recall_by(rules, DATA["scenes"], "classe", FLOOR)
    assert not low, f"recall under {FLOOR} for {low}; missed {missed}"


@pytest.mark.parametrize("net", [False, True])
def test_traps_raise_nothing(rules, net):
    """No rule fires on a trap, with the net on or off. The learned net's own conditional line is
    left out: on main before social6 it already gave a conditional 119 on t6-20 (children heard
    shouting while they play), a known false alarm of the net, not of these rules."""
    assert rule_alarms(rules, DATA["traps"], net=net) == []


@pytest.mark.parametrize("text,numero", [
    # a past date earlier in the sentence, a current duration after it: the scene is current
    ("Sortie de l'hôpital en mai, elle dort dans un hall d'immeuble depuis deux nuits.", "115"),
    # a future month is not past history
    ("Il dit qu'il ne voit pas d'autre issue que la corde si on vend la maison en juin.", "3114"),
])
def test_mechanisms(rules, text, numero):
    assert numero in raised(rules, text, net=False)
