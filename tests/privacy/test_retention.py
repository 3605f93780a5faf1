"""Retention purge on SQLite and PostgreSQL: old conversations deleted, old closed requests emptied."""
from __future__ import annotations

import asyncio
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, text
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.stores import MaskingSQLTrackerStore
from knowledge import retention
from knowledge.tickets import NewRequest, TicketStore
from tests.servers import require_postgres

ROOT = Path(__file__).resolve().parents[2]
TZ = ZoneInfo("Europe/Paris")
DAY = 86400


class Clock:
    def __init__(self, at: datetime):
        self.at = at

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def urls(request, tmp_path):
    """(tracker URL, request DB URL): SQLite files, or private schemas in the test PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'trackers.db'}", f"sqlite:///{tmp_path / 'tickets.db'}"
        return
    base = require_postgres()
    schema = f"t_retention_{uuid.uuid4().hex[:10]}"
    eng = create_engine(base, future=True)
    with eng.begin() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    url = f"{base}{sep}options=-csearch_path%3D{schema}"
    yield url, url
    with eng.begin() as c:
        c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    eng.dispose()


def _store(url: str) -> MaskingSQLTrackerStore:
    domain = Domain.load(str(ROOT / "domain.yml"))
    if url.startswith("sqlite"):
        return MaskingSQLTrackerStore(domain=domain, dialect="sqlite", db=url[len("sqlite:///"):])
    # PostgreSQL: Rasa builds its own URL; point it at the private schema through the engine
    from urllib.parse import urlparse
    u = urlparse(url)
    store = MaskingSQLTrackerStore(domain=domain, dialect="postgresql", host=u.hostname, port=u.port or 5432,
                                   db=u.path.lstrip("/"), username=u.username, password=u.password)
    store.engine.dispose()
    store.engine = create_engine(url)
    store.sessionmaker.configure(bind=store.engine)
    store.Base.metadata.create_all(store.engine)
    return store


def _conversation(store, sender: str, age_days: float) -> None:
    ts = time.time() - age_days * DAY
    tracker = DialogueStateTracker(sender, [])
    tracker.update(UserUttered("Mme Lambert, 87 ans, chutes", timestamp=ts))
    tracker.update(ActionExecuted("action_listen", timestamp=ts + 1))
    asyncio.run(store.save(tracker))


def _count(url: str, table: str, where: str = "1=1") -> int:
    eng = create_engine(url, future=True)
    with eng.connect() as c:
        n = c.execute(text(f"SELECT count(*) FROM {table} WHERE {where}")).scalar_one()
    eng.dispose()
    return n


def test_old_conversations_are_deleted_recent_ones_kept(urls):
    tracker_url, _ = urls
    store = _store(tracker_url)
    _conversation(store, "old", 120)
    _conversation(store, "recent", 10)
    assert retention.purge_trackers(tracker_url, 90, dry_run=True) == (1, 2)
    assert _count(tracker_url, "events") == 4  # dry run changes nothing
    assert retention.purge_trackers(tracker_url, 90) == (1, 2)
    assert _count(tracker_url, "events", "sender_id = 'old'") == 0
    assert _count(tracker_url, "events", "sender_id = 'recent'") == 2
    assert retention.purge_trackers(tracker_url, 90) == (0, 0)


def _request(store: TicketStore, key: str) -> str:
    t = store.create(NewRequest(resume="Mme Lambert, 87 ans, chutes, refuse l'aide à domicile",
                                demandeur_nom="Dr Martin", rappel_telephone="06 11 22 33 44",
                                creneau_rappel="après 18h", commune_insee="18033", niveau=3,
                                motifs=["chutes"]), idempotency_key=key)
    return t.numero


def test_closed_requests_lose_free_text_after_the_period(urls):
    _, db_url = urls
    clock = Clock(datetime(2025, 1, 6, 10, 0, tzinfo=TZ))
    store = TicketStore(db_url, clock=clock)
    old = _request(store, "k-old")
    store.add_note(old, "operateur", "rappelé la fille de Mme Lambert")
    store.transition(old, "en_cours", "operateur")
    store.transition(old, "cloturee", "operateur", outcome="SSIAD mis en place pour Mme Lambert")
    still_open = _request(store, "k-open")
    clock.at = datetime.now(TZ) - timedelta(days=30)
    recent = _request(store, "k-recent")
    store.transition(recent, "en_cours", "operateur")
    store.transition(recent, "cloturee", "operateur", outcome="orientée vers le CLIC")

    assert retention.purge_tickets(db_url, 365, dry_run=True) == (1, 1)
    assert store.get(old).resume != retention.PURGED
    assert retention.purge_tickets(db_url, 365) == (1, 1)
    t = store.get(old)
    assert t.resume == retention.PURGED and t.issue == retention.PURGED
    assert t.rappel_telephone is None and t.creneau_rappel is None and t.demandeur_nom == retention.PURGED
    assert t.statut == "cloturee" and t.commune_insee == "18033" and t.niveau == 3  # statistics kept
    assert all(n.texte == retention.PURGED for n in store.notes(old))
    assert "Lambert" not in " ".join(str(e) for e in store.history(old))
    assert store.get(recent).resume.startswith("Mme")
    assert store.get(still_open).resume.startswith("Mme")
    assert retention.purge_tickets(db_url, 365) == (0, 0)
    store.dispose()


def test_command_line_purge(urls, capsys):
    tracker_url, db_url = urls
    _conversation(_store(tracker_url), "old", 200)
    TicketStore(db_url).dispose()
    assert retention.main(["purge", "--dry-run", "--tracker-url", tracker_url, "--db-url", db_url]) == 0
    assert "conversations à purger : 1 (2 événements)" in capsys.readouterr().out
    assert retention.main(["purge", "--tracker-url", tracker_url, "--db-url", db_url]) == 0
    assert "conversations purgées : 1" in capsys.readouterr().out
    assert retention.main(["purge", "--conversations-jours", "0"]) == 2


def test_periods_come_from_the_environment(monkeypatch):
    from knowledge import settings
    assert settings.tracker_retention_days() == 90 and settings.ticket_retention_days() == 365
    monkeypatch.setenv(settings.TRACKER_RETENTION_ENV, "30")
    assert settings.tracker_retention_days() == 30
    monkeypatch.setenv(settings.TICKET_RETENTION_ENV, "abc")
    with pytest.raises(ValueError, match="nombre de jours"):
        settings.ticket_retention_days()
