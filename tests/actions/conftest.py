"""Actions and dialogue logic on the real sample directory (SQLite in a temp dir), no Rasa server."""
from __future__ import annotations

import pytest

from knowledge.directory import Directory
from knowledge.orientation import Orienter

import actions.dialogue as dialogue


@pytest.fixture(autouse=True)
def orienter(sample_directory_url, monkeypatch):
    """Point the process-wide orienter and ticket store at the sample database, clock fixed."""
    import knowledge.orientation as orientation
    from knowledge.tickets import TicketStore

    o = Orienter(directory=Directory(sample_directory_url))
    monkeypatch.setattr(orientation, "_default", o)
    monkeypatch.setenv("AIGUILLAGE_NOW", "2026-11-23T10:00:00+01:00")
    monkeypatch.setattr(dialogue, "_store", TicketStore(sample_directory_url, clock=orientation.current_time))
    return o
