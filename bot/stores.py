"""Rasa tracker store that masks patient identifiers before conversations are written."""
from __future__ import annotations

import copy
import logging
import os
from typing import Any, Iterator

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import BotUttered, Event, UserUttered

from bot import rasa_patches
from knowledge.privacy import install_logging_filter, mask

# The Rasa server configures logging before it builds the tracker store: mask every record.
install_logging_filter("rasa", "bot", "knowledge")

# Rasa imports this module (bot/endpoints*.yml) before running any action: our one patch of Rasa.
try:
    rasa_patches.apply()
except rasa_patches.PatchRefused as exc:  # another Rasa version: stock behaviour, slower
    logging.getLogger(__name__).warning("%s", exc)


def masked_event(event: Event) -> Event:
    """A copy of `event` whose free text is masked (user messages and bot echoes)."""
    if isinstance(event, UserUttered) and event.text:
        masked = copy.copy(event)
        masked.text = mask(event.text)
        if isinstance(getattr(event, "parse_data", None), dict):
            masked.parse_data = {**event.parse_data, "text": masked.text}
        return masked
    if isinstance(event, BotUttered) and event.text:
        masked = copy.copy(event)
        masked.text = mask(event.text)
        return masked
    return event


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL: readers do not wait for the writer; NORMAL: one fsync per checkpoint, not per message
    # (a power cut may lose the last turns, an application crash loses nothing).
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class MaskingSQLTrackerStore(SQLTrackerStore):
    """`SQLTrackerStore` (SQLite or PostgreSQL) storing masked user and bot texts."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # AIGUILLAGE_PG_SCHEMA: the PostgreSQL schema of the `events` table (default: the
        # database's search path), so that several deployments or test runs share one database.
        schema = os.environ.get("AIGUILLAGE_PG_SCHEMA", "").strip()
        if schema and kwargs.get("dialect", "sqlite") == "postgresql":
            kwargs["query"] = {**(kwargs.get("query") or {}), "options": f"-csearch_path={schema}"}
        super().__init__(*args, **kwargs)
        # AIGUILLAGE_SQLITE_WAL=0: SQLite's stock journal (make bench-load measures both).
        if self.engine.dialect.name == "sqlite" and os.environ.get("AIGUILLAGE_SQLITE_WAL", "1") != "0":
            from sqlalchemy import event

            event.listen(self.engine, "connect", _sqlite_pragmas)
            self.engine.dispose()  # connections opened before the listener get the pragmas too

    def _additional_events(self, session: Any, tracker: Any) -> Iterator:
        return (masked_event(e) for e in super()._additional_events(session, tracker))
