"""The requests' database handle: the shared engine, sessions, the clock and the schema.

`TicketStore` is built on it (with `OperatorAccounts` and `Outbox`), so every part of the store
uses the same engine (`knowledge.db`), clock and session settings.
"""
from __future__ import annotations

from datetime import datetime
from typing import Callable

from sqlalchemy.orm import Session

from knowledge import db
from knowledge.settings import database_url
from knowledge.hours import now_paris
from knowledge.tickets.tables import Base


class TicketDatabase(db.TableSet):
    """Engine, clock and sessions of the request tables."""

    metadata = Base.metadata

    def __init__(self, url: str | None = None, *, clock: Callable[[], datetime] | None = None,
                 create_schema: bool = True):
        self.url = url or database_url()
        self.engine = db.engine(self.url)
        self.clock = clock or now_paris
        if create_schema:
            self.create_schema()

    def dispose(self) -> None:
        """Close the pooled connections (the engine stays usable, it is shared per database)."""
        self.engine.dispose()

    def _now(self) -> datetime:
        now = self.clock()
        if now.tzinfo is None:
            raise ValueError("the clock must return an aware datetime")
        return now

    def _session(self) -> Session:
        return Session(self.engine, future=True, expire_on_commit=False)
