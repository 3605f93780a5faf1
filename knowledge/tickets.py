"""Support requests ("demandes") to the coordination team (DAC): storage, lifecycle, audit, outbox.

Plain Python + SQLAlchemy (runs on 1.4 and 2.0, SQLite and PostgreSQL). Same database as the
directory, separate tables. See docs/tickets.md.

Every change (creation, status, assignment, note) is written in ONE transaction together with
its audit event (`demande_evenement`) and, when the requester gave an address, the e-mail to send
(`notification_sortante`, a transactional outbox sent by `knowledge.notify.send_pending`).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Callable

from sqlalchemy import (Column, DateTime, ForeignKey, Integer, String, Text,
                        and_, case, create_engine, event, func, or_, select, update)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, declarative_base

from knowledge import privacy
from knowledge.contact import is_email
from knowledge.gazetteer import is_code_insee
from knowledge.rpps import normalize_rpps

try:  # one place for French public holidays and the Paris clock
    from knowledge.hours import TZ, jour_ferie, now_paris
except ImportError:  # pragma: no cover - knowledge/hours.py is part of the project
    from zoneinfo import ZoneInfo

    TZ = ZoneInfo("Europe/Paris")

    def jour_ferie(day: date):  # type: ignore[misc]
        import holidays
        return holidays.France(years=day.year).get(day)

    def now_paris() -> datetime:  # type: ignore[misc]
        return datetime.now(TZ)

Base = declarative_base()

# --- vocabulary -------------------------------------------------------------------------------

STATUTS = {"recue": "reçue", "en_cours": "en cours", "en_attente": "en attente",
           "cloturee": "clôturée"}
# allowed transitions; a closed request can be reopened (back to "en cours")
TRANSITIONS = {
    "recue": {"en_cours", "en_attente", "cloturee"},
    "en_cours": {"en_attente", "cloturee"},
    "en_attente": {"en_cours", "cloturee"},
    "cloturee": {"en_cours"},
}
URGENCES = {"aujourd_hui": "aujourd'hui", "semaine": "dans la semaine", "programme": "programmé"}
CONSENTEMENTS = {"oui": "recueilli", "non": "refusé", "non_demande": "non demandé"}
CANAUX = ("chat", "telephone", "console", "email", "rest", "socketio")
# suggested outcomes for closure (the console offers them; free text is accepted too)
ISSUES = (
    "Orientation donnée au médecin",
    "Prise en charge par le DAC (appui au parcours)",
    "Orientée vers un autre service",
    "Concertation pluriprofessionnelle organisée",
    "Sans suite (situation résolue ou demande retirée)",
    "Hors du champ du DAC",
)
# target response time per level, in working days (documented in docs/tickets.md)
DELAIS_JOURS_OUVRES = {3: 1, 2: 2, 1: 5}
FIN_DE_JOURNEE = time(18, 0)
NUMERO_RE = re.compile(r"^AIG-(\d{4})-(\d{6})$")


TRANSIENT_RETRY_CAP = 30  # seconds between two attempts while the SMTP relay is unreachable

class TicketError(ValueError):
    """A request that cannot be carried out; the message is French, for the user."""


class TicketNotFound(TicketError):
    pass


class InvalidTransition(TicketError):
    pass


# --- tables -----------------------------------------------------------------------------------

class _Compteur(Base):
    __tablename__ = "demande_compteur"
    annee = Column(Integer, primary_key=True, autoincrement=False)
    dernier = Column(Integer, nullable=False)


def _like(text: str) -> str:
    """`text` for a LIKE pattern, wildcards escaped."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class _Demande(Base):
    __tablename__ = "demande"
    id = Column(Integer, primary_key=True)
    numero = Column(String(20), nullable=False, unique=True)
    cle_idempotence = Column(String(200), nullable=False, unique=True)
    statut = Column(String(20), nullable=False)
    niveau = Column(Integer)
    motifs = Column(Text, nullable=False, default="[]")          # JSON list of French reasons
    urgence = Column(String(20), nullable=False)
    consentement = Column(String(20), nullable=False)
    resume = Column(Text, nullable=False)                        # masked
    commune_insee = Column(String(5))
    dac_id = Column(String(80))
    dac_nom = Column(String(200))
    dac_telephone = Column(String(40))
    public = Column(String(200))
    demandeur_nom = Column(String(200), nullable=False)
    demandeur_profession = Column(String(100))
    demandeur_rpps = Column(String(11))
    rappel_telephone = Column(String(40))
    rappel_messagerie = Column(String(254))
    creneau_rappel = Column(String(200))
    canal = Column(String(20), nullable=False)
    conversation_id = Column(String(200))
    cree_par = Column(String(80))
    assigne_a = Column(String(80))
    issue = Column(Text)
    cree_le = Column(DateTime, nullable=False)                   # UTC, naive in the database
    maj_le = Column(DateTime, nullable=False)
    echeance = Column(DateTime, nullable=False)
    cloturee_le = Column(DateTime)


class _Evenement(Base):
    __tablename__ = "demande_evenement"
    id = Column(Integer, primary_key=True)
    demande_id = Column(Integer, ForeignKey("demande.id"), nullable=False, index=True)
    quand = Column(DateTime, nullable=False)
    qui = Column(String(200), nullable=False)
    quoi = Column(String(30), nullable=False)                    # creation|statut|assignation|note|…
    avant = Column(Text)
    apres = Column(Text)
    detail = Column(Text)


class _Note(Base):
    __tablename__ = "demande_note"
    id = Column(Integer, primary_key=True)
    demande_id = Column(Integer, ForeignKey("demande.id"), nullable=False, index=True)
    quand = Column(DateTime, nullable=False)
    auteur = Column(String(200), nullable=False)
    texte = Column(Text, nullable=False)                         # masked


class _Operateur(Base):
    __tablename__ = "operateur"
    id = Column(Integer, primary_key=True)
    login = Column(String(80), nullable=False, unique=True)
    nom = Column(String(200))
    role = Column(String(20), nullable=False)
    mot_de_passe = Column(String(300), nullable=False)           # scrypt$n$r$p$salt$hash
    actif = Column(Integer, nullable=False, default=1)
    cree_le = Column(DateTime, nullable=False)


class _Notification(Base):
    __tablename__ = "notification_sortante"
    id = Column(Integer, primary_key=True)
    demande_id = Column(Integer, ForeignKey("demande.id"), nullable=False, index=True)
    evenement_id = Column(Integer, ForeignKey("demande_evenement.id"))
    destinataire = Column(String(254), nullable=False)
    sujet = Column(String(300), nullable=False)
    corps = Column(Text, nullable=False)
    cree_le = Column(DateTime, nullable=False)
    envoyee_le = Column(DateTime)
    tentatives = Column(Integer, nullable=False, default=0)
    derniere_erreur = Column(Text)
    prochain_essai = Column(DateTime, nullable=False)
    verrou_jusqu_a = Column(DateTime)


# --- values returned to callers -------------------------------------------------------------

@dataclass
class NewRequest:
    """What the bot or the console collected; free text is masked before storage."""
    resume: str
    demandeur_nom: str
    niveau: int | None = None
    motifs: list[str] = field(default_factory=list)
    urgence: str = "programme"
    consentement: str = "non_demande"
    commune_insee: str | None = None
    dac_id: str | None = None
    dac_nom: str | None = None
    dac_telephone: str | None = None
    public: str | None = None
    demandeur_profession: str | None = None
    demandeur_rpps: str | None = None
    rappel_telephone: str | None = None
    rappel_messagerie: str | None = None
    creneau_rappel: str | None = None
    canal: str = "chat"
    conversation_id: str | None = None
    cree_par: str | None = None          # operator login when opened from the console


@dataclass(frozen=True)
class Ticket:
    id: int
    numero: str
    statut: str
    niveau: int | None
    motifs: tuple[str, ...]
    urgence: str
    consentement: str
    resume: str
    commune_insee: str | None
    dac_id: str | None
    dac_nom: str | None
    dac_telephone: str | None
    public: str | None
    demandeur_nom: str
    demandeur_profession: str | None
    demandeur_rpps: str | None
    rappel_telephone: str | None
    rappel_messagerie: str | None
    creneau_rappel: str | None
    canal: str
    conversation_id: str | None
    cree_par: str | None
    assigne_a: str | None
    issue: str | None
    cree_le: datetime
    maj_le: datetime
    echeance: datetime
    cloturee_le: datetime | None
    en_retard: bool

    @property
    def statut_libelle(self) -> str:
        return STATUTS[self.statut]

    def payload(self) -> dict:
        """The `ticket` field of the orientation payload (shared/orientation-contract.md)."""
        return {"numero": self.numero, "statut": self.statut}


@dataclass(frozen=True)
class Event:
    quand: datetime
    qui: str
    quoi: str
    avant: str | None
    apres: str | None
    detail: str | None


@dataclass(frozen=True)
class Note:
    quand: datetime
    auteur: str
    texte: str


@dataclass(frozen=True)
class Operator:
    login: str
    nom: str | None
    role: str
    actif: bool


@dataclass(frozen=True)
class Outgoing:
    id: int
    numero: str
    destinataire: str
    sujet: str
    corps: str
    tentatives: int


ROLES = {"operateur": "opérateur", "coordinateur": "coordinateur", "admin": "administrateur"}


# --- helpers ----------------------------------------------------------------------------------

def _to_db(dt: datetime) -> datetime:
    if dt.tzinfo is None:
        raise ValueError("aware datetime expected")
    return dt.astimezone(timezone.utc).replace(tzinfo=None)


def _from_db(dt: datetime | None) -> datetime | None:
    return None if dt is None else dt.replace(tzinfo=timezone.utc)


def working_day(day: date) -> bool:
    """Monday to Friday and not a French public holiday."""
    return day.weekday() < 5 and not jour_ferie(day)


def _add_working_days(day: date, n: int) -> date:
    while n > 0:
        day += timedelta(days=1)
        if working_day(day):
            n -= 1
    return day


def echeance_for(cree_le: datetime, niveau: int | None, urgence: str) -> datetime:
    """Target response time (aware, Europe/Paris), see docs/tickets.md.

    niveau 3: end (18h) of the next working day; niveau 2: of the 2nd working day; niveau 1 or
    unknown: of the 5th working day. urgence "aujourd_hui": 18h the same day when it is a working
    day before 16h, else 12h the next working day. urgence "semaine": at most 5 working days.
    """
    local = cree_le.astimezone(TZ)
    day = local.date()
    if urgence == "aujourd_hui":
        if working_day(day) and local.time() < time(16, 0):
            return datetime.combine(day, FIN_DE_JOURNEE, TZ)
        return datetime.combine(_add_working_days(day, 1), time(12, 0), TZ)
    n = DELAIS_JOURS_OUVRES.get(niveau or 1, 5)
    if urgence == "semaine":
        n = min(n, 5)
    return datetime.combine(_add_working_days(day, n), FIN_DE_JOURNEE, TZ)


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """scrypt with a per-user random salt: "scrypt$n$r$p$salt_hex$hash_hex"."""
    if not password:
        raise TicketError("Le mot de passe ne peut pas être vide.")
    salt = salt or os.urandom(16)
    n, r, p = 2 ** 14, 8, 1
    digest = hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, dklen=32)
    return f"scrypt${n}${r}${p}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        algo, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if algo != "scrypt":
        return False
    got = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r),
                         p=int(p), dklen=len(digest) // 2)
    return hmac.compare_digest(got.hex(), digest)


def route_dac(commune_insee: str, directory, gazetteer=None):
    """The DAC whose area covers the commune (a directory Service), or None.

    Uses `Directory.serving(commune, types=["DAC"])`; when several DACs cover the commune, the one
    whose zone is the most local (commune < EPCI < department < region) wins, then by id.
    """
    if gazetteer is None:
        from knowledge.gazetteer import Gazetteer
        gazetteer = Gazetteer.default()
    commune = gazetteer.commune(commune_insee)
    services = [s for s in directory.serving(commune, types=["DAC"]) if s.type == "DAC"]
    if not services:
        return None
    rank = {"commune": 0, "epci": 1, "departement": 2, "region": 3}

    def key(s):
        kinds = [rank.get(getattr(z, "kind", "region"), 4) for z in getattr(s, "zones", ())] or [4]
        return (min(kinds), s.id)
    return sorted(services, key=key)[0]


# --- the store --------------------------------------------------------------------------------

class TicketStore:
    """Requests, their history, notes, operators and the notification outbox."""

    def __init__(self, url: str | None = None, *, clock: Callable[[], datetime] | None = None,
                 create_schema: bool = True):
        if url is None:
            from knowledge.settings import database_url
            url = database_url()
        self.url = url
        kwargs = {"future": True}
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
        self.engine = create_engine(url, **kwargs)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.clock = clock or now_paris
        if create_schema:
            self.create_schema()

    def create_schema(self) -> None:
        Base.metadata.create_all(self.engine)

    def drop_schema(self) -> None:
        """Drop the request tables (tests)."""
        Base.metadata.drop_all(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()

    def _now(self) -> datetime:
        now = self.clock()
        if now.tzinfo is None:
            raise ValueError("the clock must return an aware datetime")
        return now

    def _session(self) -> Session:
        return Session(self.engine, future=True, expire_on_commit=False)

    # -- creation ------------------------------------------------------------------------------

    def create(self, request: NewRequest, idempotency_key: str) -> Ticket:
        """Store a new request and return it, committed. Same key: the existing request."""
        if not idempotency_key or len(idempotency_key) > 200:
            raise TicketError("Clé d'idempotence manquante ou trop longue.")
        existing = self._by_key(idempotency_key)
        if existing is not None:
            return existing
        row = self._validated_row(request, idempotency_key)
        try:
            with self._session() as s, s.begin():
                now = self._now()
                row.numero = self._next_numero(s, now.astimezone(TZ).year)
                row.cree_le = row.maj_le = _to_db(now)
                row.echeance = _to_db(echeance_for(now, row.niveau, row.urgence))
                s.add(row)
                s.flush()
                ev = self._event(s, row, request.cree_par or _requester_label(row), "creation",
                                 None, "recue", f"Demande reçue par le canal {row.canal}")
                self._enqueue(s, row, ev, "recue", None)
        except IntegrityError:
            existing = self._by_key(idempotency_key)
            if existing is None:
                raise
            return existing
        return self._ticket(row, now)

    def _validated_row(self, r: NewRequest, key: str) -> _Demande:
        if not (r.resume or "").strip():
            raise TicketError("Le résumé de la situation est obligatoire.")
        if not (r.demandeur_nom or "").strip():
            raise TicketError("Le nom du demandeur est obligatoire.")
        if r.niveau not in (None, 1, 2, 3):
            raise TicketError("Le niveau doit être 1, 2 ou 3.")
        if r.urgence not in URGENCES:
            raise TicketError(f"Urgence inconnue : {r.urgence}.")
        if r.consentement not in CONSENTEMENTS:
            raise TicketError(f"Consentement inconnu : {r.consentement}.")
        if r.canal not in CANAUX:
            raise TicketError(f"Canal inconnu : {r.canal}.")
        rpps = None
        if r.demandeur_rpps:
            rpps = normalize_rpps(r.demandeur_rpps)
            if rpps is None:
                raise TicketError("Le numéro RPPS doit comporter 11 chiffres valides.")
        if not (r.rappel_telephone or r.rappel_messagerie):
            raise TicketError("Un téléphone ou une adresse de messagerie pour le rappel est nécessaire.")
        if r.rappel_messagerie and not is_email(r.rappel_messagerie):
            raise TicketError("L'adresse de messagerie n'est pas valide.")
        if r.commune_insee and not is_code_insee(r.commune_insee):
            raise TicketError("Code INSEE de commune invalide.")
        return _Demande(
            cle_idempotence=key, statut="recue", niveau=r.niveau,
            motifs=json.dumps([privacy.mask(m) for m in r.motifs], ensure_ascii=False),
            urgence=r.urgence, consentement=r.consentement,
            resume=privacy.mask(r.resume.strip()), commune_insee=r.commune_insee,
            dac_id=r.dac_id, dac_nom=r.dac_nom, dac_telephone=r.dac_telephone,
            public=r.public, demandeur_nom=r.demandeur_nom.strip(),
            demandeur_profession=r.demandeur_profession, demandeur_rpps=rpps,
            rappel_telephone=(r.rappel_telephone or None),
            rappel_messagerie=(r.rappel_messagerie or "").strip() or None,
            creneau_rappel=privacy.mask(r.creneau_rappel) if r.creneau_rappel else None,
            canal=r.canal, conversation_id=r.conversation_id, cree_par=r.cree_par)

    def _next_numero(self, s: Session, year: int) -> str:
        """Per-year counter, incremented in the request's own transaction (row lock / db lock)."""
        dialect = s.bind.dialect.name
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        elif dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:  # pragma: no cover - only SQLite and PostgreSQL are supported
            raise TicketError(f"Base non prise en charge : {dialect}")
        stmt = insert(_Compteur).values(annee=year, dernier=1)
        stmt = stmt.on_conflict_do_update(index_elements=[_Compteur.annee],
                                          set_={"dernier": _Compteur.dernier + 1})
        s.execute(stmt)
        n = s.execute(select(_Compteur.dernier).where(_Compteur.annee == year)).scalar_one()
        return f"AIG-{year}-{n:06d}"

    def _by_key(self, key: str) -> Ticket | None:
        with self._session() as s:
            row = s.execute(select(_Demande).where(_Demande.cle_idempotence == key)).scalar_one_or_none()
            return self._ticket(row, self._now()) if row else None

    # -- reading -------------------------------------------------------------------------------

    def get(self, numero: str) -> Ticket | None:
        """A request by its number, for operators (no requester check)."""
        numero = (numero or "").strip().upper()
        with self._session() as s:
            row = s.execute(select(_Demande).where(_Demande.numero == numero)).scalar_one_or_none()
            return self._ticket(row, self._now()) if row else None

    def status(self, numero: str, conversation_id: str | None) -> Ticket | None:
        """The request only when `conversation_id` is the requester's; None otherwise (no leak)."""
        if not conversation_id:
            return None
        t = self.get(numero)
        if t is None or not t.conversation_id:
            return None
        if not hmac.compare_digest(t.conversation_id.encode(), conversation_id.encode()):
            return None
        return t

    def by_requester(self, conversation_id: str) -> list[Ticket]:
        """The requests opened from this conversation, newest first."""
        if not conversation_id:
            return []
        now = self._now()
        with self._session() as s:
            rows = s.execute(select(_Demande).where(_Demande.conversation_id == conversation_id)
                             .order_by(_Demande.id.desc())).scalars().all()
            return [self._ticket(r, now) for r in rows]

    def queue(self, dac_id: str | None = None, statut: str | None = None, niveau: int | None = None,
              older_than: timedelta | None = None, limit: int | None = 500, *, offset: int = 0,
              numero: str | None = None, demandeur: str | None = None,
              communes: list[str] | None = None, texte: str | None = None) -> list[Ticket]:
        """Requests to handle, overdue first, then by target time. statut None: all open ones.

        Search: `numero` (whole or part of the request number), `demandeur` (part of the name),
        `communes` (INSEE codes), `texte` (words found in the summary, reasons, public, requester
        or number, all of them). `limit` None: no limit (exports)."""
        now = self._now()
        now_db = _to_db(now)
        q = self._filtered(select(_Demande), now, dac_id, statut, niveau, older_than, numero,
                           demandeur, communes, texte)
        overdue = case((and_(_Demande.statut != "cloturee", _Demande.echeance < now_db), 0), else_=1)
        q = q.order_by(overdue, _Demande.echeance, _Demande.id).offset(max(offset, 0))
        if limit is not None:
            q = q.limit(limit)
        with self._session() as s:
            return [self._ticket(r, now) for r in s.execute(q).scalars().all()]

    def count(self, dac_id: str | None = None, statut: str | None = None, niveau: int | None = None,
              older_than: timedelta | None = None, *, numero: str | None = None,
              demandeur: str | None = None, communes: list[str] | None = None,
              texte: str | None = None) -> int:
        """How many requests `queue` would list without a limit."""
        q = self._filtered(select(func.count(_Demande.id)), self._now(), dac_id, statut, niveau,
                           older_than, numero, demandeur, communes, texte)
        with self._session() as s:
            return int(s.execute(q).scalar_one())

    @staticmethod
    def _filtered(q, now, dac_id, statut, niveau, older_than, numero, demandeur, communes, texte):
        if statut is None:
            q = q.where(_Demande.statut != "cloturee")
        elif statut != "toutes":
            if statut not in STATUTS:
                raise TicketError(f"Statut inconnu : {statut}.")
            q = q.where(_Demande.statut == statut)
        if dac_id:
            q = q.where(_Demande.dac_id == dac_id)
        if niveau is not None:
            q = q.where(_Demande.niveau == niveau)
        if older_than is not None:
            q = q.where(_Demande.cree_le <= _to_db(now - older_than))
        if numero:
            q = q.where(_Demande.numero.ilike(f"%{_like(numero.strip().upper())}%", escape="\\"))
        if demandeur:
            q = q.where(_Demande.demandeur_nom.ilike(f"%{_like(demandeur.strip())}%", escape="\\"))
        if communes is not None:
            q = q.where(_Demande.commune_insee.in_(list(communes)))
        for word in (texte or "").split():
            pat = f"%{_like(word)}%"
            q = q.where(or_(*(col.ilike(pat, escape="\\") for col in (
                _Demande.resume, _Demande.motifs, _Demande.public, _Demande.demandeur_nom,
                _Demande.numero, _Demande.dac_nom))))
        return q

    def dacs(self) -> list[tuple[str, str]]:
        """(dac_id, name) pairs present in requests, for the console filter."""
        with self._session() as s:
            rows = s.execute(select(_Demande.dac_id, func.max(_Demande.dac_nom))
                             .where(_Demande.dac_id.isnot(None))
                             .group_by(_Demande.dac_id).order_by(_Demande.dac_id)).all()
            return [(r[0], r[1] or r[0]) for r in rows]

    def history(self, numero: str) -> list[Event]:
        with self._session() as s:
            row = self._row(s, numero)
            evs = s.execute(select(_Evenement).where(_Evenement.demande_id == row.id)
                            .order_by(_Evenement.id)).scalars().all()
            return [Event(_from_db(e.quand), e.qui, e.quoi, e.avant, e.apres, e.detail) for e in evs]

    def notes(self, numero: str) -> list[Note]:
        with self._session() as s:
            row = self._row(s, numero)
            ns = s.execute(select(_Note).where(_Note.demande_id == row.id)
                           .order_by(_Note.id)).scalars().all()
            return [Note(_from_db(n.quand), n.auteur, n.texte) for n in ns]

    # -- changes -------------------------------------------------------------------------------

    def transition(self, numero: str, new_status: str, by: str, outcome: str | None = None,
                   note: str | None = None) -> Ticket:
        """Change the status (audited, requester notified). Closure needs an outcome."""
        if new_status not in STATUTS:
            raise InvalidTransition(f"Statut inconnu : {new_status}.")
        outcome = (outcome or "").strip() or None
        if new_status == "cloturee" and not outcome:
            raise InvalidTransition("La clôture d'une demande nécessite une issue.")
        with self._session() as s, s.begin():
            row = self._row(s, numero, lock=True)
            old = row.statut
            if new_status == old:
                raise InvalidTransition(f"La demande est déjà « {STATUTS[old]} ».")
            if new_status not in TRANSITIONS[old]:
                raise InvalidTransition(
                    f"Passage de « {STATUTS[old]} » à « {STATUTS[new_status]} » impossible.")
            now = self._now()
            row.statut = new_status
            row.maj_le = _to_db(now)
            if new_status == "cloturee":
                row.issue = privacy.mask(outcome)
                row.cloturee_le = _to_db(now)
            else:
                row.issue = None
                row.cloturee_le = None
            ev = self._event(s, row, by, "statut", old, new_status,
                             privacy.mask(outcome) if new_status == "cloturee" else None)
            if note and note.strip():
                self._note(s, row, by, note)
            self._enqueue(s, row, ev, new_status, row.issue)
        return self.get(numero)

    def assign(self, numero: str, login: str | None, by: str) -> Ticket:
        """Assign the request to an operator login (None: unassign). Audited."""
        login = (login or "").strip() or None
        with self._session() as s, s.begin():
            if login is not None:
                op = s.execute(select(_Operateur).where(_Operateur.login == login)).scalar_one_or_none()
                if op is None or not op.actif:
                    raise TicketError(f"Utilisateur inconnu ou inactif : {login}.")
            row = self._row(s, numero, lock=True)
            if row.assigne_a == login:
                return self._ticket(row, self._now())
            before = row.assigne_a
            row.assigne_a = login
            row.maj_le = _to_db(self._now())
            self._event(s, row, by, "assignation", before, login, None)
        return self.get(numero)

    def add_note(self, numero: str, by: str, text: str) -> Note:
        """Add an internal note (masked; not sent to the requester). Audited."""
        if not (text or "").strip():
            raise TicketError("La note est vide.")
        with self._session() as s, s.begin():
            row = self._row(s, numero, lock=True)
            n = self._note(s, row, by, text)
            row.maj_le = _to_db(self._now())
            return Note(_from_db(n.quand), n.auteur, n.texte)

    def _note(self, s: Session, row: _Demande, by: str, text: str) -> _Note:
        now = _to_db(self._now())
        n = _Note(demande_id=row.id, quand=now, auteur=by, texte=privacy.mask(text.strip()))
        s.add(n)
        self._event(s, row, by, "note", None, None, n.texte[:200])
        return n

    def _row(self, s: Session, numero: str, lock: bool = False) -> _Demande:
        q = select(_Demande).where(_Demande.numero == (numero or "").strip().upper())
        if lock and s.bind.dialect.name == "postgresql":
            q = q.with_for_update()
        row = s.execute(q).scalar_one_or_none()
        if row is None:
            raise TicketNotFound(f"Demande introuvable : {numero}.")
        return row

    def _event(self, s: Session, row: _Demande, qui: str, quoi: str, avant, apres, detail) -> _Evenement:
        ev = _Evenement(demande_id=row.id, quand=_to_db(self._now()), qui=qui or "?", quoi=quoi,
                        avant=avant, apres=apres, detail=detail)
        s.add(ev)
        s.flush()
        return ev

    def _enqueue(self, s: Session, row: _Demande, ev: _Evenement, statut: str, issue: str | None) -> None:
        if not row.rappel_messagerie:
            return
        from knowledge.notify import compose
        sujet, corps = compose(row.numero, statut, issue=issue, dac_nom=row.dac_nom,
                               dac_telephone=row.dac_telephone, echeance=_from_db(row.echeance))
        now = _to_db(self._now())
        s.add(_Notification(demande_id=row.id, evenement_id=ev.id, destinataire=row.rappel_messagerie,
                            sujet=sujet, corps=corps, cree_le=now, prochain_essai=now, tentatives=0))

    # -- outbox --------------------------------------------------------------------------------

    def claim_pending(self, limit: int = 50, lease: timedelta = timedelta(minutes=5)) -> list[Outgoing]:
        """Claim due, unsent notifications for `lease` (so two workers never send the same one)."""
        now = _to_db(self._now())
        out: list[Outgoing] = []
        with self._session() as s:
            ids = s.execute(select(_Notification.id).where(
                _Notification.envoyee_le.is_(None), _Notification.prochain_essai <= now,
                or_(_Notification.verrou_jusqu_a.is_(None), _Notification.verrou_jusqu_a < now))
                .order_by(_Notification.id).limit(limit)).scalars().all()
        for nid in ids:
            with self._session() as s, s.begin():
                res = s.execute(update(_Notification).where(
                    _Notification.id == nid, _Notification.envoyee_le.is_(None),
                    or_(_Notification.verrou_jusqu_a.is_(None), _Notification.verrou_jusqu_a < now))
                    .values(verrou_jusqu_a=now + lease))
                if res.rowcount != 1:
                    continue
                n = s.get(_Notification, nid)
                numero = s.execute(select(_Demande.numero).where(_Demande.id == n.demande_id)).scalar_one()
                out.append(Outgoing(n.id, numero, n.destinataire, n.sujet, n.corps, n.tentatives))
        return out

    def mark_sent(self, notification_id: int) -> None:
        with self._session() as s, s.begin():
            s.execute(update(_Notification).where(_Notification.id == notification_id)
                      .values(envoyee_le=_to_db(self._now()), verrou_jusqu_a=None,
                              tentatives=_Notification.tentatives + 1, derniere_erreur=None))

    def mark_failed(self, notification_id: int, error: str, transient: bool = False) -> None:
        """Record the failure; retry later with exponential backoff.

        A refused message backs off from 1 min to 1 h. A transient failure (the relay unreachable)
        backs off from 15 s to at most ``TRANSIENT_RETRY_CAP`` seconds, so that with the worker's
        30 s passes the first retry comes within a minute of the relay's return.
        """
        with self._session() as s, s.begin():
            n = s.get(_Notification, notification_id)
            n.tentatives += 1
            if transient:
                delay = min(15 * 2 ** min(n.tentatives - 1, 10), TRANSIENT_RETRY_CAP)
            else:
                delay = min(60 * 2 ** min(n.tentatives - 1, 10), 3600)
            n.prochain_essai = _to_db(self._now()) + timedelta(seconds=delay)
            n.derniere_erreur = privacy.mask((error or "")[:1000])  # SMTP errors quote addresses
            n.verrou_jusqu_a = None

    def outbox(self, numero: str | None = None) -> list[dict]:
        """Outbox rows (for the console and tests)."""
        with self._session() as s:
            q = select(_Notification, _Demande.numero).join(_Demande, _Demande.id == _Notification.demande_id)
            if numero:
                q = q.where(_Demande.numero == numero)
            rows = s.execute(q.order_by(_Notification.id)).all()
            return [{"id": n.id, "numero": num, "destinataire": n.destinataire, "sujet": n.sujet,
                     "corps": n.corps, "envoyee_le": _from_db(n.envoyee_le), "tentatives": n.tentatives,
                     "derniere_erreur": n.derniere_erreur} for n, num in rows]

    # -- operators -----------------------------------------------------------------------------

    def create_user(self, login: str, password: str, role: str, nom: str | None = None,
                    by: str = "système") -> Operator:
        login = (login or "").strip().lower()
        if not re.fullmatch(r"[a-z0-9._\-]{2,80}", login):
            raise TicketError("Identifiant invalide (lettres, chiffres, . _ -, 2 à 80 caractères).")
        if role not in ROLES:
            raise TicketError(f"Rôle inconnu : {role}.")
        if len(password or "") < 10:
            raise TicketError("Le mot de passe doit comporter au moins 10 caractères.")
        try:
            with self._session() as s, s.begin():
                s.add(_Operateur(login=login, nom=nom, role=role, mot_de_passe=hash_password(password),
                                 actif=1, cree_le=_to_db(self._now())))
        except IntegrityError:
            raise TicketError(f"L'utilisateur {login} existe déjà.") from None
        return Operator(login, nom, role, True)

    def set_password(self, login: str, password: str) -> None:
        if len(password or "") < 10:
            raise TicketError("Le mot de passe doit comporter au moins 10 caractères.")
        with self._session() as s, s.begin():
            op = self._op(s, login)
            op.mot_de_passe = hash_password(password)

    def set_role(self, login: str, role: str, actif: bool = True) -> Operator:
        if role not in ROLES:
            raise TicketError(f"Rôle inconnu : {role}.")
        with self._session() as s, s.begin():
            op = self._op(s, login)
            op.role, op.actif = role, 1 if actif else 0
            return Operator(op.login, op.nom, op.role, bool(op.actif))

    def authenticate(self, login: str, password: str) -> Operator | None:
        """The active operator when the password matches, else None (constant-ish time)."""
        with self._session() as s:
            op = s.execute(select(_Operateur).where(
                _Operateur.login == (login or "").strip().lower())).scalar_one_or_none()
        if op is None:
            verify_password(password or "", _DUMMY_HASH)
            return None
        if not verify_password(password or "", op.mot_de_passe) or not op.actif:
            return None
        return Operator(op.login, op.nom, op.role, True)

    def password_tag(self, login: str) -> str | None:
        """A digest of the stored password hash: changes with the password (session revocation)."""
        with self._session() as s:
            h = s.execute(select(_Operateur.mot_de_passe).where(_Operateur.login == login)).scalar_one_or_none()
        return hashlib.sha256(h.encode()).hexdigest() if h else None

    def user(self, login: str) -> Operator | None:
        with self._session() as s:
            op = s.execute(select(_Operateur).where(_Operateur.login == login)).scalar_one_or_none()
            return Operator(op.login, op.nom, op.role, bool(op.actif)) if op else None

    def users(self) -> list[Operator]:
        with self._session() as s:
            ops = s.execute(select(_Operateur).order_by(_Operateur.login)).scalars().all()
            return [Operator(o.login, o.nom, o.role, bool(o.actif)) for o in ops]

    def _op(self, s: Session, login: str) -> _Operateur:
        op = s.execute(select(_Operateur).where(_Operateur.login == login)).scalar_one_or_none()
        if op is None:
            raise TicketError(f"Utilisateur inconnu : {login}.")
        return op

    # -- conversion ----------------------------------------------------------------------------

    def _ticket(self, r: _Demande, now: datetime) -> Ticket:
        echeance = _from_db(r.echeance)
        return Ticket(
            id=r.id, numero=r.numero, statut=r.statut, niveau=r.niveau,
            motifs=tuple(json.loads(r.motifs or "[]")), urgence=r.urgence,
            consentement=r.consentement, resume=r.resume, commune_insee=r.commune_insee,
            dac_id=r.dac_id, dac_nom=r.dac_nom, dac_telephone=r.dac_telephone, public=r.public,
            demandeur_nom=r.demandeur_nom, demandeur_profession=r.demandeur_profession,
            demandeur_rpps=r.demandeur_rpps, rappel_telephone=r.rappel_telephone,
            rappel_messagerie=r.rappel_messagerie, creneau_rappel=r.creneau_rappel, canal=r.canal,
            conversation_id=r.conversation_id, cree_par=r.cree_par, assigne_a=r.assigne_a,
            issue=r.issue, cree_le=_from_db(r.cree_le), maj_le=_from_db(r.maj_le),
            echeance=echeance, cloturee_le=_from_db(r.cloturee_le),
            en_retard=r.statut != "cloturee" and echeance < now)


_DUMMY_HASH = hash_password("aiguillage-dummy-password", salt=b"0" * 16)


def _requester_label(row: _Demande) -> str:
    return f"demandeur ({row.canal})"


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()
