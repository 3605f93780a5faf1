"""Rasa stores: a tracker store that masks patient identifiers, a Redis lock store that is atomic.

Tracker store: masks patient identifiers before conversations are written.

Every event is masked (knowledge.privacy) before it reaches the database: user text, parse
data (text, entity values and texts), metadata, slot values, bot texts and custom payloads.
Exceptions:
- slots that hold the bot's own directory data (`BOT_DATA_SLOTS`: services' public phones,
  the pending hours question) are stored as they are;
- the requester's own contact slots (`CONTACT_SLOTS`: callback number or address, name, RPPS)
  are needed on the next turn to open the request: they are stored encrypted (Fernet, key from
  `$AIGUILLAGE_STORE_KEY` or the file `var/store.key`, created mode 600) while the support-request
  form is open, and overwritten with masked values as soon as the form clears them (request
  sent, corrected or cancelled): see `scrub_contact_slots`.

Lock store (`AtomicRedisLockStore`, bot/endpoints.prod.yml): see its docstring.
"""
from __future__ import annotations

import itertools
import json
import logging
import os
import time
from contextlib import asynccontextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, AsyncGenerator, Callable, Iterator, Optional

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.core.tracker_store import SQLTrackerStore
from rasa.utils.endpoints import EndpointConfig
from rasa.shared.core.events import Event, SessionStarted, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from bot import rasa_patches
from knowledge import settings
from knowledge.privacy import CleanMemo, install_logging_filter, mask, mask_obj, warm_up

# The Rasa server configures logging before it builds the tracker store: mask every record.
install_logging_filter("rasa", "bot", "knowledge", "sanic")
warm_up()  # word lists loaded at start-up, not during the first conversation

# Rasa imports this module (bot/endpoints*.yml) before running any action: our one patch of Rasa.
try:
    rasa_patches.apply()
except rasa_patches.PatchRefused as exc:  # another Rasa version: stock behaviour, slower
    logging.getLogger(__name__).warning("%s", exc)

BOT_DATA_SLOTS = frozenset({"derniere_orientation", "question_horaire", "commune", "departement"})
CONTACT_SLOTS = frozenset({"demande_rappel", "demandeur_nom", "demandeur_rpps"})
_MASKED_KEYS = ("text", "metadata", "parse_data", "data", "value", "message", "info", "entities",
                "action_text")
_ENC = "enc:v1:"
KEY_ENV = "AIGUILLAGE_STORE_KEY"
KEY_FILE_ENV = "AIGUILLAGE_STORE_KEY_FILE"
logger = logging.getLogger(__name__)
# Strings that need no masking (labels, Rasa's metadata, the directory's texts of a payload),
# masked once per process; same result as mask_obj (knowledge/privacy/masking.py, CleanMemo).
# AIGUILLAGE_MASK_MEMO=0: every string masked on every save (measurements).
_memo: Optional[CleanMemo] = CleanMemo() if settings.flag("AIGUILLAGE_MASK_MEMO") is not False else None


def _mask_obj(value: Any) -> Any:
    return _memo.mask_obj(value) if _memo is not None else mask_obj(value)


@lru_cache(maxsize=1)
def _fernet():
    """The store's key: `$AIGUILLAGE_STORE_KEY`, else a file (created once, mode 600)."""
    from cryptography.fernet import Fernet
    key = settings.value(KEY_ENV) or ""
    if not key:
        path = settings.var_path(KEY_FILE_ENV)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(Fernet.generate_key())
        key = path.read_text().strip()
    return Fernet(key.encode())


def _encrypt(value: Any) -> str:
    return _ENC + _fernet().encrypt(json.dumps(value).encode()).decode()


def _decrypt(value: Any) -> Any:
    if not (isinstance(value, str) and value.startswith(_ENC)):
        return value
    try:
        return json.loads(_fernet().decrypt(value[len(_ENC):].encode()))
    except Exception:  # key changed or value damaged: the form asks again
        logger.warning("Valeur chiffrée illisible dans le tracker store : créneau redemandé.")
        return None


def mask_event_dict(data: dict[str, Any], keep_contacts: bool = True) -> dict[str, Any]:
    """The serialised event `data` with every free-text field masked."""
    out = dict(data)
    if out.get("event") == "slot":
        name = out.get("name")
        if name in BOT_DATA_SLOTS:
            return out
        if keep_contacts and name in CONTACT_SLOTS:
            if out.get("value") is not None and not str(out.get("value")).startswith(_ENC):
                out["value"] = _encrypt(out["value"])
            return out
        out["value"] = _mask_obj(out.get("value"))
        return out
    for key in _MASKED_KEYS:
        if key in out and key != "value":
            out[key] = _mask_obj(out[key])
    return out


def masked_event(event: Event) -> Event:
    """A masked copy of `event` (same type, same timestamp)."""
    data = event.as_dict()
    masked = mask_event_dict(data)
    if masked == data:
        return event
    return Event.from_parameters(masked) or event


def _clears_contact(event: Event) -> bool:
    return isinstance(event, SlotSet) and event.key in CONTACT_SLOTS and event.value is None


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL: readers do not wait for the writer; NORMAL: one fsync per checkpoint, not per message
    # (a power cut may lose the last turns, an application crash loses nothing).
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class MaskingSQLTrackerStore(SQLTrackerStore):
    """`SQLTrackerStore` (SQLite or PostgreSQL) storing masked events."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # AIGUILLAGE_PG_SCHEMA: the PostgreSQL schema of the `events` table (default: the
        # database's search path), so that several deployments or test runs share one database.
        schema = settings.value("AIGUILLAGE_PG_SCHEMA")
        if kwargs.get("dialect", "sqlite") == "postgresql":
            options = [f"-csearch_path={schema}"] if schema else []
            # As SQLite's `synchronous=NORMAL` below: a turn does not wait for the WAL's fsync; an
            # application crash loses nothing, a database crash the last ~0.6 s of turns
            # (AIGUILLAGE_PG_SYNC_COMMIT=1: wait for it).
            if not settings.flag("AIGUILLAGE_PG_SYNC_COMMIT"):
                options.append("-csynchronous_commit=off")
            query = dict(kwargs.get("query") or {})
            options = [o for o in (query.get("options", ""), *options) if o]
            if options:
                kwargs["query"] = {**query, "options": " ".join(options)}
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite" and settings.flag("AIGUILLAGE_SQLITE_POOL") is not False:
            self._pool_sqlite_connections()
        # AIGUILLAGE_SQLITE_WAL=0: SQLite's stock journal (make bench-load measures both).
        if self.engine.dialect.name == "sqlite" and settings.flag("AIGUILLAGE_SQLITE_WAL") is not False:
            from sqlalchemy import event

            event.listen(self.engine, "connect", _sqlite_pragmas)
            self.engine.dispose()  # connections opened before the listener get the pragmas too

    def _pool_sqlite_connections(self) -> None:
        """Keep SQLite connections open between turns (AIGUILLAGE_SQLITE_POOL=0: stock).

        SQLAlchemy 1.4 gives a file SQLite database a `NullPool`: each of the three sessions of a
        turn (retrieve, count, save) opened a connection and ran the WAL pragmas again. A
        `QueuePool` (SQLAlchemy 2.0's default for files) reuses them; `check_same_thread` is off
        because the guard's worker thread and the server's loop both use the store, one session
        at a time per connection (docs/performance.md).
        """
        import sqlalchemy as sa
        from sqlalchemy.orm import sessionmaker
        from sqlalchemy.pool import QueuePool

        if self.engine.url.database in (None, "", ":memory:"):
            return  # an in-memory database lives in its one connection: keep Rasa's pool
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, poolclass=QueuePool, pool_size=5, max_overflow=10,
                                       connect_args={"check_same_thread": False})
        self.sessionmaker = sessionmaker(bind=self.engine)

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool
                        ) -> Optional[DialogueStateTracker]:
        with self.session_scope() as session:
            query = self._event_query(session, sender_id,
                                      fetch_events_from_all_sessions=fetch_events_from_all_sessions)
            if _core():  # the `data` column only: no ORM object per stored event
                events = [json.loads(data) for (data,) in query.with_entities(self.SQLEvent.data)]
            else:
                events = [json.loads(r.data) for r in query.all()]
        if not (self.domain and events):
            return None
        for e in events:
            if e.get("event") == "slot" and e.get("name") in CONTACT_SLOTS:
                e["value"] = _decrypt(e.get("value"))
        tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        _remember_stored(tracker)
        return tracker

    def _new_events(self, session: Any, tracker: Any) -> list[Event]:
        """The tracker's events the store does not hold yet (unmasked); scrubs cleared contacts."""
        stored = _stored_since_session_start(tracker)
        if stored is None:  # not read from this store in this turn: Rasa's count query
            events = list(super()._additional_events(session, tracker))
        else:
            events = list(itertools.islice(tracker.events, stored, len(tracker.events)))
        if any(_clears_contact(e) for e in events):
            scrub_contact_slots(session, self.SQLEvent, tracker.sender_id)
        return events

    def _additional_events(self, session: Any, tracker: Any) -> Iterator:
        return (masked_event(e) for e in self._new_events(session, tracker))

    async def save(self, tracker: DialogueStateTracker) -> None:
        if not _core():
            await super().save(tracker)
            _remember_stored(tracker)
            return
        # Rasa's save with one multi-row INSERT instead of an ORM object and an INSERT … RETURNING
        # per event; same rows, same columns (tests/perf/test_store_core.py).
        await self.stream_events(tracker)
        with self.session_scope() as session:
            rows = []
            for event in self._new_events(session, tracker):
                data = mask_event_dict(event.as_dict())
                rows.append({"sender_id": tracker.sender_id, "type_name": event.type_name,
                             "timestamp": data.get("timestamp"),
                             "intent_name": (data.get("parse_data") or {}).get("intent", {}).get("name"),
                             "action_name": data.get("name"), "data": json.dumps(data)})
            if rows:
                session.execute(self.SQLEvent.__table__.insert(), rows)
            session.commit()
        _remember_stored(tracker)


def _core() -> bool:
    """SQLAlchemy Core statements for the events (`AIGUILLAGE_STORE_CORE=0`: Rasa's ORM rows)."""
    return settings.flag("AIGUILLAGE_STORE_CORE") is not False


# Rasa's `SQLTrackerStore.save` counts the stored events of the conversation's last session (one
# query per save) to find which of the tracker's events are new. A tracker this store has just
# read or written already tells: its first `n` events are the stored ones, and the stored events
# of the last session are those timestamped at or after the last `session_started` among them
# (the rows Rasa's query counts). The lock store serialises the turns of a conversation across
# instances, so nothing else writes its events between the read and the save.
# `AIGUILLAGE_STORE_COUNT=1`: Rasa's query.
_STORED_ATTR = "_aiguillage_stored_events"


def _remember_stored(tracker: DialogueStateTracker) -> None:
    setattr(tracker, _STORED_ATTR, len(tracker.events))


def _stored_since_session_start(tracker: Any) -> Optional[int]:
    """How many of `tracker.events` the store holds for its last session, if known (else None)."""
    n = getattr(tracker, _STORED_ATTR, None)
    if n is None or n > len(tracker.events) or settings.flag("AIGUILLAGE_STORE_COUNT"):
        return None
    stored = list(itertools.islice(tracker.events, n))
    starts = [e.timestamp for e in stored if isinstance(e, SessionStarted)]
    if not starts:
        return n
    last_start = max(starts)  # Rasa's query: rows whose timestamp >= the last session start's
    return sum(1 for e in stored if e.timestamp >= last_start)


def scrub_contact_slots(session: Any, model: Any, sender_id: str) -> int:
    """Overwrite the stored raw contact slots of `sender_id` with masked values; return how many."""
    n = 0
    rows = session.query(model).filter(model.sender_id == sender_id, model.type_name == "slot").all()
    for row in rows:
        data = json.loads(row.data)
        if data.get("name") in CONTACT_SLOTS and data.get("value") is not None:
            data["value"] = _decrypt(data["value"])
            masked = mask_event_dict(data, keep_contacts=False)
            value = masked.get("value")
            if value == data.get("value"):  # a name or RPPS that mask() keeps: drop it
                masked["value"] = "[masqué]"
            row.data = json.dumps(masked)
            n += 1
    return n


LOCK_POLL_SECONDS = 0.05  # Rasa polls a busy conversation lock every second: a queued turn waited up to 1 s more


class AtomicRedisLockStore(RedisLockStore):
    """Rasa's Redis lock store with every change of a conversation's ticket lock atomic.

    Rasa 3.6's `RedisLockStore` changes a lock by GET, a change in Python, then SET. When two
    instances receive a message of one conversation at the same moment, both read "no lock",
    both take ticket 0, both write [ticket 0] and both see their ticket served: the two turns run
    at once on the same tracker. The SQL tracker store then saves only the events past the number
    already stored, so the second save drops its user message and most of its turn (the
    "simultaneous turns" defect of tests/perf/test_scaled.py). The same race lets a waiting
    instance's expiry sweep or a finishing instance's delete erase a ticket just issued.

    Here every read-change-write runs in a Redis WATCH/MULTI transaction (replayed if another
    instance wrote the key in between); the key is deleted in the same transaction when no ticket
    is left, and expires with its last ticket (a crashed instance leaves no lock behind). A queued
    turn polls every `LOCK_POLL_SECONDS` instead of every second.
    """

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **kwargs: Any) -> None:
        if endpoint_config is not None:  # `type: bot.stores.AtomicRedisLockStore` in endpoints.yml
            kwargs = {**endpoint_config.kwargs, **kwargs, "host": endpoint_config.url or "localhost"}
        super().__init__(**kwargs)

    def _change(self, conversation_id: str, change: Callable[[TicketLock], Any], create: bool = False) -> Any:
        key = self.key_prefix + conversation_id

        def transaction(pipe: Any) -> Any:
            raw = pipe.get(key)
            if raw:
                lock = TicketLock.from_dict(json.loads(raw))
            elif create:
                lock = self.create_lock(conversation_id)
            else:
                return None
            result = change(lock)
            lock.remove_expired_tickets()
            pipe.multi()
            if lock.tickets:
                ttl_ms = int(1000 * (max(t.expires for t in lock.tickets) - time.time())) + 1
                pipe.set(key, lock.dumps(), px=max(ttl_ms, 1))
            else:
                pipe.delete(key)
            return result

        return self.red.transaction(transaction, key, value_from_callable=True)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        try:
            return self._change(conversation_id, lambda lock: lock.issue_ticket(lock_lifetime), create=True)
        except Exception as exc:  # as Rasa's: the channel answers the failure
            raise LockError(f"Error while acquiring lock. Error:\n{exc}") from exc

    def update_lock(self, conversation_id: str) -> None:
        self._change(conversation_id, lambda lock: None)  # expired tickets dropped on the way

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        self._change(conversation_id, lambda lock: lock.remove_ticket_for(ticket_number))

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        self.finish_serving(conversation_id, ticket_number)  # deletes the key when no one waits

    @asynccontextmanager
    async def lock(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME,
                   wait_time_in_seconds: float = LOCK_POLL_SECONDS) -> AsyncGenerator[TicketLock, None]:
        async with super().lock(conversation_id, lock_lifetime, wait_time_in_seconds) as lock:
            yield lock
