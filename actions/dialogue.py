"""Turn-level dialogue logic in plain Python (no Rasa import): what to say and which slots to set.

`actions/actions.py` adapts these functions to the Rasa SDK; tests call them directly.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable, Mapping

from knowledge import places
from knowledge.contact import callback_contact
from knowledge.gazetteer import Gazetteer
from knowledge.orientation import Orienter, current_time, default_orienter
from knowledge.privacy import mask
from knowledge.situation import revise

from knowledge import activity  # the anonymous orientation log (docs/reports.md)

MAX_INPUT_CHARS = 4000
REGION_TEXT = "Aiguillage couvre la région Centre-Val de Loire (Cher, Eure-et-Loir, Indre, Indre-et-Loire, Loir-et-Cher, Loiret)"
VITAL_NUMBERS = {"15", "112"}
CANCEL_WORDS = {"annuler", "annule", "stop", "abandonner", "laisse tomber", "on arrete", "arreter"}


@dataclass
class Reply:
    """What the bot says (text, contract payload, buttons) and the slots it sets."""

    text: str = ""
    payload: dict | None = None
    buttons: list[dict] = field(default_factory=list)
    slots: dict[str, Any] = field(default_factory=dict)


def clean_input(text: str) -> str:
    """Drop control characters and cap the length: huge or garbled input never crashes a turn."""
    text = "".join(ch if unicodedata.category(ch)[0] != "C" or ch in "\n\t" else " " for ch in text)
    return text.strip()[:MAX_INPUT_CHARS]


def entities(latest_message: Mapping[str, Any]) -> dict[str, list[str]]:
    """Entity values by type from a Rasa parse result (roles "nie" are negations and skipped)."""
    out: dict[str, list[str]] = {}
    for e in latest_message.get("entities") or []:
        if e.get("role") == "nie":
            continue
        out.setdefault(e.get("entity"), []).append(str(e.get("value")))
    return out


def _orienter() -> Orienter:
    return default_orienter()


def warm_up() -> None:
    """Load everything a first turn needs (directory, gazetteer, spaCy, signs reader, emergency
    net, masking) before the action server answers, so no user waits for it (guard budget)."""
    _orienter().orient(mask("dame 87 ans seule à Bourges, chutes, ne peut plus lever le bras droit"))


def _gazetteer() -> Gazetteer:
    return _orienter().gazetteer


def _analyse(text: str):
    """What the message says (no triage, no directory query)."""
    from knowledge.situation import analyse

    o = _orienter()
    return analyse(text, gazetteer=o.gazetteer, vocabulary=o.vocabulary)


_store = None


def ticket_store():
    """One support-request store per process, on the configured database and clock."""
    global _store
    if _store is None:
        from knowledge.tickets import TicketStore

        _store = TicketStore(clock=current_time)
    return _store


# -- places -----------------------------------------------------------------------------------


@dataclass
class Place:
    commune: str | None = None  # INSEE code
    departement: str | None = None
    hors_region: str | None = None
    candidates: tuple = ()

    @property
    def found(self) -> bool:
        return bool(self.commune or self.departement)


def read_place(text: str, ents: Mapping[str, list[str]] | None = None) -> Place:
    """The place of a message (``knowledge.places.read_place``), as slot values."""
    o = _orienter()
    r = places.read_place(text, o.gazetteer, o.vocabulary, entities=ents)
    return Place(
        commune=r.commune.code_insee if r.commune else None,
        # An ambiguity stays a question: its shared department alone does not say which service.
        departement=r.departement.code if r.departement and not r.ambiguous else None,
        hors_region=None if r.found else r.hors_region,
        candidates=r.candidates if r.ambiguous else (),
    )


def _out_of_region(label: str) -> str:
    return (
        f"{label} n'est pas en Centre-Val de Loire. {REGION_TEXT}. "
        "Pour une autre région, le dispositif d'appui à la coordination (DAC) du territoire concerné pourra vous orienter."
    )


def _ambiguous(candidates: tuple) -> Reply:
    names = [f"{c.nom} ({c.departement})" for c in candidates[:5]]
    return Reply(
        text="Plusieurs communes correspondent : " + ", ".join(names) + ".",
        buttons=[{"title": f"{c.nom} ({c.departement})", "payload": f"{c.nom} {c.codes_postaux[0]}"} for c in candidates[:5]],
    )


# -- orientation ------------------------------------------------------------------------------


def read_request(text: str, ents: Mapping[str, list[str]] | None = None):
    """The turn's one reading of a message: a ``Situation`` (place from ``knowledge.places``; an
    INSEE code given by the NLU wins)."""
    from knowledge.situation import analyse

    o = _orienter()
    situation = analyse(text, gazetteer=o.gazetteer, vocabulary=o.vocabulary)
    given = places.read_place("", o.gazetteer, o.vocabulary, entities=ents)
    if given.commune is not None:
        situation.commune, situation.departement = given.commune, given.departement
        situation.ambiguite, situation.hors_region = (), None
    return situation


def _place_of(situation) -> Place:
    return Place(
        commune=situation.commune.code_insee if situation.commune else None,
        departement=situation.departement.code if situation.departement else None,
        hors_region=None if (situation.commune or situation.departement) else situation.hors_region,
        candidates=tuple(situation.ambiguite) if situation.commune is None else (),
    )


def analyse_request(text: str, ents: Mapping[str, list[str]] | None = None, canal: str | None = None) -> Reply:
    """A new orientation request: remember it (masked), read the place, say emergencies at once.

    A postal code or short name shared by several communes is asked about only when the answer
    differs between them; a request for a regional resource needs no place.
    """
    if not text:
        return Reply(text="Votre message est vide. Décrivez la situation (âge, commune, difficultés).")
    masked = mask(text)
    orienter = _orienter()
    situation = read_request(masked, ents)
    if situation.ambiguite and situation.commune is None:
        decided = orienter.place_decides(situation)
        if decided is not None:
            situation.commune, situation.ambiguite = decided, ()
            situation.departement = orienter.gazetteer.departement(decided.departement)
        else:
            situation.departement = None   # the department alone would not tell which service
    place = _place_of(situation)
    reply = Reply(
        slots={
            "situation": masked,
            "commune": place.commune,
            "departement": place.departement,
            "hors_region": None if place.found else place.hors_region,
            "urgence_dite": None,
            "question_horaire": None,
            "derniere_orientation": None,
        }
    )
    o = orienter.orient_situation(situation)
    if o.triage.urgences and not place.found:
        reply.text = "\n".join(emergency_lines(o))
        reply.payload = o.payload()
        # A conditional line of the learned net (doubt) does not end the orientation.
        reply.slots["urgence_dite"] = [u.numero for u in o.triage.urgences if not u.conditionnel] or None
        if place.hors_region:
            reply.text += "\n" + _out_of_region(place.hors_region)
        if not orientation_required_slots(reply.slots):  # the emergency is the whole answer
            activity.record(o, canal=canal, payload=reply.payload)
    elif place.hors_region and not place.found:
        reply.text = _out_of_region(place.hors_region)
    elif place.candidates and not place.found:
        amb = _ambiguous(place.candidates)
        reply.text, reply.buttons = amb.text, amb.buttons
    return reply


def _regional_request(situation_text: str) -> bool:
    """True when the request names a resource only the region provides (CRA, CMRR, network)."""
    o = _orienter()
    s = read_request(situation_text)
    return bool(s.types) and s.types[0] in o.regional_types()


def emergency_check(text: str) -> Reply:
    """Emergencies are never masked by the rest: said even when the intent is not an orientation
    (a message read as a clinical question, small talk or low confidence)."""
    if not text:
        return Reply()
    o = _orienter().orient(mask(text))
    if not o.triage.urgences:
        return Reply()
    return Reply(text="\n".join(emergency_lines(o)), payload=o.payload())


def emergency_lines(o) -> list[str]:
    from knowledge.triage import emergency_line

    return [emergency_line(u) for u in o.triage.urgences]


def orientation_required_slots(slots: Mapping[str, Any]) -> list[str]:
    """The orientation form asks for the commune unless the place is known or irrelevant.

    A known commune stays required (the form is then complete); a department alone, an
    out-of-region place or a cancellation ends the form without one.
    """
    if slots.get("commune"):
        return ["commune"]
    if slots.get("departement") or slots.get("hors_region"):
        return []
    if _regional_request(slots.get("situation") or ""):
        return []  # a regional resource (CRA, CMRR, network) answers wherever the person lives
    said = slots.get("urgence_dite") or []
    if set(said) & VITAL_NUMBERS:
        return []  # a vital emergency: the number was given; a local service can wait
    if said and not _analyse(slots.get("situation") or "").besoins:
        return []  # an emergency alone: the number was given, no local service is needed
    return ["commune"]


def answer_place(text: str, ents: Mapping[str, list[str]] | None = None) -> Reply:
    """The user's answer to "dans quelle commune ?"."""
    if _is_cancel(text):
        return Reply(text="D'accord, j'abandonne cette demande.", slots={"hors_region": "annulé"})
    place = read_place(text, ents)
    if place.found:
        return Reply(slots={"commune": place.commune, "departement": place.departement})
    if place.hors_region:
        return Reply(text=_out_of_region(place.hors_region), slots={"hors_region": place.hors_region})
    if place.candidates:
        return _ambiguous(place.candidates)
    return Reply(text=f"Je ne reconnais pas de commune de Centre-Val de Loire dans « {mask(text)[:60]} ».")


def orientation_answer(slots: Mapping[str, Any], at: datetime | None = None, canal: str | None = None) -> Reply:
    """The full orientation answer from the remembered situation and place."""
    situation = slots.get("situation")
    if not situation:
        return Reply(text="Décrivez-moi d'abord la situation (âge, difficultés, commune) pour que je puisse vous orienter.")
    commune, departement = slots.get("commune"), slots.get("departement")
    if not commune and not departement and not (
            not slots.get("hors_region") and _regional_request(situation)):
        return Reply()  # emergency or out-of-region: already answered by action_analyser_demande
    o = _orienter().orient(situation, commune=commune, departement=None if commune else departement, at=at)
    text = o.message()
    if slots.get("urgence_dite"):
        text = "\n".join(line for line in text.split("\n") if not line.startswith("⚠️"))
    payload = o.payload()
    activity.record(o, canal=canal, payload=payload, replaces=slots.get("derniere_orientation"))
    buttons = []
    if o.triage.niveau == 3 and o.recommandations:
        buttons = [
            {"title": "Ouvrir une demande d'appui", "payload": "/ouvrir_demande"},
            {"title": "Non merci", "payload": "/nier"},
        ]
    return Reply(text=text, payload=payload, buttons=buttons, slots={"derniere_orientation": payload})


def complete(
    text: str, ents: Mapping[str, list[str]], slots: Mapping[str, Any], at: datetime | None = None,
    intent: str | None = None,
) -> Reply:
    """A correction, a refusal or a bare piece of information after an answer.

    "non, à Vierzon" re-orients to Vierzon whatever the intent; a plain "non" is a refusal.
    An emergency in the message is said first, whatever else it says.
    """
    return _emergency_first(text, _complete(text, ents, slots, at or current_time(), intent))


def _emergency_first(text: str, reply: Reply) -> Reply:
    emergency = emergency_check(text)
    if emergency.text and not reply.text.startswith("⚠️"):
        reply.text = f"{emergency.text}\n{reply.text}".strip()
        if reply.payload is None:
            reply.payload = emergency.payload
        else:
            reply.payload["orientation"]["urgence"] = emergency.payload["orientation"]["urgence"]
            reply.payload["orientation"]["urgences"] = emergency.payload["orientation"]["urgences"]
    return reply


def _complete(text: str, ents: Mapping[str, list[str]], slots: Mapping[str, Any], at: datetime, intent: str | None) -> Reply:
    pending = slots.get("question_horaire")
    if pending:
        from knowledge.when import parse_when

        when = parse_when(text, at)
        if when and when.moment:
            return _hours_at(pending["service"], when.moment, at)
    situation = slots.get("situation")
    if not situation:
        first = _first_request(text, ents, at)
        if first is not None:
            return first
    place = read_place(text, ents)
    if intent == "nier" and not (place.found or place.hors_region or place.candidates):
        return Reply(text="Entendu. Je reste disponible pour une autre situation.")
    if place.hors_region and not place.found:
        return Reply(text=_out_of_region(place.hors_region), slots={"hors_region": place.hors_region})
    if place.candidates and not place.found:
        return _ambiguous(place.candidates)
    if not situation:
        if place.found:
            name = _gazetteer().commune(place.commune).nom if place.commune else _gazetteer().departement(place.departement).nom
            return Reply(
                text=f"C'est noté : {name}. Décrivez-moi maintenant la situation (âge, difficultés).",
                slots={"commune": place.commune, "departement": place.departement},
            )
        return Reply(text="Décrivez-moi d'abord la situation (âge, difficultés, commune) pour que je puisse vous orienter.")
    new_slots: dict[str, Any] = {}
    if place.found:
        new_slots.update(commune=place.commune, departement=place.departement, hors_region=None)
    o = _orienter()
    if not place.found or any(m.kind in ("besoin", "type") for m in o.vocabulary.find(text)):
        # An added detail ("il a aussi des TNC") is appended; a changed or negated need replaces the old one.
        new_slots["situation"] = revise(situation, mask(text), gazetteer=o.gazetteer, vocabulary=o.vocabulary)
    merged = {**slots, **new_slots}
    reply = orientation_answer(merged, at=at)
    if not reply.text:
        return Reply(text="Dans quelle commune vit la personne ? (nom ou code postal)", slots=new_slots)
    reply.slots = {**new_slots, **reply.slots}
    return reply


def _first_request(text: str, ents: Mapping[str, list[str]], at: datetime) -> Reply | None:
    """A first message read as a correction or a bare detail ("pas de médecin traitant à Loches",
    "pass bourges") that names a need or a service: answered as a new orientation request."""
    read = read_request(mask(text), ents)
    words = len(text.split())
    if not (read.besoins or read.types or (read.publics and words >= 8 and (read.commune or read.departement))):
        return None
    first = analyse_request(text, ents)
    if first.text:
        return first   # emergency, out of region, or which commune (the answer differs)
    slots = dict(first.slots)
    if "commune" in orientation_required_slots(slots) and not slots.get("commune"):
        return Reply(text=QUESTIONS["commune"][0], slots=slots)
    reply = orientation_answer(slots, at=at)
    reply.slots = {**slots, **reply.slots}
    return reply


# A hand-over: the user wants the DAC to take the situation (call back, open a request).
_HAND_OVER = re.compile(
    r"\b(?:rappel\w*|ouvr\w*|ouverture|transm\w*|relais|saisi\w*|signal\w*|confi\w*|prenne en charge|"
    r"prendre en charge|prise en charge|demande d appui|demande de coordination|gestion de cas pour|"
    r"dossier|ticket|envoy\w*|adress\w*|remonter|inscri\w*|evalue\w*|declench\w*|lanc\w*|"
    r"depos\w*|cree\w*|creer|enregistr\w*|fai\w* la demande|valide\w*|allez y|oui|ok)\b")


# Needs that a clinical question names without asking for a service.
_CLINICAL_NEEDS = frozenset({"douleur", "maladie_chronique", "troubles_cognitifs", "denutrition"})


def redirect_request(text: str, ents: Mapping[str, list[str]], slots: Mapping[str, Any],
                     intent: str | None, at: datetime | None = None) -> Reply | None:
    """An orientation request the NLU read as something else, answered as one (else None).

    Naming a service type is never a support request: "dac du 18 svp" or "les coordonnées du
    DAC" get the contact; only a hand-over ("que le DAC me rappelle", "ouvrir une demande")
    starts the form. A first message read as out of scope, unclear, a follow-up without a
    request number or an hours question without a service, that names a need or a service and
    a place, is oriented.
    """
    from knowledge.text import fold

    text = clean_input(text or "")
    if not text:
        return None
    if intent == "ouvrir_demande":
        if slots.get("situation") or _HAND_OVER.search(fold(text)):
            return None
    elif intent == "suivi_demande":
        if TICKET_RE.search(text) or (ents or {}).get("numero_demande"):
            return None
    elif intent not in ("nlu_fallback", "hors_sujet", "horaires_service", "question_clinique"):
        return None
    if intent != "ouvrir_demande" and slots.get("situation"):
        return None
    read = read_request(mask(text), ents)
    if not (read.types or read.besoins) or not (read.commune or read.departement or read.ambiguite
                                                or (read.types and read.types[0] in _orienter().regional_types())):
        return None
    if intent == "question_clinique" and not (read.types or read.besoins - _CLINICAL_NEEDS):
        return None   # a clinical question about pain or a disease stays declined
    return _first_request(text, ents, at or current_time())


# -- hours ------------------------------------------------------------------------------------


def find_service(text: str, ents: Mapping[str, list[str]], slots: Mapping[str, Any]):
    """The service a question is about: by name, by type near a place, else the last answer's first."""
    orienter = _orienter()
    directory = orienter.directory
    place = read_place(text, ents)
    types = [m.code for m in orienter.vocabulary.find(text) if m.kind == "type" and not m.negated]
    commune_code = place.commune or slots.get("commune")
    if types and (commune_code or place.departement):
        service = orienter.nearest(types[0], commune=commune_code, departement=place.departement)
        if service:
            return service
    hits = directory.search_name(text, limit=1)
    if hits and hits[0][1] >= 70:
        return hits[0][0]
    last = slots.get("derniere_orientation") or {}
    recos = (last.get("orientation") or {}).get("recommandations") or []
    if recos:
        return directory.get(recos[0]["id"])
    return None


def service_hours(text: str, ents: Mapping[str, list[str]], slots: Mapping[str, Any], at: datetime | None = None) -> Reply:
    """"Le CMP de Vierzon est-il ouvert samedi ?" and the like (an emergency is said first)."""
    return _emergency_first(text, _service_hours(text, ents, slots, at))


def _service_hours(text: str, ents: Mapping[str, list[str]], slots: Mapping[str, Any], at: datetime | None) -> Reply:
    from knowledge.hours import TZ
    from knowledge.when import parse_when

    at = at or current_time()
    service = find_service(text, ents, slots)
    if service is None:
        redirected = redirect_request(text, ents, slots, "horaires_service", at)
        if redirected is not None:
            return redirected
        return Reply(text="De quel service parlez-vous ? Précisez le type et la commune, par exemple « le CMP de Vierzon ».")
    when = parse_when(text, at)
    payload = _orienter().service_payload(service, at)
    if when and when.moment:
        return _hours_at(service.id, when.moment, at)
    if when and when.jour and when.jour != at.date():
        day = when.jour
        day_txt = service.schedule.day_text(day)
        label = _day_label(day, at)
        if day_txt.startswith("fermé"):
            start = datetime.combine(day, datetime.min.time(), tzinfo=TZ)
            nxt = service.schedule.next_opening(start)
            after = f" Prochaine ouverture : {_fmt_dt(nxt, at)}." if nxt else ""
            return Reply(text=f"{service.nom} est {day_txt} {label}.{after}{_contact(service)}", payload=payload)
        return Reply(
            text=f"{service.nom} est ouvert {label} : {day_txt}. À quelle heure voulez-vous le joindre ?{_contact(service)}",
            payload=payload,
            slots={"question_horaire": {"service": service.id, "jour": day.isoformat()}},
        )
    status = service.schedule.status_text(at)
    today = service.schedule.day_text(at.date())
    return Reply(text=f"{service.nom} : {status} (aujourd'hui : {today}).{_contact(service)}", payload=payload)


def _hours_at(service_id: str, moment: datetime, at: datetime) -> Reply:
    orienter = _orienter()
    service = orienter.directory.get(service_id)
    if service is None:
        return Reply(text="Ce service n'est plus dans l'annuaire.", slots={"question_horaire": None})
    is_open = service.schedule.is_open(moment)
    when_txt = _fmt_dt(moment, at)
    if is_open:
        text = f"Oui, {service.nom} est ouvert {when_txt}."
    else:
        nxt = service.schedule.next_opening(moment)
        text = f"Non, {service.nom} est fermé {when_txt}." + (f" Il rouvre {_fmt_dt(nxt, at)}." if nxt else "")
    return Reply(text=text + _contact(service), payload=orienter.service_payload(service, at), slots={"question_horaire": None})


def _contact(service) -> str:
    bits = []
    if service.telephone:
        bits.append(f"tél. {service.telephone}")
    if service.messagerie_securisee:
        bits.append(f"MSSanté {service.messagerie_securisee}")
    return (" " + " — ".join(bits).capitalize() + ".") if bits else ""


def _day_label(day, at: datetime) -> str:
    """"aujourd'hui", "demain", "samedi" (within 6 days), "le lundi 4 janvier"."""
    from knowledge.hours import JOURS, date_text

    delta = (day - at.date()).days
    if delta == 0:
        return "aujourd'hui"
    if delta == 1:
        return "demain"
    if 0 < delta < 7:
        return JOURS[day.weekday()]
    return f"le {JOURS[day.weekday()]} {date_text(day, at.date())}"


def _fmt_dt(dt: datetime, at: datetime) -> str:
    from knowledge.hours import describe_moment

    text = describe_moment(dt, at)
    return f"aujourd'hui {text}" if text.startswith("à ") and text != "à minuit" else text


# -- support requests (tickets) -----------------------------------------------------------------

TICKET_RE = re.compile(r"\bAIG[-\s]?(\d{4})[-\s]?(\d{1,6})\b", re.IGNORECASE)


def _is_cancel(text: str) -> bool:
    from knowledge.text import fold

    return fold(text) in CANCEL_WORDS


def ticket_status(text: str, ents: Mapping[str, list[str]], sender_id: str) -> Reply:
    from knowledge.tickets import STATUTS

    numero = None
    for v in ents.get("numero_demande", []):
        m = TICKET_RE.search(v)
        if m:
            numero = f"AIG-{m.group(1)}-{int(m.group(2)):06d}"
    if numero is None:
        m = TICKET_RE.search(text)
        if m:
            numero = f"AIG-{m.group(1)}-{int(m.group(2)):06d}"
    if numero is None:
        redirected = redirect_request(text, ents, {}, "suivi_demande")
        if redirected is not None:
            return redirected
        return Reply(text="Quel est le numéro de votre demande ? (de la forme AIG-2026-000123)")
    ticket = ticket_store().status(numero, sender_id)
    if ticket is None:
        return Reply(text=f"Je ne trouve pas de demande {numero} ouverte depuis cette conversation. Seul le demandeur peut en suivre l'état.")
    text = f"Votre demande {numero} est « {STATUTS[ticket.statut]} »"
    if ticket.statut == "cloturee" and ticket.issue:
        text += f". Issue : {ticket.issue}"
    text += "."
    return Reply(text=text, payload={"orientation": {"urgence": None, "niveau": ticket.niveau, "commune": None, "motifs": [],
                                                      "recommandations": [], "ticket": {"numero": numero, "statut": ticket.statut}}})


TICKET_SLOTS = [
    "demande_resume", "commune", "demande_urgence", "demande_consentement", "demandeur_nom",
    "demandeur_profession", "demandeur_rpps", "demande_rappel", "demande_creneau", "demande_confirmation",
]


def ticket_required_slots(domain_slots: list[str], slots: Mapping[str, Any]) -> list[str]:
    """Ask only what the conversation does not know yet; stop at once on cancellation."""
    if slots.get("demande_confirmation") == "annulee":
        return []
    return list(domain_slots)


def prefill_ticket(slots: Mapping[str, Any]) -> dict[str, Any]:
    """Slots the form takes from the conversation when it starts (the commune is shared)."""
    out: dict[str, Any] = {}
    if slots.get("requested_slot") is None and slots.get("situation") and not slots.get("demande_resume"):
        out["demande_resume"] = slots["situation"][:1500]
    return out


def ticket_answer(slot: str, text: str, slots: Mapping[str, Any]) -> Reply:
    """Validate one answer of the support-request form."""
    from knowledge.rpps import normalize_rpps
    from knowledge.text import fold

    if _is_cancel(text):
        return Reply(slots={"demande_confirmation": "annulee"})
    f = fold(text)
    if slot == "demande_resume":
        if len(f) < 10:
            return Reply(text="Le résumé est trop court : décrivez la situation en une ou deux phrases.", slots={slot: None})
        return Reply(slots={slot: mask(text)[:1500]})
    if slot == "commune":
        r = answer_place(text)
        return r
    if slot == "demande_urgence":
        if "aujourd" in f or "urgent" in f or "ce jour" in f:
            return Reply(slots={slot: "aujourd_hui"})
        if "semaine" in f:
            return Reply(slots={slot: "semaine"})
        if "program" in f or "pas urgent" in f or "plus tard" in f:
            return Reply(slots={slot: "programme"})
        return Reply(text="Répondez « aujourd'hui », « cette semaine » ou « programmée ».", slots={slot: None})
    if slot == "demande_consentement":
        if f.startswith("oui") or f in ("d accord", "ok", "il est d accord", "elle est d accord"):
            return Reply(slots={slot: "oui"})
        if "pas encore" in f or "pas demande" in f or "non demande" in f:
            return Reply(slots={slot: "non_demande"})
        if f.startswith("non"):
            return Reply(slots={slot: "non"})
        return Reply(text="Répondez « oui », « non » ou « pas encore demandé ».", slots={slot: None})
    if slot == "demandeur_nom":
        if not (2 <= len(text.strip()) <= 80):
            return Reply(text="Indiquez votre nom (80 caractères au plus).", slots={slot: None})
        return Reply(slots={slot: text.strip()})
    if slot == "demandeur_profession":
        if not (2 <= len(text.strip()) <= 80):
            return Reply(text="Indiquez votre profession.", slots={slot: None})
        return Reply(slots={slot: text.strip()})
    if slot == "demandeur_rpps":
        if f in ("non", "aucun", "pas de rpps", "passer", "je n en ai pas", "sans"):
            return Reply(slots={slot: "aucun"})
        rpps = normalize_rpps(text.strip())
        if rpps:
            return Reply(slots={slot: rpps})
        return Reply(text="Ce numéro RPPS n'est pas valide (11 chiffres, clé de contrôle). Corrigez-le ou répondez « non ».", slots={slot: None})
    if slot == "demande_rappel":
        contact = callback_contact(text)
        if contact is None:
            return Reply(text="Indiquez un numéro de téléphone (10 chiffres) ou une adresse de messagerie sécurisée.", slots={slot: None})
        return Reply(slots={slot: contact})
    if slot == "demande_creneau":
        return Reply(slots={slot: text.strip()[:100] or "indifférent"})
    if slot == "demande_confirmation":
        if f.startswith("oui") or f in ("ok", "je confirme", "confirme", "c est bon", "valider", "envoyer"):
            return Reply(slots={slot: "confirmee"})
        if f.startswith("non") or "corriger" in f or "modifier" in f:
            return Reply(
                text="Que voulez-vous corriger ? Je reprends les informations une à une.",
                slots={s: None for s in TICKET_SLOTS if s not in ("commune",)},
            )
        return Reply(text="Répondez « oui » pour envoyer la demande, « corriger » pour la modifier ou « annuler ».", slots={slot: None})
    return Reply()


QUESTIONS: dict[str, tuple[str, list[str]]] = {
    # slot: (question, quick replies)
    "commune": ("Dans quelle commune vit la personne ? (nom ou code postal)", []),
    "demande_resume": ("Résumez la situation en quelques lignes (sans nom ni numéro de sécurité sociale du patient).", []),
    "demande_urgence": ("Quel délai pour cette demande ?", ["Aujourd'hui", "Cette semaine", "Programmée"]),
    "demande_consentement": (
        "Le patient est-il d'accord pour que ses informations soient partagées avec l'équipe de coordination ?",
        ["Oui", "Non", "Pas encore demandé"],
    ),
    "demandeur_nom": ("Votre nom (le demandeur) ?", []),
    "demandeur_profession": ("Votre profession ? (médecin généraliste, infirmier, assistante sociale…)", []),
    "demandeur_rpps": ("Votre numéro RPPS (11 chiffres) ? Répondez « non » pour passer.", ["Non"]),
    "demande_rappel": ("À quel numéro de téléphone ou quelle adresse de messagerie sécurisée le DAC doit-il vous répondre ?", []),
    "demande_creneau": ("Quel créneau de rappel vous convient ? (par exemple « demain 12h-14h », « après 18h »)", []),
}


def question(slot: str, slots: Mapping[str, Any]) -> Reply:
    """The form's question for `slot` (the confirmation is a read-back, see `ticket_readback`)."""
    if slot == "demande_confirmation":
        return ticket_readback(slots)
    text, choices = QUESTIONS[slot]
    return Reply(text=text, buttons=[{"title": c, "payload": c.lower()} for c in choices])


_URGENCE_LABELS = {"aujourd_hui": "aujourd'hui", "semaine": "cette semaine", "programme": "programmée"}
_CONSENT_LABELS = {"oui": "oui", "non": "non", "non_demande": "pas encore demandé"}


def ticket_readback(slots: Mapping[str, Any]) -> Reply:
    gaz = _gazetteer()
    commune = gaz.commune(slots["commune"]).nom if slots.get("commune") else "—"
    rpps = slots.get("demandeur_rpps")
    lines = [
        "Je récapitule la demande d'appui :",
        f"• Situation : {slots.get('demande_resume')}",
        f"• Commune : {commune}",
        f"• Délai : {_URGENCE_LABELS.get(slots.get('demande_urgence'), '—')}",
        f"• Accord du patient pour le partage : {_CONSENT_LABELS.get(slots.get('demande_consentement'), '—')}",
        f"• Demandeur : {slots.get('demandeur_nom')}, {slots.get('demandeur_profession')}" + (f", RPPS {rpps}" if rpps and rpps != "aucun" else ""),
        f"• Réponse à : {slots.get('demande_rappel')} ({slots.get('demande_creneau')})",
        "Je l'envoie au DAC ? (oui / corriger / annuler)",
    ]
    return Reply(
        text="\n".join(lines),
        buttons=[
            {"title": "Oui, envoyer", "payload": "oui"},
            {"title": "Corriger", "payload": "corriger"},
            {"title": "Annuler", "payload": "annuler"},
        ],
    )


def ticket_submit(slots: Mapping[str, Any], sender_id: str, channel: str | None) -> Reply:
    """Commit the request (idempotently), then confirm with its number."""
    from knowledge.tickets import CANAUX, NewRequest, route_dac

    clear = {s: None for s in TICKET_SLOTS if s != "commune"}
    if slots.get("demande_confirmation") != "confirmee":
        return Reply(text="D'accord, la demande n'est pas envoyée. Rien n'a été enregistré.", slots=clear)
    orienter = _orienter()
    last = (slots.get("derniere_orientation") or {}).get("orientation") or {}
    o = orienter.orient(slots.get("situation") or slots["demande_resume"], commune=slots["commune"])
    dac = route_dac(slots["commune"], orienter.directory)
    req = NewRequest(
        resume=slots["demande_resume"],
        commune_insee=slots["commune"],
        dac_id=dac.id if dac else None,
        dac_nom=dac.nom if dac else None,
        dac_telephone=dac.telephone if dac else None,
        public=sorted(o.situation.publics)[0] if o.situation.publics else None,
        niveau=o.triage.niveau or last.get("niveau") or 3,
        motifs=list(o.triage.motifs),
        urgence=slots["demande_urgence"],
        consentement=slots["demande_consentement"],
        demandeur_nom=slots["demandeur_nom"],
        demandeur_profession=slots["demandeur_profession"],
        demandeur_rpps=None if slots.get("demandeur_rpps") in (None, "aucun") else slots["demandeur_rpps"],
        rappel_telephone=None if "@" in (slots.get("demande_rappel") or "") else slots.get("demande_rappel"),
        rappel_messagerie=slots.get("demande_rappel") if "@" in (slots.get("demande_rappel") or "") else None,
        creneau_rappel=slots.get("demande_creneau"),
        canal=channel if channel in CANAUX else "chat",
        conversation_id=sender_id,
    )
    key = idempotency_key(sender_id, slots)
    ticket = ticket_store().create(req, idempotency_key=key)
    activity.mark_support(slots.get("derniere_orientation"))
    dac_txt = f" au {dac.nom} (tél. {dac.telephone})" if dac else ""
    text = (
        f"Demande {ticket.numero} enregistrée et transmise{dac_txt}. "
        f"Réponse attendue avant le {ticket.echeance:%d/%m/%Y à %Hh%M}. "
        "Vous serez informé de chaque étape ; demandez « où en est ma demande "
        f"{ticket.numero} ? » à tout moment."
    )
    payload = o.payload()
    payload["orientation"]["ticket"] = {"numero": ticket.numero, "statut": ticket.statut}
    return Reply(text=text, payload=payload, slots=clear)


def idempotency_key(sender_id: str, slots: Mapping[str, Any]) -> str:
    """Same conversation and same content: the same request, however often it is confirmed."""
    content = "|".join(str(slots.get(s) or "") for s in TICKET_SLOTS if s != "demande_confirmation")
    return hashlib.sha256(f"{sender_id}|{content}".encode()).hexdigest()

