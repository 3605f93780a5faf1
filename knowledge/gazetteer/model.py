"""Value objects of the gazetteer and the region's identifiers: departments, INSEE codes, postal codes.

The one place for these checks (the API, the ticket store, the directory checker and the
masking import them from here).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

@dataclass(frozen=True)
class Commune:
    code_insee: str
    nom: str
    departement: str
    codes_postaux: tuple[str, ...]
    epci: str | None
    population: int


@dataclass(frozen=True)
class Departement:
    code: str
    nom: str


@dataclass(frozen=True)
class PlaceMatch:
    kind: str                      # "commune" | "departement" | "code_postal" | "hors_region"
    commune: Commune | None
    departement: Departement | None
    text: str
    start: int
    end: int
    score: float
    candidates: tuple[Commune, ...] = ()
    label: str | None = None


DEPARTEMENTS: dict[str, Departement] = {d.code: d for d in (
    Departement("18", "Cher"), Departement("28", "Eure-et-Loir"), Departement("36", "Indre"),
    Departement("37", "Indre-et-Loire"), Departement("41", "Loir-et-Cher"), Departement("45", "Loiret"),
)}
REGION = "24"                  # Centre-Val de Loire
DEPARTEMENT_CODES: tuple[str, ...] = tuple(DEPARTEMENTS)
# INSEE commune code: five digits, or 2A/2B and three digits (Corsica).
INSEE_PATTERN = r"(?:\d{5}|2[AB]\d{3})"
_INSEE_RE = re.compile(INSEE_PATTERN)
# Postal code of the region: a department of the region and three digits.
POSTAL_CODE_PATTERN = "(?:" + "|".join(DEPARTEMENT_CODES) + r")\d{3}"


def is_code_insee(value: object) -> bool:
    """True for a well-formed INSEE commune code ("18033", "2A004"); says nothing of existence."""
    return isinstance(value, str) and _INSEE_RE.fullmatch(value) is not None


def is_region_departement(code: object) -> bool:
    """True for the code of one of the six departments of the region ("18" … "45")."""
    return code in DEPARTEMENTS


@dataclass
class _Entry:
    kind: str                       # "commune" | "departement" | "hors"
    communes: tuple[Commune, ...] = ()
    departement: Departement | None = None
    label: str | None = None
    form: str = "exact"             # "exact" | "sans_article" | "forme_courte"
    sure: bool = True               # False: candidates only, never a single guess
    dept: bool = False              # an out-of-region department (Loire, Vienne, Nord...)


@dataclass
class _Tok:
    start: int
    end: int
    raw: str
    key: str
