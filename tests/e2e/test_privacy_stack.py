"""A scripted conversation full of identifiers through the running stack (REST, real model,
action server, SQLite tracker store): no raw identifier in the stored rows or in any log file."""
from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

RAW = ["Odette", "Lambert", "03/11/1939", "239111803304589", "Jaurès", "06 58 33 21 07",
       "claire.lambert", "80012345", "2 39 11"]


def _blob(text: str) -> str:
    """The text and its JSON-unescaped form (rasa.log may write `\\u00e9`)."""
    return text + "\n" + text.encode("utf-8", "backslashreplace").decode("unicode_escape", "ignore")


def test_no_identifier_stored_or_logged(bot, stack, directory_url):
    sender = f"e2e-priv-{uuid.uuid4().hex[:8]}"
    bot.send(sender, "la patiente Odette Lambert, née le 03/11/1939, NIR 2 39 11 18 033 045 89, "
                     "vit seule au 9 rue Jean Jaurès à Bourges, chutes à répétition, refuse les aides, "
                     "sa fille au 06 58 33 21 07, claire.lambert@orange.fr, IPP 80012345")
    steps = ["/ouvrir_demande", "cette semaine", "oui", "Dr Claire Martin", "médecin généraliste", "non",
             "06 11 22 33 44", "demain après 18h, ou la fille de Mme Lambert au 06 58 33 21 07"]
    for message in steps:
        bot.send(sender, message)
    texts, _ = bot.send(sender, "oui")
    assert any("enregistrée" in t for t in texts), texts

    db = stack.env["AIGUILLAGE_TRACKER_DB"]
    with sqlite3.connect(db) as c:
        rows = [r[0] for r in c.execute("SELECT data FROM events WHERE sender_id = ?", (sender,))]
    assert rows
    stored = _blob("\n".join(rows))
    for raw in RAW:
        assert raw not in stored, raw
    assert "[nom]" in stored and "[NIR]" in stored and "[adresse]" in stored
    assert "06 11 22 33 44" not in stored  # the requester's number: encrypted, then masked

    logs = _blob("\n".join(p.read_text(errors="replace") for p in Path(stack.logs).glob("*.log")))
    for raw in RAW:
        assert raw not in logs, raw
