"""Actions and dialogue logic on the real sample directory (SQLite in a temp dir), no Rasa server."""
from __future__ import annotations

import pytest

from knowledge.config import directory_data_dir
from knowledge.directory import Directory
from knowledge.orientation import Orienter

import actions.dialogue as dialogue


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('actions-db') / 'aiguillage.db'}"
    d = Directory(url)
    d.create_schema()
    d.load(directory_data_dir())
    return url


@pytest.fixture(autouse=True)
def orienter(sample_db, monkeypatch):
    """Point the process-wide orienter and ticket store at the sample database, clock fixed."""
    import knowledge.orientation as orientation
    from knowledge.tickets import TicketStore

    o = Orienter(directory=Directory(sample_db))
    monkeypatch.setattr(orientation, "_default", o)
    monkeypatch.setenv("AIGUILLAGE_NOW", "2026-11-23T10:00:00+01:00")
    monkeypatch.setattr(dialogue, "_store", TicketStore(sample_db, clock=orientation.current_time))
    return o
