"""Opening the database: one SQLAlchemy engine per database URL and process.

The directory, the support requests, the orientation log, the reports and the retention purge
all reach the database through `engine(url)`, so they share one connection pool per database
and the same settings:

* SQLite file: 30 s lock timeout, usable from several threads, ``foreign_keys=ON`` and
  ``busy_timeout=30000`` on every connection;
* SQLite in memory (``sqlite://``): one shared connection (``StaticPool``), otherwise each
  connection would see its own empty database; never shared between callers, since each
  in-memory database is a different database;
* PostgreSQL (and any other server): the pool checks a connection before handing it out
  (``pool_pre_ping``), so a restarted server costs no failed request.

Engines are kept while someone uses them (weak references) and per process: a child process
after ``fork`` opens its own connections instead of reusing the parent's sockets.
"""
from __future__ import annotations

import os
import threading
import weakref
from typing import Any

from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool

from knowledge.settings import database_url

_engines: "weakref.WeakValueDictionary[tuple[int, str], Engine]" = weakref.WeakValueDictionary()
_lock = threading.Lock()


def is_memory(url: str) -> bool:
    """True for an in-memory SQLite URL (``sqlite://``, ``sqlite:///:memory:``)."""
    return url in ("sqlite://", "sqlite:///:memory:")


def engine(url: str | None = None) -> Engine:
    """The process's engine for `url` (default: `knowledge.settings.database_url()`)."""
    url = url or database_url()
    if is_memory(url):
        return new_engine(url)
    key = (os.getpid(), url)
    with _lock:
        found = _engines.get(key)
        if found is None:
            found = new_engine(url)
            _engines[key] = found
        return found


def new_engine(url: str) -> Engine:
    """A new engine with the project's settings (prefer `engine`, which shares it)."""
    kwargs: dict[str, Any] = {"future": True}
    sqlite = url.startswith("sqlite")
    if sqlite and is_memory(url):
        kwargs.update(poolclass=StaticPool, connect_args={"check_same_thread": False})
    elif sqlite:
        kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
    else:
        kwargs["pool_pre_ping"] = True
    made = create_engine(url, **kwargs)
    if sqlite:
        event.listen(made, "connect", _sqlite_pragmas)
    return made


class TableSet:
    """Tables of one declarative base (`metadata`) on an `engine`: create or drop them all."""

    metadata: MetaData
    engine: Engine

    def create_schema(self) -> None:
        self.metadata.create_all(self.engine)

    def drop_schema(self) -> None:
        """Drop these tables (tests)."""
        self.metadata.drop_all(self.engine)


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()
