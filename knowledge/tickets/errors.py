"""Typed errors of the support requests; their messages are French, to be shown as is."""
from __future__ import annotations


class TicketError(ValueError):
    """A request that cannot be carried out; the message is French, for the user."""


class TicketNotFound(TicketError):
    pass


class InvalidTransition(TicketError):
    pass
