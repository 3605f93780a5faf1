"""How the console writes dates, ages and spreadsheet cells."""
from __future__ import annotations

from datetime import datetime, timedelta

from knowledge.tickets import TZ


def fmt_dt(dt: datetime | None) -> str:
    """``02/12/2026 14h05`` in the region's time zone; empty for None."""
    if dt is None:
        return ""
    return dt.astimezone(TZ).strftime("%d/%m/%Y %Hh%M")


def fmt_age(dt: datetime, now: datetime) -> str:
    """``12 min``, ``3 h``, ``2 j``: how long a request has waited."""
    delta = now - dt
    if delta < timedelta(hours=1):
        return f"{max(int(delta.total_seconds() // 60), 0)} min"
    if delta < timedelta(days=1):
        return f"{int(delta.total_seconds() // 3600)} h"
    return f"{delta.days} j"


def csv_cell(value) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
