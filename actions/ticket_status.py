"""The ticket-status flow: where a support request stands, for its requester only."""
from __future__ import annotations

from actions.orienting import redirect_request
from actions.services import Services
from actions.turn import Reply, Turn
from knowledge.orientation import Orientation
from knowledge.situation import Situation
from knowledge.tickets import STATUTS
from knowledge.triage import Triage

ASK_NUMBER = "Quel est le numéro de votre demande ? (de la forme AIG-2026-000123)"


def ticket_payload(services: Services, numero: str, statut: str, niveau: int | None) -> dict:
    """The contract payload of an answer about one request (``Orientation.payload()``, its ticket set)."""
    triage = Triage(urgences=[], niveau=niveau, motifs=[], types=[], dimensions={}, regles=[])
    payload = Orientation(Situation(text=""), triage, [], services.now()).payload()
    payload["orientation"]["ticket"] = {"numero": numero, "statut": statut}
    return payload


def ticket_status(turn: Turn, sender_id: str) -> Reply:
    numero = turn.ticket_number
    if numero is None:
        redirected = redirect_request(turn, {}, "suivi_demande")
        return redirected if redirected is not None else Reply(text=ASK_NUMBER)
    ticket = turn.services.tickets.status(numero, sender_id)
    if ticket is None:
        return Reply(text=f"Je ne trouve pas de demande {numero} ouverte depuis cette conversation. "
                          "Seul le demandeur peut en suivre l'état.")
    text = f"Votre demande {numero} est « {STATUTS[ticket.statut]} »"
    if ticket.statut == "cloturee" and ticket.issue:
        text += f". Issue : {ticket.issue}"
    return Reply(text=text + ".", payload=ticket_payload(turn.services, numero, ticket.statut, ticket.niveau))
