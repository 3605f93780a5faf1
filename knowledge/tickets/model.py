"""The values callers get (frozen, never ORM rows) and the one they give (`NewRequest`)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from knowledge.tickets.labels import STATUTS


@dataclass
class NewRequest:
    """What the bot or the console collected; free text is masked before storage."""
    resume: str
    demandeur_nom: str
    niveau: int | None = None
    motifs: list[str] = field(default_factory=list)
    urgence: str = "programme"
    consentement: str = "non_demande"
    commune_insee: str | None = None
    dac_id: str | None = None
    dac_nom: str | None = None
    dac_telephone: str | None = None
    public: str | None = None
    demandeur_profession: str | None = None
    demandeur_rpps: str | None = None
    rappel_telephone: str | None = None
    rappel_messagerie: str | None = None
    creneau_rappel: str | None = None
    canal: str = "chat"
    conversation_id: str | None = None
    cree_par: str | None = None          # operator login when opened from the console


@dataclass(frozen=True)
class Ticket:
    id: int
    numero: str
    statut: str
    niveau: int | None
    motifs: tuple[str, ...]
    urgence: str
    consentement: str
    resume: str
    commune_insee: str | None
    dac_id: str | None
    dac_nom: str | None
    dac_telephone: str | None
    public: str | None
    demandeur_nom: str
    demandeur_profession: str | None
    demandeur_rpps: str | None
    rappel_telephone: str | None
    rappel_messagerie: str | None
    creneau_rappel: str | None
    canal: str
    conversation_id: str | None
    cree_par: str | None
    assigne_a: str | None
    issue: str | None
    cree_le: datetime
    maj_le: datetime
    echeance: datetime
    cloturee_le: datetime | None
    en_retard: bool

    @property
    def statut_libelle(self) -> str:
        return STATUTS[self.statut]

    def payload(self) -> dict:
        """The `ticket` field of the orientation payload (shared/orientation-contract.md)."""
        return {"numero": self.numero, "statut": self.statut}


@dataclass(frozen=True)
class Event:
    quand: datetime
    qui: str
    quoi: str
    avant: str | None
    apres: str | None
    detail: str | None


@dataclass(frozen=True)
class Note:
    quand: datetime
    auteur: str
    texte: str


@dataclass(frozen=True)
class Operator:
    login: str
    nom: str | None
    role: str
    actif: bool


@dataclass(frozen=True)
class Outgoing:
    id: int
    numero: str
    destinataire: str
    sujet: str
    corps: str
    tentatives: int
