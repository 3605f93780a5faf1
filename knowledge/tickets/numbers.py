"""Request numbers: ``AIG-<year>-<6 digits>``, the year in Paris time, restarting each year.

The counter is a row per year in ``demande_compteur``, incremented by an ``INSERT … ON CONFLICT
(annee) DO UPDATE SET dernier = dernier + 1`` in the same transaction as the request insert: on
PostgreSQL the row lock serialises concurrent creations, on SQLite the write transaction does,
and a rolled-back creation gives its number back.
"""
from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from knowledge.tickets.errors import TicketError
from knowledge.tickets.tables import CompteurRow

NUMERO_RE = re.compile(r"^AIG-(\d{4})-(\d{6})$")
# A number as people write it in a message: "AIG-2026-000123", "aig 2026 123", "AIG_2026_42".
WRITTEN_RE = re.compile(r"\bAIG[\s\-_]?(\d{4})[\s\-_]?(\d{1,6})\b", re.IGNORECASE)


def format_numero(year: int, n: int) -> str:
    """``AIG-2026-000123``."""
    return f"AIG-{year}-{n:06d}"


def find_numeros(text: str) -> list[tuple[int, int, str]]:
    """(start, end, number as stored) of each request number written in `text`."""
    return [(m.start(), m.end(), format_numero(int(m.group(1)), int(m.group(2))))
            for m in WRITTEN_RE.finditer(text or "")]


def normalize_numero(numero: str | None) -> str:
    """A number as typed (spaces, lower case) as stored: ``aig-2026-000123 `` → ``AIG-2026-000123``."""
    return (numero or "").strip().upper()


def next_numero(s: Session, year: int) -> str:
    """Per-year counter, incremented in the request's own transaction (row lock / db lock)."""
    dialect = s.bind.dialect.name
    inserts = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
    if dialect not in inserts:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise TicketError(f"Base non prise en charge : {dialect}")
    insert = inserts[dialect]
    stmt = insert(CompteurRow).values(annee=year, dernier=1)
    stmt = stmt.on_conflict_do_update(index_elements=[CompteurRow.annee],
                                      set_={"dernier": CompteurRow.dernier + 1})
    s.execute(stmt)
    n = s.execute(select(CompteurRow.dernier).where(CompteurRow.annee == year)).scalar_one()
    return format_numero(year, n)
