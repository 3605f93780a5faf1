"""The tracker store's Core statements store the rows Rasa's ORM code stores, and read them back."""
from __future__ import annotations

import asyncio
import json
import uuid

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered

from bot.stores import MaskingSQLTrackerStore


def _play(store: MaskingSQLTrackerStore, sender: str) -> list:
    """Two sessions of a conversation with identifiers in the text; the trackers read back."""
    run = asyncio.run
    tracker = run(store.get_or_create_tracker(sender, append_action_listen=False))
    for e in (ActionExecuted("action_session_start", timestamp=100.0), SessionStarted(timestamp=100.0),
              ActionExecuted("action_listen", timestamp=100.1),
              UserUttered("Mme Lambert 87 ans, tél 06 12 34 56 78, chutes", {"name": "orientation"},
                          timestamp=101.0),
              ActionExecuted("action_tour", timestamp=101.1), SlotSet("commune", "Vierzon", timestamp=101.2),
              BotUttered("Appelez le DAC.", {"custom": {"orientation": {"niveau": 3}}}, timestamp=101.3),
              ActionExecuted("action_listen", timestamp=101.4)):
        tracker.update(e)
    run(store.save(tracker))
    first = run(store.retrieve(sender))
    for e in (ActionExecuted("action_session_start", timestamp=200.0), SessionStarted(timestamp=200.0),
              UserUttered("merci", {"name": "merci"}, timestamp=201.0),
              ActionExecuted("action_listen", timestamp=201.1)):
        first.update(e)
    run(store.save(first))
    return [run(store.retrieve(sender)), run(store.retrieve_full_tracker(sender))]


def _rows(engine) -> list[tuple]:
    with engine.connect() as c:
        rows = c.execute(sa.text("SELECT sender_id, type_name, timestamp, intent_name, action_name, data "
                                 "FROM events ORDER BY id")).all()
    return [(*r[:5], json.loads(r[5])) for r in rows]


def _compare(core: MaskingSQLTrackerStore, orm: MaskingSQLTrackerStore, monkeypatch) -> None:
    monkeypatch.setenv("AIGUILLAGE_STORE_CORE", "0")
    orm_trackers = _play(orm, "dr-core")
    monkeypatch.setenv("AIGUILLAGE_STORE_CORE", "1")
    core_trackers = _play(core, "dr-core")
    rows = _rows(core.engine)
    assert rows == _rows(orm.engine)
    assert len(rows) == 12
    assert not any("06 12 34 56 78" in json.dumps(r[5]) or "Lambert" in json.dumps(r[5]) for r in rows)
    assert rows[3][3] == "orientation" and rows[4][4] == "action_tour"   # the indexed columns
    for a, b in zip(core_trackers, orm_trackers):
        assert [e.as_dict() for e in a.events] == [e.as_dict() for e in b.events]
    assert len(core_trackers[0].events) == 4 and len(core_trackers[1].events) == 12  # last session / all


def test_core_rows_equal_orm_rows_on_sqlite(tmp_path, monkeypatch):
    core = MaskingSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "core.db"))
    orm = MaskingSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "orm.db"))
    _compare(core, orm, monkeypatch)


@pytest.mark.postgres
def test_core_rows_equal_orm_rows_on_postgresql(monkeypatch):
    from sqlalchemy.engine import make_url

    from tests.servers import require_postgres

    url = make_url(require_postgres())
    engine = sa.create_engine(url, future=True)
    schemas = [f"t_core_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    with engine.begin() as c:
        for s in schemas:
            c.execute(sa.text(f'CREATE SCHEMA "{s}"'))
    stores = []
    try:
        for s in schemas:
            monkeypatch.setenv("AIGUILLAGE_PG_SCHEMA", s)
            stores.append(MaskingSQLTrackerStore(Domain.empty(), dialect="postgresql", host=url.host,
                                                 port=url.port or 5432, db=url.database, username=url.username,
                                                 password=url.password))
        with stores[0].engine.connect() as c:                  # the turn does not wait for the WAL flush
            assert c.execute(sa.text("SHOW synchronous_commit")).scalar() == "off"
            assert c.execute(sa.text("SHOW search_path")).scalar() == schemas[0]
        _compare(*stores, monkeypatch)
    finally:
        for st in stores:
            st.engine.dispose()
        with engine.begin() as c:
            for s in schemas:
                c.execute(sa.text(f'DROP SCHEMA "{s}" CASCADE'))
        engine.dispose()


@pytest.mark.postgres
def test_sync_commit_can_be_asked(monkeypatch):
    from sqlalchemy.engine import make_url

    from tests.servers import require_postgres

    url = make_url(require_postgres())
    monkeypatch.setenv("AIGUILLAGE_PG_SYNC_COMMIT", "1")
    store = MaskingSQLTrackerStore(Domain.empty(), dialect="postgresql", host=url.host, port=url.port or 5432,
                                   db=url.database, username=url.username, password=url.password)
    try:
        with store.engine.connect() as c:
            assert c.execute(sa.text("SHOW synchronous_commit")).scalar() == "on"
    finally:
        store.engine.dispose()
