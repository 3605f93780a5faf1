"""The support-request form as one table of fields: slot → question, quick replies, parser,
read-back label. The form's validation (actions/confirm.py ``form_step``) reads one answer with
the field's parser and asks the next field's question in the same action call.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from actions.orienting import answer_place
from actions.services import Services
from actions.turn import COMMUNE_QUESTION, Reply, Turn
from knowledge import activity
from knowledge.privacy import mask
from knowledge.rpps import normalize_rpps
from knowledge.contact import callback_contact
from knowledge.tickets import CANAUX, NewRequest, route_dac

MAX_RESUME = 1500
CORRECT = "Que voulez-vous corriger ? Je reprends les informations une à une."
NOT_SENT = "D'accord, la demande n'est pas envoyée. Rien n'a été enregistré."
CONFIRMATION = "demande_confirmation"


@dataclass(frozen=True)
class Field:
    """One question of the form.

    `parse` turns the answer into the slot value, or None when it is not valid (then `retry` is
    said and the question asked again). The read-back shows `label : value`; a field without a
    label continues the previous line with `join` (empty `show` value: nothing added).
    """

    slot: str
    question: str
    choices: tuple[str, ...] = ()
    parse: Callable[[Turn], Any] | None = None
    retry: str = ""
    label: str | None = None
    join: str = ""
    show: Callable[[Services, Any], str | None] = lambda services, value: str(value)


def _resume(turn: Turn) -> str | None:
    return turn.masked[:MAX_RESUME] if len(turn.folded) >= 10 else None


def _urgency(turn: Turn) -> str | None:
    f = turn.folded
    if "aujourd" in f or "urgent" in f or "ce jour" in f:
        return "aujourd_hui"
    if "semaine" in f:
        return "semaine"
    if "program" in f or "pas urgent" in f or "plus tard" in f:
        return "programme"
    return None


def _consent(turn: Turn) -> str | None:
    f = turn.folded
    if f.startswith("oui") or f in ("d accord", "ok", "il est d accord", "elle est d accord"):
        return "oui"
    if "pas encore" in f or "pas demande" in f or "non demande" in f:
        return "non_demande"
    return "non" if f.startswith("non") else None


def _short_text(turn: Turn) -> str | None:
    text = turn.text.strip()
    return text if 2 <= len(text) <= 80 else None


def _rpps(turn: Turn) -> str | None:
    if turn.folded in ("non", "aucun", "pas de rpps", "passer", "je n en ai pas", "sans"):
        return "aucun"
    return normalize_rpps(turn.text.strip())


def _callback_contact(turn: Turn) -> str | None:
    """A secure mail address (lower case) or a French phone number ("06 12 34 56 78")."""
    return callback_contact(turn.text)


def _slot_label(labels: dict[str, str]) -> Callable[[Services, Any], str]:
    return lambda services, value: labels.get(value, "—")


def _commune_name(services: Services, code: str | None) -> str:
    return services.gazetteer.commune(code).nom if code else "—"


FIELDS: tuple[Field, ...] = (
    Field("demande_resume", "Résumez la situation en quelques lignes (sans nom ni numéro de sécurité sociale du patient).",
          parse=_resume, retry="Le résumé est trop court : décrivez la situation en une ou deux phrases.",
          label="Situation"),
    Field("commune", COMMUNE_QUESTION, label="Commune", show=_commune_name),   # read by answer_place
    Field("demande_urgence", "Quel délai pour cette demande ?", ("Aujourd'hui", "Cette semaine", "Programmée"),
          parse=_urgency, retry="Répondez « aujourd'hui », « cette semaine » ou « programmée ».", label="Délai",
          show=_slot_label({"aujourd_hui": "aujourd'hui", "semaine": "cette semaine", "programme": "programmée"})),
    Field("demande_consentement",
          "Le patient est-il d'accord pour que ses informations soient partagées avec l'équipe de coordination ?",
          ("Oui", "Non", "Pas encore demandé"), parse=_consent,
          retry="Répondez « oui », « non » ou « pas encore demandé ».", label="Accord du patient pour le partage",
          show=_slot_label({"oui": "oui", "non": "non", "non_demande": "pas encore demandé"})),
    Field("demandeur_nom", "Votre nom (le demandeur) ?", parse=_short_text,
          retry="Indiquez votre nom (80 caractères au plus).", label="Demandeur"),
    Field("demandeur_profession", "Votre profession ? (médecin généraliste, infirmier, assistante sociale…)",
          parse=_short_text, retry="Indiquez votre profession.", join=", {}"),
    Field("demandeur_rpps", "Votre numéro RPPS (11 chiffres) ? Répondez « non » pour passer.", ("Non",),
          parse=_rpps, retry="Ce numéro RPPS n'est pas valide (11 chiffres, clé de contrôle). Corrigez-le ou répondez « non ».",
          join=", RPPS {}", show=lambda services, value: value if value and value != "aucun" else None),
    Field("demande_rappel", "À quel numéro de téléphone ou quelle adresse de messagerie sécurisée le DAC doit-il vous répondre ?",
          parse=_callback_contact,
          retry="Indiquez un numéro de téléphone (10 chiffres) ou une adresse de messagerie sécurisée.",
          label="Réponse à"),
    Field("demande_creneau", "Quel créneau de rappel vous convient ? (par exemple « demain 12h-14h », « après 18h »)",
          parse=lambda turn: turn.text.strip()[:100] or "indifférent", join=" ({})"),
    Field(CONFIRMATION, "Je l'envoie au DAC ? (oui / corriger / annuler)",
          ("Oui, envoyer", "Corriger", "Annuler")),
)
BY_SLOT = {f.slot: f for f in FIELDS}
TICKET_SLOTS = [f.slot for f in FIELDS]
# The slots a request clears when it ends (the commune is shared with the orientation).
CLEARED = {s: None for s in TICKET_SLOTS if s != "commune"}
QUESTIONS = {f.slot: (f.question, list(f.choices)) for f in FIELDS if f.slot != CONFIRMATION}


def prefill_ticket(slots: Mapping[str, Any]) -> dict[str, Any]:
    """Slots the form takes from the conversation when it starts (the commune is shared)."""
    if slots.get("requested_slot") is None and slots.get("situation") and not slots.get("demande_resume"):
        return {"demande_resume": slots["situation"][:MAX_RESUME]}
    return {}


def ticket_answer(turn: Turn, slot: str, slots: Mapping[str, Any]) -> Reply:
    """Read one answer of the form with its field's parser (a cancellation whatever the field)."""
    if turn.is_cancel():
        return Reply(slots={CONFIRMATION: "annulee"})
    if slot == "commune":
        place = answer_place(turn)
        place.slots = {"commune": place.slots.get("commune")}   # only the form's slot
        return place
    if slot == CONFIRMATION:
        return _confirmation(turn)
    field = BY_SLOT.get(slot)
    if field is None:
        return Reply()
    value = field.parse(turn)
    return Reply(slots={slot: value}) if value is not None else Reply(text=field.retry, slots={slot: None})


def _confirmation(turn: Turn) -> Reply:
    f = turn.folded
    if f.startswith("oui") or f in ("ok", "je confirme", "confirme", "c est bon", "valider", "envoyer"):
        return Reply(slots={CONFIRMATION: "confirmee"})
    if f.startswith("non") or "corriger" in f or "modifier" in f:
        return Reply(text=CORRECT, slots=dict(CLEARED))
    return Reply(text="Répondez « oui » pour envoyer la demande, « corriger » pour la modifier ou « annuler ».",
                 slots={CONFIRMATION: None})


def next_slot(slots: Mapping[str, Any]) -> str | None:
    """The next field to ask (None: the form is done, or cancelled)."""
    if slots.get(CONFIRMATION) == "annulee":
        return None
    return next((s for s in TICKET_SLOTS if slots.get(s) is None), None)


def question(services: Services, slot: str, slots: Mapping[str, Any]) -> Reply:
    """The form's question for `slot` (the confirmation's is the read-back)."""
    if slot == CONFIRMATION:
        return ticket_readback(services, slots)
    field = BY_SLOT[slot]
    return Reply(text=field.question, buttons=[{"title": c, "payload": c.lower()} for c in field.choices])


def ticket_readback(services: Services, slots: Mapping[str, Any]) -> Reply:
    lines = ["Je récapitule la demande d'appui :"]
    for field in FIELDS[:-1]:
        shown = field.show(services, slots.get(field.slot))
        if field.label:
            lines.append(f"• {field.label} : {shown}")
        elif shown is not None:
            lines[-1] += field.join.format(shown)
    confirm = BY_SLOT[CONFIRMATION]
    lines.append(confirm.question)
    return Reply(text="\n".join(lines), buttons=[
        {"title": c, "payload": c.split(",")[0].lower()} for c in confirm.choices])


def ticket_submit(services: Services, slots: Mapping[str, Any], sender_id: str, channel: str | None) -> Reply:
    """Commit the request (idempotently), then confirm with its number."""
    if slots.get(CONFIRMATION) != "confirmee":
        return Reply(text=NOT_SENT, slots=dict(CLEARED))
    orienter = services.orienter
    last = (slots.get("derniere_orientation") or {}).get("orientation") or {}
    o = orienter.orient(slots.get("situation") or slots["demande_resume"], commune=slots["commune"], at=services.now())
    dac = route_dac(slots["commune"], orienter)
    rappel = slots.get("demande_rappel") or ""
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
        rappel_telephone=None if "@" in rappel else slots.get("demande_rappel"),
        rappel_messagerie=slots.get("demande_rappel") if "@" in rappel else None,
        creneau_rappel=slots.get("demande_creneau"),
        canal=channel if channel in CANAUX else "chat",
        conversation_id=sender_id,
    )
    ticket = services.tickets.create(req, idempotency_key=idempotency_key(sender_id, slots))
    activity.mark_support(slots.get("derniere_orientation"), directory=orienter.directory)
    dac_txt = f" au {dac.nom} (tél. {dac.telephone})" if dac else ""
    text = (
        f"Demande {ticket.numero} enregistrée et transmise{dac_txt}. "
        f"Réponse attendue avant le {ticket.echeance:%d/%m/%Y à %Hh%M}. "
        "Vous serez informé de chaque étape ; demandez « où en est ma demande "
        f"{ticket.numero} ? » à tout moment."
    )
    payload = o.payload()
    payload["orientation"]["ticket"] = {"numero": ticket.numero, "statut": ticket.statut}
    return Reply(text=text, payload=payload, slots=dict(CLEARED))


def idempotency_key(sender_id: str, slots: Mapping[str, Any]) -> str:
    """Same conversation and same content: the same request, however often it is confirmed."""
    content = "|".join(str(slots.get(s) or "") for s in TICKET_SLOTS if s != CONFIRMATION)
    return hashlib.sha256(f"{sender_id}|{content}".encode()).hexdigest()
