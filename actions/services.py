"""The collaborators of the dialogue, built once by the action server and passed to every flow.

No flow module holds a collaborator of its own: the orienter (directory, gazetteer, vocabulary,
rules), the support-request store and the clock come from one ``Services``. Tests build it on
their own directory and database (tests/actions/conftest.py).
"""
from __future__ import annotations

from datetime import datetime
from typing import Callable

from knowledge.hours import current_time
from knowledge.orientation import Orienter
from knowledge.tickets import TicketStore


class Services:
    """Orienter, ticket store and clock of one action server (or one test)."""

    def __init__(self, orienter: Orienter, tickets: TicketStore | None = None,
                 clock: Callable[[], datetime] = current_time, *, tickets_url: str | None = None) -> None:
        self.orienter = orienter
        self.clock = clock
        self._tickets = tickets
        self._tickets_url = tickets_url

    @classmethod
    def from_settings(cls) -> "Services":
        """The production set: the configured directory and database, the configured clock."""
        return cls(Orienter())

    @property
    def tickets(self) -> TicketStore:
        """The support-request store, connected on first use (the action server starts even
        when the database is down; the form then answers in French, actions/safe.py)."""
        if self._tickets is None:
            self._tickets = TicketStore(self._tickets_url, clock=self.clock)
        return self._tickets

    @property
    def directory(self):
        return self.orienter.directory

    @property
    def gazetteer(self):
        return self.orienter.gazetteer

    @property
    def vocabulary(self):
        return self.orienter.vocabulary

    def now(self) -> datetime:
        return self.clock()
