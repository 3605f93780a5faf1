"""The support-request form's table (actions/support_form.py) and its one-call turn (confirm.form_step)."""
from __future__ import annotations

import yaml

from actions import confirm
from actions.support_form import FIELDS, TICKET_SLOTS, ticket_readback
from bot.processes import ROOT

FILLED = dict(
    demande_resume="Dame 87 ans seule, chutes", commune="18197", demande_urgence="semaine",
    demande_consentement="non_demande", demandeur_nom="Dr Martin", demandeur_profession="médecin généraliste",
    demandeur_rpps="10000000008", demande_rappel="dr.martin@medecin.mssante.fr", demande_creneau="12h-14h",
)


def test_the_domain_form_asks_the_fields_of_the_table_in_order():
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    assert domain["forms"]["demande_form"]["required_slots"] == TICKET_SLOTS
    assert all(f.question for f in FIELDS)
    assert not [a for a in domain["actions"] if str(a).startswith("action_ask_")]   # the validation asks


def test_one_call_reads_the_answer_and_asks_the_next_question(turn):
    slots = {"requested_slot": "demande_urgence", "demande_resume": "Dame 87 ans seule, chutes", "commune": "18197"}
    reply, nxt = confirm.form_step(turn("cette semaine svp"), slots, "s", "rest")
    assert reply.slots == {"demande_urgence": "semaine"} and nxt == "demande_consentement"
    (question,) = reply.messages()
    assert question.text.startswith("Le patient est-il d'accord")
    assert [b["payload"] for b in question.buttons] == ["oui", "non", "pas encore demandé"]


def test_an_invalid_answer_is_said_then_asked_again(turn):
    slots = {"requested_slot": "demande_urgence", "demande_resume": "Dame 87 ans seule, chutes", "commune": "18197"}
    reply, nxt = confirm.form_step(turn("bof"), slots, "s", "rest")
    assert nxt == "demande_urgence"
    assert [m.text for m in reply.messages()] == [
        "Répondez « aujourd'hui », « cette semaine » ou « programmée ».", "Quel délai pour cette demande ?"]


def test_the_form_starts_from_the_remembered_situation(turn):
    reply, nxt = confirm.form_step(turn("je voudrais que le DAC me rappelle"),
                                   {"situation": "dame 87 ans, chutes", "commune": "18197"}, "s", "rest")
    assert reply.slots == {"demande_resume": "dame 87 ans, chutes"}
    assert nxt == "demande_urgence"   # the commune is shared with the orientation
    assert reply.messages()[-1].text == "Quel délai pour cette demande ?"


def test_readback_lists_every_field_with_its_label(services):
    reply = ticket_readback(services, FILLED)
    assert reply.text.split("\n") == [
        "Je récapitule la demande d'appui :",
        "• Situation : Dame 87 ans seule, chutes",
        "• Commune : Saint-Amand-Montrond",
        "• Délai : cette semaine",
        "• Accord du patient pour le partage : pas encore demandé",
        "• Demandeur : Dr Martin, médecin généraliste, RPPS 10000000008",
        "• Réponse à : dr.martin@medecin.mssante.fr (12h-14h)",
        "Je l'envoie au DAC ? (oui / corriger / annuler)",
    ]
    assert [b["payload"] for b in reply.buttons] == ["oui", "corriger", "annuler"]
    no_rpps = ticket_readback(services, {**FILLED, "demandeur_rpps": "aucun"})
    assert "• Demandeur : Dr Martin, médecin généraliste\n" in no_rpps.text


def test_cancel_ends_the_form_at_any_field(turn):
    reply, nxt = confirm.form_step(turn("annuler"), {"requested_slot": "demandeur_nom"}, "s", "rest")
    assert reply.slots == {"demande_confirmation": "annulee"} and nxt is None and not reply.messages()
