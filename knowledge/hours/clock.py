"""The Paris clock and datetime helpers: every datetime is aware and read in Europe/Paris."""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

from knowledge import settings

TZ = ZoneInfo("Europe/Paris")
MIDNIGHT = time(0)


def now_paris() -> datetime:
    """Current time in Europe/Paris (the default clock; tests pass ``at`` explicitly)."""
    return datetime.now(TZ)


def current_time() -> datetime:
    """The application clock: ``AIGUILLAGE_NOW`` (ISO 8601, for demos and end-to-end tests) or Paris now."""
    fixed = settings.value("AIGUILLAGE_NOW")
    if fixed:
        at = datetime.fromisoformat(fixed)
        return at if at.tzinfo else at.replace(tzinfo=TZ)
    return now_paris()


def as_paris(at: datetime) -> datetime:
    """``at`` converted to Europe/Paris; naive datetimes are rejected."""
    if not isinstance(at, datetime):
        raise ValueError(f"expected a datetime, got {at!r}")
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(
            f"naive datetime {at.isoformat()}: pass an aware datetime "
            f"(e.g. tzinfo=knowledge.hours.TZ)")
    return at.astimezone(TZ)


def paris_utc(day: date, t: time) -> datetime:
    """Paris wall-clock ``day t`` as an aware UTC datetime (``time(0)`` is the day's start)."""
    return datetime.combine(day, t, tzinfo=TZ).astimezone(timezone.utc)


def to_iso(dt: datetime) -> str:
    """ISO 8601 with offset, in Paris time: ``2026-11-23T09:00:00+01:00``."""
    return as_paris(dt).isoformat(timespec="seconds")
