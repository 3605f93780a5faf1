"""Orientation classes of issue 16 on the sample directory (no Rasa): short SMS requests, lay
words, graded response on narratives, stand-in services, programmes of a generic service."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
import yaml

from knowledge.directory import Directory
from knowledge.orientation import Orienter
from knowledge.situation import analyse
from knowledge.vocabulary import Vocabulary, VocabularyError, VOCABULARY_FILE

MONDAY_10H = datetime.fromisoformat("2026-11-23T10:00:00+01:00")
CASES = yaml.safe_load((Path(__file__).parent / "orientation_classes.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def orienter(sample_directory_url) -> Orienter:
    return Orienter(directory=Directory(sample_directory_url))


def first_answer(orienter: Orienter, text: str):
    """As a first turn: a place shared by several communes is settled when the answer does not
    depend on it, or for the main commune with its exceptions named (Orienter.place_with_exceptions,
    as actions.orienting.read_request), else the test fails (the bot would ask)."""
    situation = analyse(text, gazetteer=orienter.gazetteer, vocabulary=orienter.vocabulary)
    exceptions = []
    if situation.ambiguite and situation.commune is None:
        decided = orienter.place_with_exceptions(situation, at=MONDAY_10H)
        assert decided is not None, f"la commune serait demandée : {text}"
        (situation.commune, exceptions), situation.ambiguite = decided, ()
        situation.departement = orienter.gazetteer.departement(situation.commune.departement)
    o = orienter.orient_situation(situation, at=MONDAY_10H)
    o.exceptions = exceptions
    return o


@pytest.mark.parametrize("case", CASES, ids=[f"{c['classe']}:{c['texte'][:40]}" for c in CASES])
def test_first_type_and_department(orienter, case):
    o = first_answer(orienter, case["texte"])
    assert o.recommandations, o.message()
    assert o.recommandations[0].service.type in case["types"], o.message()
    dep = o.situation.departement.code if o.situation.departement else None
    assert dep == case["departement"]


def test_every_class_is_covered():
    assert {c["classe"] for c in CASES} >= {"sms", "proches", "recit_complexe", "recit_un_besoin"}
    assert len(CASES) >= 80


def test_a_missing_clic_is_relayed_by_the_dac_and_said_so(orienter):
    o = first_answer(orienter, "clic romorantin")
    first = o.recommandations[0]
    assert first.service.type == "DAC" and first.releve == "CLIC"
    assert first.pourquoi.startswith("Pas de CLIC ici : ")
    assert o.message().splitlines()[0].startswith(f"Appelez {first.service.nom} (DAC) : pas de CLIC ici")


def test_a_generic_service_named_for_one_of_its_programmes(orienter):
    o = first_answer(orienter, "l'assurance maladie peut-elle aider au retour à domicile de mon mari à Blois ?")
    assert o.situation.types[:2] == ["PRADO", "CPAM"]
    assert o.recommandations[0].service.type == "PRADO"


def test_a_public_inside_a_service_name_is_not_the_persons(orienter):
    s = analyse("equipe mobile psy precarite tours", gazetteer=orienter.gazetteer, vocabulary=orienter.vocabulary)
    assert s.types == ["EMPP"] and "precarite" not in s.publics
    assert "precarite" not in s.text_without_service_names().lower()
    assert first_answer(orienter, "equipe mobile psy precarite tours").triage.niveau != 3


def test_first_line_says_who_and_why_without_complexity_jargon(orienter):
    o = first_answer(orienter, CASES_BY_CLASS("recit_complexe")[0])
    lines = o.message().splitlines()
    assert lines[0].startswith("Appelez ") and "dimensions" not in lines[0]
    assert any("dimensions touchées" in m for m in o.triage.motifs)


def test_other_possibilities_use_the_same_contact_line(orienter):
    o = first_answer(orienter, "Mme 83 ans à Vierzon, Alzheimer, vit seule, refuse les aides, son fils est épuisé")
    bullets = [l for l in o.message().splitlines() if l.startswith("• ")]
    assert bullets and all(" — Tél. " in b for b in bullets)
    second = o.recommandations[1]
    assert bullets[0].startswith(f"• {second.service.nom} ({second.service.type}) — ")


def CASES_BY_CLASS(name: str) -> list[str]:
    return [c["texte"] for c in CASES if c["classe"] == name]


@pytest.mark.parametrize("entry, message", [
    ({"relais": ["XYZ"]}, "relais doit être une liste de types connus"),
    ({"precisions": {"inconnu": "PRADO"}}, "besoin ou public inconnu"),
    ({"precisions": {"retour_domicile": "XYZ"}}, "type inconnu"),
])
def test_type_links_are_validated(entry, message):
    data = yaml.safe_load(VOCABULARY_FILE.read_text(encoding="utf-8"))
    data["types"]["CPAM"] = {**data["types"]["CPAM"], **entry}
    with pytest.raises(VocabularyError, match=message):
        Vocabulary(data)


def test_the_mobile_precarity_team_of_the_department_outside_its_area(orienter):
    """No EMPP covers Loches in the sample directory: the team of the department, said as such."""
    o = first_answer(orienter, "Homme à la rue à Loches, hallucinations, ne veut pas consulter, qui peut l'aider ?")
    first = o.recommandations[0]
    assert first.service.type == "EMPP" and o.situation.commune.nom == "Loches"
    assert "Hors de son secteur habituel (Loches)" in first.pourquoi
    assert first_answer(orienter, "sdf délirant à Tours, refuse de consulter").recommandations[0].pourquoi.count(
        "Hors de son secteur") == 0


def test_a_much_larger_homonym_is_answered_and_the_other_named(orienter):
    o = first_answer(orienter, "Homme 80 ans à Vineuil, toilette à domicile, quel service de soins infirmiers ?")
    assert o.situation.commune.departement == "41" and o.recommandations[0].service.type == "SSIAD"
    assert [c.departement for c, _ in o.exceptions] == ["36"]
    assert "Sauf pour Vineuil (36) : " in o.message()


def test_a_named_empp_comes_before_the_dac_despite_refusal_and_precarity(orienter):
    """Refusal of care and precarity are the EMPP's own work (service_demande.dimensions_du_service)."""
    text = ("Un éducateur d'un centre d'hébergement à Blois m'appelle : un résident de 50 ans parle seul, "
            "refuse de consulter, il voudrait qu'une équipe psychiatrique se déplace")
    o = first_answer(orienter, text)
    assert o.recommandations[0].service.type == "EMPP" and "service_demande" in o.triage.regles
