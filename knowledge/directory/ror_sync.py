"""Writing a parsed ROR extraction: one transaction, created / updated / unchanged / withdrawn."""
from __future__ import annotations

import hashlib
import json
from datetime import datetime

from sqlalchemy import func, insert, select, update

from knowledge.directory.errors import DirectoryDataError, Problem
from knowledge.directory.ror import Parsed
from knowledge.directory.ror_mapping import RorReport
from knowledge.directory.tables import CHILD_TABLES, IMPORT, ORIGIN_ROR, SERVICE


def fingerprint(entry: dict) -> str:
    data = json.dumps(entry, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def sync(engine, parsed: Parsed, *, at: datetime, dry_run: bool = False) -> RorReport:
    """Applies ``parsed`` to the database in one transaction (or only reports, ``dry_run``).

    New offers are created, changed ones updated, identical ones left alone; ROR entries of
    the database missing from this extraction are withdrawn (kept, never served).
    """
    report = parsed.report
    report.dry_run = dry_run
    with engine.begin() as conn:
        existing = {r["id"]: r for r in conn.execute(
            select(SERVICE.c.id, SERVICE.c.origine, SERVICE.c.empreinte, SERVICE.c.retire_le)
        ).mappings()}
        clash = [sid for sid in parsed.rows
                 if sid in existing and existing[sid]["origine"] != ORIGIN_ROR]
        if clash:
            raise DirectoryDataError([Problem(report.source, "identifiant déjà utilisé par une "
                                                             "entrée YAML", service_id=sid)
                                      for sid in clash])
        writes: list[tuple[str, dict]] = []
        for sid, entry in sorted(parsed.rows.items()):
            digest = fingerprint(entry)
            old = existing.get(sid)
            if old is None:
                report.created.append(sid)
            elif old["empreinte"] == digest and old["retire_le"] is None:
                report.unchanged.append(sid)
                continue
            else:
                report.updated.append(sid)
            writes.append((sid, {**entry, "service": {**entry["service"], "empreinte": digest,
                                                       "retire_le": None, "retire_par": None}}))
        report.withdrawn = sorted(
            sid for sid, r in existing.items()
            if r["origine"] == ORIGIN_ROR and r["retire_le"] is None and sid not in parsed.rows)
        if dry_run:
            conn.rollback()
            return report
        run_id = conn.execute(insert(IMPORT).values(
            at=at.replace(tzinfo=None), source=report.source[:300],
            created=len(report.created), updated=len(report.updated),
            unchanged=len(report.unchanged), withdrawn=len(report.withdrawn),
            skipped=len(report.skipped))).inserted_primary_key[0]
        ids = [sid for sid, _ in writes]
        for table in CHILD_TABLES.values():
            if ids:
                conn.execute(table.delete().where(table.c.service_id.in_(ids)))
        if ids:
            conn.execute(SERVICE.delete().where(SERVICE.c.id.in_(ids)))
            conn.execute(insert(SERVICE), [e["service"] for _, e in writes])
        for key, table in CHILD_TABLES.items():
            rows = [{"service_id": sid, "rang": rang, **child}
                    for sid, e in writes for rang, child in enumerate(e[key])]
            if rows:
                conn.execute(insert(table), rows)
        if report.withdrawn:
            conn.execute(update(SERVICE).where(SERVICE.c.id.in_(report.withdrawn))
                         .values(retire_le=at.replace(tzinfo=None), retire_par=run_id))
    return report


def last_import_id(conn) -> int | None:
    return conn.execute(select(func.max(IMPORT.c.id))).scalar()
