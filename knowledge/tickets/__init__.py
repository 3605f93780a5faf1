"""Support requests ("demandes d'appui") to the coordination team (DAC). See docs/tickets.md.

One concept per module, no import circle (each imports only those above it):

- ``errors``: ``TicketError``, ``TicketNotFound``, ``InvalidTransition`` (French messages);
- ``labels``: statuses and their French labels, transitions, delays, consent, channels, outcomes, roles;
- ``tables``: the SQL tables (rows never leave the package) and the UTC storage of datetimes;
- ``model``: ``NewRequest`` and the frozen values callers get (``Ticket``, ``Event``, ``Note`` …);
- ``numbers``: request numbers ``AIG-<year>-<6 digits>`` and their per-year counter;
- ``deadlines``: target response times in working days (``echeance_for``);
- ``messages``: the French e-mail for a status change (``compose``);
- ``mailer``: SMTP settings, sending the outbox (``send_pending``), the retry back-off;
- ``database``: the shared engine, sessions, clock and schema of the store;
- ``operators``: console accounts and scrypt passwords (``OperatorAccounts``);
- ``outbox``: the transactional outbox (``Outbox``: enqueue, claim, mark sent or failed);
- ``store``: ``TicketStore``, creation (idempotent), lifecycle, audit, reading, the queue;
- ``routing``: the DAC of a commune, chosen by the orienter (``route_dac``);
- ``worker``: ``python -m knowledge.tickets.worker``, the outbox worker loop.
"""
from knowledge.hours import TZ, working_day
from knowledge.tickets.deadlines import DELAIS_JOURS_OUVRES, FIN_DE_JOURNEE, echeance_for
from knowledge.tickets.errors import InvalidTransition, TicketError, TicketNotFound
from knowledge.tickets.labels import (CANAUX, CONSENTEMENTS, ISSUES, ROLES, STATUTS, TRANSITIONS,
                                      URGENCES)
from knowledge.tickets.mailer import (TRANSIENT_RETRY_CAP, SendReport, SmtpSettings, retry_delay,
                                      send_pending, send_with_settings, settings_from_env)
from knowledge.tickets.messages import compose
from knowledge.tickets.model import Event, NewRequest, Note, Operator, Outgoing, Ticket
from knowledge.tickets.numbers import NUMERO_RE, find_numeros, format_numero, normalize_numero
from knowledge.tickets.operators import hash_password, verify_password
from knowledge.tickets.routing import route_dac
from knowledge.tickets.store import TicketStore

__all__ = [
    "CANAUX", "CONSENTEMENTS", "DELAIS_JOURS_OUVRES", "FIN_DE_JOURNEE", "ISSUES", "NUMERO_RE",
    "ROLES", "STATUTS", "TRANSIENT_RETRY_CAP", "TRANSITIONS", "TZ", "URGENCES", "Event",
    "InvalidTransition", "NewRequest", "Note", "Operator", "Outgoing", "SendReport",
    "SmtpSettings", "Ticket", "TicketError", "TicketNotFound", "TicketStore", "compose",
    "echeance_for", "find_numeros", "format_numero", "hash_password", "normalize_numero", "retry_delay",
    "route_dac", "send_pending", "send_with_settings", "settings_from_env", "verify_password",
    "working_day",
]
