"""The completion flow: a correction, a refusal or a bare piece of information after an answer
("non, à Vierzon", "il a aussi des TNC", "82 ans", "à 10h")."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping

from actions.orienting import first_request, names_service_or_need, orientation_answer
from actions.service_hours import hours_at
from actions.turn import COMMUNE_QUESTION, SITUATION_FIRST, Reply, Turn, ambiguous, emergency_first, out_of_region
from knowledge.situation import revise
from knowledge.when import parse_when


def complete(turn: Turn, slots: Mapping[str, Any], at: datetime | None = None) -> Reply:
    """"non, à Vierzon" re-orients to Vierzon whatever the intent; a plain "non" is a refusal.
    An emergency in the message is said first, whatever else it says."""
    return emergency_first(turn, _complete(turn, slots, at or turn.services.now()))


# Intents under which a follow-up that names a need or a service was misread (the NLU sees the
# second message alone: "finalement c'est surtout l'épouse qu'il faudrait soulager" looks clinical).
_MISREAD = frozenset({"question_clinique", "hors_sujet", "nlu_fallback"})


def misread_follow_up(turn: Turn, slots: Mapping[str, Any], at: datetime | None = None) -> Reply | None:
    """A message after an answer, read as a clinical question, out of scope or unclear, that
    names a non-clinical need or a service: it completes or changes the remembered situation
    (``complete``). None otherwise (the rule's reply follows)."""
    if not slots.get("situation") or turn.intent not in _MISREAD or not turn.text:
        return None
    if not names_service_or_need(turn.situation):
        return None
    return complete(turn, slots, at)


def _complete(turn: Turn, slots: Mapping[str, Any], at: datetime) -> Reply:
    services = turn.services
    pending = slots.get("question_horaire")
    if pending:
        when = parse_when(turn.text, at)
        if when and when.moment:
            return hours_at(services, pending["service"], when.moment, at)
    situation = slots.get("situation")
    if not situation:
        first = first_request(turn)
        if first is not None:
            return first
    place = turn.place
    if turn.intent == "nier" and not (place.found or place.hors_region or place.candidates):
        return Reply(text="Entendu. Je reste disponible pour une autre situation.")
    if place.hors_region and not place.found:
        return Reply(text=out_of_region(place.hors_region).text, slots={"hors_region": place.hors_region})
    if place.candidates and not place.found:
        return ambiguous(place.candidates)
    if not situation:
        if place.found:
            gaz = services.gazetteer
            name = gaz.commune(place.commune).nom if place.commune else gaz.departement(place.departement).nom
            return Reply(
                text=f"C'est noté : {name}. Décrivez-moi maintenant la situation (âge, difficultés).",
                slots={"commune": place.commune, "departement": place.departement},
            )
        return Reply(text=SITUATION_FIRST)
    new_slots: dict[str, Any] = {}
    if place.found:
        new_slots.update(commune=place.commune, departement=place.departement, hors_region=None)
    said = turn.situation
    if not place.found or said.besoins or said.besoins_nies or said.antecedents or said.types:
        # An added detail ("il a aussi des TNC") is appended; a changed or negated need replaces the old one.
        new_slots["situation"] = revise(situation, turn.masked, gazetteer=services.gazetteer,
                                        vocabulary=services.vocabulary)
    reply = orientation_answer(services, {**slots, **new_slots}, at=at)
    if not reply.text:
        return Reply(text=COMMUNE_QUESTION, slots=new_slots)
    reply.slots = {**new_slots, **reply.slots}
    return reply
