"""Orientation probes of issue 16, sixth pass (tests/knowledge/orientation_probes6.yaml), on the
sample directory as first turns through the domain code (no Rasa): PRADO, CMRR against ESA, rights
to reopen at the CPAM, PCPE, home help and its financing, APA information, an MDPH file never made,
lay words for a toddler's delay, alcohol by quantity, services named in lay words."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from knowledge.situation import analyse
from tests.knowledge.test_orientation_classes import first_answer, orienter  # noqa: F401  (fixture)

PROBES = yaml.safe_load((Path(__file__).parent / "orientation_probes6.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("probe", PROBES, ids=[f"{p['classe']}:{p['texte'][:40]}" for p in PROBES])
def test_probe_first_type_and_department(orienter, probe):  # noqa: F811
    o = first_answer(orienter, probe["texte"])
    assert o.recommandations, o.message()
    assert o.recommandations[0].service.type in probe["types"], o.message()
    assert o.situation.departement is not None and o.situation.departement.code == probe["departement"]


def test_probes_cover_the_classes_and_voices():
    assert {p["classe"] for p in PROBES} >= {"prado", "cmrr", "esa", "cpam", "pcpe"}
    assert {p["voix"] for p in PROBES} >= {"sms", "proche", "clinique", "operateur", "recit"}
    assert sum(p["voix"] == "sms" for p in PROBES) >= 10


@pytest.mark.parametrize("text, age", [
    ("ma mère de 80 ans oublie tout depuis deux ans, Chartres", 80),
    ("Mon mari a 82 ans et depuis trois ans il se perd, Tours", 82),
    ("depuis un an elle répète les mêmes questions, elle a 74 ans", 74),
    ("il a trois ans et demi et ne parle pas, Blois", 3),
    ("Mon père a 79 ans et depuis un an il cherche ses mots, Gien", 79),
    ("Ma tante a 86 ans et depuis deux ans elle ne sort plus, Dreux", 86),
])
def test_an_age_in_words_after_depuis_is_a_duration(text, age):
    assert analyse(text).age == age


@pytest.mark.parametrize("text", [
    "son mari de 81 ans tombe souvent, les enfants vivent loin, Bourges",
    "Mme 84a seule, les enfants sont loin, chutes, Vierzon",
])
def test_the_grown_up_children_of_an_old_person_are_not_a_child_public(text):
    assert "enfant" not in analyse(text).publics
