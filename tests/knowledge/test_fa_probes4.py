"""False-alarm probes of the fourth pass (tests/knowledge/fa_probes4.yaml, own wordings written
before tuning, issue 16): non-emergency traps in nine categories and close real emergencies.
Floors are what was measured at the end of the pass (rules + learned net); they may only improve."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from tests.knowledge.probes import raised, false_alarms, missed


PROBES = yaml.safe_load((Path(__file__).parent / "fa_probes4.yaml").read_text(encoding="utf-8"))
MAX_FALSE_ALARMS = 1          # of 152 traps (18 before the pass, 3 after it, 1 after fa5)
MIN_CAUGHT = 50               # of 50 close emergencies (49 before the pass)


def test_the_probe_file_covers_every_category_and_voice():
    traps = PROBES["pieges"]
    assert len(traps) >= 150 and len(PROBES["urgences"]) >= 50
    cats = Counter(t["category"] for t in traps)
    assert set(cats) == {"negation", "antecedent", "hypothese", "information", "autre_personne", "declin",
                         "social", "figure", "small_talk"}
    assert {t["voice"] for t in traps} >= {"proche", "medecin", "sms", "operateur", "recit"}


def test_false_alarms_on_the_traps_stay_under_the_floor(rules):
    alarms = false_alarms(rules, PROBES["pieges"])
    assert len(alarms) <= MAX_FALSE_ALARMS, alarms
    assert not [a for a in alarms if a[0] == "small_talk"]


def test_close_emergencies_keep_their_number(rules):
    lost = missed(rules, PROBES["urgences"])
    assert len(PROBES["urgences"]) - len(lost) >= MIN_CAUGHT, lost


@pytest.mark.parametrize("text", [
    "Le cabinet infirmier ne répond plus depuis ce matin, j'ai besoin d'un pansement demain.",
    "Sa curatrice ne répond plus à nos appels depuis un mois, comment changer de mandataire ?",
    "Enfant de 2 ans, ne répond pas à son prénom, pas encore de langage : dépistage TND ?",
    "Si jamais mon père refait un malaise cette nuit, qui j'appelle ? Pour l'instant il va bien.",
    "Elle ne s'étouffe pas en mangeant, elle a juste du mal à mâcher.",
    "Ça a été un choc de voir le devis. Des aides pour un monte-escalier ?",
])
def test_each_class_of_false_alarm_stays_silent(rules, text):
    assert raised(rules, text) == set()


@pytest.mark.parametrize("text,numero", [
    ("Ma mère ne répond plus à son prénom depuis ce matin, elle est très somnolente et difficile à réveiller.", "15"),
    ("Mon père ne répond plus quand je lui parle, il a les yeux ouverts mais ne réagit pas.", "15"),
    ("Mon bébé de 3 mois est tout mou depuis ce matin, il ne tète plus et dort tout le temps.", "15"),
    ("si jamais c grave dites moi : mon mari a le bras droit qui ne bouge plus depuis 10 min", "15"),
    ("Il s'étouffe en mangeant, il devient bleu et ne peut plus parler.", "15"),
])
def test_the_live_counterparts_still_raise(rules, text, numero):
    assert numero in raised(rules, text)
