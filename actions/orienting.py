"""The orientation flow: a new request read once and answered in the same action; the commune
asked only when the answer needs one (then the orientation form's validation answers).

Plain Python (no Rasa import); ``actions/actions.py`` adapts it. Every function takes the
turn's ``Turn`` (actions/turn.py) or the ``Services`` (actions/services.py).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Mapping

from actions.services import Services
from actions.turn import (
    COMMUNE_QUESTION, SITUATION_FIRST, Place, Reply, Turn, ambiguous, emergency_check, emergency_first,
    emergency_text, out_of_region,
)
from knowledge import activity
from knowledge.numbers import VITAL_NUMBERS
from knowledge.orientation import Orientation
from knowledge.privacy import mask
from knowledge.situation import Situation, analyse

ORIENTATION_FORM = "orientation_form"
# A hand-over: the user wants the DAC to take the situation (call back, open a request).
_HAND_OVER = re.compile(
    r"\b(?:rappel\w*|ouvr\w*|ouverture|transm\w*|relais|saisi\w*|signal\w*|confi\w*|prenne en charge|"
    r"prendre en charge|prise en charge|demande d appui|demande de coordination|gestion de cas pour|"
    r"ticket|envoy\w*|adress\w*|remonter|inscri\w*|evalue\w*|declench\w*|lanc\w*|"
    r"depos\w*|cree\w*|creer|enregistr\w*|fai\w* la demande|valide\w*|allez y|oui|ok)\b")
# "dossier" alone is not a hand-over: "dossier FSL", "renouvellement dossier AAH" are the patient's
# own files; "transmettre le dossier", "dossier d'appui" are caught by the other words.
# A question about how to reach or use a service ("comment joindre l'équipe mobile", "comment faire
# la demande d'AEEH", "je transmets la demande d'une infirmière qui voudrait savoir comment…"): the
# contact is the answer, unless the user also asks the coordination team to take the situation.
_INFO_QUESTION = re.compile(
    r"\b(?:comment (?:joindre|contacter|appeler|faire|obtenir|avoir|trouver|s y prendre)|savoir comment|"
    r"qui (?:contacter|appeler|joindre)|a qui (?:s adresser|m adresser|faire)|quel (?:numero|telephone)|"
    r"(?:les|leurs?) coordonnees|(?:le|son|leur) numero)\b")
_EXPLICIT_HAND_OVER = re.compile(
    r"\b(?:ouvr\w* (?:une |la )?demande|demande d appui|demande de coordination|gestion de cas|"
    r"(?:me|nous|le|la) rappel\w*|rappel\w* (?:moi|nous)|prenne en charge|prendre en charge la situation|"
    r"ticket|dossier d appui)\b")
# A clinical question (dose, prescription, diagnosis) that the NLU may read as a request.
_CLINICAL_QUESTION = re.compile(
    r"\b(?:posologie|dose|doses|dosage|posos?|mg|milligrammes?|prescri\w*|titration|titrer|"
    r"contre indications?|interactions? medicamenteuses?|quel (?:traitement|antibiotique|antalgique|"
    r"anticoagulant|medicament|examen|bilan)|quelle (?:dose|molecule|conduite therapeutique)|diagnostic differentiel)\b")
# Needs that a clinical question names without asking for a service.
_CLINICAL_NEEDS = frozenset({"douleur", "maladie_chronique", "troubles_cognitifs", "denutrition"})


# Small talk the NLU may read on a long request ending in thanks or a goodbye: such a first message
# of at least this many words that names a need or a service and a place is oriented.
# Small talk and the question of what the bot does ("aide"): a long one naming a need and a place
# is a request ("où trouver des seringues propres à Bourges sans jugement").
_SMALL_TALK = frozenset({"au_revoir", "remercier", "saluer", "aide"})
_SMALL_TALK_MIN_WORDS = 8


def names_service_or_need(situation: Situation) -> bool:
    """The message names a service type or a need that is not only clinical (pain, a disease):
    something to orient, even when the NLU read a clinical question or small talk."""
    return bool(situation.types or situation.besoins - _CLINICAL_NEEDS)


def warm_up(services: Services) -> None:
    """Load everything a first turn needs (directory, gazetteer, spaCy, signs reader, emergency
    net, masking) before the action server answers, so no user waits for it (guard budget)."""
    services.orienter.orient(mask("dame 87 ans seule à Bourges, chutes, ne peut plus lever le bras droit"))


@dataclass(frozen=True)
class Request:
    """A new request: the turn's situation with its place decided, and its orientation."""

    situation: Situation
    place: Place
    orientation: Orientation


def read_request(turn: Turn) -> Request:
    """The turn's situation with the place decided: a postal code or short name shared by several
    communes is asked about only when the answer differs between them."""
    orienter = turn.services.orienter
    situation = turn.situation
    exceptions: list = []
    if situation.ambiguite and situation.commune is None:
        decided = orienter.place_with_exceptions(situation, at=turn.services.now(), triage=turn.triage)
        if decided is not None:
            situation = replace(situation, commune=decided[0], ambiguite=(),
                                departement=orienter.gazetteer.departement(decided[0].departement))
            exceptions = decided[1]   # the few communes of the code served by another service
        else:
            situation = replace(situation, departement=None)  # the department alone would not tell which service
    orientation = orienter.orient_situation(situation, at=turn.services.now(), triage=turn.triage)
    orientation.exceptions = exceptions
    return Request(situation, Place.of(situation), orientation)


def _regional(services: Services, situation: Situation) -> bool:
    """True when the request names a resource only the region provides (CRA, CMRR, network)."""
    return bool(situation.types) and situation.types[0] in services.orienter.regional_types()


def analyse_request(turn: Turn, canal: str | None = None, request: Request | None = None) -> Reply:
    """A new orientation request: remember it (masked), read the place, say emergencies at once."""
    if not turn.text:
        return Reply(text="Votre message est vide. Décrivez la situation (âge, commune, difficultés).")
    request = request or read_request(turn)
    place, o = request.place, request.orientation
    reply = Reply(slots={
        "situation": turn.masked, "commune": place.commune, "departement": place.departement,
        "hors_region": None if place.found else place.hors_region,
        "urgence_dite": None, "question_horaire": None, "derniere_orientation": None,
    })
    if o.triage.urgences and not place.found:
        reply.text, reply.payload, reply.says_emergency = emergency_text(o), o.payload(), True
        # A conditional line of the learned net (doubt) does not end the orientation.
        reply.slots["urgence_dite"] = [u.numero for u in o.triage.urgences if not u.conditionnel] or None
        if place.hors_region:
            reply.text += "\n" + out_of_region(place.hors_region).text
        if not orientation_required_slots(turn.services, reply.slots, request.situation):
            activity.record(o, canal=canal, payload=reply.payload, directory=turn.services.directory)
    elif place.hors_region and not place.found:
        reply.text = out_of_region(place.hors_region).text
    elif place.candidates and not place.found:
        amb = ambiguous(place.candidates)
        reply.text, reply.buttons = amb.text, amb.buttons
    return reply


def orientation_required_slots(services: Services, slots: Mapping[str, Any],
                               situation: Situation | None = None) -> list[str]:
    """Whether the answer needs a commune: ``["commune"]`` unless the place is known or irrelevant.

    A known commune stays required (nothing to ask); a department alone, an out-of-region place
    or a cancellation needs none; nor does a regional resource or an emergency alone. `situation`
    is the remembered request already read this turn (else its text is read).
    """
    if slots.get("commune"):
        return ["commune"]
    if slots.get("departement") or slots.get("hors_region"):
        return []
    situation = situation or analyse(slots.get("situation") or "", gazetteer=services.gazetteer,
                                     vocabulary=services.vocabulary)
    if _regional(services, situation):
        return []  # a regional resource (CRA, CMRR, network) answers wherever the person lives
    said = slots.get("urgence_dite") or []
    if set(said) & VITAL_NUMBERS:
        return []  # a vital emergency: the number was given; a local service can wait
    if said and not situation.besoins:
        return []  # an emergency alone: the number was given, no local service is needed
    return ["commune"]


def orientation_answer(services: Services, slots: Mapping[str, Any], at: datetime | None = None,
                       canal: str | None = None, orientation: Orientation | None = None) -> Reply:
    """The full orientation answer from the remembered situation and place.

    `orientation` is the request's orientation when it was read this turn; else the remembered
    text is read once, with the place of the slots.
    """
    text = slots.get("situation")
    if not text:
        return Reply(text=SITUATION_FIRST)
    commune, departement = slots.get("commune"), slots.get("departement")
    o = orientation
    if o is None:
        o = services.orienter.orient(text, commune=commune, departement=None if commune else departement,
                                     at=at or services.now())
    if not commune and not departement and (slots.get("hors_region") or not _regional(services, o.situation)):
        return Reply()  # emergency or out-of-region: already answered by the request's reading
    with_emergencies = not slots.get("urgence_dite")
    payload = o.payload()
    activity.record(o, canal=canal, payload=payload, replaces=slots.get("derniere_orientation"),
                    directory=services.directory)
    buttons = []
    if o.triage.niveau == 3 and o.recommandations:
        buttons = [
            {"title": "Ouvrir une demande d'appui", "payload": "/ouvrir_demande"},
            {"title": "Non merci", "payload": "/nier"},
        ]
    return Reply(text=o.message(emergencies=with_emergencies), payload=payload, buttons=buttons,
                 slots={"derniere_orientation": payload},
                 says_emergency=with_emergencies and bool(o.triage.urgences))


def orientation_turn(turn: Turn, canal: str | None = None) -> Reply:
    """The whole turn of a new request in one action: the answer when the place is known or not
    needed; else what was understood (emergency, ambiguity) and the commune question, opening
    the orientation form."""
    if not turn.text:
        return analyse_request(turn, canal)
    if is_clinical_question(turn):
        return emergency_first(turn, Reply(response="utter_refus_clinique"))
    request = read_request(turn)
    first = analyse_request(turn, canal, request)
    if "commune" in orientation_required_slots(turn.services, first.slots, request.situation) \
            and not first.slots.get("commune"):
        first.then.append(Reply(text=COMMUNE_QUESTION))
        first.opens_form = ORIENTATION_FORM
        return first
    first.then.append(orientation_answer(turn.services, first.slots, canal=canal, orientation=request.orientation))
    return first


def is_clinical_question(turn: Turn) -> bool:
    """A dose, prescription or diagnosis question that names no service and no non-clinical
    need ("quelle posologie de tramadol pour une dame de 85 ans ?"), whatever the intent."""
    return bool(_CLINICAL_QUESTION.search(turn.folded)) and not names_service_or_need(turn.situation)


def answer_place(turn: Turn) -> Reply:
    """The user's answer to "dans quelle commune ?"."""
    if turn.is_cancel():
        return Reply(text="D'accord, j'abandonne cette demande.", slots={"hors_region": "annulé"})
    place = turn.place
    if place.found:
        return Reply(slots={"commune": place.commune, "departement": place.departement})
    if place.hors_region:
        return Reply(text=out_of_region(place.hors_region).text, slots={"hors_region": place.hors_region})
    if place.candidates:
        return ambiguous(place.candidates)
    return Reply(text=f"Je ne reconnais pas de commune de Centre-Val de Loire dans « {turn.masked[:60]} ».")


def commune_form_turn(turn: Turn, slots: Mapping[str, Any], canal: str | None = None) -> tuple[Reply, bool]:
    """The orientation form's turn (the answer to the commune question): (reply, form done).

    A place found is answered at once; out of region or cancelled ends the form; anything else
    asks again."""
    reply = answer_place(turn)
    reply.slots = {"commune": None, **reply.slots}
    merged = {**slots, **reply.slots}
    if merged.get("commune") or merged.get("departement"):
        reply.then.append(orientation_answer(turn.services, merged, canal=canal))
        return reply, True
    if reply.slots.get("hors_region"):
        return reply, True
    reply.then.append(Reply(text=COMMUNE_QUESTION))
    return reply, False


def emergency_or_redirect(turn: Turn, slots: Mapping[str, Any]) -> Reply | None:
    """Before a reply that does not orient (small talk, clinical question, out of scope, low
    confidence): the message's emergency, else an orientation request the NLU misread, else None."""
    emergency = emergency_check(turn)
    if emergency.text:
        return emergency
    return redirect_request(turn, slots)


def redirect_request(turn: Turn, slots: Mapping[str, Any], intent: str | None = None) -> Reply | None:
    """An orientation request the NLU read as something else, answered as one (else None).

    Naming a service type is never a support request: "dac du 18 svp" or "les coordonnées du
    DAC" get the contact; only a hand-over ("que le DAC me rappelle", "ouvrir une demande")
    starts the form. A first message read as out of scope, unclear, a follow-up without a
    request number or an hours question without a service, that names a need or a service and
    a place, is oriented; so is a long first message read as small talk (a story ending in
    "merci, bonne journée" read as a goodbye).
    """
    intent = intent or turn.intent
    if not turn.text:
        return None
    if intent == "ouvrir_demande":
        if slots.get("situation") or (_HAND_OVER.search(turn.folded) and not _asks_how_to_reach(turn.folded)):
            return None
    elif intent == "suivi_demande":
        if turn.ticket_number or turn.entities.get("numero_demande"):
            return None
    elif intent in _SMALL_TALK:
        if len(turn.text.split()) < _SMALL_TALK_MIN_WORDS:
            return None   # "merci, au revoir": small talk, even beside a service's name
    elif intent not in ("nlu_fallback", "hors_sujet", "horaires_service", "question_clinique"):
        return None
    if intent != "ouvrir_demande" and slots.get("situation"):
        return None
    read = turn.situation
    if not (read.types or read.besoins):
        return None
    # A support request that hands nothing over but names a service or a need is an orientation
    # request, place or not: the orientation asks the commune, the support form would not orient.
    if not (read.commune or read.departement or read.ambiguite or _regional(turn.services, read)
            or intent == "ouvrir_demande"):
        return None
    if intent == "question_clinique" and not names_service_or_need(read):
        return None   # a clinical question about pain or a disease stays declined
    return first_request(turn)


def _asks_how_to_reach(folded: str) -> bool:
    """A question about how to reach or use a service, with no hand-over to the coordination."""
    return bool(_INFO_QUESTION.search(folded)) and not _EXPLICIT_HAND_OVER.search(folded)


def first_request(turn: Turn) -> Reply | None:
    """A first message read as a correction or a bare detail ("pas de médecin traitant à Loches",
    "pass bourges") that names a need or a service: answered as a new orientation request."""
    read = turn.situation
    words = len(turn.text.split())
    if not (read.besoins or read.types or (read.publics and words >= 8 and (read.commune or read.departement))):
        return None
    request = read_request(turn)
    first = analyse_request(turn, request=request)
    if first.text:
        return first   # emergency, out of region, or which commune (the answer differs)
    slots = dict(first.slots)
    if "commune" in orientation_required_slots(turn.services, slots, request.situation) and not slots.get("commune"):
        return Reply(text=COMMUNE_QUESTION, slots=slots)
    reply = orientation_answer(turn.services, slots, orientation=request.orientation)
    reply.slots = {**slots, **reply.slots}
    return reply
