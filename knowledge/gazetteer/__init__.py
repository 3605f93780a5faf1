"""Communes, departments and postal codes of Centre-Val de Loire (region 24).

Data: ``knowledge/data/communes-24.json`` and ``knowledge/data/hors-region.json``, built by
``scripts/build_gazetteer.py`` from @etalab/decoupage-administratif (MIT). Matching rules and
thresholds are documented in ``docs/gazetteer.md``.

The package: `model.py` (communes, departments, matches, INSEE and department checks),
`words.py` (word lists), `scan.py` (places in free text), `index.py` (the `Gazetteer`: loading,
look-ups, a place given alone, typos).
"""
from knowledge.gazetteer.index import COMMUNES_FILE, DATA_DIR, HORS_REGION_FILE, Gazetteer
from knowledge.gazetteer.model import (DEPARTEMENT_CODES, DEPARTEMENTS, INSEE_PATTERN, POSTAL_CODE_PATTERN, REGION,
                                       Commune, Departement, PlaceMatch, is_code_insee, is_region_departement)

__all__ = ["COMMUNES_FILE", "DATA_DIR", "DEPARTEMENT_CODES", "DEPARTEMENTS", "HORS_REGION_FILE", "INSEE_PATTERN",
           "POSTAL_CODE_PATTERN", "REGION", "Commune", "Departement", "Gazetteer", "PlaceMatch", "is_code_insee",
           "is_region_departement"]
