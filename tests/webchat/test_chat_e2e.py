"""The web chat in headless Chromium against the real bot (trained model, actions, directory).

Screenshots at phone (390x844) and desktop (1280x800) widths go to test-artifacts/webchat/.
"""
from __future__ import annotations

import re

import pytest

from actions.support_form import QUESTIONS
from tests.webchat.conftest import ARTIFACTS, screenshot, set_viewport
from tests.webchat.test_page import contrast_ratio_js

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

EXAMPLE = "patiente 87 ans seule à domicile à Saint-Amand-Montrond, chutes à répétition, refuse les aides"
EMERGENCY = "homme 50 ans à Vierzon, douleur thoracique intense depuis 20 minutes"
FORM_QUESTIONS = {q for q, _ in QUESTIONS.values()}
WAIT = 60


def _wait(driver, fn, timeout=WAIT):
    """Wait for `fn`; on timeout keep a screenshot and say what the page shows."""
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.2).until(fn)
    except TimeoutException:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(ARTIFACTS / "echec.png"))
        shown = [li.text[:80] for li in driver.find_elements(By.CSS_SELECTOR, "#log li")]
        status = driver.find_element(By.ID, "status").text
        raise AssertionError(f"attente dépassée ; état « {status} », conversation affichée : {shown}") from None


def open_chat(driver, url, width=390, height=844):
    from selenium.webdriver.common.by import By

    set_viewport(driver, width, height, mobile=width < 600)
    driver.get(url)
    _wait(driver, lambda d: d.find_element(By.ID, "status").get_attribute("data-state") == "online")


def bot_messages(driver):
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, "#log li.bot")


def say(driver, text, keyboard=True):
    """Type a message (Enter to send) and wait for a new bot message; returns the new ones."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    before = len(bot_messages(driver))
    box = driver.find_element(By.ID, "message")
    box.send_keys(text)
    if keyboard:
        box.send_keys(Keys.ENTER)
    else:
        driver.find_element(By.ID, "send").click()
    _wait(driver, lambda d: len(bot_messages(d)) > before)
    return bot_messages(driver)[before:]


def tap(driver, element):
    """Scroll the element to the middle of the screen (clear of the sticky bars), then click it."""
    driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", element)
    _wait(driver, lambda d: d.execute_script(
        "const r = arguments[0].getBoundingClientRect();"
        "return arguments[0].contains(document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2));", element), 5)
    element.click()


def wait_for(driver, selector):
    from selenium.webdriver.common.by import By

    return _wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, selector))


def test_orientation_card_phone_link_and_support_request(chat_stack, browser):
    from selenium.webdriver.common.by import By

    url = f"http://127.0.0.1:{chat_stack.ports.webchat}/"
    open_chat(browser, url)
    say(browser, EXAMPLE)
    card = wait_for(browser, "#log li.bot .card")[0]
    assert card.find_element(By.CSS_SELECTOR, "[data-field=type]").text == "DAC"
    assert card.find_element(By.TAG_NAME, "h3").text.startswith("DAC")
    badge = card.find_element(By.CSS_SELECTOR, ".badge")
    assert badge.text == "Ouvert maintenant"                 # Monday 10:00 (AIGUILLAGE_NOW)
    phone = card.find_element(By.CSS_SELECTOR, "a.phone")
    number = re.search(r"0\d( \d\d){4}", phone.text).group(0)
    assert phone.get_attribute("href") == "tel:" + number.replace(" ", "")
    assert "Aujourd'hui" in card.text and "Pourquoi" in card.text
    answer = browser.find_element(By.CSS_SELECTOR, "#log li.bot:last-of-type")
    assert answer.find_element(By.CSS_SELECTOR, ".bubble").text.startswith("Appelez DAC")  # short text above the cards: who to call
    assert answer.find_element(By.CSS_SELECTOR, "details.full summary").text == "Réponse complète (texte)"
    mss = card.find_element(By.CSS_SELECTOR, "a[href^='mailto:']")
    assert mss.text.endswith("mssante.fr")
    assert phone.size["height"] >= 44
    # clicking the phone link targets the tel: URI (headless Chromium has no dialer: the click is
    # recorded and the external-protocol navigation prevented, which would otherwise wedge later clicks)
    browser.execute_script("""
        window.__cible = null;
        document.addEventListener('click', function (e) {
          const a = e.target.closest('a'); if (a) { window.__cible = a.href; e.preventDefault(); }
        }, {capture: true, once: true});""")
    tap(browser, phone)
    assert browser.execute_script("return window.__cible") == "tel:" + number.replace(" ", "")
    assert browser.current_url == url
    assert browser.find_elements(By.CSS_SELECTOR, "#log li.bot .card")
    # axe-core on the answer with its cards and buttons: 0 serious or critical violations
    from tests.axe import axe_violations, describe
    browser.set_script_timeout(60)
    violations = axe_violations(browser)
    assert not violations, describe(violations)
    screenshot(browser, "orientation", 390, 844)
    screenshot(browser, "orientation", 1280, 800)
    for scheme in ("dark", "light"):
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": scheme}]})
        for selector in [".card .type", ".card .badge", ".card a.phone", ".card dt", ".card dd", ".card .why", ".card h3", "button.reply"]:
            for name, ratio in browser.execute_script(contrast_ratio_js(), selector):
                assert ratio >= 4.5, f"contraste insuffisant ({scheme}) {name} : {ratio:.2f}"
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    screenshot(browser, "orientation-nuit", 390, 844)
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
    set_viewport(browser, 390, 844, mobile=True)
    # level 3: a visible "Ouvrir une demande d'appui" button; clicking it starts the form
    button = next(b for b in browser.find_elements(By.CSS_SELECTOR, "#log li.bot button.reply")
                  if b.text == "Ouvrir une demande d'appui")
    assert button.is_displayed()
    before = len(bot_messages(browser))
    tap(browser, button)
    _wait(browser, lambda d: len(bot_messages(d)) > before)
    assert not button.is_enabled()                                  # answered choices are disabled
    user_bubbles = browser.find_elements(By.CSS_SELECTOR, "#log li.user .bubble")
    assert user_bubbles[-1].text == "Ouvrir une demande d'appui"   # the title is shown, not the payload
    question = _wait(browser, lambda d: next((m.text for m in bot_messages(d)[before:] if any(q in m.text for q in FORM_QUESTIONS)), None))
    assert "?" in question
    screenshot(browser, "demande-appui", 390, 844)


def test_emergency_banner_first(chat_stack, browser):
    from selenium.webdriver.common.by import By

    open_chat(browser, f"http://127.0.0.1:{chat_stack.ports.webchat}/")
    new = say(browser, EMERGENCY, keyboard=False)
    first = _wait(browser, lambda d: next((m for m in bot_messages(d) if m.find_elements(By.CSS_SELECTOR, ".emergency")), None))
    assert first == new[0] or first in new                         # the emergency comes with the first answer
    banner = first.find_element(By.CSS_SELECTOR, ".emergency")
    assert banner.get_attribute("role") == "alert"
    children = first.find_elements(By.XPATH, "./*[not(contains(@class,'who'))]")
    assert children[0] == banner                                    # before the text and the cards
    call = banner.find_element(By.CSS_SELECTOR, "a.call")
    assert call.get_attribute("href") == "tel:15" and call.text == "Appeler le 15"
    assert banner.value_of_css_property("background-color") in ("rgba(176, 0, 32, 1)", "rgb(176, 0, 32)")
    assert call.size["height"] >= 48
    screenshot(browser, "urgence", 390, 844)
    screenshot(browser, "urgence", 1280, 800)


def test_reconnection_keeps_the_conversation(chat_stack, browser):
    from selenium.webdriver.common.by import By

    url = f"http://127.0.0.1:{chat_stack.ports.webchat}/"
    open_chat(browser, url)
    say(browser, "monsieur 78 ans, troubles de la mémoire, épouse épuisée")
    session = browser.execute_script("return window.aiguillage.sessionId()")
    history = len(browser.find_elements(By.CSS_SELECTOR, "#log li"))
    # network drop: the transport is closed; a message typed meanwhile waits, then goes out
    pending = browser.execute_script("""
        window.aiguillage.socket.io.engine.close();
        const box = document.getElementById('message');
        box.value = 'Vierzon';
        document.getElementById('form').requestSubmit();
        const last = document.querySelector('#log li:last-child');
        return [document.getElementById('status').textContent, last.classList.contains('pending')];
    """)
    assert "reconnexion" in pending[0].lower()
    assert pending[1] is True
    _wait(browser, lambda d: d.find_element(By.ID, "status").get_attribute("data-state") == "online")
    _wait(browser, lambda d: not d.find_elements(By.CSS_SELECTOR, "#log li.pending"))
    answer = _wait(browser, lambda d: next((m for m in bot_messages(d)[1:] if m.find_elements(By.CSS_SELECTOR, ".card")), None))
    assert "Vierzon" in answer.text or answer.find_elements(By.CSS_SELECTOR, ".card")
    assert len(browser.find_elements(By.CSS_SELECTOR, "#log li")) > history
    assert browser.execute_script("return window.aiguillage.sessionId()") == session
    # a reload keeps the session and shows the same conversation
    shown = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "#log li")]
    browser.refresh()
    _wait(browser, lambda d: d.find_element(By.ID, "status").get_attribute("data-state") == "online")
    assert [e.text for e in browser.find_elements(By.CSS_SELECTOR, "#log li")] == shown
    assert browser.execute_script("return window.aiguillage.sessionId()") == session
    # the server still knows the conversation: a follow-up is understood in context
    more = say(browser, "est-il ouvert samedi ?")
    assert any(m.text for m in more)
    # "Nouvelle conversation" starts afresh
    browser.find_element(By.ID, "new-conversation").click()
    assert browser.find_elements(By.CSS_SELECTOR, "#log li") == []
    assert browser.execute_script("return window.aiguillage.sessionId()") != session
    screenshot(browser, "nouvelle-conversation", 390, 844)
