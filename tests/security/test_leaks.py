"""After a scripted session full of identifiers (REST with the support-request form, the API
gateway), no raw identifier is in the logs, the tracker store or the tickets database.

The requester's own callback contacts are needed to call them back: they may be in the request's
``rappel_*`` / ``demandeur_nom`` columns and the notification outbox's recipient, nowhere else.
"""
from __future__ import annotations

import json
import sqlite3
import uuid
from pathlib import Path

import pytest

from tests.conftest import STACK_API_TOKENS
from tests.security.conftest import http, rest

pytestmark = pytest.mark.e2e

SITUATION = ("patiente Odette Lambert née le 03/11/1939, NIR 2 39 11 75 056 123 45, 87 ans, seule au "
             "9 rue Jean Jaurès à St-Amand, chutes ++, refuse les aides, son voisin M. Dupont au 06 12 34 56 78")
PATIENT = ["Odette", "Lambert", "03/11/1939", "2 39 11 75 056 123 45", "2391175056123", "Jean Jaurès",
           "Dupont", "06 12 34 56 78", "0612345678"]
CALLBACK = ["06 98 76 54 32", "0698765432"]
REQUESTER_COLUMNS = {("demande", "rappel_telephone"), ("demande", "rappel_messagerie"), ("demande", "demandeur_nom"),
                     ("notification_sortante", "destinataire")}


def spellings(value: str) -> set[str]:
    """The value as written, JSON-escaped (\\u00e8) and with escaped slashes (logs, JSON columns)."""
    return {value, json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1].replace("/", "\\/")}


def found_in(text: str, values: list[str]) -> list[str]:
    return sorted({v for v in values for s in spellings(v) if s in text})


@pytest.fixture(scope="module")
def session(stack):
    """The scripted session: an orientation and a support request by REST, a message by the API."""
    sender = f"dr-fuite-{uuid.uuid4().hex[:6]}"
    steps = [SITUATION, "/ouvrir_demande", "cette semaine", "oui", "Dr Claire Martin", "médecin généraliste", "non",
             "06 98 76 54 32", "demain entre 12h et 14h, sinon rappeler Mme Odette Lambert", "oui"]
    answers = []
    for message in steps:
        r = rest(stack, sender, message)
        assert r.status == 200
        answers.append(" ".join(m.get("text", "") for m in r.json()))
    assert any("AIG-" in a for a in answers[-2:]), answers[-3:]
    r = http("POST", f"http://127.0.0.1:{stack.ports.api}/api/v1/conversations/dossier-fuite/messages",
             {"message": SITUATION}, headers={"Authorization": f"Bearer {STACK_API_TOKENS['portail']}"})
    assert r.status == 200
    return sender


def test_no_identifier_in_the_logs(stack, session):
    leaks = {}
    for log in Path(stack.logs).glob("*.log"):
        found = found_in(log.read_text(errors="replace"), PATIENT + CALLBACK)
        if found:
            leaks[log.name] = found
    assert not leaks, f"raw identifiers in the logs: {leaks}"


def test_no_identifier_in_the_tracker_store(stack, session):
    path = Path(stack.env["AIGUILLAGE_TRACKER_DB"])
    con = sqlite3.connect(path)
    try:
        rows = con.execute("SELECT sender_id, data FROM events").fetchall()
    finally:
        con.close()
    assert any(s == session for s, _ in rows)
    leaks = {}
    for sender, data in rows:
        found = found_in(data or "", PATIENT + CALLBACK)
        if found:
            leaks.setdefault(sender, set()).update(found)
    assert not leaks, f"raw identifiers in the tracker store: {leaks}"


def test_no_identifier_in_the_tickets_database(stack, session, directory_url):
    path = directory_url.removeprefix("sqlite:///")
    con = sqlite3.connect(path)
    leaks = []
    try:
        tables = [t for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            columns = [c[1] for c in con.execute(f'PRAGMA table_info("{table}")')]
            for col in columns:
                allowed_here = (table, col) in REQUESTER_COLUMNS
                values = PATIENT if allowed_here else PATIENT + CALLBACK
                query, args = f'SELECT "{col}" FROM "{table}" WHERE "{col}" IS NOT NULL', ()
                if allowed_here and table == "demande":
                    # The shared stack's database also holds other tests' requests, whose requesters
                    # may give as their own number one that this session uses as a patient's.
                    query, args = query + " AND conversation_id = ?", (session,)
                for (v,) in con.execute(query, args):
                    found = found_in(str(v), values)
                    if found:
                        leaks.append((table, col, found))
    finally:
        con.close()
    assert {"demande", "demande_evenement", "demande_note", "notification_sortante"} <= set(tables)
    assert not leaks, f"raw identifiers in the tickets database: {leaks}"
