"""No raw identifier in the tracker store (SQLite, PostgreSQL) or in the log files."""
from __future__ import annotations

import asyncio
import io
import json
import logging
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (ActionExecuted, ActiveLoop, BotUttered, SlotSet,
                                     UserUttered)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.stores import MaskingSQLTrackerStore
from knowledge import privacy

ROOT = Path(__file__).resolve().parents[2]

# Identifiers typed during the scripted conversation, and the tokens that must never be stored.
USER_TURNS = [
    "Bonjour, la patiente Odette Lambert, née le 03/11/1939, NIR 2 39 11 18 033 045 89",
    "elle vit au 9 rue Jean Jaurès à Bourges, sa fille Claire au 06 58 33 21 07",
    "DDN 3-11-39, IPP 80012345, mail claire.lambert@orange.fr",
]
RAW = ["Odette", "Lambert", "03/11/1939", "033 045 89", "Jaurès", "Claire", "06 58 33 21 07",
       "80012345", "claire.lambert", "3-11-39"]
CONTACT = "06 11 22 33 44"


def _parse(text: str) -> dict:
    return {"text": text, "intent": {"name": "demande_orientation", "confidence": 0.9},
            "entities": [{"entity": "temps", "value": "1939-11-03", "text": "née le 03/11/1939"},
                         {"entity": "nom", "value": "Odette Lambert", "text": "Odette Lambert"}]}


def _conversation() -> list[list]:
    """Turns of events, saved one turn at a time as the Rasa server does."""
    turns = []
    for text in USER_TURNS:
        turns.append([
            UserUttered(text, parse_data=_parse(text), metadata={"canal": "web", "note": text}),
            ActionExecuted("action_orienter"),
            SlotSet("situation", text),
            BotUttered(f"Pour Mme Lambert (tél. 06 58 33 21 07) : appelez le CLIC.",
                       data={"custom": {"orientation": {"resume": text}}}),
            ActionExecuted("action_listen"),
        ])
    turns.append([
        UserUttered(CONTACT, parse_data={"text": CONTACT, "intent": {"name": "informer"}, "entities": []}),
        ActiveLoop("demande_form"),
        SlotSet("demande_rappel", CONTACT),
        SlotSet("demandeur_nom", "Julie Martin"),
        SlotSet("demande_creneau", "après 18h, ou appeler Odette au 0612345678"),
        ActionExecuted("action_listen"),
    ])
    turns.append([  # confirmation: the form clears the contact slots
        UserUttered("oui", parse_data={"text": "oui", "intent": {"name": "affirmer"}, "entities": []}),
        SlotSet("demande_rappel", None), SlotSet("demandeur_nom", None),
        ActiveLoop(None), ActionExecuted("action_listen"),
    ])
    return turns


def _run(store: MaskingSQLTrackerStore, domain: Domain, sender: str) -> list[str]:
    """Save the conversation turn by turn; return the stored rows' data after each turn."""
    seen = []
    tracker = DialogueStateTracker(sender, domain.slots)
    for n, turn in enumerate(_conversation()):
        for e in turn:
            tracker.update(e)
        asyncio.run(store.save(tracker))
        tracker = asyncio.run(store.retrieve(sender)) or tracker
        if n == len(USER_TURNS):  # form open: the next turn reads the contact back in clear
            assert tracker.get_slot("demande_rappel") == CONTACT
            assert tracker.get_slot("demandeur_nom") == "Julie Martin"
        seen.append(_rows(store, sender))
    return seen


def _rows(store, sender) -> str:
    with store.session_scope() as session:
        rows = session.query(store.SQLEvent).filter(store.SQLEvent.sender_id == sender).all()
        return "\n".join(r.data + " " + str(r.intent_name) + " " + str(r.action_name) for r in rows)


def _check(store, domain, sender):
    seen = _run(store, domain, sender)
    final = seen[-1]
    decoded = final.encode().decode("unicode_escape", errors="ignore")
    for raw in RAW:
        assert raw not in final and raw not in decoded, raw
    assert "[nom]" in final and "[NIR]" in final and "[adresse]" in final
    # the callback contact is stored encrypted while the form is open (read back in clear),
    # then masked once the form clears it
    assert CONTACT not in seen[-2] and "Julie Martin" not in seen[-2] and "enc:v1:" in seen[-2]
    assert CONTACT not in final and "Julie Martin" not in final and "enc:v1:" not in final
    stored = asyncio.run(store.retrieve(sender))
    assert stored.get_slot("demande_rappel") is None
    assert stored.get_slot("situation") == privacy.mask(USER_TURNS[-1])


@pytest.fixture(autouse=True)
def store_key(tmp_path, monkeypatch):
    from cryptography.fernet import Fernet

    from bot import stores
    monkeypatch.setenv(stores.KEY_ENV, Fernet.generate_key().decode())
    stores._fernet.cache_clear()
    yield
    stores._fernet.cache_clear()


def test_key_file_is_created_private(tmp_path, monkeypatch):
    from bot import stores
    monkeypatch.delenv(stores.KEY_ENV, raising=False)
    monkeypatch.setenv(stores.KEY_FILE_ENV, str(tmp_path / "k" / "store.key"))
    stores._fernet.cache_clear()
    assert stores._decrypt(stores._encrypt("06 11 22 33 44")) == "06 11 22 33 44"
    assert (tmp_path / "k" / "store.key").stat().st_mode & 0o777 == 0o600
    stores._fernet.cache_clear()


def test_unreadable_value_reads_as_none(monkeypatch):
    from bot import stores
    value = stores._encrypt("06 11 22 33 44")
    from cryptography.fernet import Fernet
    monkeypatch.setenv(stores.KEY_ENV, Fernet.generate_key().decode())
    stores._fernet.cache_clear()
    assert stores._decrypt(value) is None


@pytest.fixture(scope="module")
def domain():
    return Domain.load(str(ROOT / "domain.yml"))


def test_sqlite_tracker_store_keeps_no_identifier(tmp_path, domain):
    store = MaskingSQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "trackers.db"))
    _check(store, domain, "web-" + uuid.uuid4().hex)


@pytest.mark.postgres
def test_postgresql_tracker_store_keeps_no_identifier(domain):
    from tests.privacy.test_retention import _store
    from tests.servers import require_postgres
    base = require_postgres()
    schema = f"t_store_{uuid.uuid4().hex[:10]}"
    eng = sa.create_engine(base, future=True)
    with eng.begin() as c:
        c.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    store = _store(f"{base}{sep}options=-csearch_path%3D{schema}")
    try:
        assert store.engine.dialect.name == "postgresql"
        _check(store, domain, "web-" + uuid.uuid4().hex)
    finally:
        store.engine.dispose()
        with eng.begin() as c:
            c.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        eng.dispose()


def test_log_file_keeps_no_identifier_whatever_the_encoding(tmp_path):
    """JSON with escaped accents, %-args, extras, tracebacks: masked in the file."""
    privacy.install_logging_filter()
    path = tmp_path / "rasa.log"
    handler = logging.FileHandler(path, encoding="utf-8")  # added after install: still masked
    logger = logging.getLogger("rasa.test.privacy.file")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        payload = {"text": "Mme Lambert née le 03/11/1939", "slot": "Odette Lambert 06 58 33 21 07"}
        logger.debug("Received %s", json.dumps(payload))  # ensure_ascii: "n\u00e9e le"
        logger.info("parse %r", payload)
        try:
            raise ValueError("rappel au 06 58 33 21 07 pour Mme Lambert, NIR 239111803304589, "
                             "numéro partiel '06 58 33'")
        except ValueError as exc:
            logger.exception("échec : %s", exc.args)
    finally:
        handler.close()
        logger.removeHandler(handler)
    out = path.read_text(encoding="utf-8")
    for raw in ("Lambert", "03/11/1939", "06 58 33", "239111803304589", "Odette"):
        assert raw not in out, raw
    assert "[date de naissance]" in out and "ValueError" in out and "[téléphone]" in out


def test_every_bot_process_masks_logs_on_import():
    """`python -m bot.…` imports the bot package, which installs the masking (mail channel too)."""
    import subprocess
    import sys
    code = ("import logging, bot, io; s = io.StringIO(); logging.basicConfig(stream=s, level=20);"
            "logging.getLogger('bot.channels.mss').info('de julie.martin@gmail.com : Mme Lambert');"
            "print(s.getvalue())")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         timeout=120).stdout
    assert "[e-mail]" in out and "julie" not in out and "Lambert" not in out


def test_every_event_type_with_text_is_masked():
    from rasa.shared.core.events import EntitiesAdded, SessionStarted, UserUtteranceReverted

    from bot.stores import masked_event
    ids = "Mme Lambert 06 58 33 21 07"
    events = [
        EntitiesAdded([{"entity": "nom", "value": ids}]),
        SessionStarted(metadata={"note": ids}),
        ActionExecuted(action_text=ids),
        UserUttered(ids, parse_data=_parse(ids), metadata={"x": [ids]}),
        BotUttered(ids, data={"buttons": [{"title": ids, "payload": "oui"}]}),
        SlotSet("demande_creneau", {"texte": ids}),
        UserUtteranceReverted(),
    ]
    for e in events:
        stored = json.dumps(masked_event(e).as_dict(), ensure_ascii=False)
        assert "Lambert" not in stored and "06 58 33 21 07" not in stored, stored
