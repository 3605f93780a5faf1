"""Tables of the support requests (SQLAlchemy, SQLite and PostgreSQL; same database as the
directory, separate tables). Rows never leave the package: callers get `model` values.

Datetimes are stored in UTC, naive (`to_db`, `from_db`).
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class CompteurRow(Base):
    __tablename__ = "demande_compteur"
    annee = Column(Integer, primary_key=True, autoincrement=False)
    dernier = Column(Integer, nullable=False)


class DemandeRow(Base):
    __tablename__ = "demande"
    id = Column(Integer, primary_key=True)
    numero = Column(String(20), nullable=False, unique=True)
    cle_idempotence = Column(String(200), nullable=False, unique=True)
    statut = Column(String(20), nullable=False)
    niveau = Column(Integer)
    motifs = Column(Text, nullable=False, default="[]")          # JSON list of French reasons
    urgence = Column(String(20), nullable=False)
    consentement = Column(String(20), nullable=False)
    resume = Column(Text, nullable=False)                        # masked
    commune_insee = Column(String(5))
    dac_id = Column(String(80))
    dac_nom = Column(String(200))
    dac_telephone = Column(String(40))
    public = Column(String(200))
    demandeur_nom = Column(String(200), nullable=False)
    demandeur_profession = Column(String(100))
    demandeur_rpps = Column(String(11))
    rappel_telephone = Column(String(40))
    rappel_messagerie = Column(String(254))
    creneau_rappel = Column(String(200))
    canal = Column(String(20), nullable=False)
    conversation_id = Column(String(200))
    cree_par = Column(String(80))
    assigne_a = Column(String(80))
    issue = Column(Text)
    cree_le = Column(DateTime, nullable=False)                   # UTC, naive in the database
    maj_le = Column(DateTime, nullable=False)
    echeance = Column(DateTime, nullable=False)
    cloturee_le = Column(DateTime)


class EvenementRow(Base):
    __tablename__ = "demande_evenement"
    id = Column(Integer, primary_key=True)
    demande_id = Column(Integer, ForeignKey("demande.id"), nullable=False, index=True)
    quand = Column(DateTime, nullable=False)
    qui = Column(String(200), nullable=False)
    quoi = Column(String(30), nullable=False)                    # creation|statut|assignation|note|…
    avant = Column(Text)
    apres = Column(Text)
    detail = Column(Text)


class NoteRow(Base):
    __tablename__ = "demande_note"
    id = Column(Integer, primary_key=True)
    demande_id = Column(Integer, ForeignKey("demande.id"), nullable=False, index=True)
    quand = Column(DateTime, nullable=False)
    auteur = Column(String(200), nullable=False)
    texte = Column(Text, nullable=False)                         # masked


class OperateurRow(Base):
    __tablename__ = "operateur"
    id = Column(Integer, primary_key=True)
    login = Column(String(80), nullable=False, unique=True)
    nom = Column(String(200))
    role = Column(String(20), nullable=False)
    mot_de_passe = Column(String(300), nullable=False)           # scrypt$n$r$p$salt$hash
    actif = Column(Integer, nullable=False, default=1)
    cree_le = Column(DateTime, nullable=False)


class NotificationRow(Base):
    __tablename__ = "notification_sortante"
    id = Column(Integer, primary_key=True)
    demande_id = Column(Integer, ForeignKey("demande.id"), nullable=False, index=True)
    evenement_id = Column(Integer, ForeignKey("demande_evenement.id"))
    destinataire = Column(String(254), nullable=False)
    sujet = Column(String(300), nullable=False)
    corps = Column(Text, nullable=False)
    cree_le = Column(DateTime, nullable=False)
    envoyee_le = Column(DateTime)
    tentatives = Column(Integer, nullable=False, default=0)
    derniere_erreur = Column(Text)
    prochain_essai = Column(DateTime, nullable=False)
    verrou_jusqu_a = Column(DateTime)


def to_db(dt: datetime) -> datetime:
    """An aware datetime as stored: UTC, naive."""
    if dt.tzinfo is None:
        raise ValueError("aware datetime expected")
    return dt.astimezone(timezone.utc).replace(tzinfo=None)


def from_db(dt: datetime | None) -> datetime | None:
    """A stored datetime, aware (UTC)."""
    return None if dt is None else dt.replace(tzinfo=timezone.utc)
