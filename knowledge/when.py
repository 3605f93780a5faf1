"""Time expressions in French questions ("est-ce ouvert samedi à 10h ?") -> `When`.

Rules (see docs/hours.md):

* a day without an hour ("samedi", "demain", "aujourd'hui") gives ``jour`` and
  ``besoin_heure=True`` (the bot asks "à quelle heure ?");
* periods have anchor hours: matin 9h, midi 12h, après-midi 14h30, soir 20h, nuit 2h the next day;
* a weekday is the next such day, today included ("samedi" on a Saturday is today);
  "jeudi prochain" is the next Thursday strictly after today;
* an hour alone ("à 18h30") is today, or tomorrow when that time has already passed;
* a date without a year ("le 24 décembre") is this year, or next year when already passed;
* "là" only counts with its accent ("la" is an article).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from knowledge.hours import TZ, as_paris
from knowledge.text import fold


@dataclass(frozen=True)
class When:
    """A moment (aware, Paris) or a day waiting for an hour."""

    moment: datetime | None
    jour: date | None
    besoin_heure: bool


_WEEKDAYS = {
    "lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5, "dimanche": 6,
    "lun": 0, "ven": 4, "sam": 5, "dim": 6,
}
# Short forms that are also common words: only with a period or an hour right after.
_WEEKDAYS_GUARDED = {"mar": 1, "mer": 2, "jeu": 3}
_MONTHS = {
    "janvier": 1, "janv": 1, "fevrier": 2, "fev": 2, "mars": 3, "avril": 4, "avr": 4, "mai": 5,
    "juin": 6, "juillet": 7, "juil": 7, "aout": 8, "septembre": 9, "sept": 9, "octobre": 10,
    "oct": 10, "novembre": 11, "nov": 11, "decembre": 12, "dec": 12,
}
_PERIODS = {  # anchor hour, end of the period (for "ce matin" etc. while in it), day offset
    "matin": (time(9), time(12), 0),
    "midi": (time(12), time(14), 0),
    "apres midi": (time(14, 30), time(18), 0),
    "soir": (time(20), None, 0),
    "nuit": (time(2), None, 1),
}

_PERIOD_RE = r"(matinee|matin|apres midi|aprem|midi|soiree|soir|nuit)"
_HOUR_RE = (r"(?<![\d/])(\d{1,2})\s*(?:heures?|h)(?:\s*(\d{2}))?(?![\d/a-z])"
            r"|(?<![\d/])(\d{1,2}):(\d{2})(?![\d/])")
_RE = {
    "now": re.compile(r"\b(maintenant|tout de suite|actuellement|en ce moment|immediatement"
                      r"|a l instant|a cette heure ci|a cette heure)\b"),
    "relative": re.compile(r"\bdans\s+(\d{1,3}|une?|une demi)\s*(?:heures?|h|minutes?|min|mn)\b"
                           r"|\bdans\s+une\s+demi\s+heure\b|\bdans\s+un\s+quart\s+d\s*heure\b"),
    "relative_hm": re.compile(r"\bdans\s+(\d{1,2})\s*h\s*([0-5]\d)\b"),
    "relative_days": re.compile(r"\bdans\s+(\d{1,2}|un|deux|trois)\s+jours?\b"),
    "today": re.compile(r"\b(aujourd\s*hui|aujourdhui|ce jour)\b"),
    "after_tomorrow": re.compile(r"\bapres\s+demain\b"),
    "tomorrow": re.compile(r"\bdemain\b"),
    "weekend": re.compile(r"\b(week\s*end|weekend|ce\s+we)\b"),
    "next_week": re.compile(r"\bla\s+semaine\s+prochaine\b"),
    "date": re.compile(r"\b(1er|\d{1,2})\s+(" + "|".join(sorted(_MONTHS, key=len, reverse=True))
                       + r")\b(?:\s+(\d{4}))?"),
    "numeric_date": re.compile(r"(?<![\d:])(\d{1,2})/(\d{1,2})(?:/(\d{2}|\d{4}))?(?![\d/])"),
    "weekday": re.compile(r"\b(" + "|".join(sorted(_WEEKDAYS, key=len, reverse=True))
                          + r")\b(\s+prochain)?"),
    "weekday_guarded": re.compile(r"\b(mar|mer|jeu)\b(\s+prochain)?(?=\s+(?:\d|a\s+\d|vers|"
                                  + _PERIOD_RE + r"))"),
    "this_period": re.compile(r"\b(ce|cet|cette)\s+" + _PERIOD_RE + r"\b"),
    "period": re.compile(r"\b" + _PERIOD_RE + r"\b"),
    "midnight": re.compile(r"\bminuit\b"),
    "hour": re.compile(_HOUR_RE),
    "pm": re.compile(r"\b(du soir|de l apres midi|de l aprem)\b"),
}
_WORD_NUMBERS = {"un": 1, "une": 1, "deux": 2, "trois": 3}


def _canon_period(word: str) -> str:
    return {"matinee": "matin", "aprem": "apres midi", "soiree": "soir"}.get(word, word)


def _next_weekday(today: date, weekday: int, strictly_after: bool) -> date:
    delta = (weekday - today.weekday()) % 7
    if delta == 0 and strictly_after:
        delta = 7
    return today + timedelta(days=delta)


def _at(day: date, t: time) -> datetime:
    return datetime.combine(day, t, tzinfo=TZ)


def _before(a: datetime, b: datetime) -> bool:
    """``a < b`` in absolute time (same-tzinfo comparison in Python ignores the DST fold)."""
    return a.timestamp() < b.timestamp()


def _find_day(t: str, today: date) -> date | None:
    m = _RE["date"].search(t)
    if m:
        day = 1 if m.group(1) == "1er" else int(m.group(1))
        return _make_date(day, _MONTHS[m.group(2)], m.group(3), today)
    m = _RE["numeric_date"].search(t)
    if m:
        return _make_date(int(m.group(1)), int(m.group(2)), m.group(3), today)
    if _RE["after_tomorrow"].search(t):
        return today + timedelta(days=2)
    if _RE["tomorrow"].search(t):
        return today + timedelta(days=1)
    if _RE["today"].search(t):
        return today
    m = _RE["relative_days"].search(t)
    if m:
        n = _WORD_NUMBERS.get(m.group(1)) or int(m.group(1))
        return today + timedelta(days=n)
    m = _RE["weekday"].search(t) or _RE["weekday_guarded"].search(t)
    if m:
        weekday = _WEEKDAYS.get(m.group(1), _WEEKDAYS_GUARDED.get(m.group(1)))
        return _next_weekday(today, weekday, strictly_after=bool(m.group(2)))
    return _find_other_day(t, today)


def _find_other_day(t: str, today: date) -> date | None:
    if _RE["weekend"].search(t):
        return _next_weekday(today, 5, strictly_after=False) if today.weekday() != 6 else today
    if _RE["next_week"].search(t):
        return _next_weekday(today, 0, strictly_after=True)
    return None


def _make_date(day: int, month: int, year: str | None, today: date) -> date | None:
    if year is not None:
        y = int(year)
        y = y + 2000 if y < 100 else y
        try:
            return date(y, month, day)
        except ValueError:
            return None
    for y in (today.year, today.year + 1):
        try:
            candidate = date(y, month, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    return None


def _find_hour(t: str) -> time | None:
    if _RE["midnight"].search(t):
        return time(0)
    for m in _RE["hour"].finditer(t):
        hour = int(m.group(1) or m.group(3))
        minute = int(m.group(2) or m.group(4) or 0)
        if hour <= 23 and minute <= 59:
            if _RE["pm"].search(t[m.end():m.end() + 20]) and hour < 12:
                hour += 12
            return time(hour, minute)
    return None


def parse_when(text: str, now: datetime) -> When | None:
    """Read the time expression of a French message relative to ``now`` (aware); None if absent."""
    now = as_paris(now).replace(second=0, microsecond=0)
    today = now.date()
    t = fold(text)

    m = _RE["relative_hm"].search(t)
    if m:  # "dans 1h30"
        delta = timedelta(hours=int(m.group(1)), minutes=int(m.group(2)))
        moment = (now.astimezone(timezone.utc) + delta).astimezone(TZ)
        return When(moment, moment.date(), False)
    m = _RE["relative"].search(t)
    if m:
        whole = m.group(0)
        if "demi" in whole:
            delta = timedelta(minutes=30)
        elif "quart" in whole:
            delta = timedelta(minutes=15)
        else:
            n = _WORD_NUMBERS.get(m.group(1)) or int(m.group(1))
            minutes = re.search(r"\b(minutes?|min|mn)\b", whole) is not None
            delta = timedelta(minutes=n) if minutes else timedelta(hours=n)
        moment = (now.astimezone(timezone.utc) + delta).astimezone(TZ)
        return When(moment, moment.date(), False)

    # "ce soir" / "cette nuit" / "ce matin": today's period, unless another day is named.
    this_period = _RE["this_period"].search(t)
    day = _find_day(t, today)
    period_match = this_period or _RE["period"].search(t)
    period = _canon_period(period_match.group(period_match.lastindex)) if period_match else None
    hour = _find_hour(t)
    if period == "midi" and this_period is None:
        period, hour = None, hour or time(12)  # "à midi" is an hour like "à 12h"
    if hour is not None and period in ("apres midi", "soir") and hour.hour < 12:
        hour = hour.replace(hour=hour.hour + 12)
    if hour is not None and period == "nuit" and hour.hour >= 12:
        period = "soir"  # "cette nuit à 23h" is this evening

    if day is None and period is None and hour is None:
        if _RE["now"].search(t) or re.search(r"(?<![\w-])là(?![\w-]| bas\b)", text.lower()):
            return When(now, today, False)
        return None

    if day is None and period is None:  # an hour alone
        moment = _at(today, hour)
        if _before(moment, now):
            moment = _at(today + timedelta(days=1), hour)
        return When(moment, moment.date(), False)

    base = day if day is not None else today
    weekday_today = day == today and _is_weekday_only(t)
    if period is not None:
        anchor, end, offset = _PERIODS[period]
        if hour is not None:
            anchor = hour
            offset = 1 if period == "nuit" and hour.hour < 12 else 0
        night_now = period == "nuit" and day is None and now.hour < 6
        if night_now:
            offset = 0  # asked during the night: this night is today
        moment = _at(base + timedelta(days=offset), anchor)
        if _before(moment, now) or (night_now and hour is None):
            inside = hour is None and (night_now or end is None or now.time() < end)
            if inside and (day is None or weekday_today):
                moment = now  # "ce soir" at 21h, "samedi matin" on Saturday at 10h
            elif weekday_today:
                moment = _at(moment.date() + timedelta(days=7), moment.time())  # next week
            elif day is None and this_period is None:
                moment = _at(moment.date() + timedelta(days=1), moment.time())  # "à 9h du matin"
        return When(moment, moment.date(), False)

    if hour is not None:
        moment = _at(base, hour)
        if _before(moment, now) and weekday_today:
            moment = _at(base + timedelta(days=7), hour)  # "lundi 9h" on a Monday at 14h
        return When(moment, moment.date(), False)
    return When(None, base, True)


def _is_weekday_only(t: str) -> bool:
    """The day comes from a weekday name (not "aujourd'hui" or a date)."""
    if _RE["date"].search(t) or _RE["numeric_date"].search(t) or _RE["today"].search(t):
        return False
    return bool(_RE["weekday"].search(t) or _RE["weekday_guarded"].search(t))
