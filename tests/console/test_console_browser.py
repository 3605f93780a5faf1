"""The operator console driven in real headless Chromium (Selenium + Debian's chromium-driver).

The console runs as `python -m bot.console serve` on a free port against a temporary SQLite
database; an aiosmtpd peer receives the notifications. Screenshots go to test-artifacts/console/.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import pytest

from knowledge.tickets import TZ, NewRequest, TicketStore

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "console"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")

if not (CHROMIUM and CHROMEDRIVER):
    pytest.skip("Chromium or chromedriver missing: install Debian's chromium and chromium-driver "
                "(apt-get install -y chromium chromium-driver)", allow_module_level=True)
webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install selenium)")
from aiosmtpd.controller import Controller  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

PASSWORDS = {"alice": "motdepasse-alice", "bob": "motdepasse-bob", "oscar": "motdepasse-oscar"}
MSS = "dr.martin@medecin.exemple.mssante.fr"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos),
                              message_from_bytes(envelope.original_content or envelope.content,
                                                 policy=default_policy)))
        return "250 OK"

    def wait_for(self, subject: str, timeout: float = 15.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for rcpt, msg in self.messages:
                if msg["Subject"] == subject:
                    return rcpt, msg
            time.sleep(0.2)
        raise AssertionError(f"no e-mail {subject!r}; got {[m['Subject'] for _, m in self.messages]}")


class Past:
    def __init__(self, at):
        self.at = at

    def __call__(self):
        return self.at


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    """Database with users, the directory and requests; SMTP peer; the console process."""
    tmp = tmp_path_factory.mktemp("console")
    url = f"sqlite:///{tmp / 'console.db'}"
    store = TicketStore(url)
    store.create_user("alice", PASSWORDS["alice"], "admin", nom="Alice Admin")
    store.create_user("bob", PASSWORDS["bob"], "coordinateur", nom="Bob Coordinateur")
    store.create_user("oscar", PASSWORDS["oscar"], "operateur", nom="Oscar Opérateur")
    directory_loaded = _load_directory(url)
    # one overdue request (created 10 days ago, level 3) and one fresh one (level 1)
    old = TicketStore(url, clock=Past(datetime.now(TZ) - timedelta(days=10)), create_schema=False)
    overdue = old.create(NewRequest(
        resume="Mme Durand, 91 ans, vit seule, chutes, refuse les aides ; fille au 06 12 34 56 78",
        demandeur_nom="Dr Paul Martin", niveau=3, motifs=["chutes", "refus d'aide"], urgence="semaine",
        consentement="oui", commune_insee="18197", dac_id="dac-18", dac_nom="DAC du Cher",
        dac_telephone="02 61 91 18 00", rappel_messagerie=MSS, conversation_id="conv-1"), "old-1")
    fresh = store.create(NewRequest(
        resume="Question sur les aides au répit pour un aidant", demandeur_nom="Dr Zoé Leroy",
        niveau=1, rappel_telephone="02 47 00 00 00", dac_id="dac-37", dac_nom="DAC d'Indre-et-Loire",
        conversation_id="conv-2"), "fresh-1")
    old.dispose()

    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    port = free_port()
    proc_env = dict(os.environ, AIGUILLAGE_DB_URL=url, AIGUILLAGE_SMTP_HOST="127.0.0.1",
                    AIGUILLAGE_SMTP_PORT=str(smtp.port), AIGUILLAGE_SMTP_FROM="dac@aiguillage.exemple.fr",
                    AIGUILLAGE_CONSOLE_SECRET="s" * 40, PYTHONPATH=str(ROOT))
    log = open(tmp / "console.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "bot.console", "serve", "--port", str(port)],
                            cwd=ROOT, env=proc_env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    _wait_http(base + "/sante", proc, tmp / "console.log")
    yield {"base": base, "store": store, "inbox": inbox, "overdue": overdue.numero, "fresh": fresh.numero,
           "directory": directory_loaded, "log": tmp / "console.log"}
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()
    smtp.stop()
    store.dispose()


def _load_directory(url: str) -> str | None:
    """Load the sample directory into the test database; None, or why it is not available."""
    try:
        from knowledge.settings import directory_data_dir
        from knowledge.directory import Directory
        import knowledge.orientation  # noqa: F401 - the search page's engine
    except ImportError as exc:
        return f"the directory/orientation modules cannot be imported yet: {exc}"
    d = Directory(url)
    d.create_schema()
    d.load(directory_data_dir())
    return None


def _wait_http(url: str, proc, logfile: Path, timeout: float = 30.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise AssertionError(f"console exited: {logfile.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"console not answering: {logfile.read_text()}")


@pytest.fixture
def browser(tmp_path):
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    opts = Options()
    opts.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1280,1000", "--lang=fr-FR",
                 f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        opts.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.set_page_load_timeout(30)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()


def click_and_wait(driver, by, selector) -> None:
    """Click a submit button and wait until the next page has replaced the current one."""
    old = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(by, selector).click()
    WebDriverWait(driver, 15).until(lambda d: is_stale(old))


def is_stale(element) -> bool:
    """The element's page was replaced. Newer chromedrivers sometimes report it as "Node with
    given id does not belong to the document" (a plain WebDriverException) instead of a stale
    element reference."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
    try:
        element.is_enabled()
    except StaleElementReferenceException:
        return True
    except WebDriverException as e:
        if "does not belong to the document" in str(e):
            return True
        raise
    return False


def shot(driver, name: str) -> None:
    driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))


def login(driver, base: str, user: str, password: str | None = None) -> None:
    driver.get(base + "/connexion")
    driver.find_element(By.ID, "login").send_keys(user)
    driver.find_element(By.ID, "mot_de_passe").send_keys(password or PASSWORDS[user])
    click_and_wait(driver, By.CSS_SELECTOR, "form button[type=submit]")


def text(driver) -> str:
    return driver.find_element(By.TAG_NAME, "body").text


def test_login_queue_status_change_audit_and_notification(env, browser):
    base, store, inbox = env["base"], env["store"], env["inbox"]
    browser.get(base + "/demandes")
    assert browser.current_url.endswith("/connexion")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr"
    shot(browser, "01-connexion")

    login(browser, base, "bob", "mauvais-mot-de-passe")
    assert "Identifiant ou mot de passe incorrect." in text(browser)
    login(browser, base, "bob")
    assert browser.current_url.endswith("/demandes")
    rows = browser.find_elements(By.CSS_SELECTOR, "table.file tbody tr")
    numeros = [r.find_element(By.CSS_SELECTOR, "th a").text for r in rows]
    assert numeros[:2] == [env["overdue"], env["fresh"]]          # overdue first
    assert "retard" in rows[0].get_attribute("class") and "en retard" in rows[0].text
    assert "Durand" not in text(browser) and "06 12 34 56 78" not in text(browser)
    shot(browser, "02-file")

    # filters: level 1 only, then DAC of Cher only
    Select(browser.find_element(By.ID, "f-niveau")).select_by_value("1")
    click_and_wait(browser, By.CSS_SELECTOR, "form.filtres button")
    assert [a.text for a in browser.find_elements(By.CSS_SELECTOR, "table.file tbody th a")] == [env["fresh"]]
    browser.get(base + "/demandes?dac=dac-18")
    assert [a.text for a in browser.find_elements(By.CSS_SELECTOR, "table.file tbody th a")] == [env["overdue"]]
    browser.get(base + "/demandes?age=7")
    assert [a.text for a in browser.find_elements(By.CSS_SELECTOR, "table.file tbody th a")] == [env["overdue"]]

    # open the overdue request, take it (en cours)
    click_and_wait(browser, By.LINK_TEXT, env["overdue"])
    assert f"Demande {env['overdue']}" in browser.find_element(By.TAG_NAME, "h1").text
    assert "Mme [nom]" in text(browser) and "[téléphone]" in text(browser)
    browser.find_element(By.ID, "statut-en_cours").click()
    browser.find_element(By.ID, "note-statut").send_keys("Appel à la fille prévu cet après-midi")
    click_and_wait(browser, By.CSS_SELECTOR, "form[action$='/statut'] button")
    assert browser.find_element(By.ID, "statut-actuel").text == "en cours"
    assert "Le statut a été modifié" in text(browser)
    shot(browser, "03-demande-en-cours")

    # audit row in the database: who, when, what
    ev = [e for e in store.history(env["overdue"]) if e.quoi == "statut"][-1]
    assert (ev.qui, ev.avant, ev.apres) == ("bob", "recue", "en_cours")
    assert abs((datetime.now(TZ) - ev.quand).total_seconds()) < 120
    rows = browser.find_elements(By.CSS_SELECTOR, "table.historique tbody tr")
    assert any("bob" in r.text and "reçue" in r.text and "en cours" in r.text for r in rows)

    # the requester received the notification
    rcpt, msg = inbox.wait_for(f"Demande {env['overdue']} : en cours")
    assert rcpt == [MSS]
    body = msg.get_body(preferencelist=("plain",)).get_content()
    assert "DAC du Cher" in body and "02 61 91 18 00" in body and "Durand" not in body

    # closing needs an outcome
    browser.find_element(By.ID, "statut-cloturee").click()
    click_and_wait(browser, By.CSS_SELECTOR, "form[action$='/statut'] button")
    assert "nécessite une issue" in browser.find_element(By.CSS_SELECTOR, "[role=alert]").text
    browser.find_element(By.ID, "statut-cloturee").click()
    Select(browser.find_element(By.ID, "issue")).select_by_visible_text(
        "Prise en charge par le DAC (appui au parcours)")
    click_and_wait(browser, By.CSS_SELECTOR, "form[action$='/statut'] button")
    assert browser.find_element(By.ID, "statut-actuel").text == "clôturée"
    assert browser.find_element(By.ID, "issue").text == "Prise en charge par le DAC (appui au parcours)"
    _, closed = inbox.wait_for(f"Demande {env['overdue']} : clôturée")
    assert "Issue : Prise en charge par le DAC (appui au parcours)" in closed.get_body().get_content()
    shot(browser, "04-demande-cloturee")

    # assignment and note, audited
    Select(browser.find_element(By.ID, "assigne_a")).select_by_value("oscar")
    click_and_wait(browser, By.CSS_SELECTOR, "form[action$='/attribution'] button")
    browser.find_element(By.ID, "texte").send_keys("Rappeler M. Petit au 0698765432")
    click_and_wait(browser, By.CSS_SELECTOR, "form[action$='/note'] button")
    assert "Rappeler M. [nom] au [téléphone]" in text(browser)
    quoi = [(e.qui, e.quoi) for e in store.history(env["overdue"])]
    assert ("bob", "assignation") in quoi and quoi[-1] == ("bob", "note")
    assert store.get(env["overdue"]).assigne_a == "oscar"


def test_operator_cannot_change_status_and_admin_manages_users(env, browser):
    base = env["base"]
    login(browser, base, "oscar")
    browser.get(f"{base}/demandes/{env['fresh']}")
    assert browser.find_elements(By.CSS_SELECTOR, "form[action$='/statut']") == []
    assert browser.find_elements(By.CSS_SELECTOR, "form[action$='/note']")
    browser.get(base + "/utilisateurs")
    assert "réservée au rôle « administrateur »" in text(browser)

    browser.delete_all_cookies()
    login(browser, base, "alice")
    browser.get(base + "/utilisateurs")
    browser.find_element(By.ID, "n-login").send_keys("chloe")
    browser.find_element(By.ID, "n-nom").send_keys("Chloé Coordinatrice")
    Select(browser.find_element(By.ID, "n-role")).select_by_value("coordinateur")
    browser.find_element(By.ID, "n-mdp").send_keys("motdepasse-chloe")
    click_and_wait(browser, By.CSS_SELECTOR, "form[action='/utilisateurs'] button")
    assert "L'utilisateur a été enregistré." in text(browser)
    assert env["store"].authenticate("chloe", "motdepasse-chloe").role == "coordinateur"
    shot(browser, "05-utilisateurs")


def test_post_without_csrf_token_is_refused(env):
    req = urllib.request.Request(f"{env['base']}/demandes/{env['fresh']}/statut",
                                 data=b"statut=en_cours", method="POST")
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=5)
    assert err.value.code == 403
    assert env["store"].get(env["fresh"]).statut == "recue"


def test_phone_search_and_request_on_behalf_of_a_caller(env, browser):
    if env["directory"]:
        pytest.skip(f"search page needs the directory: {env['directory']}")
    base = env["base"]
    login(browser, base, "oscar")
    browser.get(base + "/recherche")
    browser.find_element(By.ID, "texte").send_keys(
        "Patient de 84 ans, chutes à répétition, refuse les aides, épouse épuisée")
    browser.find_element(By.ID, "commune").send_keys("Saint-Amand-Montrond")
    click_and_wait(browser, By.CSS_SELECTOR, "form[action='/recherche'] button")
    results = browser.find_elements(By.CSS_SELECTOR, "article.resultat")
    assert results, text(browser)
    assert "Saint-Amand-Montrond" in text(browser)
    assert any("Téléphone" in r.text for r in results)
    shot(browser, "06-recherche")

    # type filter: only DAC results
    Select(browser.find_element(By.ID, "type")).select_by_value("DAC")
    click_and_wait(browser, By.CSS_SELECTOR, "form[action='/recherche'] button")
    types = [r.find_element(By.CSS_SELECTOR, "h3 small").text for r in
             browser.find_elements(By.CSS_SELECTOR, "article.resultat")]
    assert types and set(types) == {"(DAC)"}
    # "ouvert maintenant": only services open at this moment are listed
    browser.find_element(By.ID, "ouvert").click()
    click_and_wait(browser, By.CSS_SELECTOR, "form[action='/recherche'] button")
    assert browser.find_element(By.ID, "ouvert").is_selected()
    for r in browser.find_elements(By.CSS_SELECTOR, "article.resultat"):
        assert r.find_elements(By.CSS_SELECTOR, "p.ouvert") and not r.find_elements(By.CSS_SELECTOR, "p.ferme")

    click_and_wait(browser, By.XPATH, "//button[contains(., 'Ouvrir une demande')]")
    assert "Nouvelle demande pour un appelant" in text(browser)
    assert "chutes" in browser.find_element(By.ID, "resume").get_attribute("value")
    assert Select(browser.find_element(By.ID, "dac_id")).first_selected_option.get_attribute("value") == "dac-18"
    browser.find_element(By.ID, "demandeur_nom").send_keys("Dr Jeanne Roux")
    browser.find_element(By.ID, "rappel_telephone").send_keys("02 48 96 00 00")
    form = browser.find_element(By.CSS_SELECTOR, "form[action='/demandes/nouvelle']")
    fields = {e.get_attribute("name"): e.get_attribute("value")
              for e in form.find_elements(By.CSS_SELECTOR, "input, textarea, select")}
    click_and_wait(browser, By.XPATH, "//button[contains(., 'Enregistrer la demande')]")
    h1 = browser.find_element(By.TAG_NAME, "h1").text
    assert h1.startswith("Demande AIG-") and "reçue" in h1
    numero = h1.split()[1]
    t = env["store"].get(numero)
    assert (t.canal, t.cree_par, t.dac_id, t.demandeur_nom) == ("telephone", "oscar", "dac-18", "Dr Jeanne Roux")
    assert t.commune_insee == "18197"
    shot(browser, "07-demande-telephone")
    # the same form posted again (double click, retry) does not create a second request
    old = browser.find_element(By.TAG_NAME, "html")
    browser.execute_script("""
        const f = document.createElement('form'); f.method = 'post'; f.action = '/demandes/nouvelle';
        for (const [k, v] of Object.entries(arguments[0])) {
            const i = document.createElement('input'); i.type = 'hidden'; i.name = k; i.value = v; f.appendChild(i);
        }
        document.body.appendChild(f); f.submit();""", fields)
    WebDriverWait(browser, 15).until(lambda d: is_stale(old))
    assert browser.find_element(By.TAG_NAME, "h1").text.split()[1] == numero
    assert len([x for x in env["store"].queue() if x.canal == "telephone"]) == 1


def _session_get(driver, url: str):
    """GET `url` with the browser's session cookie (downloads the browser would save to disk)."""
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())
    req = urllib.request.Request(url, headers={"Cookie": cookie})
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.status, dict(r.headers), r.read()


def test_queue_search_pages_and_csv_export(env, browser):
    base, store = env["base"], env["store"]
    made = [store.create(NewRequest(
        resume=f"Patient de Bourges, situation {i}, aidante épuisée" if i % 3 == 0 else f"Situation {i} sans aidant",
        demandeur_nom=f"Dr Camille Bernard {i}" if i < 4 else f"Dr Hugo Petit {i}", niveau=2,
        commune_insee="18033" if i % 3 == 0 else "37261", rappel_telephone="02 48 00 00 00"), f"page-{i}")
        for i in range(60)]
    login(browser, base, "bob")
    browser.get(base + "/demandes?statut=toutes")
    total = len(store.queue(statut="toutes", limit=None))
    assert total >= 62
    caption = browser.find_element(By.CSS_SELECTOR, "table.file caption").text
    assert caption.startswith(f"{total} demandes (n° 1 à 50)"), caption
    first = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "table.file tbody th a")]
    assert len(first) == 50
    click_and_wait(browser, By.LINK_TEXT, "Page suivante")
    second = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "table.file tbody th a")]
    assert len(second) == total - 50 and not set(first) & set(second)
    assert "Page 2 sur 2" in browser.find_element(By.CSS_SELECTOR, "nav.pagination").text
    assert Select(browser.find_element(By.ID, "f-statut")).first_selected_option.get_attribute("value") == "toutes"
    shot(browser, "08-file-page-2")

    def listed():
        return [a.text for a in browser.find_elements(By.CSS_SELECTOR, "table.file tbody th a")]

    # by request number (the last digits are enough)
    browser.get(base + "/demandes")
    browser.find_element(By.ID, "f-numero").send_keys(made[17].numero[-4:])
    click_and_wait(browser, By.CSS_SELECTOR, "form.filtres button")
    assert listed() == [made[17].numero]
    # by requester, then commune (name chosen from the autocompletion list) and free text
    browser.get(base + "/demandes")
    browser.find_element(By.ID, "f-demandeur").send_keys("camille bernard")
    click_and_wait(browser, By.CSS_SELECTOR, "form.filtres button")
    assert sorted(listed()) == sorted(t.numero for t in made[:4])
    options = [o.get_attribute("value") for o in browser.find_elements(By.CSS_SELECTOR, "datalist#communes option")]
    assert "Bourges (18000)" in options and "Tours (37000)" in options and "18033" not in " ".join(options)
    browser.get(base + "/demandes")
    browser.find_element(By.ID, "f-commune").send_keys("Bourges (18000)")
    browser.find_element(By.ID, "f-texte").send_keys("aidante épuisée")
    click_and_wait(browser, By.CSS_SELECTOR, "form.filtres button")
    expected = {t.numero for t in made if t.commune_insee == "18033"}
    assert set(listed()) == expected and len(expected) == 20
    assert browser.find_element(By.ID, "f-commune").get_attribute("value") == "Bourges (18000)"
    # postal code alone, unknown commune: a French message, the queue is not filtered by commune
    browser.get(base + "/demandes?commune=37000")
    assert {t.numero for t in made if t.commune_insee == "37261"} <= set(listed())
    browser.get(base + "/demandes?commune=Zzyzx")
    assert "Commune non reconnue : « Zzyzx »" in browser.find_element(By.CSS_SELECTOR, "[role=alert]").text
    shot(browser, "09-file-recherche")

    # CSV export of the filtered queue: every row (no page limit), no patient text
    browser.get(base + "/demandes?commune=Bourges+%2818000%29")
    link = browser.find_element(By.PARTIAL_LINK_TEXT, "Exporter ces 20 demandes")
    status, headers, body = _session_get(browser, link.get_attribute("href"))
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    assert "attachment" in headers["Content-Disposition"]
    import csv as csvmod
    rows = list(csvmod.reader(body.decode("utf-8-sig").splitlines(), delimiter=";"))
    assert rows[0][:4] == ["Numéro", "Créée le", "Échéance", "Statut"]
    assert {r[0] for r in rows[1:]} == expected and {r[rows[0].index("Commune")] for r in rows[1:]} == {"Bourges"}
    assert "Bourges, situation" not in body.decode("utf-8-sig") and "aidante" not in body.decode("utf-8-sig")
    status, _, body = _session_get(browser, base + "/demandes.csv?statut=toutes")
    assert len(body.decode("utf-8-sig").splitlines()) == total + 1


def test_new_request_commune_by_name_or_postal_code(env, browser):
    base, store = env["base"], env["store"]
    login(browser, base, "oscar")
    browser.get(base + "/demandes/nouvelle")
    field = browser.find_element(By.ID, "commune")
    assert field.get_attribute("list") == "communes"
    assert "INSEE" not in browser.find_element(By.CSS_SELECTOR, "label[for=commune]").text
    browser.find_element(By.ID, "demandeur_nom").send_keys("Dr Louise Garnier")
    browser.find_element(By.ID, "rappel_telephone").send_keys("02 54 00 00 00")
    browser.find_element(By.ID, "resume").send_keys("Aidant épuisé, besoin de répit")
    field.send_keys("Xqzwv")                              # unknown: a French message, nothing lost
    click_and_wait(browser, By.XPATH, "//button[contains(., 'Enregistrer la demande')]")
    alert = browser.find_element(By.CSS_SELECTOR, "[role=alert]").text
    assert "Commune non reconnue : « Xqzwv »" in alert, alert
    assert browser.find_element(By.ID, "demandeur_nom").get_attribute("value") == "Dr Louise Garnier"
    field = browser.find_element(By.ID, "commune")
    field.clear()
    field.send_keys("41000")                               # shared by Blois and four communes
    click_and_wait(browser, By.XPATH, "//button[contains(., 'Enregistrer la demande')]")
    alert = browser.find_element(By.CSS_SELECTOR, "[role=alert]").text
    assert "Plusieurs communes possibles pour « 41000 »" in alert and "Blois (41000)" in alert, alert
    field = browser.find_element(By.ID, "commune")
    field.clear()
    field.send_keys("Blois (41000)")
    click_and_wait(browser, By.XPATH, "//button[contains(., 'Enregistrer la demande')]")
    numero = browser.find_element(By.TAG_NAME, "h1").text.split()[1]
    assert store.get(numero).commune_insee == "41018"
    browser.get(base + "/demandes/nouvelle")
    browser.find_element(By.ID, "demandeur_nom").send_keys("Dr Louise Garnier")
    browser.find_element(By.ID, "rappel_telephone").send_keys("02 54 00 00 00")
    browser.find_element(By.ID, "resume").send_keys("Deuxième appel")
    browser.find_element(By.ID, "commune").send_keys("Vierzon (18100)")
    click_and_wait(browser, By.XPATH, "//button[contains(., 'Enregistrer la demande')]")
    assert store.get(browser.find_element(By.TAG_NAME, "h1").text.split()[1]).commune_insee == "18279"


def test_phone_search_distance_open_history_and_print(env, browser):
    if env["directory"]:
        pytest.skip(f"search page needs the directory: {env['directory']}")
    import base64
    import re as re_
    base = env["base"]
    login(browser, base, "oscar")
    browser.get(base + "/recherche")
    browser.find_element(By.ID, "texte").send_keys("Patiente de 88 ans isolée, chutes, aidant épuisé")
    browser.find_element(By.ID, "commune").send_keys("Bourges (18000)")
    click_and_wait(browser, By.CSS_SELECTOR, "form[action='/recherche'] button")
    results = browser.find_elements(By.CSS_SELECTOR, "article.resultat")
    assert results, text(browser)
    for r in results:
        assert re_.fullmatch(r"à \d+ km|moins d'1 km|distance inconnue",
                             r.find_element(By.CSS_SELECTOR, ".distance").text), r.text
    # the open-now filter together with the type filter and the distances
    Select(browser.find_element(By.ID, "type")).select_by_value("CLIC")
    browser.find_element(By.ID, "ouvert").click()
    click_and_wait(browser, By.CSS_SELECTOR, "form[action='/recherche'] button")
    for r in browser.find_elements(By.CSS_SELECTOR, "article.resultat"):
        assert r.find_elements(By.CSS_SELECTOR, "p.ouvert .distance")
    # the session's last searches, newest first, masked, replayable
    items = browser.find_elements(By.CSS_SELECTOR, ".historique-recherches li")
    assert len(items) == 2 and "CLIC, ouverts maintenant" in items[0].text and "Bourges (18000)" in items[1].text
    click_and_wait(browser, By.CSS_SELECTOR, ".historique-recherches li:nth-child(2) button")
    assert browser.find_element(By.ID, "commune").get_attribute("value") == "Bourges (18000)"
    assert not browser.find_element(By.ID, "ouvert").is_selected()
    assert browser.find_elements(By.CSS_SELECTOR, "article.resultat")
    # print: navigation and forms hidden, the answer on one A4 sheet
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    assert not browser.find_element(By.CSS_SELECTOR, "header.bandeau").is_displayed()
    assert not browser.find_element(By.ID, "form-recherche").is_displayed()
    assert browser.find_element(By.CSS_SELECTOR, ".impression-seule").is_displayed()
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    from selenium.webdriver.common.print_page_options import PrintOptions
    opts = PrintOptions()
    opts.page_height, opts.page_width = 29.7, 21.0
    pdf = base64.b64decode(browser.print_page(opts))
    (ARTIFACTS / "10-fiche-appel.pdf").write_bytes(pdf)
    assert len(re_.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
    # another session does not see these searches
    browser.delete_all_cookies()
    login(browser, base, "oscar")
    browser.get(base + "/recherche")
    assert not browser.find_elements(By.CSS_SELECTOR, ".historique-recherches li")


def test_console_pages_have_no_serious_accessibility_violations(env, browser):
    """axe-core (WCAG 2.1 A/AA and best practices) on every console page: 0 serious or critical."""
    from tests.axe import axe_violations, describe
    base = env["base"]
    browser.set_script_timeout(60)
    found = {}
    browser.get(base + "/connexion")
    found["/connexion"] = axe_violations(browser)
    login(browser, base, "alice")
    pages = ["/demandes", "/demandes?statut=toutes&commune=Zzyzx", f"/demandes/{env['fresh']}",
             "/demandes/nouvelle", "/recherche", "/utilisateurs", "/annuaire/fraicheur", "/rapports"]
    for page in pages:
        browser.get(base + page)
        found[page] = axe_violations(browser)
    if not env["directory"]:                       # the search page with results
        browser.get(base + "/recherche")
        browser.find_element(By.ID, "texte").send_keys("Aidant épuisé, patient de 85 ans isolé")
        browser.find_element(By.ID, "commune").send_keys("Bourges (18000)")
        click_and_wait(browser, By.CSS_SELECTOR, "form[action='/recherche'] button")
        found["/recherche (résultats)"] = axe_violations(browser)
    bad = {page: describe(v) for page, v in found.items() if v}
    assert not bad, bad
    # the checker is alive: an input without a label added to the page is reported
    browser.execute_script("document.querySelector('main').appendChild(document.createElement('input'))")
    assert "label" in {v["id"] for v in axe_violations(browser)}
