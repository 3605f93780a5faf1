"""Anonymous orientation log ("journal d'orientation"): one row per answer, for the reports.

A row holds no text, no identifier and no sender: the hour, the channel, the place codes
(department, EPCI, commune), publics, needs, level, emergency number, the resource types
needed and recommended, whether a local service of each needed type covers the place and
whether one was open at that hour, and whether a support request followed. See docs/reports.md.

Same database as the directory (SQLAlchemy 2.0 style that 1.4 runs). Rows older than the
retention (``AIGUILLAGE_JOURNAL_JOURS``, 400 days by default) are deleted.
"""
from __future__ import annotations

import hashlib
import json
import logging
import secrets
import threading
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import Boolean, Column, DateTime, Integer, String, Text, delete, select, update
from sqlalchemy.orm import Session, declarative_base

from knowledge import db, settings
from knowledge.hours import TZ
from knowledge.orientation import default_orienter
from knowledge.privacy import mask_obj

log = logging.getLogger("aiguillage.activity")
Base = declarative_base()
RETENTION_ENV = settings.JOURNAL_RETENTION_ENV
DEFAULT_RETENTION_DAYS = settings.JOURNAL_RETENTION_DAYS     # 13 months, the CNIL's usual limit for audience statistics
LOCAL_ZONES = {"commune", "epci", "departement"}   # a regional line is not a local service
CANAL_MAX = 20


class _Row(Base):
    __tablename__ = "journal_orientation"
    id = Column(String(32), primary_key=True)                 # random, links to nothing
    quand = Column(DateTime, nullable=False, index=True)      # UTC, naive, truncated to the hour
    canal = Column(String(CANAL_MAX), nullable=False)
    departement = Column(String(3))
    epci = Column(String(9))
    commune = Column(String(5))
    publics = Column(Text, nullable=False, default="[]")      # JSON lists of vocabulary codes
    besoins = Column(Text, nullable=False, default="[]")
    niveau = Column(Integer)
    urgence = Column(String(10))                              # emergency number, e.g. "15"
    types_demandes = Column(Text, nullable=False, default="[]")   # [[type, couvert, ouvert], …]
    types_recommandes = Column(Text, nullable=False, default="[]")
    couvert = Column(Boolean)                                 # first needed type covered locally
    ouvert = Column(Boolean)                                  # … and open at that hour
    appui = Column(Boolean, nullable=False, default=False)    # a support request followed
    empreinte = Column(String(64), index=True)                # hash of the answer, to mark `appui`


@dataclass(frozen=True)
class NeededType:
    type: str
    couvert: bool       # a local service of this type covers the place
    ouvert: bool        # one of them was open at that hour


@dataclass(frozen=True)
class Entry:
    id: str
    quand: datetime                 # aware (UTC), on the hour
    canal: str
    departement: str | None
    epci: str | None
    commune: str | None
    publics: tuple[str, ...]
    besoins: tuple[str, ...]
    niveau: int | None
    urgence: str | None
    types_demandes: tuple[NeededType, ...]
    types_recommandes: tuple[str, ...]
    couvert: bool | None
    ouvert: bool | None
    appui: bool = False


def retention_days() -> int:
    """``$AIGUILLAGE_JOURNAL_JOURS`` (days, ≥ 1), else 400."""
    return settings.journal_retention_days()


def fingerprint(payload: dict | None) -> str | None:
    """Hash of an answer's payload: the same answer read back from the conversation finds its row."""
    if not payload:
        return None
    # Hashed as the tracker store keeps it (masked), so the payload read back from the
    # conversation's slot finds the row written with the answer.
    canonical = json.dumps(mask_obj(payload), sort_keys=True, ensure_ascii=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _hour_utc(at: datetime) -> datetime:
    if at.tzinfo is None:
        at = at.replace(tzinfo=TZ)
    return at.astimezone(timezone.utc).replace(minute=0, second=0, microsecond=0, tzinfo=None)


class Journal(db.TableSet):
    """The orientation log on one database (the directory's engine when given)."""

    metadata = Base.metadata

    def __init__(self, url: str | None = None, *, engine=None, retention: int | None = None,
                 create_schema: bool = True):
        self.engine = engine if engine is not None else db.engine(url)
        self.retention = retention if retention is not None else retention_days()
        self._last_purge: datetime | None = None
        self._lock = threading.Lock()
        if create_schema:
            self.create_schema()

    def _session(self) -> Session:
        return Session(self.engine, future=True)

    def write(self, entry: Entry, payload: dict | None = None, replaces: dict | None = None) -> str:
        """Store one entry (committed); purges expired rows at most once an hour.

        `replaces`: the payload of the answer this one corrects (a new commune, an added detail):
        its row is replaced, keeping its channel and support flag, so a request counts once.
        """
        row = _Row(
            id=entry.id, quand=_hour_utc(entry.quand), canal=(entry.canal or "inconnu")[:CANAL_MAX],
            departement=entry.departement, epci=entry.epci, commune=entry.commune,
            publics=json.dumps(sorted(entry.publics)), besoins=json.dumps(sorted(entry.besoins)),
            niveau=entry.niveau, urgence=entry.urgence,
            types_demandes=json.dumps([[t.type, t.couvert, t.ouvert] for t in entry.types_demandes]),
            types_recommandes=json.dumps(list(entry.types_recommandes)),
            couvert=entry.couvert, ouvert=entry.ouvert, appui=entry.appui, empreinte=fingerprint(payload),
        )
        with self._session() as s, s.begin():
            old_key = fingerprint(replaces)
            if old_key is not None:
                old = s.execute(select(_Row).where(_Row.empreinte == old_key)
                                .order_by(_Row.quand.desc()).limit(1)).scalar()
                if old is not None:
                    if entry.canal in (None, "", "inconnu"):
                        row.canal = old.canal
                    row.appui = bool(old.appui) or row.appui
                    s.delete(old)
                    s.flush()
            s.add(row)
        self._maybe_purge(entry.quand)
        return entry.id

    def mark_support(self, payload: dict | None) -> bool:
        """A support request followed the answer whose payload is given: mark its (latest) row."""
        key = fingerprint(payload)
        if key is None:
            return False
        with self._session() as s, s.begin():
            row_id = s.execute(select(_Row.id).where(_Row.empreinte == key, _Row.appui.is_(False))
                               .order_by(_Row.quand.desc()).limit(1)).scalar()
            if row_id is None:
                return False
            s.execute(update(_Row).where(_Row.id == row_id).values(appui=True))
        return True

    def purge(self, now: datetime | None = None) -> int:
        """Delete rows older than the retention; returns how many."""
        now = now or datetime.now(timezone.utc)
        cutoff = _hour_utc(now) - timedelta(days=self.retention)
        with self._session() as s, s.begin():
            result = s.execute(delete(_Row).where(_Row.quand < cutoff))
        return result.rowcount or 0

    def _maybe_purge(self, at: datetime) -> None:
        with self._lock:
            if self._last_purge is not None and abs(at - self._last_purge) < timedelta(hours=1):
                return
            self._last_purge = at
        self.purge(at)

    def entries(self, start: date, end: date) -> list[Entry]:
        """Entries from `start` to `end` inclusive (Paris dates), oldest first."""
        lo = _hour_utc(datetime.combine(start, time(0), TZ))
        hi = _hour_utc(datetime.combine(end + timedelta(days=1), time(0), TZ))
        with self._session() as s:
            rows = s.execute(select(_Row).where(_Row.quand >= lo, _Row.quand < hi)
                             .order_by(_Row.quand, _Row.id)).scalars().all()
            return [_entry(r) for r in rows]


def _entry(r: _Row) -> Entry:
    return Entry(
        id=r.id, quand=r.quand.replace(tzinfo=timezone.utc), canal=r.canal, departement=r.departement,
        epci=r.epci, commune=r.commune, publics=tuple(json.loads(r.publics)),
        besoins=tuple(json.loads(r.besoins)), niveau=r.niveau, urgence=r.urgence,
        types_demandes=tuple(NeededType(t, bool(c), bool(o)) for t, c, o in json.loads(r.types_demandes)),
        types_recommandes=tuple(json.loads(r.types_recommandes)), couvert=r.couvert, ouvert=r.ouvert,
        appui=bool(r.appui),
    )


# -- from an orientation ------------------------------------------------------------------------


def needed_types(o) -> list[str]:
    """The resource types the answer looked for, best first (emergency, named, triage)."""
    wanted: list[str] = []
    for u in o.triage.urgences:
        wanted.extend(u.types)
    wanted.extend(o.situation.types)
    wanted.extend(o.triage.types)
    seen: set[str] = set()
    return [t for t in wanted if not (t in seen or seen.add(t))]


def entry_from(o, canal: str | None, directory) -> Entry:
    """The anonymous entry for an Orientation (knowledge.orientation): codes and flags only."""

    sit = o.situation
    commune = sit.commune
    dep = commune.departement if commune else (sit.departement.code if sit.departement else None)
    needed: list[NeededType] = []
    for t in needed_types(o):
        if commune is not None:
            services = directory.serving(commune, types=[t])
        elif dep is not None:
            services = directory.in_departement(dep, types=[t])
        else:
            services = []
        local = [s for s in services if s.type == t and s.admits(sit.age)
                 and any(z.kind in LOCAL_ZONES for z in s.zones)]
        needed.append(NeededType(t, bool(local), any(s.schedule.is_open(o.at) for s in local)))
    first = needed[0] if needed else None
    return Entry(
        id=secrets.token_hex(16), quand=o.at, canal=canal or "inconnu", departement=dep,
        epci=commune.epci if commune else None, commune=commune.code_insee if commune else None,
        publics=tuple(sorted(sit.publics)), besoins=tuple(sorted(sit.besoins)), niveau=o.triage.niveau,
        urgence=o.triage.urgences[0].numero if o.triage.urgences else None,
        types_demandes=tuple(needed), types_recommandes=tuple(r.service.type for r in o.recommandations),
        couvert=first.couvert if first else None,
        ouvert=first.ouvert if first and first.couvert else None,
    )


_journals: dict[str, Journal] = {}
_journals_lock = threading.Lock()


def journal_for(directory) -> Journal:
    """One Journal per database, on the directory's engine."""
    key = str(getattr(directory, "url", "") or "default")
    with _journals_lock:
        if key not in _journals:
            engine = getattr(directory, "engine", None)
            _journals[key] = Journal(getattr(directory, "url", None), engine=engine)
        return _journals[key]


def _directory(directory):
    if directory is None:
        directory = default_orienter().directory
    return directory


def record(o, *, canal: str | None = None, payload: dict | None = None, replaces: dict | None = None,
           directory=None) -> str | None:
    """Log an answer (replacing the answer it corrects, if any); never fails the answer."""
    try:
        directory = _directory(directory)
        return journal_for(directory).write(entry_from(o, canal, directory), payload, replaces)
    except Exception:  # noqa: BLE001 - the log must never break an answer
        log.exception("orientation log: entry not written")
        return None


def mark_support(payload: dict | None, *, directory=None) -> bool:
    """A support request followed the answer `payload` (the conversation's last orientation)."""
    try:
        return journal_for(_directory(directory)).mark_support(payload)
    except Exception:  # noqa: BLE001
        log.exception("orientation log: support request not marked")
        return False
