"""Resource directory modelled on the national ROR (Répertoire opérationnel des ressources).

One concept per module, no import circle (each imports only those above it):

- ``tables``: the SQL tables (SQLAlchemy, SQLite and PostgreSQL);
- ``model``: the frozen values callers get (``Service`` …), never ORM rows;
- ``errors``: ``DirectoryError``, ``DirectoryDataError`` and its located ``Problem`` list;
- ``yaml_fields`` / ``yaml_loader``: validation of ``knowledge/data/directory/*.yaml`` into
  rows (the field checks, then files and services);
- ``fhir``: reading FHIR R4 JSON (Bundle, resources, ``$export`` NDJSON) and element helpers;
- ``ror_mapping``: the national-code mapping table and the import report;
- ``ror``: reading and mapping a national ROR extraction into rows (``ror_hours``: its opening
  hours and closures);
- ``ror_sync``: writing it (one transaction, created / updated / unchanged / withdrawn);
- ``store``: ``Directory``, loading (all or nothing) and the cached queries;
- ``cli`` / ``__main__``: ``python -m knowledge.directory check|load|import-ror``.

See docs/directory.md.
"""
from knowledge.directory.cli import main
from knowledge.directory.errors import DirectoryDataError, DirectoryError, Problem
from knowledge.directory.model import Contact, LoadReport, PublicPrisEnCharge, Service, Zone, departements
from knowledge.directory.store import Directory
from knowledge.directory.tables import AUDIENCES, CHILD_TABLES, REGION_CODE, SERVICE, SLOT_OPENING, ZONE_KINDS, Base
from knowledge.directory.yaml_loader import check

__all__ = [
    "AUDIENCES", "CHILD_TABLES", "REGION_CODE", "SERVICE", "SLOT_OPENING", "ZONE_KINDS", "Base",
    "Contact", "Directory", "DirectoryDataError", "DirectoryError", "LoadReport", "Problem",
    "PublicPrisEnCharge", "Service", "Zone", "check", "departements", "main",
]
