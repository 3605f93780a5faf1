"""What a "oui" outside the form does (actions/confirm.py), without the database."""
from __future__ import annotations

from actions import confirm

FILLED = dict(
    demande_resume="Dame 87 ans seule, chutes", commune="18197", demande_urgence="semaine",
    demande_consentement="oui", demandeur_nom="Dr Martin", demandeur_profession="médecin généraliste",
    demandeur_rpps="aucun", demande_rappel="dr.martin@medecin.mssante.fr", demande_creneau="12h-14h",
)


def test_a_confirmed_form_without_number_is_pending():
    assert confirm.pending_confirmed({**FILLED, "demande_confirmation": "confirmee"})
    assert not confirm.pending_confirmed({**FILLED, "demande_confirmation": "confirmee", "demande_numero": "AIG-2026-000001"})
    assert not confirm.pending_confirmed({**FILLED, "demande_confirmation": None})
    assert not confirm.pending_confirmed({"demande_confirmation": "confirmee", "commune": "18197"})


def test_oui_after_an_offer_opens_the_form(services):
    slots = {"derniere_orientation": {"orientation": {"niveau": 3, "recommandations": [{"id": "dac-18"}]}}}
    reply, followup = confirm.affirm(services, slots, "action_orienter", "s", "rest")
    assert followup == "demande_form" and not reply.text


def test_oui_with_nothing_pending_says_what_to_do(services):
    for last in (None, "utter_saluer", "action_orienter"):
        reply, followup = confirm.affirm(services, {"derniere_orientation": {"orientation": {"niveau": 1, "recommandations": []}}}, last, "s", "rest")
        assert followup is None and "ouvrir une demande" in reply.text
