"""The hours flow: contact and opening hours of a named service, at a given day or time."""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Mapping

from actions.orienting import orientation_turn, redirect_request
from actions.services import Services
from actions.turn import Reply, Turn, emergency_first
from knowledge.hours import JOURS, TZ, date_text, describe_moment
from knowledge.text import fold
from knowledge.when import parse_when

# Words of an hours question (folded text): without one, an emergency is not an hours question.
_HOURS_WORDS = re.compile(r"\b(?:ouvert\w*|ouvre\w*|ferme\w*|horaires?|heures?|joignable|joindre|permanence|"
                          r"quand|aujourd hui|demain|samedi|dimanche|soir|nuit|week end)\b")

LONG_MESSAGE_WORDS = 20
NO_SERVICE = "De quel service parlez-vous ? Précisez le type et la commune, par exemple « le CMP de Vierzon »."


def find_service(turn: Turn, slots: Mapping[str, Any]):
    """The service a question is about: by type near a place, by name, else the last answer's first."""
    orienter = turn.services.orienter
    place, types = turn.place, turn.situation.types
    commune_code = place.commune or slots.get("commune")
    if types and (commune_code or place.departement):
        service = orienter.nearest(types[0], commune=commune_code, departement=place.departement)
        if service:
            return service
    hits = orienter.directory.search_name(turn.text, limit=1)
    # In a long story a place's name alone matches many services (token set ratio): only a close
    # match of a service's name counts there ("…je sors de chez une dame… Vendôme…" names none).
    if hits and hits[0][1] >= (70 if len(turn.text.split()) < LONG_MESSAGE_WORDS else 90):
        return hits[0][0]
    recos = ((slots.get("derniere_orientation") or {}).get("orientation") or {}).get("recommandations") or []
    if recos:
        return orienter.directory.get(recos[0]["id"])
    return None


def service_hours(turn: Turn, slots: Mapping[str, Any], at: datetime | None = None) -> Reply:
    """"Le CMP de Vierzon est-il ouvert samedi ?" and the like (an emergency is said first).

    An emergency read as an hours question ("inconscient, ne répond plus, Orléans": no hours
    word, no time) is answered as the orientation request it is, never with the hours of a
    service that the place happens to name."""
    at = at or turn.services.now()
    if turn.emergency is not None:
        # Time words inside the emergency's own signs ("à la rue ce soir") do not ask for hours.
        rest = _outside_signs(turn)
        if not _HOURS_WORDS.search(fold(rest)) and parse_when(rest, at) is None:
            return orientation_turn(turn)
    return emergency_first(turn, _service_hours(turn, slots, at))


def _outside_signs(turn: Turn) -> str:
    """The message without the text of its signs (each replaced by a space)."""
    text = turn.text
    for sign in sorted(turn.situation.signes, key=lambda s: s.start, reverse=True):
        text = text[:sign.start] + " " + text[sign.end:]
    return text


def _service_hours(turn: Turn, slots: Mapping[str, Any], at: datetime) -> Reply:
    read = turn.situation
    if read.types and not (read.commune or read.departement or read.ambiguite
                           or slots.get("commune") or slots.get("departement")):
        # A type named without a place ("le CSAPA est ouvert samedi ?", "l'équipe mobile
        # gériatrique, on l'appelle directement ?"): which one depends on the place, so the request
        # is answered as such (the commune asked, unless the service is regional), never with the
        # hours of a service that the type's name happens to match somewhere in the region.
        return orientation_turn(turn)
    service = find_service(turn, slots)
    if service is None:
        redirected = redirect_request(turn, slots, "horaires_service")
        return redirected if redirected is not None else Reply(text=NO_SERVICE)
    when = parse_when(turn.text, at)
    if when and when.moment:
        return hours_at(turn.services, service.id, when.moment, at)
    payload = turn.services.orienter.service_payload(service, at)
    if when and when.jour and when.jour != at.date():
        day = when.jour
        day_txt = service.schedule.day_text(day)
        label = _day_label(day, at)
        if day_txt.startswith("fermé"):
            nxt = service.schedule.next_opening(datetime.combine(day, datetime.min.time(), tzinfo=TZ))
            after = f" Prochaine ouverture : {_fmt_dt(nxt, at)}." if nxt else ""
            return Reply(text=f"{service.nom} est {day_txt} {label}.{after}{contact(service)}", payload=payload)
        return Reply(
            text=f"{service.nom} est ouvert {label} : {day_txt}. À quelle heure voulez-vous le joindre ?{contact(service)}",
            payload=payload,
            slots={"question_horaire": {"service": service.id, "jour": day.isoformat()}},
        )
    status = service.schedule.status_text(at)
    today = service.schedule.day_text(at.date())
    return Reply(text=f"{service.nom} : {status} (aujourd'hui : {today}).{contact(service)}", payload=payload)


def hours_at(services: Services, service_id: str, moment: datetime, at: datetime) -> Reply:
    """Is the service open at `moment` (the answer to "à quelle heure ?" or a dated question)."""
    service = services.directory.get(service_id)
    if service is None:
        return Reply(text="Ce service n'est plus dans l'annuaire.", slots={"question_horaire": None})
    when_txt = _fmt_dt(moment, at)
    if service.schedule.is_open(moment):
        text = f"Oui, {service.nom} est ouvert {when_txt}."
    else:
        nxt = service.schedule.next_opening(moment)
        text = f"Non, {service.nom} est fermé {when_txt}." + (f" Il rouvre {_fmt_dt(nxt, at)}." if nxt else "")
    return Reply(text=text + contact(service), payload=services.orienter.service_payload(service, at),
                 slots={"question_horaire": None})


def contact(service) -> str:
    """" Tél. 02 48 … — MSSanté …." after an hours sentence (empty when the service has neither)."""
    bits = []
    if service.telephone:
        bits.append(f"tél. {service.telephone}")
    if service.messagerie_securisee:
        bits.append(f"MSSanté {service.messagerie_securisee}")
    return (" " + " — ".join(bits).capitalize() + ".") if bits else ""


def _day_label(day, at: datetime) -> str:
    """"aujourd'hui", "demain", "samedi" (within 6 days), "le lundi 4 janvier"."""
    delta = (day - at.date()).days
    if delta == 0:
        return "aujourd'hui"
    if delta == 1:
        return "demain"
    if 0 < delta < 7:
        return JOURS[day.weekday()]
    return f"le {JOURS[day.weekday()]} {date_text(day, at.date())}"


def _fmt_dt(dt: datetime, at: datetime) -> str:
    text = describe_moment(dt, at)
    return f"aujourd'hui {text}" if text.startswith("à ") and text != "à minuit" else text
