"""The tracker store's memo of clean strings (knowledge.privacy.CleanMemo) changes nothing stored.

The memo remembers only strings that `mask` leaves unchanged, so its output must be exactly
`mask_obj`'s and it must never hold an identifier, whichever field of an event carries it and
however often the same labels and directory texts come back (docs/performance.md).
"""
from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (ActionExecuted, ActiveLoop, BotUttered, EntitiesAdded,
                                     SessionStarted, SlotSet, UserUttered)
from rasa.shared.core.trackers import DialogueStateTracker

from bot import stores
from knowledge.privacy import CleanMemo, mask, mask_obj

ROOT = Path(__file__).resolve().parents[2]

# Identifiers in several shapes (our own wordings), each caught by `mask` alone.
IDS = {
    "phone": "06 47 18 92 35",
    "nir": "1 52 07 36 044 117 62",
    "mail": "gaston.ferrand@laposte.net",
    "name": "la patiente Germaine Rouvière",
    "address": "14 impasse des Tilleuls",
    "birth": "née le 21/06/1931",
    "record": "IPP 55501234",
}
RAW = ["06 47 18 92 35", "044 117 62", "gaston.ferrand", "Germaine", "Rouvière", "Tilleuls",
       "21/06/1931", "55501234"]


def _everywhere(ident: str) -> list:
    """One turn with `ident` in every field a user (or the text of a user) can reach."""
    parse = {
        "text": ident,
        "intent": {"name": ident, "confidence": 0.9},  # a forged "/intent" the channel let through
        "intent_ranking": [{"name": "orientation", "confidence": 0.9}, {"name": ident, "confidence": 0.1}],
        "entities": [{"entity": ident, "value": ident, "text": ident, "role": ident, "group": ident,
                      "extractor": ident, "additional_info": {"x": ident}, "start": 0, "end": 3}],
        "response_selector": {"default": {"response": {"responses": [{"text": ident}]}}},
        "metadata": {"canal": ident},
        "message_id": ident,
    }
    return [
        SessionStarted(metadata={"note": ident}),
        UserUttered(ident, intent={"name": ident}, parse_data=parse, metadata={"canal": ident, "x": [ident]}),
        EntitiesAdded([{"entity": ident, "value": ident}]),
        ActionExecuted("action_orienter", action_text=ident, metadata={"utter_action": ident}),
        SlotSet("situation", ident),
        SlotSet("demande_creneau", {"texte": ident, "liste": [ident, 3]}),
        ActiveLoop("demande_form"),
        BotUttered(f"Pour {ident} : appelez le CLIC.",
                   data={"buttons": [{"title": ident, "payload": ident}], "quick_replies": [ident],
                         "custom": {"orientation": {"resume": ident, "motifs": [ident],
                                                    "recommandations": [{"nom": "CLIC du Sud Cher",
                                                                         "pourquoi": ident}]}}},
                   metadata={"utter_action": ident}),
        ActionExecuted("action_listen"),
    ]


@pytest.fixture(autouse=True)
def store_key(monkeypatch):
    from cryptography.fernet import Fernet

    monkeypatch.setenv(stores.KEY_ENV, Fernet.generate_key().decode())
    stores._fernet.cache_clear()
    yield
    stores._fernet.cache_clear()


@pytest.fixture(scope="module")
def domain():
    return Domain.load(str(ROOT / "domain.yml"))


def test_memo_gives_mask_obj_result_and_keeps_only_clean_strings():
    memo = CleanMemo()
    payloads = [[e.as_dict() for e in _everywhere(i)] for i in IDS.values()]
    payloads.append({"labels": ["orientation", "saluer", "CLIC du Sud Cher", "9h–12h30, 13h30–17h"], "n": 2.5})
    for _ in range(3):  # the second and third passes answer labels from the memo
        for p in payloads:
            assert memo.mask_obj(p) == mask_obj(p)
    assert "orientation" in memo and "CLIC du Sud Cher" in memo
    for s in list(memo._clean):
        assert mask(s) == s, s
        assert not any(raw in s for raw in RAW), s


def test_memo_is_bounded_and_forgets_on_a_new_year(monkeypatch):
    import knowledge.privacy.masking as masking

    memo = CleanMemo(size=3)
    for w in ("un", "deux", "trois", "quatre"):
        memo.mask(w)
    assert len(memo) == 3 and "un" not in memo and "quatre" in memo
    memo.mask_obj(["deux"])

    real = masking._dt.date

    class NextYear(real):
        @classmethod
        def today(cls):
            return real(real.today().year + 1, 1, 1)

    monkeypatch.setattr(masking._dt, "date", NextYear)
    memo.mask_obj(["cinq"])
    assert "deux" not in memo and "cinq" in memo


def test_memo_never_holds_a_long_string():
    memo = CleanMemo(max_len=10)
    assert memo.mask("x" * 11) == "x" * 11 and len(memo) == 0


@pytest.mark.parametrize("kind", sorted(IDS))
def test_an_identifier_in_any_user_field_never_reaches_the_store(tmp_path, domain, kind):
    """Saved twice (the memo warm the second time, its labels already remembered): no raw token."""
    store = stores.MaskingSQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "t.db"))
    assert stores._memo is not None, "the store's memo is on by default"
    for n in range(2):
        sender = f"web-{kind}-{n}-{uuid.uuid4().hex[:6]}"
        tracker = DialogueStateTracker(sender, domain.slots)
        for e in _everywhere(IDS[kind]):
            tracker.update(e)
        asyncio.run(store.save(tracker))
        with store.session_scope() as session:
            rows = session.query(store.SQLEvent).filter(store.SQLEvent.sender_id == sender).all()
            stored = "\n".join(f"{r.data} {r.intent_name} {r.action_name}" for r in rows)
        decoded = stored.encode().decode("unicode_escape", errors="ignore")
        assert len(rows) >= 8
        for raw in RAW:
            assert raw not in stored and raw not in decoded, (kind, raw)
    for s in list(stores._memo._clean):
        assert not any(raw in s for raw in RAW), s


def test_store_output_is_the_same_with_and_without_the_memo(monkeypatch):
    events = [e.as_dict() for i in IDS.values() for e in _everywhere(i)]
    events = [e for e in events if e.get("name") not in stores.CONTACT_SLOTS]  # encryption is random
    with_memo = [json.dumps(stores.mask_event_dict(e), sort_keys=True) for e in events * 2]
    monkeypatch.setattr(stores, "_memo", None)
    without = [json.dumps(stores.mask_event_dict(e), sort_keys=True) for e in events * 2]
    assert with_memo == without
