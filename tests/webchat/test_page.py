"""The web chat server and the page itself (no Rasa needed): files, config, headers, accessibility."""
from __future__ import annotations

import re
import urllib.error
import urllib.request

import pytest

from bot.webchat.server import origin_allowed


def get(url: str, host: str | None = None):
    req = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()


FILES = [
    ("/", 200, "text/html"),
    ("/index.html", 200, "text/html"),
    ("/app.js", 200, "text/javascript"),
    ("/style.css", 200, "text/css"),
    ("/config.js", 200, "text/javascript"),
    ("/vendor/socket.io.min.js", 200, "text/javascript"),
    ("/health", 200, "application/json"),
    ("/../bot/processes.py", 404, "text/plain"),
    ("/static/app.js", 404, "text/plain"),
    ("/nope", 404, "text/plain"),
]


@pytest.mark.parametrize("path,status,ctype", FILES)
def test_files(page_server, path, status, ctype):
    code, headers, body = get(page_server["url"] + path)
    assert code == status
    assert headers["content-type"].startswith(ctype)
    assert headers["x-content-type-options"] == "nosniff"


def test_page_headers_and_config(page_server):
    code, headers, body = get(page_server["url"] + "/")
    csp = headers["content-security-policy"]
    host = page_server["url"].split("//", 1)[1]
    assert "script-src 'self'" in csp and f"ws://{host}" in csp and ":" + str(page_server["rasa_port"]) not in csp
    assert "frame-ancestors 'none'" in csp
    # one origin: the page talks to its own server (relative URLs), whatever host name it was opened by
    _, _, cfg = get(page_server["url"] + "/config.js")
    assert '"rasaUrl": ""' in cfg.decode() and '"socketPath": "/socket.io/"' in cfg.decode()
    _, headers, _ = get(page_server["url"] + "/", host="aiguillage.local:8080")
    assert "ws://aiguillage.local:8080" in headers["content-security-policy"]
    _, _, js = get(page_server["url"] + "/vendor/socket.io.min.js")
    assert b"Socket.IO v4." in js[:200]


ORIGINS = [
    # (Origin header, Host header, allowed?)
    (None, "localhost:8080", True),                         # not a browser page
    ("http://localhost:8080", "localhost:8080", True),
    ("https://chat.exemple.fr", "chat.exemple.fr", True),
    ("http://evil.example", "localhost:8080", False),
    ("http://localhost:8081", "localhost:8080", False),
    ("null", "localhost:8080", False),
    ("http://localhost:8080.evil.example", "localhost:8080", False),
]


@pytest.mark.parametrize("origin,host,allowed", ORIGINS)
def test_socket_origin(origin, host, allowed):
    assert origin_allowed(origin, host) is allowed


def test_socket_relay_refuses_foreign_origins_and_reports_rasa_down(page_server):
    url = page_server["url"] + "/socket.io/?EIO=4&transport=polling"
    req = urllib.request.Request(url, headers={"Origin": "http://evil.example"})
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, timeout=10)
    assert e.value.code == 403 and "access-control-allow-origin" not in {k.lower() for k in e.value.headers}
    code, _, body = get(url)                          # Rasa is not running behind this page server
    assert code == 502 and "injoignable" in body.decode()


def test_page_markup_accessibility(page_server):
    _, _, html = get(page_server["url"] + "/")
    html = html.decode()
    assert '<html lang="fr">' in html
    assert 'name="viewport"' in html
    assert re.search(r'<label for="message">Votre message</label>', html)
    assert re.search(r'<ol id="log"[^>]*aria-live="polite"', html)
    assert re.search(r'id="status"[^>]*role="status"', html)
    assert "Ouvrir une demande d'appui" in html
    assert 'href="tel:15"' in html


def contrast_ratio_js() -> str:
    return """
    function lum(c){const m=c.match(/\\d+(\\.\\d+)?/g).map(Number);const f=v=>{v/=255;return v<=0.03928?v/12.92:Math.pow((v+0.055)/1.055,2.4)};
      return 0.2126*f(m[0])+0.7152*f(m[1])+0.0722*f(m[2]);}
    function bg(e){while(e){const c=getComputedStyle(e).backgroundColor;if(c&&!c.startsWith('rgba(0, 0, 0, 0)')&&c!=='transparent')return c;e=e.parentElement;}return 'rgb(255,255,255)';}
    function ratio(e){const a=lum(getComputedStyle(e).color),b=lum(bg(e));return (Math.max(a,b)+0.05)/(Math.min(a,b)+0.05);}
    return Array.from(document.querySelectorAll(arguments[0])).filter(e=>e.offsetParent!==null)
      .map(e=>[e.tagName+'.'+e.className+':'+(e.textContent||'').trim().slice(0,30), ratio(e)]);
    """


@pytest.mark.browser
def test_page_in_browser_without_bot(page_server, browser):
    """Without Rasa: the page says it cannot connect, keeps the typed message as pending, and
    meets contrast and target-size minimums; everything is reachable with the keyboard."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    from tests.webchat.conftest import set_viewport

    set_viewport(browser, 390, 844, mobile=True)
    browser.get(page_server["url"] + "/")
    status = browser.find_element(By.ID, "status")
    WebDriverWait(browser, 15).until(lambda d: "reconnexion" in status.text.lower() or "injoignable" in status.text.lower())
    box = browser.find_element(By.ID, "message")
    assert browser.find_element(By.CSS_SELECTOR, "label[for=message]").is_displayed()
    box.send_keys("dame 80 ans à Vierzon", Keys.ENTER)
    pending = WebDriverWait(browser, 5).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#log li.user.pending"))
    assert "En attente d'envoi" in pending[0].text
    assert box.get_attribute("value") == ""
    # contrast (WCAG AA, 4.5:1 for text) of the visible texts and controls, dark (night) and light themes
    for scheme in ("dark", "light"):
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": scheme}]})
        assert browser.execute_script(f"return matchMedia('(prefers-color-scheme: {scheme})').matches")
        checked = 0
        for selector in ["body", ".status", "label", ".hint", ".tool", ".send", ".bubble", ".pending-note", ".intro", "a"]:
            for name, ratio in browser.execute_script(contrast_ratio_js(), selector):
                assert ratio >= 4.5, f"contraste insuffisant ({scheme}) {name} : {ratio:.2f}"
                checked += 1
        assert checked >= 10
    # target size: every button at least 44 px high on a phone
    for b in browser.find_elements(By.CSS_SELECTOR, "button"):
        if b.is_displayed():
            assert b.size["height"] >= 44, b.text
    # keyboard: Tab goes from the skip link through the tools to the input and the send button
    browser.get(page_server["url"] + "/")
    order = []
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    for _ in range(8):
        active = browser.switch_to.active_element
        order.append(active.get_attribute("id") or active.text)
        active.send_keys(Keys.TAB)
    assert order[0] == "Aller à la saisie du message"
    for expected in ["open-request", "new-conversation", "message", "send"]:
        assert expected in order
    assert order.index("message") < order.index("send")


@pytest.mark.browser
def test_page_has_no_serious_accessibility_violations(page_server, browser):
    """axe-core on the web chat page (phone and desktop widths, light and dark themes)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    from tests.axe import axe_violations, describe
    from tests.webchat.conftest import set_viewport

    browser.set_script_timeout(60)
    found = {}
    for width, height in ((390, 844), (1280, 800)):
        set_viewport(browser, width, height, mobile=width < 600)
        browser.get(page_server["url"] + "/")
        WebDriverWait(browser, 15).until(lambda d: d.find_element(By.ID, "status").text.strip())
        browser.find_element(By.ID, "message").send_keys("dame 80 ans à Vierzon", Keys.ENTER)
        WebDriverWait(browser, 5).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#log li.user.pending"))
        for scheme in ("light", "dark"):
            browser.execute_cdp_cmd("Emulation.setEmulatedMedia",
                                    {"features": [{"name": "prefers-color-scheme", "value": scheme}]})
            found[f"{width}px {scheme}"] = axe_violations(browser)
    bad = {k: describe(v) for k, v in found.items() if v}
    assert not bad, bad


def test_relay_cors_only_for_configured_embedding_origins():
    """A site configured in AIGUILLAGE_WEBCHAT_ORIGINS gets its own origin back (never '*');
    other origins are refused, same-origin and Origin-less requests carry no CORS header."""
    import asyncio

    import aiohttp
    from aiohttp import web
    from aiohttp.test_utils import TestServer

    from bot.webchat.server import make_app
    from tests.webchat.conftest import sanic_server

    async def scenario():
        upstream = web.Application()

        async def polling(request):
            return web.Response(text="0{}", headers={"Access-Control-Allow-Origin": "*"})
        upstream.router.add_route("*", "/socket.io/", polling)
        async with TestServer(upstream) as up:
            relay = make_app(str(up.make_url("")).rstrip("/"), ("https://dac18.exemple.fr",))
            async with sanic_server(relay) as base, aiohttp.ClientSession() as client:
                out = {}
                for origin in ("https://dac18.exemple.fr", "https://autre.exemple.fr", None):
                    headers = {"Origin": origin} if origin else {}
                    r = await client.get(base + "/socket.io/?EIO=4&transport=polling", headers=headers)
                    out[origin] = (r.status, r.headers.get("Access-Control-Allow-Origin"), r.headers.get("Vary"))
                return out

    out = asyncio.run(scenario())
    assert out["https://dac18.exemple.fr"] == (200, "https://dac18.exemple.fr", "Origin")
    assert out["https://autre.exemple.fr"][:2] == (403, None)
    assert out[None][:2] == (200, None)                      # the upstream's '*' is never passed on
