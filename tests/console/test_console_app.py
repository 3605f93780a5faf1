"""Console rules without a browser: sessions, CSRF, roles, pages, called through WSGI in-process."""
from __future__ import annotations

import io
import re
import shutil
import time
from urllib.parse import urlencode

import pytest

from bot.console import security
from bot.console.app import ConsoleApp
from bot.console.sessions import Throttle
from knowledge.tickets import NewRequest, TicketStore

SECRET = b"k" * 32


class Client:
    """Minimal WSGI client keeping the session cookie."""

    def __init__(self, app):
        self.app = app
        self.cookie = ""

    def request(self, method, path, data=None, cookie=None):
        body = urlencode(data or {}).encode()
        path, _, query = path.partition("?")
        environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query,
                   "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body),
                   "wsgi.url_scheme": "http", "HTTP_COOKIE": self.cookie if cookie is None else cookie}
        out = {}

        def start_response(status, headers):
            out["status"] = int(status.split()[0])
            out["headers"] = headers
        out["body"] = b"".join(self.app(environ, start_response)).decode()
        for k, v in out["headers"]:
            if k == "Set-Cookie":
                self.cookie = v.split(";")[0]
        return out

    def csrf(self, path):
        page = self.request("GET", path)
        m = re.search(r'name="csrf" value="([^"]+)"', page["body"])
        return m.group(1) if m else ""

    def login(self, login, password):
        token = self.csrf("/connexion")
        return self.request("POST", "/connexion", {"csrf": token, "login": login, "mot_de_passe": password})


@pytest.fixture(scope="module")
def template_db(tmp_path_factory):
    """A database with the three accounts, hashed once (scrypt is slow on purpose)."""
    path = tmp_path_factory.mktemp("console-app") / "template.db"
    s = TicketStore(f"sqlite:///{path}")
    s.create_user("alice", "motdepasse-alice", "admin")
    s.create_user("bob", "motdepasse-bob", "coordinateur")
    s.create_user("oscar", "motdepasse-oscar", "operateur")
    s.dispose()
    return path


@pytest.fixture
def store(tmp_path, template_db):
    shutil.copy(template_db, tmp_path / "c.db")
    s = TicketStore(f"sqlite:///{tmp_path / 'c.db'}")
    yield s
    s.dispose()


@pytest.fixture
def ticket(store):
    return store.create(NewRequest(resume="Patient isolé, chutes", demandeur_nom="Dr A",
                                   rappel_messagerie="a@b.mssante.fr", niveau=2), "k1")


@pytest.fixture
def app(store):
    return ConsoleApp(store, SECRET, directory=False)


@pytest.mark.parametrize("path", ["/demandes", "/demandes/AIG-2026-000001", "/recherche", "/utilisateurs",
                                  "/demandes/nouvelle"])
def test_pages_need_a_login(app, path):
    r = Client(app).request("GET", path)
    assert r["status"] == 303 and dict(r["headers"])["Location"] == "/connexion"


@pytest.mark.parametrize("user,password,ok", [
    ("bob", "motdepasse-bob", True),
    ("BOB", "motdepasse-bob", True),
    ("bob", "motdepasse-bo", False),
    ("inconnu", "motdepasse-bob", False),
])
def test_login(app, user, password, ok):
    c = Client(app)
    r = c.login(user, password)
    if ok:
        assert r["status"] == 303 and dict(r["headers"])["Location"] == "/demandes"
        cookie = [v for k, v in r["headers"] if k == "Set-Cookie"][0]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        assert c.request("GET", "/demandes")["status"] == 200
    else:
        assert r["status"] == 401 and "Identifiant ou mot de passe incorrect." in r["body"]
        assert c.request("GET", "/demandes")["status"] == 303


@pytest.mark.parametrize("user,status_code,can_change", [
    ("oscar", 403, False),
    ("bob", 303, True),
    ("alice", 303, True),
])
def test_status_change_by_role(app, store, ticket, user, status_code, can_change):
    c = Client(app)
    c.login(user, f"motdepasse-{user}")
    token = c.csrf(f"/demandes/{ticket.numero}")
    r = c.request("POST", f"/demandes/{ticket.numero}/statut", {"csrf": token, "statut": "en_cours"})
    assert r["status"] == status_code
    assert (store.get(ticket.numero).statut == "en_cours") is can_change
    if not can_change:
        assert "réservée au rôle" in r["body"]


def test_post_needs_the_session_csrf_token(app, store, ticket):
    c = Client(app)
    c.login("bob", "motdepasse-bob")
    for token in ("", "faux-jeton"):
        r = c.request("POST", f"/demandes/{ticket.numero}/statut", {"csrf": token, "statut": "en_cours"})
        assert r["status"] == 403
    other = Client(app)
    other.login("alice", "motdepasse-alice")
    r = c.request("POST", f"/demandes/{ticket.numero}/statut",
                  {"csrf": other.csrf("/demandes"), "statut": "en_cours"})
    assert r["status"] == 403
    assert store.get(ticket.numero).statut == "recue"


def test_tampered_or_expired_cookie_is_refused(app):
    c = Client(app)
    c.login("oscar", "motdepasse-oscar")
    assert c.request("GET", "/demandes")["status"] == 200
    forged = security.sign(b"x" * 32, {"u": "alice", "c": "t", "e": int(time.time()) + 60})
    assert c.request("GET", "/utilisateurs", cookie=f"{security.COOKIE}={forged}")["status"] == 303
    expired = security.sign(SECRET, {"u": "alice", "c": "t", "e": int(time.time()) - 1})
    assert c.request("GET", "/utilisateurs", cookie=f"{security.COOKIE}={expired}")["status"] == 303
    body, mac = c.cookie.split("=", 1)[1].rsplit(".", 1)
    assert c.request("GET", "/demandes", cookie=f"{security.COOKIE}={body}x.{mac}")["status"] == 303


def test_deactivated_user_is_logged_out_at_once(app, store):
    c = Client(app)
    c.login("oscar", "motdepasse-oscar")
    store.set_role("oscar", "operateur", actif=False)
    assert c.request("GET", "/demandes")["status"] == 303


def test_closure_without_outcome_shows_the_error(app, store, ticket):
    c = Client(app)
    c.login("bob", "motdepasse-bob")
    token = c.csrf(f"/demandes/{ticket.numero}")
    r = c.request("POST", f"/demandes/{ticket.numero}/statut", {"csrf": token, "statut": "cloturee"})
    assert r["status"] == 400 and "nécessite une issue" in r["body"]
    r = c.request("POST", f"/demandes/{ticket.numero}/statut",
                  {"csrf": token, "statut": "cloturee", "issue_autre": "Vu avec M. Durand au 0611223344"})
    assert r["status"] == 303
    assert store.get(ticket.numero).issue == "Vu avec M. [nom] au [téléphone]"


def test_queue_page_and_unknown_request(app, ticket):
    c = Client(app)
    c.login("oscar", "motdepasse-oscar")
    page = c.request("GET", "/demandes?niveau=2&statut=recue")
    assert ticket.numero in page["body"] and 'lang="fr"' in page["body"]
    assert ticket.numero not in c.request("GET", "/demandes?niveau=3")["body"]
    r = c.request("GET", "/demandes/AIG-2026-999999")
    assert r["status"] == 404 and "Demande introuvable" in r["body"]
    assert c.request("GET", "/nulle-part")["status"] == 404


def test_admin_cannot_demote_themself(app, store):
    c = Client(app)
    c.login("alice", "motdepasse-alice")
    token = c.csrf("/utilisateurs")
    r = c.request("POST", "/utilisateurs/alice", {"csrf": token, "role": "operateur", "actif": "1"})
    assert r["status"] == 400 and store.user("alice").role == "admin"
    r = c.request("POST", "/utilisateurs/oscar", {"csrf": token, "role": "coordinateur", "actif": "1"})
    assert r["status"] == 303 and store.user("oscar").role == "coordinateur"


def test_security_headers(app):
    r = Client(app).request("GET", "/connexion")
    h = dict(r["headers"])
    assert "script-src 'none'" in h["Content-Security-Policy"]
    assert h["X-Frame-Options"] == "DENY" and h["Cache-Control"] == "no-store"


def test_secret_file_is_generated_private(tmp_path, monkeypatch):
    monkeypatch.delenv(security.SECRET_ENV, raising=False)
    first = security.load_secret(tmp_path)
    assert len(first) == 64 and security.load_secret(tmp_path) == first
    assert (tmp_path / "console-secret").stat().st_mode & 0o777 == 0o600
    monkeypatch.setenv(security.SECRET_ENV, "court")
    with pytest.raises(ValueError):
        security.load_secret(tmp_path)


# -- throttling and server-side sessions (issue 15) -------------------------------------------------


class FakeClock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t


def test_login_throttled_per_account_then_released(store):
    clock = FakeClock()
    app = ConsoleApp(store, SECRET, directory=False, throttle=Throttle(clock=clock))
    c = Client(app)
    for _ in range(5):
        assert c.login("bob", "pas-le-bon-mot")["status"] == 401
    r = c.login("bob", "motdepasse-bob")                       # right password, but locked
    assert r["status"] == 429 and "réessayez dans 1 minute" in r["body"]
    assert c.request("GET", "/demandes")["status"] == 303
    assert Client(app).login("alice", "motdepasse-alice")["status"] == 303   # other accounts unaffected
    clock.t += 61
    assert c.login("bob", "pas-le-bon-mot")["status"] == 401   # 6th failure: lock doubles (2 min)
    clock.t += 61
    assert c.login("bob", "motdepasse-bob")["status"] == 429
    clock.t += 60
    assert c.login("bob", "motdepasse-bob")["status"] == 303
    assert c.request("GET", "/demandes")["status"] == 200
    for _ in range(4):                                         # a success resets the count
        assert c.login("bob", "pas-le-bon-mot")["status"] == 401
    assert Client(app).login("bob", "motdepasse-bob")["status"] == 303


def test_login_throttled_per_address(store):
    clock = FakeClock()
    app = ConsoleApp(store, SECRET, directory=False, throttle=Throttle(clock=clock))
    c = Client(app)
    for i in range(20):                                        # spraying many accounts from one address
        assert c.login(f"compte{i}", "motdepasse-bob")["status"] == 401
    r = c.login("alice", "motdepasse-alice")
    assert r["status"] == 429 and "Trop de tentatives" in r["body"]


def test_logout_revokes_the_session_server_side(app):
    c = Client(app)
    c.login("bob", "motdepasse-bob")
    stolen = c.cookie
    assert c.request("GET", "/demandes")["status"] == 200
    token = c.csrf("/demandes")
    assert c.request("POST", "/deconnexion", {"csrf": token})["status"] == 303
    r = Client(app).request("GET", "/demandes", cookie=stolen)  # the old cookie, replayed
    assert r["status"] == 303 and dict(r["headers"])["Location"] == "/connexion"
    assert app.sessions.count("bob") == 0


def test_password_change_revokes_every_session(app, store):
    a, b = Client(app), Client(app)
    a.login("bob", "motdepasse-bob")
    b.login("bob", "motdepasse-bob")
    assert a.request("GET", "/demandes")["status"] == 200 and b.request("GET", "/demandes")["status"] == 200
    store.set_password("bob", "nouveau-mot-de-passe")
    assert a.request("GET", "/demandes")["status"] == 303 and b.request("GET", "/demandes")["status"] == 303
    assert a.login("bob", "nouveau-mot-de-passe")["status"] == 303
    assert a.request("GET", "/demandes")["status"] == 200


def test_security_headers(app):
    r = Client(app).request("GET", "/connexion")
    h = dict(r["headers"])
    csp = h["Content-Security-Policy"]
    assert "script-src 'none'" in csp and "frame-ancestors 'none'" in csp and "'unsafe-inline'" not in csp
    assert h["X-Content-Type-Options"] == "nosniff" and h["Referrer-Policy"] == "no-referrer"
    assert "<script" not in r["body"] and " style=" not in r["body"]
