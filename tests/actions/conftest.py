"""Actions and dialogue logic on the real sample directory (SQLite in a temp dir), no Rasa server."""
from __future__ import annotations

from datetime import datetime

import pytest

from actions.services import Services
from actions.turn import Turn
from knowledge.directory import Directory
from knowledge.orientation import Orienter
from knowledge.tickets import TicketStore

NOW = datetime.fromisoformat("2026-11-23T10:00:00+01:00")


@pytest.fixture
def services(sample_directory_url, monkeypatch):
    """The dialogue's collaborators on the sample database, clock fixed (Monday 10:00)."""
    # Code below the dialogue that reads the clock itself (the directory's hours) sees the same time.
    monkeypatch.setenv("AIGUILLAGE_NOW", NOW.isoformat())
    clock = lambda: NOW  # noqa: E731
    return Services(Orienter(directory=Directory(sample_directory_url)),
                    TicketStore(sample_directory_url, clock=clock), clock=clock)


@pytest.fixture
def turn(services):
    """`turn(text, ents, intent)`: one user message read by the dialogue."""
    return lambda text, ents=None, intent=None: Turn.of(services, text, ents, intent)
