"""French public holidays and working days (metropolitan France, outside Alsace-Moselle)."""
from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache


def easter(year: int) -> date:
    """Gregorian Easter Sunday (anonymous Gregorian / Meeus–Jones–Butcher algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741 (name from the published algorithm)
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return date(year, month, day + 1)


@lru_cache(maxsize=64)
def _holidays(year: int) -> dict[date, str]:
    """Cached, never handed out (callers get copies)."""
    return dict(_jours_feries(year))


def _jours_feries(year: int) -> tuple[tuple[date, str], ...]:
    paques = easter(year)
    days = [
        (date(year, 1, 1), "Jour de l'an"),
        (paques + timedelta(days=1), "Lundi de Pâques"),
        (date(year, 5, 1), "1er Mai"),
        (date(year, 5, 8), "8 Mai"),
        (paques + timedelta(days=39), "Ascension"),
        (paques + timedelta(days=50), "Lundi de Pentecôte"),
        (date(year, 7, 14), "14 Juillet"),
        (date(year, 8, 15), "Assomption"),
        (date(year, 11, 1), "Toussaint"),
        (date(year, 11, 11), "11 Novembre"),
        (date(year, 12, 25), "Noël"),
    ]
    return tuple(sorted(days))


def jours_feries(year: int) -> dict[date, str]:
    """The 11 national public holidays of metropolitan France (outside Alsace-Moselle)."""
    return dict(_holidays(year))


def jour_ferie(day: date) -> str | None:
    """French name of the public holiday on ``day``, or None."""
    return _holidays(day.year).get(day)


def working_day(day: date) -> bool:
    """Monday to Friday and not a French public holiday."""
    return day.weekday() < 5 and not jour_ferie(day)


def add_working_days(day: date, n: int) -> date:
    """The ``n``-th working day after ``day`` (``day`` itself does not count)."""
    while n > 0:
        day += timedelta(days=1)
        if working_day(day):
            n -= 1
    return day
