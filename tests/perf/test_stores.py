"""The SQLite tracker store of `make run`: WAL journal, and conversations still saved masked."""
from __future__ import annotations

import asyncio
import sqlite3

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.stores import MaskingSQLTrackerStore


def test_sqlite_tracker_store_uses_wal_and_keeps_masking(tmp_path):
    db = tmp_path / "trackers.db"
    domain = Domain.empty()
    store = MaskingSQLTrackerStore(domain, dialect="sqlite", db=str(db))
    tracker = DialogueStateTracker.from_events(
        "dr-x", [ActionExecuted("action_listen"), UserUttered("Mme Durand 06 12 34 56 78 à Vierzon", {"intent": {"name": "orientation"}})]
    )
    asyncio.run(store.save(tracker))
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        rows = [r[0] for r in conn.execute("SELECT data FROM events WHERE type_name = 'user'")]
    assert rows and "06 12 34" not in rows[0] and "Durand" not in rows[0]
    again = asyncio.run(store.retrieve("dr-x"))
    assert again is not None and len(again.events) == 2
