"""Confirming a support request so that it is never lost and never duplicated (no Rasa import).

The request is written in the same step that tells the doctor "enregistrée": the form's
validation of the "oui" commits it (idempotently, `support_form.idempotency_key`) and says its
number, and sets `demande_numero`. Whatever crashes after that, a retried "oui" finds either
the request (same number, `reconfirm`) or the pending confirmed form (`affirm` completes it).
"""
from __future__ import annotations

import logging
from typing import Any, Mapping

from actions.services import Services
from actions.support_form import (
    CLEARED, CONFIRMATION, TICKET_SLOTS, next_slot, prefill_ticket, question, ticket_answer, ticket_submit,
)
from actions.ticket_status import ticket_payload
from actions.turn import Reply, Turn

logger = logging.getLogger(__name__)

SAVE_FAILED = (
    "Je n'ai pas pu enregistrer la demande (incident technique) : rien n'a été envoyé. "
    "Répondez « oui » dans un instant pour réessayer, elle ne sera pas enregistrée deux fois."
)
NOTHING_PENDING = (
    "Entendu. Décrivez-moi une situation (âge, commune, difficultés) pour que je vous oriente, "
    "ou écrivez « ouvrir une demande » pour solliciter le DAC."
)
# Answers after which a "oui" means "open the support request" (level 3 with a service found):
# the orientation turn, the commune form's answer, a correction. `action_orienter` is the
# orientation turn's action.
OFFERING_ACTIONS = {"action_orienter", "orientation_form", "action_completer"}


def form_step(turn: Turn, slots: Mapping[str, Any], sender_id: str, channel: str | None) -> tuple[Reply, str | None]:
    """One turn of the support-request form in one action call: (reply, next slot or None).

    At activation the form takes what the conversation knows; then the answer to the requested
    field is read with its parser; a confirming "oui" is written now (`confirm_in_form`); the
    next field's question ends the reply.
    """
    requested = slots.get("requested_slot")
    if requested is None:
        reply = Reply(slots=prefill_ticket(slots))
    else:
        reply = ticket_answer(turn, requested, slots)
        if requested == CONFIRMATION and reply.slots.get(CONFIRMATION) == "confirmee":
            reply = confirm_in_form(turn.services, {**slots, **reply.slots}, sender_id, channel)
    merged = {**slots, **reply.slots}
    nxt = next_slot(merged)
    if nxt is not None:
        reply.then.append(question(turn.services, nxt, merged))
    return reply, nxt


def confirm_in_form(services: Services, slots: Mapping[str, Any], sender_id: str, channel: str | None) -> Reply:
    """The "oui" of the read-back: commit and confirm now; `demande_numero` marks it done."""
    try:
        reply = ticket_submit(services, {**slots, CONFIRMATION: "confirmee"}, sender_id, channel)
    except Exception:  # noqa: BLE001 - the doctor is told, the form asks again
        logger.exception("support request not saved")
        return Reply(text=SAVE_FAILED, slots={CONFIRMATION: None})
    numero = ((reply.payload or {}).get("orientation") or {}).get("ticket", {}).get("numero")
    # Form slots stay filled until the form ends (action_enregistrer_demande clears them).
    return Reply(text=reply.text, payload=reply.payload, slots={CONFIRMATION: "confirmee", "demande_numero": numero})


def after_form(services: Services, slots: Mapping[str, Any], sender_id: str, channel: str | None) -> Reply:
    """Runs when the form ends: already confirmed → clear quietly; cancelled → say so; else commit."""
    if slots.get(CONFIRMATION) == "confirmee" and slots.get("demande_numero"):
        return Reply(slots=dict(CLEARED))
    if slots.get(CONFIRMATION) == "confirmee":
        reply = confirm_in_form(services, slots, sender_id, channel)
        if reply.slots.get("demande_numero"):
            reply.slots = {**CLEARED, "demande_numero": reply.slots["demande_numero"]}
        return reply
    return ticket_submit(services, slots, sender_id, channel)


def pending_confirmed(slots: Mapping[str, Any]) -> bool:
    """A form confirmed ("oui") whose write never reported back (a crash in between)."""
    if slots.get(CONFIRMATION) != "confirmee" or slots.get("demande_numero"):
        return False
    return all(slots.get(s) for s in TICKET_SLOTS if s not in (CONFIRMATION, "demandeur_rpps"))


def reconfirm(services: Services, numero: str, sender_id: str) -> Reply:
    """The request exists: say its number again, never write twice."""
    ticket = services.tickets.status(numero, sender_id)
    text = (
        f"Votre demande {numero} est bien enregistrée : inutile de la renvoyer. "
        f"Demandez « où en est ma demande {numero} ? » pour son suivi."
    )
    payload = ticket_payload(services, numero, ticket.statut if ticket else "recue", ticket.niveau if ticket else None)
    return Reply(text=text, payload=payload, slots=dict(CLEARED))


def affirm(services: Services, slots: Mapping[str, Any], last_action: str | None, sender_id: str,
           channel: str | None) -> tuple[Reply, str | None]:
    """A "oui" outside any form: (reply, follow-up action or None).

    Completes a confirmed request that was never written, re-confirms a written one, opens the
    support-request form after an answer that offered it, else says what the bot can do.
    """
    if pending_confirmed(slots):
        return after_form(services, slots, sender_id, channel), None
    numero = slots.get("demande_numero")
    if numero and last_action in ("action_enregistrer_demande", "validate_demande_form", "demande_form", "action_affirmer", None):
        return reconfirm(services, numero, sender_id), None
    last = ((slots.get("derniere_orientation") or {}).get("orientation") or {})
    if last_action in OFFERING_ACTIONS and last.get("niveau") == 3 and last.get("recommandations"):
        return Reply(), "demande_form"
    if numero:
        return reconfirm(services, numero, sender_id), None
    return Reply(text=NOTHING_PENDING), None
