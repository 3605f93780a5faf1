"""French words and texts for days, dates and hours (``9h``, ``1er mai``, ``ouvre lundi à 9h``)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from knowledge.hours.clock import MIDNIGHT, as_paris

JOURS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MOIS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
        "octobre", "novembre", "décembre")


def hm(t: time) -> str:
    """``9:05``: a time as the directory format writes it (error messages)."""
    return f"{t.hour}:{t.minute:02d}"


def heure_text(t: time, fin: bool = False) -> str:
    """``9h``, ``12h30``; with ``fin=True`` midnight is ``24h``."""
    hour = 24 if fin and t == MIDNIGHT else t.hour
    return f"{hour}h" if t.minute == 0 else f"{hour}h{t.minute:02d}"


def date_text(day: date, ref: date | None = None) -> str:
    """``4 janvier``, ``1er mai``; with the year when ``day`` is over 180 days from ``ref``."""
    num = "1er" if day.day == 1 else str(day.day)
    text = f"{num} {MOIS[day.month - 1]}"
    if ref is not None and abs((day - ref).days) > 180:
        text += f" {day.year}"
    return text


def date_heure_text(dt: datetime) -> str:
    """``lundi 1er décembre 2026 à 18h``: a full date and hour, in Paris time (e-mails)."""
    d = as_paris(dt)
    return f"{JOURS[d.weekday()]} {date_text(d.date())} {d.year} à {heure_text(d.time())}"


def describe_moment(dt: datetime, at: datetime) -> str:
    """``dt`` relative to ``at``, in French.

    ``à 13h30`` (same day), ``à minuit`` (the coming midnight), ``demain à 9h``, ``lundi à 9h``
    (within the next 6 days), ``le lundi 4 janvier à 9h`` (further).
    """
    dt, at = as_paris(dt), as_paris(at)
    days = (dt.date() - at.date()).days
    hour = heure_text(dt.time().replace(second=0, microsecond=0))
    if days == 0:
        return f"à {hour}"
    if days == 1:
        return "à minuit" if dt.time() == MIDNIGHT else f"demain à {hour}"
    if 2 <= days <= 6:
        return f"{JOURS[dt.weekday()]} à {hour}"
    return f"le {JOURS[dt.weekday()]} {date_text(dt.date(), at.date())} à {hour}"


def describe_opening(dt: datetime, at: datetime) -> str:
    """Badge text for the next opening: ``ouvre lundi à 9h``."""
    return f"ouvre {describe_moment(dt, at)}"


def describe_end(end: datetime, at: datetime) -> str:
    """``jusqu'à 12h30``, ``jusqu'à minuit``, ``jusqu'à demain 8h``, ``jusqu'à lundi 8h``,
    ``jusqu'au lundi 4 janvier 8h``; a later midnight is the previous day's ``24h``."""
    end, at = as_paris(end), as_paris(at)
    day, t = end.date(), end.time().replace(second=0, microsecond=0)
    days = (day - at.date()).days
    if days == 1 and t == MIDNIGHT:
        return "jusqu'à minuit"
    if days >= 2 and t == MIDNIGHT:
        day, days = day - timedelta(days=1), days - 1
    hour = heure_text(t, fin=True)
    if days == 0:
        return f"jusqu'à {hour}"
    if days == 1:
        return f"jusqu'à demain {hour}"
    if 2 <= days <= 6:
        return f"jusqu'à {JOURS[day.weekday()]} {hour}"
    return f"jusqu'au {JOURS[day.weekday()]} {date_text(day, at.date())} {hour}"
