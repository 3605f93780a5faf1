"""The "Fraîcheur de l'annuaire" page in real headless Chromium, on a directory with a ROR import."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import datetime

import pytest

from knowledge.directory import Directory
from knowledge.hours import TZ
from knowledge.tickets import TicketStore
from tests.console.test_console_browser import (  # noqa: F401 - `browser` is a fixture
    ROOT,
    _wait_http,
    browser,
    free_port,
    is_stale,
    login,
    shot,
    text,
)

from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

pytestmark = pytest.mark.browser
FIXTURES = ROOT / "tests" / "knowledge" / "fixtures"
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=TZ)


@pytest.fixture(scope="module")
def console(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("freshness")
    url = f"sqlite:///{tmp / 'console.db'}"
    store = TicketStore(url)
    store.create_user("oscar", "motdepasse-oscar", "operateur")
    store.dispose()
    d = Directory(url)
    d.load(FIXTURES / "directory-valid")
    d.import_ror(FIXTURES / "ror" / "export-cvl", at=NOW)
    export = tmp / "export"
    shutil.copytree(FIXTURES / "ror" / "export-cvl", export)
    hs = export / "HealthcareService.ndjson"
    hs.write_text("".join(line + "\n" for line in hs.read_text().splitlines()
                          if json.loads(line)["id"] != "hs-csapa-vierzon"))
    d.import_ror(export, at=NOW)
    d.close()
    port = free_port()
    env = dict(os.environ, AIGUILLAGE_DB_URL=url, AIGUILLAGE_CONSOLE_SECRET="s" * 40,
               PYTHONPATH=str(ROOT))
    log_path = tmp / "console.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "bot.console", "serve", "--port", str(port)],
                                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        _wait_http(base + "/sante", proc, log_path)
        yield base
        proc.terminate()
        proc.wait(10)


def test_freshness_page_in_a_browser(console, browser):
    login(browser, console, "oscar", "motdepasse-oscar")
    old = browser.find_element("tag name", "html")
    browser.find_element("link text", "Fraîcheur de l'annuaire").click()
    WebDriverWait(browser, 15).until(lambda d: is_stale(old))
    shot(browser, "fraicheur")
    page = text(browser)
    assert browser.current_url.endswith("/annuaire/fraicheur")
    stale, withdrawn = page.split("Retirées par le dernier import du ROR")
    assert "CLIC du Blaisois (ror-4100000001)" in stale and "01/06/2025" in stale
    assert "CSAPA de Vierzon (ror-1800000006)" in withdrawn
    captions = browser.find_elements("tag name", "caption")
    assert [c.text.split(" (")[0] for c in captions] == [
        "Non vérifiées depuis plus de 12 mois", "Retirées par le dernier import du ROR"]
