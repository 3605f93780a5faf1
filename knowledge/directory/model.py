"""Frozen values returned to callers (never ORM rows)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from knowledge.ages import within
from knowledge.gazetteer import Gazetteer
from knowledge.hours import Schedule



@dataclass(frozen=True)
class PublicPrisEnCharge:
    public: str
    age_min: int | None = None
    age_max: int | None = None

    def admits(self, age: int | None) -> bool:
        """True when ``age`` (years; None = unknown) is within the range."""
        return age is None or within(age, self.age_min, self.age_max)


@dataclass(frozen=True)
class Zone:
    kind: str  # "commune" | "epci" | "departement" | "region"
    code: str  # INSEE code, EPCI SIREN, department code, "24"


@dataclass(frozen=True)
class Contact:
    fonction: str
    telephone: str | None = None
    email: str | None = None
    messagerie_securisee: str | None = None
    confidentialite: str | None = None  # TRE_R283; only "accès libre" ones reach callers


@dataclass(frozen=True)
class Service:
    id: str
    type: str
    nom: str
    description: str
    audience: str  # "professionnels" | "public" | "les_deux"
    missions: tuple[str, ...]
    publics: tuple[PublicPrisEnCharge, ...]
    besoins: tuple[str, ...]
    zones: tuple[Zone, ...]
    telephone: str | None
    messagerie_securisee: str | None
    email: str | None
    adresse: str | None
    commune_insee: str | None  # INSEE code of the address
    site_web: str | None
    contacts: tuple[Contact, ...]
    schedule: Schedule
    source: str
    verifie_le: date
    exemple: bool
    origine: str = "yaml"  # "yaml" | "ror"
    ror_id: str | None = None
    finess: str | None = None
    secteurs_psy: tuple[str, ...] = ()
    position: tuple[float, float] | None = None  # (latitude, longitude) of the place

    def admits(self, age: int | None) -> bool:
        """True when one of its publics admits ``age`` (always, with no public or no age)."""
        return age is None or not self.publics or any(p.admits(age) for p in self.publics)

    def departements(self, gazetteer: Gazetteer | None = None) -> list[str]:
        """Sorted department codes the service area touches (the six for a regional zone)."""
        return departements(self, gazetteer)


def departements(service: Service, gazetteer: Gazetteer | None = None) -> list[str]:
    """Sorted department codes ``service``'s zone touches (the six when ``region``)."""
    gaz = gazetteer or Gazetteer.default()
    codes: set[str] = set()
    for zone in service.zones:
        if zone.kind == "region":
            return list(region_departements(gaz))
        if zone.kind == "departement":
            codes.add(zone.code)
        elif zone.kind == "commune":
            codes.add(gaz.commune(zone.code).departement)
        elif zone.kind == "epci":
            codes.update(c.departement for c in gaz.communes_of_epci(zone.code))
    return sorted(codes)


def region_departements(gaz: Gazetteer) -> tuple[str, ...]:
    return tuple(sorted(gaz.departements))


@dataclass(frozen=True)
class LoadReport:
    files: tuple[str, ...]  # file names, in load order
    services: int
    per_type: dict[str, int]  # service count per resource type, sorted by type

    def summary(self) -> str:
        """French summary printed by the command line."""
        types = ", ".join(f"{t} {n}" for t, n in self.per_type.items()) or "aucun"
        return (
            f"{self.services} services dans {len(self.files)} fichiers "
            f"({', '.join(self.files)})\npar type : {types}"
        )


