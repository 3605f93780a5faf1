"""Orientation mechanisms of the generation-7 pass (issue 16): the need asked for in so many words
inside a story that is not really complex, and the places of short SMS-style requests (a typo in a
name with "de la", a lower-case name after a service type in a longer message, a tiny commune whose
name is the usual short form of a far bigger one)."""
from __future__ import annotations

import pytest

from knowledge.places import find_places
from knowledge.request_cues import asked_spans
from knowledge.situation import analyse

STORY = ("Mon fils de 30 ans vit seul à Vierzon, il a perdu son emploi, il est très angoissé et ne dort "
         "plus. ")


def test_the_sentence_that_asks_is_found():
    text = STORY + "Il cherche un psychologue pour être suivi."
    spans = asked_spans(text)
    assert [text[a:b].strip() for a, b in spans] == ["Il cherche un psychologue pour être suivi"]
    assert asked_spans("Il a 80 ans. Il vit seul.") == []
    assert [a for a, _ in asked_spans("ssiad gien ?")] == [0]   # a question asks


def test_a_need_asked_for_comes_before_the_dac(rules):
    s = analyse(STORY + "Il cherche un psychologue ou un psychiatre pour être suivi.")
    assert "souffrance_psychique" in s.besoins_demandes
    t = rules.triage(s)
    assert t.types[:2] == ["CMP", "DAC"] and "service_demande" in t.regles


def test_the_same_story_without_a_request_goes_to_the_dac(rules):
    t = rules.triage(analyse(STORY + "Que faire ?"))
    assert t.types[0] == "DAC"


def test_case_management_asked_for_stays_with_the_dac(rules):
    t = rules.triage(analyse("Dame 84 ans à Bourges, démence, fille épuisée, refuse les aides, deux "
                             "hospitalisations ce mois. Il faudrait une coordination."))
    assert t.types[0] == "DAC"


@pytest.mark.parametrize("text,nom", [
    ("spasad st jean de la ruel existe ? soins + aide menage pr mr 80a", "Saint-Jean-de-la-Ruelle"),
    ("cmp le blanc adulte horaire ? patiente schizo stable suivie a poitiers vient de demenager", "Le Blanc"),
    ("had montlouis sur loire", "Montlouis-sur-Loire"),
    ("ssiad montlouis 18", "Montlouis"),
    ("ssiad de tours", "Tours"),
])
def test_places_of_short_requests(text, nom):
    assert analyse(text).commune.nom == nom


def test_a_place_outside_the_region_does_not_hide_the_one_after_the_service_type():
    found = find_places("cmp le blanc adulte horaire ? patiente suivie a poitiers vient de demenager")
    assert [m.commune.nom for m in found if m.commune] == ["Le Blanc"]


def test_a_tiny_commune_named_like_a_big_ones_short_form_is_ambiguous():
    s = analyse("Mes parents habitent Montlouis.")
    assert s.commune is None
    assert [c.nom for c in s.ambiguite] == ["Montlouis-sur-Loire", "Montlouis"]
