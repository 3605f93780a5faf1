"""False-alarm probes of the seventh pass (tests/knowledge/fa_probes7.yaml, written blind by a
helper session from eight trap classes, issue 16), with paired emergencies that look like the traps
but are current. Measured on main before the pass: 5 of 48 traps alarmed (a stroke or heart attack
told with its sequel, a spilt coffee) and 4 of 16 twins were missed ("jamais eu aussi mal à la
poitrine", "scanner normal hier mais ce matin la bouche de travers", "depuis le mois dernier il la
gifle… menacé de la tuer", a child's disclosure after a training session). Floors are the end of the
pass (rules + learned net); they may only improve."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from tests.knowledge.probes import raised

PROBES = yaml.safe_load((Path(__file__).parent / "fa_probes7.yaml").read_text(encoding="utf-8"))
MAX_FALSE_ALARMS = 0          # of 48 traps (5 before the pass)
MIN_CAUGHT = 14               # of 16 twins (12 before the pass)


def test_the_probe_file_covers_every_class_and_voice():
    traps, twins = PROBES["traps"], PROBES["twins"]
    classes = Counter(t["classe"] for t in traps)
    assert len(classes) == 8 and min(classes.values()) >= 6
    assert set(Counter(t["classe"] for t in twins)) == set(classes)
    assert {t["voice"] for t in traps} == {"proche", "medecin", "sms", "operateur", "recit"}


def test_no_trap_raises_a_number(rules):
    alarms = [(t["id"], sorted(raised(rules, t["text"]))) for t in PROBES["traps"]]
    assert len([a for a in alarms if a[1]]) <= MAX_FALSE_ALARMS, [a for a in alarms if a[1]]


def test_the_twins_keep_their_number(rules):
    lost = [t["id"] for t in PROBES["twins"] if str(t["numero"]) not in raised(rules, t["text"])]
    assert len(PROBES["twins"]) - len(lost) >= MIN_CAUGHT, lost


@pytest.mark.parametrize("text", [
    # an unprecedented pain is not a denied one
    "il dit qu'il n'a jamais eu aussi mal à la poitrine, depuis 10 minutes, il est en sueur",
    # a reassuring check before a contrast and a new sign does not cover the new sign
    "ECG normal hier chez le cardiologue, mais là il a une douleur qui serre la poitrine depuis 30 min",
    # a stroke told now stays an emergency, even beside words of its sequels
    "il vient de faire un AVC, il est hémiplégique du côté droit",
    "post-AVC, paralysie du bras droit apparue brutalement il y a une heure",
])
def test_current_signs_still_raise_15(rules, text):
    assert "15" in raised(rules, text, net=False)


@pytest.mark.parametrize("text", [
    "Mme 80 ans, AVC avec hémiplégie gauche séquellaire, sortie de SSR, besoin d'un kiné à domicile à Vierzon",
    "mon mari a fait un infarctus, il a été stenté et il est suivi en cardio à Blois, on cherche une aide ménagère",
    "il renverse souvent son thé à table, il tremble un peu, on cherche une auxiliaire de vie",
    "Il s'agit d'un patient de 70 ans qui a de la fièvre depuis deux jours et demande un passage infirmier",
])
def test_sequels_and_everyday_words_raise_nothing(rules, text):
    assert not raised(rules, text, net=False)
