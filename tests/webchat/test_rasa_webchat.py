"""A standard widget unchanged: `rasa-webchat` (npm, 1.0.1) in headless Chromium against the real
bot, beside our own page.

The widget's bundle (React and its socket.io client included) is served from a local test origin;
a second web chat relay (`python -m bot.webchat`) allows that origin (AIGUILLAGE_WEBCHAT_ORIGINS)
and forwards to the shared stack's Rasa. Nothing is fetched from the network.
"""
from __future__ import annotations

import functools
import http.server
import subprocess
import sys
import threading
import pytest

from bot.processes import ROOT, base_env, free_port
from tests.npm_fixtures import npm_file
from tests.webchat.conftest import ARTIFACTS, wait_webchat
from tests.webchat.test_chat_e2e import EXAMPLE

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>rasa-webchat</title></head>
<body><main><h1>Widget rasa-webchat</h1><div id="widget"></div></main>
<script src="rasa-webchat.js"></script>
<script>
WebChat.default({socketUrl: "%(socket)s", socketPath: "/socket.io/", embedded: true,
                 title: "Aiguillage", inputTextFieldHint: "Votre message", showMessageDate: false,
                 params: {storage: "session"}}, document.getElementById("widget"));
</script></body></html>
"""


@pytest.fixture(scope="module")
def widget_site(tmp_path_factory, chat_stack):
    bundle = npm_file("rasa-webchat", "lib/index.js")
    if isinstance(bundle, str):
        pytest.skip(bundle)
    site = tmp_path_factory.mktemp("rasa-webchat")
    (site / "rasa-webchat.js").write_bytes(bundle.read_bytes())
    relay_port, site_port = free_port(), free_port()
    (site / "index.html").write_text(PAGE % {"socket": f"http://127.0.0.1:{relay_port}"}, encoding="utf-8")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", site_port), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    env = dict(base_env(), AIGUILLAGE_WEBCHAT_ORIGINS=f"http://127.0.0.1:{site_port}")
    log = site / "relay.log"
    relay = subprocess.Popen([sys.executable, "-m", "bot.webchat", "--host", "127.0.0.1", "--port", str(relay_port),
                              "--rasa-port", str(chat_stack.ports.rasa)],
                             cwd=ROOT, env=env, stdout=open(log, "wb"), stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_webchat(relay_port)
        yield {"url": f"http://127.0.0.1:{site_port}/index.html", "ours": f"http://127.0.0.1:{chat_stack.ports.webchat}/"}
    finally:
        relay.terminate()
        relay.wait(10)
        httpd.shutdown()


def _wait(driver, fn, timeout=90):
    """Poll `fn` until it returns a truthy value. The widget re-renders its message list when a
    reply arrives, so an element found in one poll may be gone when its text is read: that poll is
    retried instead of failing."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait
    return WebDriverWait(driver, timeout, poll_frequency=0.3,
                         ignored_exceptions=(StaleElementReferenceException,)).until(fn)


def test_rasa_webchat_shows_the_orientation_text_and_buttons(widget_site, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(widget_site["url"])
    field = _wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, ".rw-new-message"))
    # the widget confirmed a session (it keeps the id the server gave or accepted)
    _wait(browser, lambda d: d.execute_script("return sessionStorage.getItem('chat_session')"), 30)
    field.send_keys(EXAMPLE, Keys.ENTER)
    texts = _wait(browser, lambda d: [e.text for e in d.find_elements(By.CSS_SELECTOR, ".rw-response")
                                      if e.text.startswith("Appelez DAC")] or None)
    assert texts, "no orientation text rendered by rasa-webchat"
    replies = _wait(browser, lambda d: [e.text for e in d.find_elements(By.CSS_SELECTOR, ".rw-replies .rw-reply")] or None)
    assert "Ouvrir une demande d'appui" in replies
    # the orientation payload ({"custom": ...} alone) is ignored gracefully: no raw JSON shown
    page = browser.find_element(By.TAG_NAME, "body").text
    assert "recommandations" not in page and '"orientation"' not in page
    assert not [e for e in browser.get_log("browser") if e["level"] == "SEVERE" and "rasa-webchat.js" in e["message"]]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "rasa-webchat.png"))
    # a button is a quick reply the bot understands: the support-request form starts
    _wait(browser, lambda d: not d.find_elements(By.CSS_SELECTOR, ".rw-typing-indication"), 30)
    seen = {e.text for e in browser.find_elements(By.CSS_SELECTOR, ".rw-response")}
    next(e for e in browser.find_elements(By.CSS_SELECTOR, ".rw-replies .rw-reply")
         if e.text == "Ouvrir une demande d'appui").click()
    try:
        question = _wait(browser, lambda d: next((e.text for e in d.find_elements(By.CSS_SELECTOR, ".rw-response")
                                                  if e.text not in seen and "?" in e.text), None))
    except Exception:  # noqa: BLE001 - say what the widget shows
        raise AssertionError(browser.find_element(By.TAG_NAME, "body").text[-800:]) from None
    assert question
    browser.save_screenshot(str(ARTIFACTS / "rasa-webchat-demande.png"))

    # beside it, our own page still gets the whole answer in one event: text, cards and buttons
    browser.get(widget_site["ours"])
    box = _wait(browser, lambda d: d.find_element(By.ID, "message"))
    _wait(browser, lambda d: "connect" in d.find_element(By.ID, "status").get_attribute("class")
          or d.find_element(By.ID, "status").text, 30)
    box.send_keys(EXAMPLE, Keys.ENTER)
    card = _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#log li.bot .card"))[0]
    assert card.find_element(By.CSS_SELECTOR, "[data-field=type]").text == "DAC"
    answer = browser.find_element(By.CSS_SELECTOR, "#log li.bot:last-of-type")
    assert answer.find_element(By.CSS_SELECTOR, ".bubble").text.startswith("Appelez DAC")
    assert "Ouvrir une demande d'appui" in [b.text for b in answer.find_elements(By.CSS_SELECTOR, "button.reply")]
