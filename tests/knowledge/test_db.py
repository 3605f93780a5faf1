"""One engine per database URL and process (knowledge/db.py), shared by every store."""
from __future__ import annotations

import gc
import os
import weakref

import pytest
from sqlalchemy import text

from knowledge import db
from knowledge.activity import Journal
from knowledge.directory import Directory
from knowledge.tickets import TicketStore
from tests.servers import require_postgres


def test_directory_tickets_and_journal_share_one_engine(tmp_path):
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    directory = Directory(url)
    store = TicketStore(url)
    journal = Journal(url)
    try:
        assert store.engine is directory.engine
        assert journal.engine is directory.engine
        assert db.engine(url) is directory.engine
        other = TicketStore(f"sqlite:///{tmp_path / 'other.db'}")
        assert other.engine is not store.engine
    finally:
        store.dispose()


def test_a_disposed_shared_engine_stays_usable(tmp_path):
    """`TicketStore.dispose()` closes the pooled connections; the directory keeps working."""
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    directory = Directory(url)
    directory.create_schema()
    store = TicketStore(url)
    store.dispose()
    assert directory.all() == []
    assert store.queue() == []


def test_sqlite_connections_get_the_pragmas(tmp_path):
    engine = db.engine(f"sqlite:///{tmp_path / 'p.db'}")
    with engine.connect() as c:
        assert c.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
        assert c.execute(text("PRAGMA busy_timeout")).scalar_one() == 30000


def test_in_memory_databases_are_never_shared():
    a, b = db.engine("sqlite://"), db.engine("sqlite://")
    assert a is not b
    with a.begin() as c:
        c.execute(text("CREATE TABLE t (x INTEGER)"))
    with a.connect() as c:  # one shared connection: the table is still there
        assert c.execute(text("SELECT count(*) FROM t")).scalar_one() == 0
    with b.connect() as c:
        assert c.execute(text("SELECT count(*) FROM sqlite_master WHERE name = 't'")).scalar_one() == 0


def test_an_unused_engine_is_released(tmp_path):
    """Weak references: when no store holds the engine any more, its pool goes with it."""
    url = f"sqlite:///{tmp_path / 'gone.db'}"
    ref = weakref.ref(db.engine(url))
    gc.collect()
    assert ref() is None
    assert db.engine(url) is not None


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_opens_its_own_engine(tmp_path):
    url = f"sqlite:///{tmp_path / 'fork.db'}"
    parent = db.engine(url)
    pid = os.fork()
    if pid == 0:  # child: never reuse the parent's pool (its sockets are shared)
        os._exit(0 if db.engine(url) is not parent and db.engine(url) is db.engine(url) else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert db.engine(url) is parent


@pytest.mark.postgres
def test_postgresql_pool_checks_connections():
    url = require_postgres()
    engine = db.engine(url)
    assert engine.pool._pre_ping is True
    with engine.connect() as c:
        assert c.execute(text("SELECT 1")).scalar_one() == 1
    assert db.engine(url) is engine
