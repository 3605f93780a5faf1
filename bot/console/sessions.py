"""Console sessions kept server-side (revocable) and login throttling.

- :class:`SessionStore`: one row per signed-in session (table ``console_session`` in the tickets
  database; only a SHA-256 of the session token is stored). A session is valid while its row
  exists, has not expired and the account's password is unchanged (the row keeps a digest of
  the password hash at sign-in): logout deletes the row, a password change (console or
  ``python -m bot.console set-password``) voids every session of the account.
- :class:`Throttle`: failed sign-ins counted per account and per client address (memory of the
  console process). After ``limit`` failures in a row the key is locked for 1 min, then twice as
  long after each further failure (capped at 1 h); while locked even the right password is
  refused, with a French message saying how long to wait. A success clears both keys.
"""
from __future__ import annotations

import hashlib
import math
import secrets
import threading
import time
from datetime import datetime, timedelta, timezone

from sqlalchemy import Column, DateTime, String, delete, select
from sqlalchemy.orm import Session, declarative_base

Base = declarative_base()


class _ConsoleSession(Base):
    __tablename__ = "console_session"
    id = Column(String(64), primary_key=True)        # sha256 of the token in the cookie
    login = Column(String(80), nullable=False, index=True)
    mot_de_passe = Column(String(64), nullable=False)  # digest of the password hash at sign-in
    cree_le = Column(DateTime, nullable=False)
    expire_le = Column(DateTime, nullable=False)


def _utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SessionStore:
    """Signed-in sessions of the console, in the tickets database (`store`: a TicketStore)."""

    def __init__(self, store, lifetime_seconds: int) -> None:
        self.store = store
        self.lifetime = timedelta(seconds=lifetime_seconds)
        Base.metadata.create_all(store.engine)

    def _session(self) -> Session:
        return Session(self.store.engine, future=True)

    def open(self, login: str) -> str:
        """A new session token for `login` (the cookie carries it, signed)."""
        token = secrets.token_urlsafe(32)
        now = _utcnow()
        with self._session() as s, s.begin():
            s.execute(delete(_ConsoleSession).where(_ConsoleSession.expire_le < now))
            s.add(_ConsoleSession(id=_digest(token), login=login, mot_de_passe=self.store.password_tag(login) or "",
                                  cree_le=now, expire_le=now + self.lifetime))
        return token

    def valid(self, token: str | None, login: str | None) -> bool:
        if not token or not login:
            return False
        with self._session() as s:
            row = s.get(_ConsoleSession, _digest(token))
            if row is None or row.login != login or row.expire_le < _utcnow():
                return False
            tag = row.mot_de_passe
        return bool(tag) and tag == self.store.password_tag(login)

    def close(self, token: str | None) -> None:
        if token:
            with self._session() as s, s.begin():
                s.execute(delete(_ConsoleSession).where(_ConsoleSession.id == _digest(token)))

    def close_all(self, login: str) -> int:
        """Revoke every session of `login`; how many there were."""
        with self._session() as s, s.begin():
            return s.execute(delete(_ConsoleSession).where(_ConsoleSession.login == login)).rowcount or 0

    def count(self, login: str) -> int:
        with self._session() as s:
            return len(s.execute(select(_ConsoleSession.id).where(_ConsoleSession.login == login)).all())


class Throttle:
    """Failed sign-ins per key ("compte:<login>", "adresse:<ip>") with exponential lockout."""

    MAX_KEYS = 50_000
    FORGET_SECONDS = 24 * 3600

    def __init__(self, account_limit: int = 5, address_limit: int = 20, base_seconds: float = 60.0,
                 cap_seconds: float = 3600.0, clock=time.monotonic) -> None:
        self.limits = {"compte": account_limit, "adresse": address_limit}
        self.base, self.cap, self.clock = base_seconds, cap_seconds, clock
        self.failures: dict[str, tuple[int, float]] = {}   # key -> (failures in a row, time of the last)
        self.lock = threading.Lock()

    def _wait(self, key: str, now: float) -> float:
        n, last = self.failures.get(key, (0, now))
        limit = self.limits[key.split(":", 1)[0]]
        if n < limit:
            return 0.0
        return max(0.0, last + min(self.cap, self.base * 2 ** (n - limit)) - now)

    def wait(self, *keys: str) -> float:
        """Seconds before a sign-in may be tried for these keys (0: now)."""
        now = self.clock()
        with self.lock:
            return max(self._wait(k, now) for k in keys)

    def failed(self, *keys: str) -> None:
        now = self.clock()
        with self.lock:
            if len(self.failures) > self.MAX_KEYS:
                self.failures = {k: v for k, v in self.failures.items() if now - v[1] < self.FORGET_SECONDS}
            for k in keys:
                n, _ = self.failures.get(k, (0, now))
                self.failures[k] = (n + 1, now)

    def succeeded(self, *keys: str) -> None:
        with self.lock:
            for k in keys:
                self.failures.pop(k, None)


def wait_message(seconds: float) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    unit = "minute" if minutes == 1 else "minutes"
    return (f"Trop de tentatives de connexion infructueuses : connexion bloquée, réessayez dans {minutes} {unit}. "
            "En cas d'oubli du mot de passe, demandez à un administrateur de le réinitialiser.")
