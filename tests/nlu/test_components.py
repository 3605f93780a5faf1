"""Custom NLU components run through Rasa's component API (no trained model)."""
from __future__ import annotations

import pytest

pytest.importorskip("rasa", reason="rasa is needed for the NLU graph components")

from rasa.engine.graph import ExecutionContext, GraphSchema  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402

from nlu.components import (  # noqa: E402
    AgeExtractor,
    CommuneExtractor,
    EntityOverlapResolver,
    RequestNumberExtractor,
    TimeExtractor,
    VocabularyExtractor,
)


def _create(cls, config=None):
    ctx = ExecutionContext(GraphSchema({}), "test")
    return cls.create({**cls.get_default_config(), **(config or {})}, None, None, ctx)


def _run(component, text):
    msg = Message(data={"text": text})
    component.process([msg])
    return [(e["entity"], text[e["start"]:e["end"]], e["value"], e.get("role"))
            for e in msg.get("entities", [])]


@pytest.fixture(scope="module")
def commune():
    return _create(CommuneExtractor)


@pytest.fixture(scope="module")
def vocabulary():
    return _create(VocabularyExtractor)


@pytest.mark.parametrize("text, expected", [
    ("pt 82a seul ds le 36, chutes ++, refus aides", [("age", "82a", "82")]),
    ("mme 85 ans vit seule", [("age", "85 ans", "85")]),
    ("dame 79 a , aide ménagère", [("age", "79 a", "79")]),
    ("patient octogénaire isolé", [("age", "octogénaire", "85")]),  # parse_age: mid-decade
    ("nourrisson de 3 semaines, mère seule", [("age", "3 semaines", "0")]),
    ("ado de 15 ans en souffrance", [("age", "15 ans", "15")]),
    ("bb 4 mois pleure tout le temps", [("age", "4 mois", "0")]),
    ("sans médecin traitant depuis 2 ans", []),
    ("femme enceinte 6 mois", []),
    ("dans 3 jours", []),
    ("vaccin après 65 ans ?", []),
    ("90 kg, clairance à 35", []),
])
def test_age_extractor(text, expected):
    got = [(k, s, v) for k, s, v, _ in _run(_create(AgeExtractor), text)]
    assert got == expected


@pytest.mark.parametrize("text, expected", [
    ("où en est le dossier AIG-2026-000481 ?", "AIG-2026-000481"),
    ("statut aig 2026 123", "AIG-2026-000123"),
    ("suivi AIG_2026_000019 svp", "AIG-2026-000019"),
])
def test_request_number(text, expected):
    got = _run(_create(RequestNumberExtractor), text)
    assert [(k, v) for k, _, v, _ in got] == [("numero_demande", expected)]


@pytest.mark.parametrize("text, span", [
    ("le CLIC est ouvert samedi 10h ?", "samedi 10h"),
    ("ouvert demain matin ?", "demain matin"),
    ("joignable ce soir ?", "ce soir"),
    ("plutôt lundi après-midi", "lundi après-midi"),
    ("bonne nuit", None),
    ("bonne soirée à vous", None),
    ("merci beaucoup", None),
])
def test_time_extractor(text, span):
    got = [s for k, s, _, _ in _run(_create(TimeExtractor), text) if k == "temps"]
    assert got == ([span] if span else [])


@pytest.mark.parametrize("text, expected", [
    ("pt 82a seul ds le 36, chutes ++", [("departement", "36", "36")]),
    ("had joue les tours", [("commune", "joue les tours", "37122")]),
    ("mme 90 ans à Vierzon, chutes", [("commune", "Vierzon", "18279")]),
    ("besoin ssiad st amand montrond", [("commune", "st amand montrond", "18197")]),
    ("chateauroux", [("commune", "chateauroux", "36044")]),
    ("18000", [("code_postal", "18000", "18000")]),
    ("pte 91a dénutrie, 45, vers qui", [("departement", "45", "45")]),
    ("le DAC 41 est ouvert ?", [("departement", "41", "41")]),
    ("pas le Cher, l'Indre", [("departement", "Cher", "18"), ("departement", "Indre", "36")]),
])
def test_commune_extractor(commune, text, expected):
    got = [(k, s, v) for k, s, v, _ in _run(commune, text)]
    assert got == expected


def test_commune_out_of_region_has_role(commune):
    got = _run(commune, "billet de train pour Paris")
    assert [(k, r) for k, _, _, r in got] == [("commune", "hors_region")]


@pytest.mark.parametrize("text, entity, value, role", [
    ("pte SEP, aidant épuisé", "besoin", "epuisement_aidant", None),
    ("qui pour une HAD à Chinon", "type_ressource", "HAD", None),
    ("hospitalisation à domicile pour des pansements", "type_ressource", "HAD", None),
    ("pas de troubles cognitifs mais chutes", "besoin", "troubles_cognitifs", "nie"),
    ("pas de troubles cognitifs mais chutes", "besoin", "chutes", None),
    ("personne âgée isolée", "public", "personne_agee", None),
])
def test_vocabulary_extractor(vocabulary, text, entity, value, role):
    got = _run(vocabulary, text)
    assert (entity, value, role) in [(k, v, r) for k, _, v, r in got]


def test_vocabulary_drop_mode_removes_negated():
    comp = _create(VocabularyExtractor, {"negation": "drop"})
    got = _run(comp, "pas de troubles cognitifs mais chutes")
    assert "troubles_cognitifs" not in [v for _, _, v, _ in got]
    assert "chutes" in [v for _, _, v, _ in got]


@pytest.mark.parametrize("entities, kept", [
    ([("age", 0, 3), ("departement", 0, 2)], ["age"]),
    ([("type_ressource", 4, 7), ("besoin", 0, 10)], ["type_ressource"]),
    ([("temps", 0, 7), ("urgence_temps", 0, 7)], ["temps", "urgence_temps"]),
    ([("commune", 0, 5), ("besoin", 6, 9)], ["commune", "besoin"]),
])
def test_overlap_resolver(entities, kept):
    msg = Message(data={"text": "x" * 20, "entities": [
        {"entity": k, "start": s, "end": e, "value": k} for k, s, e in entities]})
    _create(EntityOverlapResolver).process([msg])
    assert sorted(e["entity"] for e in msg.get("entities")) == sorted(kept)
