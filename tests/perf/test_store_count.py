"""The tracker store knows which events it holds: the same rows as Rasa's count query, one query less."""
from __future__ import annotations

import asyncio
import json
import sqlite3

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered

from bot import stores
from bot.stores import MaskingSQLTrackerStore


class CheckedStore(MaskingSQLTrackerStore):
    """Records, at each save, the count the store knew and the one Rasa's query gives."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.pairs: list[tuple[int | None, int]] = []

    def _new_events(self, session, tracker):
        known = stores._stored_since_session_start(tracker)
        counted = self._event_query(session, tracker.sender_id, fetch_events_from_all_sessions=False).count()
        self.pairs.append((known, counted))
        return super()._new_events(session, tracker)


def _user(text: str, ts: float) -> UserUttered:
    return UserUttered(text, {"intent": {"name": "orientation"}}, timestamp=ts)


def _play(store: MaskingSQLTrackerStore, sender: str) -> None:
    """Turns of one conversation: a first save, ordinary turns, a new session, two saves in a
    turn, an event stamped before the session start, a full-history read saved back."""
    run = asyncio.run
    tracker = run(store.get_or_create_tracker(sender))                 # created and saved
    tracker.update(_user("ssiad vierzon", 1000.0))
    tracker.update(ActionExecuted("action_orienter", timestamp=1000.1))
    run(store.save(tracker))
    tracker = run(store.retrieve(sender))
    tracker.update(_user("merci", 1001.0))
    tracker.update(ActionExecuted("action_listen", timestamp=1001.1))
    run(store.save(tracker))
    tracker = run(store.retrieve(sender))                              # a new session in this turn
    for event in (ActionExecuted("action_session_start", timestamp=2000.0), SessionStarted(timestamp=2000.0),
                  SlotSet("departement", "18", timestamp=2000.0), ActionExecuted("action_listen", timestamp=2000.1),
                  _user("dac 18", 2000.2)):
        tracker.update(event)
    run(store.save(tracker))
    tracker.update(ActionExecuted("action_orienter", timestamp=2000.3))   # second save, same turn
    run(store.save(tracker))
    tracker = run(store.retrieve(sender))
    tracker.update(SlotSet("age", "87", timestamp=1999.0))               # stamped before the session
    tracker.update(ActionExecuted("action_listen", timestamp=2001.0))
    run(store.save(tracker))
    tracker = run(store.retrieve_full_tracker(sender))                   # every session, saved back
    tracker.update(_user("au revoir", 2002.0))
    run(store.save(tracker))


def _rows(db) -> list[tuple[str, dict]]:
    """Stored events in order; the clock time of the created tracker's first event aside."""
    with sqlite3.connect(db) as conn:
        rows = [(t, json.loads(d)) for t, d in conn.execute("SELECT type_name, data FROM events ORDER BY id")]
    for _, data in rows:
        if data.get("timestamp", 0) > 1e9:
            data.pop("timestamp")
    return rows


@pytest.mark.parametrize("sender", ["dr-count"])
def test_known_count_equals_rasas_query_and_stores_the_same_rows(tmp_path, monkeypatch, sender):
    stock = CheckedStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "stock.db"))
    monkeypatch.setenv("AIGUILLAGE_STORE_COUNT", "1")
    _play(stock, sender)
    assert all(known is None for known, _ in stock.pairs)               # stock: always the query

    monkeypatch.setenv("AIGUILLAGE_STORE_COUNT", "0")
    known_store = CheckedStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "known.db"))
    _play(known_store, sender)
    known = [k for k, _ in known_store.pairs]
    assert known[0] is None                                             # a new conversation: counted
    assert all(k is not None for k in known[1:])                        # every later save: known
    assert [k for k, c in known_store.pairs[1:] if k != c] == []        # and equal to Rasa's count
    assert _rows(tmp_path / "known.db") == _rows(tmp_path / "stock.db")
    assert len(_rows(tmp_path / "known.db")) > 10


def test_a_tracker_not_read_from_the_store_is_counted(tmp_path):
    from rasa.shared.core.trackers import DialogueStateTracker

    store = CheckedStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "t.db"))
    tracker = DialogueStateTracker.from_events("dr-new", [ActionExecuted("action_listen"), _user("bonjour", 5.0)])
    asyncio.run(store.save(tracker))
    fresh = DialogueStateTracker.from_events("dr-new", list(tracker.events) + [ActionExecuted("action_listen")])
    asyncio.run(store.save(fresh))                                      # built elsewhere: query
    assert [k for k, _ in store.pairs] == [None, None]
    assert len(asyncio.run(store.retrieve("dr-new")).events) == 3
