"""Directory tables (SQLAlchemy Core/ORM, SQLite and PostgreSQL), modelled on the ROR."""
from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    Time,
)
from sqlalchemy.orm import declarative_base

REGION_CODE = "24"  # INSEE code of Centre-Val de Loire
AUDIENCES = ("professionnels", "public", "les_deux")
ZONE_KINDS = ("commune", "epci", "departement", "region")
SLOT_OPENING = "ouverture"


Base = declarative_base()


def _service_fk() -> Column:
    return Column(String(64), ForeignKey("service.id", ondelete="CASCADE"), primary_key=True)


class ServiceRow(Base):
    """ROR HealthcareService (+ the Organization/Location fields a GP needs)."""

    __tablename__ = "service"
    id = Column(String(64), primary_key=True)
    type = Column(String(16), nullable=False, index=True)
    nom = Column(String(200), nullable=False)
    description = Column(Text, nullable=False, default="")
    audience = Column(String(16), nullable=False)
    telephone = Column(String(32))
    messagerie_securisee = Column(String(254))  # ROR boiteLettreMSS
    email = Column(String(254))
    adresse = Column(String(300))
    commune_insee = Column(String(5))
    site_web = Column(String(500))
    permanent = Column(Boolean, nullable=False, default=False)
    ferme_jours_feries = Column(Boolean, nullable=False, default=True)
    source = Column(String(300), nullable=False)
    verifie_le = Column(Date, nullable=False)
    exemple = Column(Boolean, nullable=False, default=False)


class MissionRow(Base):
    __tablename__ = "service_mission"
    service_id = _service_fk()
    rang = Column(SmallInteger, primary_key=True, autoincrement=False)
    mission = Column(String(40), nullable=False)


class PublicRow(Base):
    """ROR publicPrisEnCharge with its age range (years)."""

    __tablename__ = "public_pris_en_charge"
    service_id = _service_fk()
    rang = Column(SmallInteger, primary_key=True, autoincrement=False)
    public = Column(String(40), nullable=False)
    age_min = Column(SmallInteger)
    age_max = Column(SmallInteger)


class BesoinRow(Base):
    __tablename__ = "service_besoin"
    service_id = _service_fk()
    rang = Column(SmallInteger, primary_key=True, autoincrement=False)
    besoin = Column(String(40), nullable=False)


class ZoneRow(Base):
    """ROR zoneIntervention: one commune, EPCI, department or the region."""

    __tablename__ = "zone_intervention"
    service_id = _service_fk()
    rang = Column(SmallInteger, primary_key=True, autoincrement=False)
    kind = Column(String(12), nullable=False)
    code = Column(String(9), nullable=False)
    __table_args__ = (Index("ix_zone_intervention_kind_code", "kind", "code"),)


class HoraireRow(Base):
    """ROR horaire: a weekly slot (jour 0 = lundi)."""

    __tablename__ = "horaire"
    service_id = _service_fk()
    rang = Column(SmallInteger, primary_key=True, autoincrement=False)
    jour = Column(SmallInteger, nullable=False)
    debut = Column(Time, nullable=False)
    fin = Column(Time, nullable=False)
    type_creneau = Column(String(20), nullable=False, default=SLOT_OPENING)


class FermetureRow(Base):
    """ROR closure period with its planned reopening date."""

    __tablename__ = "fermeture"
    service_id = _service_fk()
    rang = Column(SmallInteger, primary_key=True, autoincrement=False)
    debut = Column(Date, nullable=False)
    fin = Column(Date, nullable=False)
    motif = Column(String(200), nullable=False)
    reouverture_prevue = Column(Date)


class ContactRow(Base):
    """ROR contact with its function."""

    __tablename__ = "contact"
    service_id = _service_fk()
    rang = Column(SmallInteger, primary_key=True, autoincrement=False)
    fonction = Column(String(120), nullable=False)
    telephone = Column(String(32))
    email = Column(String(254))
    messagerie_securisee = Column(String(254))


SERVICE = ServiceRow.__table__
CHILD_TABLES = {
    "missions": MissionRow.__table__,
    "publics": PublicRow.__table__,
    "besoins": BesoinRow.__table__,
    "zones": ZoneRow.__table__,
    "horaires": HoraireRow.__table__,
    "fermetures": FermetureRow.__table__,
    "contacts": ContactRow.__table__,
}

