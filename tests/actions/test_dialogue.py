"""The dialogue logic turn by turn, on the real directory (table-driven)."""
from __future__ import annotations

from datetime import datetime

import pytest

from actions import orienting
from actions.completion import complete, misread_follow_up
from actions.service_hours import service_hours
from actions.support_form import prefill_ticket, ticket_answer, ticket_submit
from actions.ticket_status import ticket_status
from actions.turn import emergency_check

AT = datetime.fromisoformat("2026-11-23T10:00:00+01:00")


@pytest.mark.parametrize(
    "text,commune,departement,hors_region,asks",
    [
        ("dame 87 ans seule à St-Amand, chutes ++, refuse les aides", "18197", "18", None, ["commune"]),
        ("pt 82a seul ds le 36, chutes ++, refus aides", None, "36", None, []),
        ("mr 70 ans isolé, chutes", None, None, None, ["commune"]),
        ("patient de 70 ans isolé à Paris, chutes", None, None, "Paris", []),
        # two SSIADs share 41200, one serves nearly all of it: answered for Romorantin (exception said)
        ("ssiad pour un patient de 75 ans, 41200", "41194", "41", None, ["commune"]),
        ("patient 75 ans, 41000 Blois, perte d'autonomie", "41018", "41", None, ["commune"]),
    ],
)
def test_analyse_request_reads_the_place(text, commune, departement, hors_region, asks, services, turn):
    reply = orienting.analyse_request(turn(text))
    assert reply.slots["commune"] == commune
    assert reply.slots["departement"] == departement
    assert reply.slots["hors_region"] == hors_region
    assert orienting.orientation_required_slots(services, reply.slots) == asks
    if hors_region:
        assert "Centre-Val de Loire" in reply.text


def test_shared_postal_code_answered_for_its_main_service_with_the_exception(turn):
    """"ssiad 41200": the SSIAD of Romorantin serves the code but Millançay, served by another SSIAD,
    which the answer names instead of asking which commune."""
    reply = orienting.orientation_turn(turn("ssiad 41200"))
    answer = reply.messages()[-1]
    assert reply.opens_form is None and not reply.buttons
    assert answer.payload["orientation"]["recommandations"][0]["type"] == "SSIAD"
    assert "Romorantin" in answer.payload["orientation"]["recommandations"][0]["nom"]
    assert "Sauf pour Millançay : SSIAD de Sologne" in answer.text


@pytest.mark.parametrize("text,type_,departement", [
    ("dac 41000", "DAC", "41"),          # departmental: the same DAC whichever commune of 41000
    ("mdph 41200 tel ?", "MDPH", "41"),
    ("had 37500", "HAD", "37"),          # one HAD serves every commune of 37500
])
def test_shared_postal_code_answered_when_the_answer_does_not_depend_on_the_commune(text, type_, departement, services, turn):
    reply = orienting.analyse_request(turn(text))
    assert reply.slots["departement"] == departement and not reply.buttons
    assert orienting.orientation_required_slots(services, reply.slots) == ["commune"]  # known: the form ends
    answer = orienting.orientation_answer(services, reply.slots, at=AT)
    assert answer.payload["orientation"]["recommandations"][0]["type"] == type_


def test_a_turn_triages_its_message_once_even_across_candidate_communes(services, turn, monkeypatch):
    """One triage per turn: the emergency lines, each candidate commune of a shared postal code
    and the answer all reuse ``Turn.triage`` (the triage reads the text, never the place)."""
    rules = services.orienter.rules
    calls = []
    real = type(rules).triage
    monkeypatch.setattr(type(rules), "triage", lambda self, situation, **kw: calls.append(1) or real(self, situation, **kw))
    t = turn("had 37500, patient de 80 ans douleur thoracique depuis ce matin")
    said = orienting.orientation_turn(t).messages()
    assert any(m.says_emergency and "15" in m.text for m in said)
    assert len(calls) == 1


@pytest.mark.parametrize("text,nom", [
    ("réseau SEP ?", "sclérose en plaques"),
    ("cra ?", "autisme"),
])
def test_regional_resource_needs_no_commune(text, nom, services, turn):
    reply = orienting.analyse_request(turn(text))
    assert orienting.orientation_required_slots(services, reply.slots) == []
    first = orienting.orientation_answer(services, reply.slots, at=AT).payload["orientation"]["recommandations"][0]
    assert nom in first["nom"] and len(first["departements"]) == 6


@pytest.mark.parametrize("text,type_,departement", [
    ("cmp gien ?", "CMP", "45"), ("clic brou", "CLIC", "28"), ("had romorantin", "HAD", "41"),
    ("dac 36 ?", "DAC", "36"), ("equipe mobile soins palliatifs 45", "EMSP", "45"),
    ("csapa vendome", "CSAPA", "41"), ("emsp bourge", "EMSP", "18"), ("had st amand", "HAD", "18"),
    ("cmpp chartes", "CMPP", "28"),
])
def test_sms_style_requests(text, type_, departement, services, turn):
    reply = orienting.analyse_request(turn(text))
    assert reply.slots["departement"] == departement
    answer = orienting.orientation_answer(services, reply.slots, at=AT)
    assert answer.payload["orientation"]["recommandations"][0]["type"] == type_


def test_first_message_read_as_a_detail_is_a_request(turn):
    reply = complete(turn("pas de médecin traitant à Loches", {}, "nier"), {}, at=AT)
    assert reply.payload["orientation"]["recommandations"][0]["type"] in ("CPTS", "CPAM")


def test_vital_emergency_is_said_at_once_and_needs_no_commune(services, turn):
    reply = orienting.analyse_request(turn("douleur thoracique intense depuis 30 min, patient 58 ans"))
    assert "15" in reply.text and reply.text.startswith("⚠️")
    assert reply.payload["orientation"]["urgence"]["numero"] == "15"
    assert reply.slots["urgence_dite"] == ["15"]
    assert orienting.orientation_required_slots(services, reply.slots) == []


@pytest.mark.parametrize(
    "text,numero",
    [
        ("homme 50 ans à Vierzon, douleur thoracique intense depuis 20 minutes", "15"),
        ("quelle dose de naloxone, il ne respire presque plus", "15"),
        ("quelle posologie de tramadol pour une dame de 85 ans ?", None),
        ("bonjour", None),
        ("", None),
    ],
)
def test_emergency_check_whatever_the_intent(text, numero, turn):
    reply = emergency_check(turn(text))
    if numero:
        assert reply.text.startswith("⚠️") and reply.payload["orientation"]["urgence"]["numero"] == numero
    else:
        assert reply.text == "" and reply.payload is None


def test_orientation_answer_carries_the_contract_payload(services, turn):
    slots = orienting.analyse_request(turn("dame 87 ans seule à St-Amand, chutes ++, refuse les aides")).slots
    reply = orienting.orientation_answer(services, slots, at=AT)
    o = reply.payload["orientation"]
    assert set(o) >= {"urgence", "niveau", "commune", "motifs", "recommandations", "ticket"}
    assert o["commune"] == {"code_insee": "18197", "nom": "Saint-Amand-Montrond", "departement": "18"}
    first = o["recommandations"][0]
    assert set(first) >= {"id", "type", "nom", "departements", "telephone", "messagerie_securisee", "adresse",
                          "ouvert_maintenant", "prochaine_ouverture", "horaires_du_jour", "pourquoi"}
    assert first["type"] == "DAC" and first["ouvert_maintenant"] is True
    assert reply.slots["derniere_orientation"] == reply.payload
    assert any(b["payload"] == "/ouvrir_demande" for b in reply.buttons)


@pytest.mark.parametrize(
    "answer,slots",
    [
        ("Vierzon", {"commune": "18279", "departement": "18"}),
        ("à vierzon", {"commune": "18279", "departement": "18"}),
        ("Vierzon 18100", {"commune": "18279", "departement": "18"}),
        ("18100", {}),  # shared by several communes: a choice is offered (see below)
        ("dans le Loiret", {"commune": None, "departement": "45"}),
        ("Nantes", {"hors_region": "Nantes"}),
        ("annuler", {"hors_region": "annulé"}),
    ],
)
def test_answer_place(answer, slots, turn):
    reply = orienting.answer_place(turn(answer))
    for k, v in slots.items():
        assert reply.slots.get(k) == v, (answer, reply)


def test_shared_postal_code_offers_the_communes(turn):
    reply = orienting.answer_place(turn("18100"))
    assert "Vierzon (18)" in reply.text
    assert {"title": "Vierzon (18)", "payload": "Vierzon 18100"} in reply.buttons


def test_answer_place_unknown_says_so(turn):
    reply = orienting.answer_place(turn("zzzzqqq"))
    assert "Je ne reconnais pas" in reply.text and not reply.slots


def test_correction_reorients_to_the_new_commune(turn):
    slots = orienting.analyse_request(turn("dame 87 ans seule à St-Amand, chutes ++, refuse les aides")).slots
    reply = complete(turn("non, à Vierzon"), slots, at=AT)
    assert reply.slots["commune"] == "18279"
    assert reply.payload["orientation"]["commune"]["code_insee"] == "18279"


@pytest.mark.parametrize(
    "text,intent,commune",
    [("non, à Bourges", "nier", "18033"), ("non", "nier", None), ("non merci", "nier", None)],
)
def test_no_with_or_without_a_place(text, intent, commune, turn):
    slots = orienting.analyse_request(turn("dame 87 ans seule à St-Amand, chutes ++, refuse les aides")).slots
    reply = complete(turn(text, {}, intent), slots, at=AT)
    if commune:
        assert reply.payload["orientation"]["commune"]["code_insee"] == commune
    else:
        assert reply.text.startswith("Entendu") and reply.payload is None and not reply.slots


def test_correction_with_an_emergency_says_the_emergency_first(turn):
    slots = orienting.analyse_request(turn("monsieur 80 ans à Blois, chutes")).slots
    reply = complete(turn("non, à Vendôme, et là il ne répond plus, inconscient", {}, "correction"), slots, at=AT)
    assert reply.text.startswith("⚠️") and "15" in reply.text.split("\n")[0]
    assert reply.payload["orientation"]["urgence"]["numero"] == "15"
    assert reply.payload["orientation"]["commune"]["code_insee"] == "41269"


def test_added_detail_is_appended_to_the_situation(turn):
    slots = orienting.analyse_request(turn("monsieur 80 ans à Blois, chutes")).slots
    reply = complete(turn("il a aussi des troubles cognitifs et sa femme est épuisée"), slots, at=AT)
    assert "troubles cognitifs" in reply.slots["situation"]
    assert reply.payload["orientation"]["recommandations"]


def test_hours_question_for_a_day_asks_the_time_then_answers(turn):
    reply = service_hours(turn("le CMP de Vierzon est-il ouvert samedi ?"), {}, at=AT)
    assert "samedi" in reply.text
    assert reply.payload["orientation"]["recommandations"][0]["type"] == "CMP"
    if reply.slots.get("question_horaire"):
        follow = complete(turn("à 10h"), reply.slots, at=AT)
        assert follow.text.startswith(("Oui", "Non")) and "samedi" in follow.text


@pytest.mark.parametrize("text", [
    "le CSAPA il est ouvert le samedi ?",
    "equipe mobile geriatrique on peut l appeler direct ? pte 91a",
])
def test_hours_question_naming_a_type_without_a_place_asks_where(text, turn):
    """The service type is named, only the place is missing: the commune question, not "which service"."""
    reply = service_hours(turn(text), {}, at=AT)
    assert reply.opens_form is not None
    assert any(m.text.startswith("Dans quelle commune") for m in reply.messages())


def test_a_long_story_read_as_an_hours_question_is_no_service_name(turn):
    """A place in a long story matches several services loosely: the request is oriented instead."""
    text = ("bonsoir je passe voir un monsieur de 86 ans a Vendome ce soir, il vit seul, il ne mange plus, "
            "il refuse l'aide a domicile et sa fille est epuisee, il faudrait que quelqu'un reprenne la situation")
    reply = service_hours(turn(text), {}, at=AT)
    payloads = [m.payload for m in reply.messages() if m.payload]
    assert not reply.text.startswith(("Oui", "Non"))
    assert payloads and payloads[-1]["orientation"]["recommandations"]


def test_hours_question_naming_nothing_asks_which_service(turn):
    reply = service_hours(turn("c'est ouvert samedi ?"), {}, at=AT)
    assert reply.text.startswith("De quel service parlez-vous")


def test_hours_question_now(turn):
    reply = service_hours(turn("le DAC du Cher est ouvert ?"), {}, at=AT)
    assert "DAC" in reply.text and "aujourd'hui" in reply.text


@pytest.mark.parametrize(
    "slot,answer,value",
    [
        ("demande_urgence", "aujourd'hui", "aujourd_hui"),
        ("demande_urgence", "cette semaine svp", "semaine"),
        ("demande_urgence", "programmée", "programme"),
        ("demande_consentement", "oui", "oui"),
        ("demande_consentement", "pas encore demandé", "non_demande"),
        ("demande_consentement", "non", "non"),
        ("demandeur_rpps", "non", "aucun"),
        ("demandeur_rpps", "10000000008", None),
        ("demande_rappel", "06 12 34 56 78", "06 12 34 56 78"),
        ("demande_rappel", "dr.martin@medecin.mssante.fr", "dr.martin@medecin.mssante.fr"),
        ("demande_confirmation", "oui", "confirmee"),
        ("demande_nom_inconnu", "annuler", None),
    ],
)
def test_ticket_answers(slot, answer, value, turn):
    reply = ticket_answer(turn(answer), slot, {})
    if answer == "annuler":
        assert reply.slots == {"demande_confirmation": "annulee"}
    elif value is None:
        assert reply.slots.get(slot) is None
    else:
        assert reply.slots[slot] == value


def test_ticket_is_committed_once_and_followed_by_its_requester_only(services, turn):
    slots = orienting.analyse_request(turn("dame 87 ans seule à St-Amand, chutes ++, refuse les aides, Mme Dupont tél 06 11 22 33 44")).slots
    slots.update(
        demande_resume=prefill_ticket({**slots, "requested_slot": None})["demande_resume"],
        demande_urgence="semaine", demande_consentement="oui", demandeur_nom="Dr Martin",
        demandeur_profession="médecin généraliste", demandeur_rpps="aucun",
        demande_rappel="dr.martin@medecin.mssante.fr", demande_creneau="12h-14h", demande_confirmation="confirmee",
    )
    assert "Dupont" not in slots["demande_resume"] and "06 11" not in slots["demande_resume"]
    first = ticket_submit(services, slots, "conv-1", "rest")
    again = ticket_submit(services, slots, "conv-1", "rest")  # double click / network retry
    numero = first.payload["orientation"]["ticket"]["numero"]
    assert numero.startswith("AIG-2026-")
    assert again.payload["orientation"]["ticket"]["numero"] == numero
    assert numero in first.text
    mine = ticket_status(turn(f"où en est ma demande {numero} ?"), "conv-1")
    assert "reçue" in mine.text
    other = ticket_status(turn(f"où en est la demande {numero} ?"), "conv-2")
    assert "Je ne trouve pas" in other.text and "reçue" not in other.text


@pytest.mark.parametrize(
    "text,numero",
    [
        ("elle est tombée et depuis elle ne peut plus lever le bras droit", "15"),
        ("mon patient a le visage qui s'est affaissé d'un côté d'un coup et il parle bizarrement", "15"),
        ("la petite de 18 mois respire vite et fort, on voit le creux sous les côtes à chaque respiration", "15"),
        ("elle a des hématomes à chaque consultation et finit par avouer que c'est son conjoint", "3919"),
        ("elle dit qu'elle n'en peut plus et qu'elle aimerait ne plus se réveiller", "3114"),
        ("son fils garde toute sa retraite et la laisse sans chauffage", "3977"),
    ],
)
def test_emergencies_of_issue_16_are_said_first_without_waiting_for_a_commune(text, numero, turn):
    reply = orienting.analyse_request(turn(text))
    assert reply.text.startswith("⚠️"), reply.text
    assert numero in [u["numero"] for u in reply.payload["orientation"]["urgences"]]
    assert "Dans quelle commune" not in reply.text
    # The goodbye / small-talk rules run the same check before their reply.
    assert emergency_check(turn(text)).text.startswith("⚠️")


def test_conditional_line_of_the_learned_net():
    from knowledge.triage import Emergency, emergency_line

    u = Emergency("15", "SAMU – urgence vitale", "net:15",
                  "Si ces signes ont commencé il y a moins de quelques heures, appelez le 15.", conditionnel=True)
    assert emergency_line(u) == "⚠️ Si ces signes ont commencé il y a moins de quelques heures, appelez le 15."
@pytest.mark.parametrize("text,intent,type_", [
    ("dac du 18 svp", "ouvrir_demande", "DAC"),                       # a service named: its contact
    ("les coordonnées du DAC de l'Indre", "ouvrir_demande", "DAC"),
    ("échange de seringues vers Vierzon", "hors_sujet", "CAARUD"),    # a request the NLU missed
    ("cmp adulte a blois", "nlu_fallback", "CMP"),
    ("je voudrais que le DAC me rappelle", "ouvrir_demande", None),   # a hand-over: the form
    ("ouvrir une demande", "ouvrir_demande", None),
    # How to reach or use a service is a question, even with "transmettre" or "faire la demande".
    ("je vous transmets la question d'une aide à domicile de Lamotte-Beuvron : comment contacter l'équipe "
     "mobile de gériatrie ?", "ouvrir_demande", "EMG"),
    ("des parents d'Issoudun demandent comment faire la demande d'AEEH", "ouvrir_demande", "MDPH"),
    ("comment joindre le DAC ? je voudrais qu'il me rappelle pour un patient de Blois", "ouvrir_demande", None),
    # The patient's own administrative file is not a hand-over; a service named without a place
    # is oriented too (the orientation asks the commune), not a support request.
    ("besoin d'aide pr le dossier FSL de ma patiente, service social departemental du 36", "ouvrir_demande", "MDS"),
    ("je voudrais transmettre le dossier de Mme R. au DAC, elle vit à Vierzon", "ouvrir_demande", None),
    ("ouvrir une demande pour un patient de Blois qui a besoin d'un SSIAD", "ouvrir_demande", None),
    ("quelle posologie de tramadol à Blois ?", "question_clinique", None),
    ("bonjour, ça va ?", "hors_sujet", None),
    # a request read as the question of what the bot does (orient6); a short help question stays one
    ("on peut avoir du matériel d'injection propre où, sur Châteauroux ?", "aide", "CAARUD"),
    ("aide", "aide", None),
    ("comment ça marche pour un patient de Blois ?", "aide", None),
])
def test_naming_a_service_is_never_a_support_request(text, intent, type_, turn):
    reply = orienting.redirect_request(turn(text), {}, intent)
    if type_ is None:
        assert reply is None
    else:
        assert reply.payload["orientation"]["recommandations"][0]["type"] == type_
def test_a_support_request_naming_a_service_without_a_place_asks_the_commune(turn):
    reply = orienting.redirect_request(turn("renouvellement dossier aah + rqth, je sais plus a qui m'adresser"), {},
                                       "ouvrir_demande")
    assert reply is not None and "commune" in reply.text          # the orientation's question, not the form
    assert reply.slots.get("situation")


def test_hand_over_after_an_answer_opens_the_form(turn):
    slots = orienting.analyse_request(turn("dame 87 ans seule à Vierzon, chutes, refuse les aides")).slots
    assert orienting.redirect_request(turn("oui"), slots, "ouvrir_demande") is None
def test_answer_first_line_says_who_to_call_and_why(services, turn):
    slots = orienting.analyse_request(turn("dame 87 ans seule à Vierzon, chutes à répétition, refuse les aides")).slots
    reply = orienting.orientation_answer(services, slots, at=AT)
    first, second = reply.text.splitlines()[:2]
    assert first.startswith("Appelez DAC du Cher") and "dimensions" not in first
    assert "Tél. 02" in second and "aujourd'hui" in second
    assert any("dimensions touchées" in m for m in reply.payload["orientation"]["motifs"])
def test_clinical_question_about_pain_stays_declined(turn):
    assert orienting.redirect_request(turn("quel antalgique pour une douleur chronique, patient de Blois ?"), {},
                                     "question_clinique") is None
    reply = orienting.redirect_request(turn("patiente sans couverture maladie à Bourges, elle doit voir un médecin"), {}, "question_clinique")
    assert reply.payload["orientation"]["recommandations"][0]["type"] == "PASS"
def test_second_turn_that_changes_the_need_replaces_it(services, turn):
    slots = orienting.analyse_request(turn("monsieur 84 ans à Blois, maladie d'Alzheimer, troubles de mémoire")).slots
    first = orienting.orientation_answer(services, slots, at=AT).payload["orientation"]["recommandations"][0]["type"]
    assert first != "PFR"
    reply = complete(turn("finalement c'est surtout son épouse qu'il faudrait soulager quelques jours", {}, "correction"),
                              {**slots}, at=AT)
    assert reply.payload["orientation"]["recommandations"][0]["type"] == "PFR"
    assert reply.payload["orientation"]["urgence"] is None
@pytest.mark.parametrize("intent", ["question_clinique", "hors_sujet", "nlu_fallback"])
def test_second_turn_misread_by_the_nlu_still_changes_the_need(services, turn, intent):
    """The NLU sees the follow-up alone and may take it for a clinical question: it still
    changes the remembered situation's need, with no emergency."""
    slots = orienting.analyse_request(turn("madame 81 ans à Vendôme, maladie d'Alzheimer, oublis fréquents")).slots
    reply = misread_follow_up(turn("en fait il faudrait surtout permettre à son mari de souffler un peu", {}, intent),
                              {**slots}, at=AT)
    assert reply.payload["orientation"]["recommandations"][0]["type"] == "PFR"
    assert reply.payload["orientation"]["urgence"] is None
def test_clinical_question_after_an_answer_stays_declined(turn):
    slots = orienting.analyse_request(turn("monsieur 77 ans à Chinon, vit seul, chutes")).slots
    assert misread_follow_up(turn("et quelle dose de paracétamol pour lui ?", {}, "question_clinique"), slots, at=AT) is None
    assert misread_follow_up(turn("il faudrait soulager son épouse", {}, "orientation"), slots, at=AT) is None
def test_second_turn_that_negates_a_need_drops_it(turn):
    slots = orienting.analyse_request(turn("dame 79 ans à Tours, troubles de mémoire, vit seule")).slots
    reply = complete(turn("non, pas de troubles de mémoire en fait, elle a surtout besoin d'aide pour le ménage", {}, "correction"),
                              {**slots}, at=AT)
    types = [r["type"] for r in reply.payload["orientation"]["recommandations"]]
    assert "CMRR" not in types and types[0] in ("CLIC", "SAAD")
def test_added_detail_keeps_the_old_need(turn):
    slots = orienting.analyse_request(turn("dame 79 ans à Tours, chutes à répétition, vit seule")).slots
    reply = complete(turn("elle a aussi des troubles de mémoire", {}, "informer"), {**slots}, at=AT)
    assert "chutes" in reply.slots["situation"] and "mémoire" in reply.slots["situation"]
