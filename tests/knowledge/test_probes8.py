"""Emergency probes of the eighth pass (issue 16): the scene families of the dev7 misses (generation
7), written blind by a helper session from a description of each family while the social8 rules were
being written (tests/knowledge/probes8.yaml: 72 scenes in 12 families, 48 traps), then used as a
second dev set. Before the pass the rules caught 39 of the 72 scenes (none of the six plans to take
stored pills tonight, none of the threats if she leaves) and 7 traps raised a number; after it, 66
and 4 (all four from rules older than this pass, listed in KNOWN).

Still missed: three of the six neglected-children scenes (no single sign: dirty, no food, no school,
told over several lines), a woman sitting in a bus shelter in freezing cold, a neighbour aiming a gun
from his balcony, a box of stockpiled pills found by a daughter. The floor is 0.5 per family and 0.9
overall; the rules alone are tested (`net=False`), the traps with and without the net.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.knowledge.probes import raised, recall_by, rule_alarms

HERE = Path(__file__).parent
DATA = yaml.safe_load((HERE / "probes8.yaml").read_text(encoding="utf-8"))
FLOOR = 0.5
OVERALL = 0.9
# False alarms of rules older than this pass on traps of this file, left open.
KNOWN = {
    "p8-t-03": "'je vais le tuer s'il oublie encore le pain … mdr' raises the immediate-danger rule (17)",
    "p8-t-04": "'elle aimerait mieux crever que remonter chez le kiné' raises the social4 ideation rule (3114)",
    "p8-t-16": "'patient hémiplégique' with nothing current raises the stroke cue (15)",
    "p8-t-47": "'notre médecin a disparu de la circulation' raises the abuse-of-the-vulnerable rule (3977)",
}


def test_probe_file_covers_every_family_and_voice():
    families = {i["classe"] for i in DATA["scenes"]}
    assert len(families) == 12 and len(DATA["scenes"]) == 72 and len(DATA["traps"]) == 48
    assert {i["voice"] for i in DATA["scenes"]} == {"proche", "medecin", "sms", "operateur", "recit"}
    ids = [i["id"] for i in DATA["scenes"] + DATA["traps"]]
    assert len(set(ids)) == len(ids)


def test_every_scene_family_is_caught_by_the_rules(rules):
    low, missed = recall_by(rules, DATA["scenes"], "classe", FLOOR)
    assert not low, f"recall under {FLOOR} for {low}; missed {missed}"
    assert 1 - len(missed) / len(DATA["scenes"]) >= OVERALL, f"missed {missed}"


@pytest.mark.parametrize("net", [False, True])
def test_traps_raise_nothing(rules, net):
    assert rule_alarms(rules, DATA["traps"], net=net, known=KNOWN) == []


@pytest.mark.parametrize("text,numero", [
    # a plan for tonight told through the person's words and after a pluperfect is not history
    ("Elle m'a dit qu'elle avait gardé ses somnifères depuis des semaines et qu'elle les prendra ce soir.", "15"),
    ("ce soir c'est fini, elle a aligné ses boîtes de médocs sur la table", "15"),
    # a scene dated by its start ("me suit depuis la gare") is now
    ("un type me suit depuis la gare, il m'a attrapé le bras, il est juste derrière moi", "17"),
    # the writer is deaf and the intruder is inside
    ("je suis malentendante, quelqu'un est entré dans la maison, j'entends des pas, je suis cachée", "17"),
    ("je suis malentendante, quelqu'un est entré dans la maison, j'entends des pas, je suis cachée", "114"),
    # last week's act under control is today's danger
    ("Il contrôle mon téléphone et mon argent ; la semaine dernière il m'a tirée par les cheveux.", "3919"),
    ("we are at Blois station with a baby, no money, sleep where tonight?", "115"),
])
def test_mechanisms(rules, text, numero):
    assert numero in raised(rules, text, net=False)


@pytest.mark.parametrize("text", [
    "Elle prendra tous ses médicaments ce soir au coucher, comme prescrit ; l'infirmière prépare le pilulier.",
    "Un homme est entré chez elle pour réparer la chaudière, elle était seule et a eu un peu peur.",
    "L'hiver dernier il dormait dans sa voiture par grand froid ; il est logé depuis mars, il cherche un emploi.",
    "Leur maison a brûlé la semaine dernière, la mairie les a relogés, ils cherchent une aide pour l'assurance.",
    "Mon père a fait un infarctus il y a six ans ; il devient sourd et refuse ses appareils, qui peut l'aider ?",
    "Expulsion prévue en mars, il y a un jugement, on a encore le temps mais on ne sait pas où aller avec les enfants.",
])
def test_past_or_harmless_variants_raise_nothing(rules, text):
    assert raised(rules, text, net=False) == set()
