"""Signing in and out (/connexion, /deconnexion), and the public pages: /sante, the style sheet.

Sign-in is throttled per account and per client address (bot/console/sessions.py); a successful
sign-in opens a new server-side session (new token: no session fixation)."""
from __future__ import annotations

import logging
from pathlib import Path

from bot.console import security
from bot.console.sessions import wait_message
from bot.console.web import Request, Response, redirect

log = logging.getLogger("aiguillage.console")
CSS = Path(__file__).resolve().parent / "static" / "console.css"


class AuthPages:
    def __init__(self, app):
        self.app = app

    def routes(self) -> list[tuple]:
        return [("GET", r"/", self.home),
                ("GET", r"/sante", self.health, True),
                ("GET", r"/static/console\.css", self.css, True),
                ("GET", r"/connexion", self.login_form, True),
                ("POST", r"/connexion", self.login, True),
                ("POST", r"/deconnexion", self.logout)]

    def health(self, req: Request) -> Response:
        return Response("ok", content_type="text/plain; charset=utf-8")

    def css(self, req: Request) -> Response:
        return Response(CSS.read_text(encoding="utf-8"), content_type="text/css; charset=utf-8")

    def home(self, req: Request) -> Response:
        return redirect("/demandes")

    def _cookie(self, req: Request, session: dict | None, max_age: int | None = None) -> tuple[str, str]:
        value = security.sign(self.app.secret, session) if session else ""
        if max_age is None:
            return "Set-Cookie", security.cookie_header(value, self.app.secure(req))
        return "Set-Cookie", security.cookie_header(value, self.app.secure(req), max_age=max_age)

    def login_form(self, req: Request, error: str | None = None, status: int = 200) -> Response:
        session = req.session if req.session and not req.session.get("u") else security.new_session(None)
        req.session = session
        resp = self.app.page("connexion.html", req, status=status, error=error, login=req.form.get("login", ""))
        resp.headers.append(self._cookie(req, session))
        return resp

    def login(self, req: Request) -> Response:
        login = (req.form.get("login", "") or "").strip().lower()[:80]
        keys = (f"compte:{login}", f"adresse:{req.address}")
        throttle = self.app.throttle
        wait = throttle.wait(*keys)
        if wait > 0:
            log.warning("login throttled (%s)", req.address)
            return self.login_form(req, error=wait_message(wait), status=429)
        op = self.app.store.authenticate(login, req.form.get("mot_de_passe", ""))
        if op is None:
            throttle.failed(*keys)
            log.warning("login failed (%s)", req.address)
            return self.login_form(req, error="Identifiant ou mot de passe incorrect.", status=401)
        throttle.succeeded(*keys)
        session = security.new_session(op.login)            # new token: no session fixation
        session["s"] = self.app.sessions.open(op.login)     # server-side: revocable
        log.info("login %s", op.login)
        resp = redirect("/demandes")
        resp.headers.append(self._cookie(req, session))
        return resp

    def logout(self, req: Request) -> Response:
        if req.session:
            self.app.sessions.close(req.session.get("s"))
            self.app.history.forget(req.session.get("s"))
        resp = redirect("/connexion?ok=deconnecte")
        resp.headers.append(self._cookie(req, None, max_age=0))
        return resp
