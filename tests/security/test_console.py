"""Attacks on the running operator console (HTTP): password guessing, replayed cookies after logout
and after a password change, security headers."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest

from bot.processes import ROOT
from tests.conftest import STACK_CONSOLE_USERS
from tests.security.conftest import http

pytestmark = pytest.mark.e2e


class Browser:
    """Cookie-keeping HTTP client of the console."""

    def __init__(self, base: str):
        self.base, self.cookie = base, ""

    def request(self, method: str, path: str, form: dict | None = None, cookie: str | None = None):
        from urllib.parse import urlencode

        headers = {"Cookie": self.cookie if cookie is None else cookie}
        raw = None
        if form is not None:
            raw = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        r = http(method, self.base + path, raw=raw, headers=headers)
        if "set-cookie" in r.headers:
            self.cookie = r.headers["set-cookie"].split(";")[0]
        return r

    def csrf(self, path: str) -> str:
        m = re.search(rb'name="csrf" value="([^"]+)"', self.request("GET", path).body)
        return m.group(1).decode() if m else ""

    def login(self, login: str, password: str):
        return self.request("POST", "/connexion", {"csrf": self.csrf("/connexion"), "login": login, "mot_de_passe": password})


@pytest.fixture
def console(stack):
    return f"http://127.0.0.1:{stack.ports.console}"


def test_password_guessing_is_throttled(console):
    login = "pile-verrou"
    b = Browser(console)
    for _ in range(5):
        assert b.login(login, "pas-le-bon-mot-de-passe").status == 401
    r = b.login(login, STACK_CONSOLE_USERS[login])           # the right password, now refused
    assert r.status == 429
    assert "Trop de tentatives de connexion infructueuses" in r.body.decode()
    assert b.request("GET", "/demandes").status == 303


def test_logout_revokes_the_cookie(console):
    b = Browser(console)
    assert b.login("pile-admin", STACK_CONSOLE_USERS["pile-admin"]).status == 303
    stolen = b.cookie
    assert b.request("GET", "/demandes").status == 200
    assert b.request("POST", "/deconnexion", {"csrf": b.csrf("/demandes")}).status == 303
    replay = Browser(console).request("GET", "/demandes", cookie=stolen)
    assert replay.status == 303 and replay.headers["location"] == "/connexion"


def test_password_change_revokes_every_session(stack, console):
    login = "pile-revoque"
    b = Browser(console)
    assert b.login(login, STACK_CONSOLE_USERS[login]).status == 303
    assert b.request("GET", "/demandes").status == 200
    new = "nouveau-mot-de-passe-revoque"
    env = {**stack.env, "AIGUILLAGE_CONSOLE_PASSWORD": new}
    done = subprocess.run([sys.executable, "-m", "bot.console", "set-password", login], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert b.request("GET", "/demandes").status == 303
    assert Browser(console).login(login, new).status == 303


def test_security_headers(console):
    for path in ("/connexion", "/static/console.css"):
        h = http("GET", console + path).headers
        csp = h["content-security-policy"]
        assert "script-src 'none'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
        assert h["x-content-type-options"] == "nosniff" and h["referrer-policy"] == "no-referrer"
        assert h["x-frame-options"] == "DENY"
    body = http("GET", console + "/connexion").body.decode()
    assert "<script" not in body and " style=" not in body and "<style" not in body
