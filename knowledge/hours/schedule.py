"""Opening hours: weekly slots, closures and the `Schedule` that answers "open now?".

Model (see docs/hours.md):

* a `Schedule` holds weekly `Slot`s (like the ROR ``horaire``), dated `Closure`s (ROR closure
  with a planned reopening), whether the service closes on public holidays, and whether it is a
  24/7 line (``permanent``);
* every datetime is aware and interpreted in Europe/Paris; a naive datetime raises ValueError;
* a slot never crosses midnight: ``fin == time(0)`` means 24:00 (end of the day); an overnight
  service is written as two slots (``20:00-24:00`` then ``0:00-8:00`` the next day) and the two are
  merged when computing closing times;
* searches look at most `HORIZON_DAYS` days ahead.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterable, Iterator, Mapping

from knowledge.hours.clock import MIDNIGHT, TZ, as_paris, paris_utc
from knowledge.hours.french import (JOURS, date_text, describe_end, describe_opening, heure_text,
                                    hm)
from knowledge.hours.holidays import jour_ferie

HORIZON_DAYS = 366
_FERME_WORDS = {"ferme", "fermé", "fermée", "closed"}


# ---------------------------------------------------------------------------------------------
# Value types


@dataclass(frozen=True)
class Slot:
    """One opening slot on a weekday (0 = lundi … 6 = dimanche); ``fin == time(0)`` means 24:00."""

    jour: int
    debut: time
    fin: time

    def __post_init__(self) -> None:
        if not isinstance(self.jour, int) or not 0 <= self.jour <= 6:
            raise ValueError(f"slot day must be 0 (lundi) … 6 (dimanche), got {self.jour!r}")
        for name in ("debut", "fin"):
            value = getattr(self, name)
            if not isinstance(value, time) or value.tzinfo is not None:
                raise ValueError(f"slot {name} must be a naive datetime.time, got {value!r}")
        if self.fin != MIDNIGHT and self.fin <= self.debut:
            raise ValueError(
                f"slot {hm(self.debut)}-{hm(self.fin)} ends before it starts; an overnight slot "
                f"must be split at midnight ('20:00-24:00' then '0:00-8:00' the next day)")

    @property
    def ends_at_midnight(self) -> bool:
        return self.fin == MIDNIGHT

    def _minutes(self) -> tuple[int, int]:
        end = 24 * 60 if self.ends_at_midnight else self.fin.hour * 60 + self.fin.minute
        return self.debut.hour * 60 + self.debut.minute, end


@dataclass(frozen=True)
class Closure:
    """Dated closure, ``debut``…``fin`` inclusive; closed until ``reouverture`` when given."""

    debut: date
    fin: date
    motif: str
    reouverture: date | None = None

    def __post_init__(self) -> None:
        for name in ("debut", "fin", "reouverture"):
            value = getattr(self, name)
            if value is None and name == "reouverture":
                continue
            if isinstance(value, str):
                try:
                    value = date.fromisoformat(value)
                except ValueError:
                    raise ValueError(f"closure {name} is not an ISO date: {value!r}") from None
                object.__setattr__(self, name, value)
            if not isinstance(value, date) or isinstance(value, datetime):
                raise ValueError(f"closure {name} must be a date, got {value!r}")
        if self.fin < self.debut:
            raise ValueError(f"closure ends ({self.fin}) before it starts ({self.debut})")
        if not isinstance(self.motif, str) or not self.motif.strip():
            raise ValueError("closure motif must be a non-empty string")
        if self.reouverture is not None and self.reouverture <= self.fin:
            raise ValueError(
                f"closure reopening ({self.reouverture}) must be after its last day ({self.fin})")

    @property
    def dernier_jour(self) -> date:
        """Last closed day: ``fin``, extended to the eve of the planned reopening."""
        if self.reouverture is not None:
            return max(self.fin, self.reouverture - timedelta(days=1))
        return self.fin

    def covers(self, day: date) -> bool:
        return self.debut <= day <= self.dernier_jour


# ---------------------------------------------------------------------------------------------
# Parsing the directory format

_TIME = r"(\d{1,2})\s*(?:[hH]\s*(\d{2})?|:(\d{2}))"
_SLOT_RE = re.compile(rf"^\s*{_TIME}\s*(?:-|–|—|à|a)\s*{_TIME}\s*$")
_DAY_KEYS = {name: i for i, name in enumerate(JOURS)}


def _parse_time(hour: str, minute: str | None, *, end: bool, where: str) -> time:
    h, m = int(hour), int(minute or 0)
    if m > 59 or h > 24 or (h == 24 and (m != 0 or not end)):
        raise ValueError(f"invalid time {hour}:{minute or '00'} in {where}")
    return MIDNIGHT if h == 24 else time(h, m)


def parse_slots(jour: int, text: str) -> tuple[Slot, ...]:
    """Parse ``"9:00-12:30, 13:30-17:30"`` (also ``9h-12h30``, ``9h00–12h30``) for one weekday.

    ``"fermé"`` gives no slot. Raises ValueError on garbage, empty, inverted or overlapping slots.
    """
    if not isinstance(jour, int) or not 0 <= jour <= 6:
        raise ValueError(f"day must be 0 (lundi) … 6 (dimanche), got {jour!r}")
    if not isinstance(text, str):
        raise ValueError(f"opening hours must be a string like '9:00-12:30', got {text!r}")
    if text.strip().lower() in _FERME_WORDS:
        return ()
    parts = [p for p in re.split(r"\s*(?:,|;|\bet\b)\s*", text.strip())]
    if not text.strip() or any(not p for p in parts):
        raise ValueError(f"empty slot in {text!r}: write e.g. '9:00-12:30, 13:30-17:30' or 'fermé'")
    slots: list[Slot] = []
    for part in parts:
        m = _SLOT_RE.match(part)
        if not m:
            raise ValueError(
                f"invalid slot {part!r} in {text!r}: expected 'HH:MM-HH:MM' (e.g. '9:00-12:30')")
        where = f"{part!r}"
        debut = _parse_time(m.group(1), m.group(2) or m.group(3), end=False, where=where)
        fin = _parse_time(m.group(4), m.group(5) or m.group(6), end=True, where=where)
        if fin != MIDNIGHT and fin <= debut:
            raise ValueError(
                f"slot {part!r} ends before it starts; an overnight slot must be split at "
                f"midnight ('20:00-24:00' on that day and '0:00-8:00' on the next)")
        if debut == MIDNIGHT and fin == MIDNIGHT and int(m.group(4)) != 24:
            raise ValueError(f"slot {part!r} is empty")
        slots.append(Slot(jour, debut, fin))
    _check_overlaps(slots)
    return tuple(sorted(slots, key=lambda s: s.debut))


def _check_overlaps(slots: Iterable[Slot]) -> None:
    by_day: dict[int, list[Slot]] = {}
    for s in slots:
        by_day.setdefault(s.jour, []).append(s)
    for day, items in by_day.items():
        items.sort(key=lambda s: s._minutes())
        for a, b in zip(items, items[1:]):
            if b._minutes()[0] < a._minutes()[1]:
                raise ValueError(
                    f"overlapping slots on {JOURS[day]}: {hm(a.debut)}-{heure_text(a.fin, True)} "
                    f"and {hm(b.debut)}-{heure_text(b.fin, True)}")


# ---------------------------------------------------------------------------------------------
# Schedule


_FULL_DAY = (MIDNIGHT, MIDNIGHT)


@dataclass(frozen=True)
class Schedule:
    """Weekly slots + closures + public holidays; ``permanent`` = reachable 24h/24, 7j/7.

    A permanent line ignores public holidays but not its closures.
    """

    slots: tuple[Slot, ...]
    closures: tuple[Closure, ...] = ()
    ferme_jours_feries: bool = True
    permanent: bool = False
    _by_day: tuple[tuple[Slot, ...], ...] = field(init=False, repr=False, compare=False,
                                                  hash=False, default=())

    def __post_init__(self) -> None:
        slots = tuple(self.slots)
        closures = tuple(self.closures)
        for s in slots:
            if not isinstance(s, Slot):
                raise ValueError(f"expected Slot, got {s!r}")
        for c in closures:
            if not isinstance(c, Closure):
                raise ValueError(f"expected Closure, got {c!r}")
        _check_overlaps(slots)
        slots = tuple(sorted(slots, key=lambda s: (s.jour, s.debut)))
        object.__setattr__(self, "slots", slots)
        object.__setattr__(self, "closures", tuple(sorted(closures, key=lambda c: c.debut)))
        object.__setattr__(self, "_by_day",
                           tuple(tuple(s for s in slots if s.jour == d) for d in range(7)))

    @classmethod
    def from_mapping(cls, horaires: Mapping[str, str] | None, permanent: bool = False,
                     ferme_jours_feries: bool = True,
                     closures: Iterable[Closure | Mapping] = ()) -> "Schedule":
        """Build from the directory format: ``{"lundi": "9:00-12:30, 13:30-17:30", …}``.

        Keys are French day names (a missing day is closed); closures may be `Closure`s or
        mappings with ``debut``, ``fin``, ``motif`` and optional ``reouverture``.
        """
        slots: list[Slot] = []
        for key, value in (horaires or {}).items():
            name = key.strip().lower() if isinstance(key, str) else key
            if name not in _DAY_KEYS:
                raise ValueError(f"unknown day {key!r} in opening hours: expected one of "
                                 f"{', '.join(JOURS)}")
            if value is None:
                continue
            try:
                slots.extend(parse_slots(_DAY_KEYS[name], value))
            except ValueError as exc:
                raise ValueError(f"{key}: {exc}") from None
        items: list[Closure] = []
        for c in closures or ():
            if isinstance(c, Closure):
                items.append(c)
            elif isinstance(c, Mapping):
                unknown = set(c) - {"debut", "fin", "motif", "reouverture"}
                if unknown or not {"debut", "fin", "motif"} <= set(c):
                    raise ValueError(f"closure {dict(c)!r}: expected keys debut, fin, motif "
                                     f"and optional reouverture")
                items.append(Closure(**c))
            else:
                raise ValueError(f"closure must be a Closure or a mapping, got {c!r}")
        return cls(tuple(slots), tuple(items), ferme_jours_feries=bool(ferme_jours_feries),
                   permanent=bool(permanent))

    # -- per-day view ----------------------------------------------------------------------

    def closure_on(self, day: date) -> Closure | None:
        """The closure covering ``day``, if any."""
        for c in self.closures:
            if c.covers(day):
                return c
        return None

    def holiday_on(self, day: date) -> str | None:
        """Name of the public holiday that closes the service on ``day`` (None when it does not)."""
        if self.permanent or not self.ferme_jours_feries or not self._by_day[day.weekday()]:
            return None
        return jour_ferie(day)

    def _ranges(self, day: date) -> tuple[tuple[time, time], ...]:
        """Opening ranges (start, end; end ``time(0)`` = 24:00) actually applying on ``day``."""
        if self.closure_on(day) is not None:
            return ()
        if self.permanent:
            return (_FULL_DAY,)
        if self.ferme_jours_feries and jour_ferie(day) is not None:
            return ()
        return tuple((s.debut, s.fin) for s in self._by_day[day.weekday()])

    def _intervals(self, day: date) -> Iterator[tuple[datetime, datetime]]:
        for debut, fin in self._ranges(day):
            end_day = day + timedelta(days=1) if fin == MIDNIGHT else day
            start, end = paris_utc(day, debut), paris_utc(end_day, fin)
            if start < end:  # a slot inside the spring-forward gap does not exist
                yield start, end

    def _merged(self, first: date) -> Iterator[tuple[datetime, datetime, bool]]:
        """Merged open intervals (UTC) from ``first``; flag = still open at the horizon's end."""
        if not self.permanent and not self.slots:
            return
        current: list[datetime] | None = None
        for offset in range(HORIZON_DAYS + 1):
            for start, end in self._intervals(first + timedelta(days=offset)):
                if current is not None and start <= current[1]:
                    current[1] = max(current[1], end)
                    continue
                if current is not None:
                    yield current[0], current[1], False
                current = [start, end]
        if current is not None:
            horizon = paris_utc(first + timedelta(days=HORIZON_DAYS + 1), MIDNIGHT)
            yield current[0], current[1], current[1] >= horizon

    # -- queries ---------------------------------------------------------------------------

    def is_open(self, at: datetime) -> bool:
        """True when the service is open at ``at`` (aware datetime)."""
        local = as_paris(at)
        u = local.astimezone(timezone.utc)
        return any(start <= u < end for start, end in self._intervals(local.date()))

    def next_opening(self, at: datetime) -> datetime | None:
        """Next opening after ``at`` (Paris time); None when open now or nothing within a year."""
        local = as_paris(at)
        if self.is_open(local):
            return None
        u = local.astimezone(timezone.utc)
        for start, _end, _open_ended in self._merged(local.date()):
            if start > u:
                return start.astimezone(TZ)
        return None

    def closes_at(self, at: datetime) -> datetime | None:
        """End of the current opening (Paris time); None when closed or open over the horizon."""
        local = as_paris(at)
        if not self.is_open(local):
            return None
        u = local.astimezone(timezone.utc)
        for start, end, open_ended in self._merged(local.date()):
            if start <= u < end:
                return None if open_ended else end.astimezone(TZ)
        return None  # pragma: no cover - is_open guarantees a containing interval

    def day_text(self, day: date) -> str:
        """``9h–12h30, 13h30–17h30`` | ``fermé`` | ``fermé (jour férié : Noël)`` | ``24h/24``."""
        if isinstance(day, datetime):
            day = as_paris(day).date()
        closure = self.closure_on(day)
        if closure is not None:
            return f"fermé ({closure.motif})"
        holiday = self.holiday_on(day)
        if holiday is not None:
            return f"fermé (jour férié : {holiday})"
        ranges = self._ranges(day)
        if not ranges:
            return "fermé"
        if ranges == (_FULL_DAY,):
            return "24h/24"
        return ", ".join(f"{heure_text(a)}–{heure_text(b, fin=True)}" for a, b in ranges)

    def status_text(self, at: datetime) -> str:
        """``ouvert jusqu'à 12h30`` | ``ouvert 24h/24`` | ``fermé, ouvre lundi à 9h`` | …"""
        local = as_paris(at)
        if self.is_open(local):
            end = None if self.permanent else self.closes_at(local)
            if end is None:
                return "ouvert 24h/24"
            return f"ouvert {describe_end(end, local)}"
        nxt = self.next_opening(local)
        closure = self.closure_on(local.date())
        if closure is not None:
            if nxt is not None:
                back = nxt.date()
            else:
                back = closure.reouverture or closure.dernier_jour + timedelta(days=1)
            return f"fermé jusqu'au {date_text(back, local.date())} ({closure.motif})"
        holiday = self.holiday_on(local.date())
        head = f"fermé (jour férié : {holiday})" if holiday else "fermé"
        if nxt is None:
            return head
        return f"{head}, {describe_opening(nxt, local)}"
