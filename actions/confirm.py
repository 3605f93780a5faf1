"""Confirming a support request so that it is never lost and never duplicated (no Rasa import).

The request is written in the same step that tells the doctor "enregistrée": the form's
validation of the "oui" commits it (idempotently, `dialogue.idempotency_key`) and says its
number, and sets `demande_numero`. Whatever crashes after that, a retried "oui" finds either
the request (same number, `reconfirm`) or the pending confirmed form (`affirm` completes it).
"""
from __future__ import annotations

import logging
from typing import Any, Mapping

from actions import dialogue
from actions.dialogue import TICKET_SLOTS, Reply

logger = logging.getLogger(__name__)

SAVE_FAILED = (
    "Je n'ai pas pu enregistrer la demande (incident technique) : rien n'a été envoyé. "
    "Répondez « oui » dans un instant pour réessayer, elle ne sera pas enregistrée deux fois."
)
NOTHING_PENDING = (
    "Entendu. Décrivez-moi une situation (âge, commune, difficultés) pour que je vous oriente, "
    "ou écrivez « ouvrir une demande » pour solliciter le DAC."
)
# Answers after which a "oui" means "open the support request" (level 3 with a service found).
OFFERING_ACTIONS = {"action_orienter", "action_completer"}


def confirm_in_form(slots: Mapping[str, Any], sender_id: str, channel: str | None) -> Reply:
    """The "oui" of the read-back: commit and confirm now; `demande_numero` marks it done."""
    try:
        reply = dialogue.ticket_submit({**slots, "demande_confirmation": "confirmee"}, sender_id, channel)
    except Exception:  # noqa: BLE001 - the doctor is told, the form asks again
        logger.exception("support request not saved")
        return Reply(text=SAVE_FAILED, slots={"demande_confirmation": None})
    numero = ((reply.payload or {}).get("orientation") or {}).get("ticket", {}).get("numero")
    # Form slots stay filled until the form ends (action_enregistrer_demande clears them).
    return Reply(text=reply.text, payload=reply.payload, slots={"demande_confirmation": "confirmee", "demande_numero": numero})


def after_form(slots: Mapping[str, Any], sender_id: str, channel: str | None) -> Reply:
    """Runs when the form ends: already confirmed → clear quietly; cancelled → say so; else commit."""
    clear = {s: None for s in TICKET_SLOTS if s != "commune"}
    if slots.get("demande_confirmation") == "confirmee" and slots.get("demande_numero"):
        return Reply(slots=clear)
    if slots.get("demande_confirmation") == "confirmee":
        reply = confirm_in_form(slots, sender_id, channel)
        if reply.slots.get("demande_numero"):
            reply.slots = {**clear, "demande_numero": reply.slots["demande_numero"]}
        return reply
    return dialogue.ticket_submit(slots, sender_id, channel)


def pending_confirmed(slots: Mapping[str, Any]) -> bool:
    """A form confirmed ("oui") whose write never reported back (a crash in between)."""
    if slots.get("demande_confirmation") != "confirmee" or slots.get("demande_numero"):
        return False
    return all(slots.get(s) for s in TICKET_SLOTS if s not in ("demande_confirmation", "demandeur_rpps"))


def reconfirm(numero: str, sender_id: str) -> Reply:
    """The request exists: say its number again, never write twice."""
    ticket = dialogue.ticket_store().status(numero, sender_id)
    statut = ticket.statut if ticket else "recue"
    text = (
        f"Votre demande {numero} est bien enregistrée : inutile de la renvoyer. "
        f"Demandez « où en est ma demande {numero} ? » pour son suivi."
    )
    payload = {"orientation": {"urgence": None, "niveau": ticket.niveau if ticket else None, "commune": None, "motifs": [],
                               "recommandations": [], "ticket": {"numero": numero, "statut": statut}}}
    clear = {s: None for s in TICKET_SLOTS if s != "commune"}
    return Reply(text=text, payload=payload, slots=clear)


def affirm(slots: Mapping[str, Any], last_action: str | None, sender_id: str, channel: str | None) -> tuple[Reply, str | None]:
    """A "oui" outside any form: (reply, follow-up action or None).

    Completes a confirmed request that was never written, re-confirms a written one, opens the
    support-request form after an answer that offered it, else says what the bot can do.
    """
    if pending_confirmed(slots):
        reply = after_form(slots, sender_id, channel)
        return reply, None
    numero = slots.get("demande_numero")
    if numero and last_action in ("action_enregistrer_demande", "validate_demande_form", "demande_form", "action_affirmer", None):
        return reconfirm(numero, sender_id), None
    last = ((slots.get("derniere_orientation") or {}).get("orientation") or {})
    if last_action in OFFERING_ACTIONS and last.get("niveau") == 3 and last.get("recommandations"):
        return Reply(), "demande_form"
    if numero:
        return reconfirm(numero, sender_id), None
    return Reply(text=NOTHING_PENDING), None
