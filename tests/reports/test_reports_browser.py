"""The reports page in real headless Chromium on the generated month; screenshots kept in
test-artifacts/reports/."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from knowledge.reports import SUPPRIME
from knowledge.tickets import TicketStore
from tests.reports.conftest import END, START

pytestmark = pytest.mark.browser

browser_mod = pytest.importorskip("tests.console.test_console_browser",
                                  reason="Chromium, chromedriver or selenium missing")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402

ROOT = browser_mod.ROOT
ARTIFACTS = ROOT / "test-artifacts" / "reports"
browser = browser_mod.browser


@pytest.fixture(scope="module")
def console(traffic, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("reports-browser")
    path = tmp / "c.db"
    shutil.copy(traffic[0].removeprefix("sqlite:///"), path)
    url = f"sqlite:///{path}"
    s = TicketStore(url)
    s.create_user("bob", browser_mod.PASSWORDS["bob"], "coordinateur", nom="Bob Coordinateur")
    s.dispose()
    port = browser_mod.free_port()
    env = dict(os.environ, AIGUILLAGE_DB_URL=url, AIGUILLAGE_CONSOLE_SECRET="s" * 40, PYTHONPATH=str(ROOT),
               AIGUILLAGE_NOW="2026-12-01T10:00:00+01:00")
    log = open(tmp / "console.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "bot.console", "serve", "--port", str(port)],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    browser_mod._wait_http(base + "/sante", proc, tmp / "console.log")
    yield base
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def full_shot(driver, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    height = driver.execute_script("return document.body.scrollHeight")
    driver.set_window_size(1280, min(max(height, 1000), 6000))
    driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))


def test_reports_page_in_chromium(console, browser):
    browser_mod.login(browser, console, "bob")
    browser.get(f"{console}/rapports?du={START.isoformat()}&au={END.isoformat()}")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Rapports : activité et besoins non couverts"
    carte = browser.find_element(By.CSS_SELECTOR, "svg.carte")
    assert carte.size["width"] > 300 and carte.size["height"] > 300
    paths = browser.find_elements(By.CSS_SELECTOR, "svg.carte path[data-departement]")
    assert sorted(p.get_attribute("data-departement") for p in paths) == ["18", "28", "36", "37", "41", "45"]
    fills = {p.get_attribute("fill") for p in paths}
    assert len(fills) >= 2, "the map is coloured by the figure"
    rows = browser.find_elements(By.CSS_SELECTOR, "#t-carte tbody tr")
    assert len(rows) >= 6
    assert SUPPRIME in browser.find_element(By.TAG_NAME, "main").text
    assert browser.find_elements(By.CSS_SELECTOR, "svg.graphique rect"), "bar charts drawn"
    # the CSP leaves the page without console errors (no blocked inline style or script)
    logs = [e for e in browser.get_log("browser") if e["level"] == "SEVERE" and "favicon" not in e["message"]]
    assert not logs, logs
    full_shot(browser, "01-rapports-non-couverts")

    Select(browser.find_element(By.ID, "carte")).select_by_value("demandes")
    Select(browser.find_element(By.ID, "par")).select_by_value("epci")
    browser_mod.click_and_wait(browser, By.CSS_SELECTOR, "form.filtres button[type=submit]")
    assert "carte=demandes" in browser.current_url and "par=epci" in browser.current_url
    assert "Demandes par département" in browser.find_element(By.CSS_SELECTOR, "svg.carte title").get_attribute("textContent")
    assert browser.find_elements(By.CSS_SELECTOR, "#t-epci tbody tr")
    full_shot(browser, "02-rapports-demandes-epci")
