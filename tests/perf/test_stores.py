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


def _tracker(sender: str, n: int) -> DialogueStateTracker:
    events = [ActionExecuted("action_listen")]
    for i in range(n):
        events += [UserUttered(f"message {i}", {"intent": {"name": "saluer"}}), ActionExecuted("action_listen")]
    return DialogueStateTracker.from_events(sender, events)


def test_sqlite_connections_are_reused_between_turns(tmp_path):
    from sqlalchemy import event
    from sqlalchemy.pool import QueuePool

    store = MaskingSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "t.db"))
    assert isinstance(store.engine.pool, QueuePool)
    connects = []
    event.listen(store.engine, "connect", lambda *_: connects.append(1))
    for n in range(1, 6):  # five turns: retrieve, count and save each time
        asyncio.run(store.retrieve("dr-y"))
        asyncio.run(store.save(_tracker("dr-y", n)))
    assert len(connects) <= 1
    again = asyncio.run(store.retrieve("dr-y"))
    assert again is not None and len(again.events) == 11
    with sqlite3.connect(tmp_path / "t.db") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_pooled_sqlite_store_serves_other_threads(tmp_path):
    import concurrent.futures

    store = MaskingSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "t.db"))
    asyncio.run(store.save(_tracker("dr-z", 1)))  # a connection opened on this thread

    def turn(i: int) -> int:
        asyncio.run(store.save(_tracker(f"dr-{i}", 2)))
        return len(asyncio.run(store.retrieve(f"dr-{i}")).events)

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        assert list(pool.map(turn, range(8))) == [5] * 8
    assert len(asyncio.run(store.retrieve("dr-z")).events) == 3


def test_sqlite_pool_can_be_disabled(tmp_path, monkeypatch):
    from sqlalchemy.pool import QueuePool

    monkeypatch.setenv("AIGUILLAGE_SQLITE_POOL", "0")
    store = MaskingSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "t.db"))
    assert not isinstance(store.engine.pool, QueuePool)
