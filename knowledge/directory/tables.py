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

from knowledge.gazetteer import REGION

REGION_CODE = REGION  # INSEE code of Centre-Val de Loire (knowledge.gazetteer)
AUDIENCES = ("professionnels", "public", "les_deux")
ZONE_KINDS = ("commune", "epci", "departement", "region")
SLOT_OPENING = "ouverture"
ORIGIN_YAML = "yaml"
ORIGIN_ROR = "ror"
ACCES_LIBRE = "1"  # TRE_R283 NiveauConfidentialite "Accès libre"
PUBLIC_LEVELS = (None, ACCES_LIBRE)  # None: a YAML contact (public by construction)


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
    # Added for the ROR import (nullable so that an older database gains them by ALTER TABLE).
    origine = Column(String(8), default=ORIGIN_YAML)  # "yaml" | "ror"
    ror_id = Column(String(64), index=True)  # HealthcareService.identifier (identifiantOffre)
    finess = Column(String(9))  # FINESS of the providing organisation
    champ_activite = Column(String(8))  # TRE_R227 code
    activites = Column(String(300))  # TRE_R211 codes, comma-separated
    latitude = Column(Float)  # Location.position (WGS 84)
    longitude = Column(Float)
    mis_a_jour = Column(String(40))  # meta.lastUpdated as received
    empreinte = Column(String(64))  # hash of the imported rows: unchanged / updated
    retire_le = Column(DateTime)  # withdrawn by an import (kept for the console, never served)
    retire_par = Column(Integer)  # import_ror.id of that import


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
    debut_effectif = Column(Date)  # ror-available-time-effective-opening-closing-date
    fin_effectif = Column(Date)


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
    confidentialite = Column(String(8))  # TRE_R283 code; None or "1" = accès libre


class SecteurRow(Base):
    """ROR secteurPsychiatrique (ror-healthcareservice-psychiatric-sector)."""

    __tablename__ = "secteur_psychiatrique"
    service_id = _service_fk()
    rang = Column(SmallInteger, primary_key=True, autoincrement=False)
    code = Column(String(64), nullable=False)


class ImportRow(Base):
    """One ROR import that wrote to the database (its report figures)."""

    __tablename__ = "import_ror"
    id = Column(Integer, primary_key=True, autoincrement=True)
    at = Column(DateTime, nullable=False)
    source = Column(String(300), nullable=False)
    created = Column(Integer, nullable=False)
    updated = Column(Integer, nullable=False)
    unchanged = Column(Integer, nullable=False)
    withdrawn = Column(Integer, nullable=False)
    skipped = Column(Integer, nullable=False)


SERVICE = ServiceRow.__table__
CHILD_TABLES = {
    "missions": MissionRow.__table__,
    "publics": PublicRow.__table__,
    "besoins": BesoinRow.__table__,
    "zones": ZoneRow.__table__,
    "horaires": HoraireRow.__table__,
    "fermetures": FermetureRow.__table__,
    "contacts": ContactRow.__table__,
    "secteurs": SecteurRow.__table__,
}
IMPORT = ImportRow.__table__

