"""One user message as the dialogue reads it (once), and what the bot says back (no Rasa import).

A ``Turn`` holds the cleaned text, the NLU entities and intent; its ``situation`` is read once
(masked text, place from ``knowledge.places`` with the NLU's INSEE code winning) and every flow
of the turn (triage, ranking, hours, the answer, the place of a form answer) takes it from there.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Mapping

from actions.services import Services
from knowledge import places
from knowledge.orientation import Orientation
from knowledge.privacy import mask
from knowledge.situation import Situation, analyse
from knowledge.text import fold
from knowledge.tickets import find_numeros
from knowledge.triage import Triage, emergency_line

MAX_INPUT_CHARS = 4000
REGION_TEXT = "Aiguillage couvre la région Centre-Val de Loire (Cher, Eure-et-Loir, Indre, Indre-et-Loire, Loir-et-Cher, Loiret)"
COMMUNE_QUESTION = "Dans quelle commune vit la personne ? (nom ou code postal)"
SITUATION_FIRST = "Décrivez-moi d'abord la situation (âge, difficultés, commune) pour que je puisse vous orienter."
CANCEL_WORDS = {"annuler", "annule", "stop", "abandonner", "laisse tomber", "on arrete", "arreter"}


@dataclass
class Reply:
    """What the bot says (text, contract payload, buttons), the slots it sets, and the further
    messages of the same turn (``then``, said in order after this one)."""

    text: str = ""
    payload: dict | None = None
    buttons: list[dict] = field(default_factory=list)
    slots: dict[str, Any] = field(default_factory=dict)
    says_emergency: bool = False          # the text already says the turn's emergencies
    then: list["Reply"] = field(default_factory=list)
    opens_form: str | None = None         # a form this reply starts (its question is in the reply)
    response: str | None = None           # a response of domain.yml said after the text ("utter_refus_clinique")

    def messages(self) -> list["Reply"]:
        out = [self] if (self.text or self.payload or self.response) else []
        for more in self.then:
            out.extend(more.messages())
        return out

    def all_slots(self) -> dict[str, Any]:
        slots = dict(self.slots)
        for more in self.then:
            slots.update(more.all_slots())
        return slots


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


@dataclass
class Place:
    """The place of a message as slot values (INSEE code, department code, out-of-region label)."""

    commune: str | None = None
    departement: str | None = None
    hors_region: str | None = None
    candidates: tuple = ()

    @property
    def found(self) -> bool:
        return bool(self.commune or self.departement)

    @classmethod
    def of(cls, situation: Situation) -> "Place":
        ambiguous = situation.commune is None and bool(situation.ambiguite)
        found = situation.commune is not None or (situation.departement is not None and not ambiguous)
        return cls(
            commune=situation.commune.code_insee if situation.commune else None,
            # An ambiguity stays a question: its shared department alone does not say which service.
            departement=situation.departement.code if situation.departement and not ambiguous else None,
            hors_region=None if found else situation.hors_region,
            candidates=tuple(situation.ambiguite) if ambiguous else (),
        )


@dataclass(frozen=True)
class Turn:
    """One user message; its situation, triage and emergency orientation are computed once."""

    services: Services
    text: str
    entities: Mapping[str, list[str]] = field(default_factory=dict)
    intent: str | None = None

    @classmethod
    def of(cls, services: Services, text: str | None, ents: Mapping[str, list[str]] | None = None,
           intent: str | None = None) -> "Turn":
        return cls(services, clean_input(text or ""), dict(ents or {}), intent)

    @classmethod
    def from_message(cls, services: Services, latest_message: Mapping[str, Any]) -> "Turn":
        intent = (latest_message.get("intent") or {}).get("name")
        return cls.of(services, latest_message.get("text") or "", entities(latest_message), intent)

    @cached_property
    def masked(self) -> str:
        return mask(self.text) or ""

    @cached_property
    def folded(self) -> str:
        return fold(self.text)

    @cached_property
    def situation(self) -> Situation:
        """The message read once: ``knowledge.situation.analyse`` on the masked text; an INSEE
        code given by the NLU (nlu/components.py CommuneExtractor) wins over the text's place."""
        s = self.services
        situation = analyse(self.masked, gazetteer=s.gazetteer, vocabulary=s.vocabulary)
        given = places.read_place("", s.gazetteer, s.vocabulary, entities=self.entities)
        if given.commune is not None:
            situation.commune, situation.departement = given.commune, given.departement
            situation.ambiguite, situation.hors_region = (), None
        return situation

    @cached_property
    def place(self) -> Place:
        return Place.of(self.situation)

    @cached_property
    def triage(self) -> Triage:
        return self.services.orienter.rules.triage(self.situation)

    @cached_property
    def emergency(self) -> Orientation | None:
        """The orientation of the message itself when it says an emergency (else None)."""
        if not self.triage.urgences:
            return None
        return self.services.orienter.orient_situation(self.situation, at=self.services.now(),
                                                       triage=self.triage)

    def is_cancel(self) -> bool:
        return self.folded in CANCEL_WORDS

    @cached_property
    def ticket_number(self) -> str | None:
        """A support-request number ("AIG-2026-000123") given by the NLU or written in the text."""
        for value in [*self.entities.get("numero_demande", []), self.text]:
            found = find_numeros(value)
            if found:
                return found[0][2]
        return None


def emergency_text(o: Orientation) -> str:
    """The emergency lines of an orientation (``knowledge.triage.emergency_line``), first in any answer."""
    return "\n".join(emergency_line(u) for u in o.triage.urgences)


def emergency_check(turn: Turn) -> Reply:
    """Emergencies are never masked by the rest: said even when the intent is not an orientation
    (a message read as a clinical question, small talk or low confidence)."""
    o = turn.emergency if turn.text else None
    if o is None:
        return Reply()
    return Reply(text=emergency_text(o), payload=o.payload(), says_emergency=True)


def emergency_first(turn: Turn, reply: Reply) -> Reply:
    """The turn's emergencies before `reply`, unless `reply` already says them."""
    if reply.says_emergency:
        return reply
    emergency = emergency_check(turn)
    if not emergency.text:
        return reply
    reply.text = f"{emergency.text}\n{reply.text}".strip()
    reply.says_emergency = True
    if reply.payload is None:
        reply.payload = emergency.payload
    else:   # the answer's payload with the message's emergencies (both from Orientation.payload())
        said = emergency.payload["orientation"]
        reply.payload["orientation"].update(urgence=said["urgence"], urgences=said["urgences"])
    return reply


def out_of_region(label: str) -> Reply:
    return Reply(
        text=f"{label} n'est pas en Centre-Val de Loire. {REGION_TEXT}. "
        "Pour une autre région, le dispositif d'appui à la coordination (DAC) du territoire concerné pourra vous orienter."
    )


def ambiguous(candidates: tuple) -> Reply:
    shown = candidates[:5]
    return Reply(
        text="Plusieurs communes correspondent : " + ", ".join(f"{c.nom} ({c.departement})" for c in shown) + ".",
        buttons=[{"title": f"{c.nom} ({c.departement})", "payload": f"{c.nom} {c.codes_postaux[0]}"} for c in shown],
    )
