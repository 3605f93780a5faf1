"""Guards of the orientation flow (issue 16, third pass), on the sample directory without Rasa:
a commune the text names is kept whatever the place path (shared postal codes, abbreviations),
a clinical question stays declined, a shared postal code is answered when one service covers it."""
from __future__ import annotations

import pytest

from actions import orienting
from actions.turn import COMMUNE_QUESTION


def _payloads(reply) -> list[dict]:
    return [m.payload["orientation"] for m in reply.messages() if m.payload]


@pytest.mark.parametrize("text", [
    "patient de 60 ans inconscient, ne répond plus, Orléans",
    "homme de 58 ans retrouvé inconscient par sa femme à Orléans, ne répond pas",
])
@pytest.mark.parametrize("intent", ["orientation", "question_clinique", "nlu_fallback"])
def test_vital_emergency_keeps_the_commune_the_text_names(turn, text, intent):
    t = turn(text, None, intent)
    reply = orienting.orientation_turn(t) if intent == "orientation" else orienting.emergency_or_redirect(t, {})
    payloads = _payloads(reply)
    assert payloads, reply.text
    assert payloads[0]["urgence"]["numero"] == "15"
    assert "15" in reply.messages()[0].text
    assert all(p["commune"] and p["commune"]["code_insee"] == "45234" for p in payloads), payloads
    assert reply.opens_form is None and COMMUNE_QUESTION not in [m.text for m in reply.messages()]


def test_the_place_path_keeps_a_named_commune_beside_a_shared_postal_code(turn):
    reply = orienting.orientation_turn(turn("ssiad à Millançay 41200", None, "orientation"))
    assert reply.all_slots()["commune"] == "41140"   # Millançay, not the main commune of the code


@pytest.mark.parametrize("text", [
    "quelle posologie de tramadol pour une dame de 85 ans ?",
    "quelle dose de paracétamol pour un monsieur de 90 ans ?",
])
@pytest.mark.parametrize("intent", ["question_clinique", "hors_sujet", "nlu_fallback"])
def test_clinical_question_is_not_an_orientation_request(turn, text, intent):
    reply = orienting.emergency_or_redirect(turn(text, None, intent), {})
    assert reply is None or (not reply.text.startswith("Dans quelle commune") and not _payloads(reply))
    assert turn(text).situation.types == [] and not turn(text).situation.besoins


@pytest.mark.parametrize("text,type_,commune", [
    ("ssiad 41200", "SSIAD", "41194"),       # one SSIAD serves nearly all the code: Romorantin's
    ("had 28100 svp", "HAD", None),          # the departmental HAD serves every commune of the code
])
def test_shared_postal_code_answered_when_one_service_covers_it(turn, text, type_, commune):
    reply = orienting.orientation_turn(turn(text, None, "orientation"))
    assert reply.opens_form is None and not reply.buttons
    payload = _payloads(reply)[-1]
    assert payload["recommandations"][0]["type"] == type_
    if commune:
        assert reply.all_slots()["commune"] == commune


@pytest.mark.parametrize("text,type_,departement", [
    ("dac 45 ?", "DAC", "45"),               # a department alone answers for departmental services
    ("mdph du 28", "MDPH", "28"),
    ("crip 37 svp", "CRIP", "37"),
    ("centre ressources autisme ?", "CRA", None),   # a regional resource needs no commune
])
def test_department_or_regional_resource_answers_at_once(turn, text, type_, departement):
    reply = orienting.orientation_turn(turn(text, None, "orientation"))
    assert reply.opens_form is None, [m.text for m in reply.messages()]
    assert _payloads(reply)[-1]["recommandations"][0]["type"] == type_
    assert reply.all_slots().get("departement") == departement


@pytest.mark.parametrize("text,commune", [
    ("ssiad romo", "41194"), ("cmp chtx ?", "36044"), ("emg bges", "18033"), ("had vdm svp", "41269"),
])
def test_usual_town_abbreviations_in_short_requests(turn, text, commune):
    reply = orienting.orientation_turn(turn(text, None, "orientation"))
    assert reply.opens_form is None
    assert reply.all_slots()["commune"] == commune


def test_an_operator_speaking_of_a_gentleman_from_a_commune_keeps_the_commune(turn):
    """"un monsieur de <commune>" in an operator's message is where the caller lives (the masker
    keeps it); "Monsieur de <name>" without the article stays masked."""
    t = turn("J'ai en ligne un monsieur de Vierzon qui veut arrêter de boire, où l'adresser ?", None, "orientation")
    assert "Vierzon" in t.masked and t.situation.commune.code_insee == "18279"
    assert "[nom]" in turn("Monsieur de Villeneuve au téléphone").masked


@pytest.mark.parametrize("text", [
    "quelle posologie de tramadol pour une dame de 85 ans ?",
    "quelle dose de paracétamol pour un monsieur de 90 ans ?",
    "quel antibiotique prescrire à une dame de 80 ans à Blois ?",
])
def test_clinical_question_read_as_a_request_is_still_declined(turn, text):
    """Whatever the intent (the model may say `orientation`): the clinical refusal, no commune question."""
    reply = orienting.orientation_turn(turn(text, None, "orientation"))
    assert [m.response for m in reply.messages()] == ["utter_refus_clinique"]
    assert reply.opens_form is None and not _payloads(reply)


def test_a_request_that_names_a_service_beside_a_dose_is_oriented(turn):
    reply = orienting.orientation_turn(turn("quelle dose de morphine ? je voudrais surtout l'équipe mobile de soins palliatifs à Tours", None, "orientation"))
    assert _payloads(reply) and all(m.response is None for m in reply.messages())


def test_vital_emergency_read_as_an_hours_question_keeps_its_commune(turn):
    from actions.service_hours import service_hours

    reply = service_hours(turn("patient de 60 ans inconscient, ne répond plus, Orléans", None, "horaires_service"), {})
    payloads = _payloads(reply)
    assert payloads and payloads[0]["urgence"]["numero"] == "15"
    assert all(p["commune"]["code_insee"] == "45234" for p in payloads)
    hours = service_hours(turn("le CMP d'Orléans est-il ouvert demain ?", None, "horaires_service"), {})
    assert "ouvert" in hours.text and not hours.says_emergency


def test_social_emergency_with_a_time_word_read_as_an_hours_question_is_oriented(turn):
    """"ce soir" belongs to the emergency ("à la rue ce soir"), not to a question about a service:
    the request is oriented with its commune, never answered with the hours of a service whose
    name happens to contain the town."""
    from actions.service_hours import service_hours

    reply = service_hours(turn("famille avec deux enfants à la rue ce soir à Montargis", None, "horaires_service"), {})
    payloads = _payloads(reply)
    assert payloads and payloads[0]["urgence"]["numero"] == "115"
    assert all(p["commune"]["code_insee"] == "45208" for p in payloads)
    named = service_hours(turn("le CSAPA de Bourges est-il ouvert ce soir ? il a fait une overdose hier", None,
                               "horaires_service"), {})
    assert "CSAPA du Cher" in named.text and ("fermé" in named.text or "ouvert" in named.text)
