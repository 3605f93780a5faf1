"""Console page "Fraîcheur de l'annuaire": stale entries and those the last ROR import withdrew."""
from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from bot.console.app import ConsoleApp
from knowledge.directory import Directory
from knowledge.hours import TZ
from knowledge.tickets import TicketStore
from tests.console.test_console_app import SECRET, Client

FIXTURES = Path(__file__).parents[1] / "knowledge" / "fixtures"
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=TZ)


@pytest.fixture
def directory(tmp_path):
    d = Directory(f"sqlite:///{tmp_path / 'annuaire.db'}")
    d.load(FIXTURES / "directory-valid")
    d.import_ror(FIXTURES / "ror" / "export-cvl", at=NOW)
    export = tmp_path / "export"
    shutil.copytree(FIXTURES / "ror" / "export-cvl", export)
    hs = export / "HealthcareService.ndjson"
    kept = [line for line in hs.read_text().splitlines()
            if json.loads(line)["id"] != "hs-csapa-vierzon"]
    hs.write_text("\n".join(kept) + "\n")
    d.import_ror(export, at=NOW)
    yield d
    d.close()


@pytest.fixture
def client(tmp_path, directory):
    store = TicketStore(f"sqlite:///{tmp_path / 'c.db'}", clock=lambda: NOW)
    store.create_user("oscar", "motdepasse-oscar", "operateur")
    c = Client(ConsoleApp(store, SECRET, directory=directory))
    yield c
    store.dispose()


def test_freshness_page(client):
    assert client.request("GET", "/annuaire/fraicheur")["status"] == 303  # login first
    client.login("oscar", "motdepasse-oscar")
    page = client.request("GET", "/annuaire/fraicheur")
    assert page["status"] == 200
    body = page["body"]
    stale, withdrawn = body.split("Retirées par le dernier import")
    assert "CLIC du Blaisois" in stale and "01/06/2025" in stale  # meta.lastUpdated
    assert "SSIAD de Bourges" not in stale  # verified 2026-10-15
    assert "CSAPA de Vierzon" in withdrawn and "ror-1800000006" in withdrawn
    assert "23/11/2026" in withdrawn
    assert "Fraîcheur de l'annuaire" in body
