"""The operator console's core (French UI): routes, signed sessions, CSRF, roles, page rendering.

Pages, one module each: auth.py (/connexion, /deconnexion, /sante, the style sheet), queue.py
(/demandes, /demandes.csv), detail.py (/demandes/<numéro>: history, notes, assignment, status),
intake.py (/demandes/nouvelle, a request on behalf of a caller), search.py (/recherche, the
orientation engine for the phone line), freshness.py (/annuaire/fraicheur), users.py
(/utilisateurs, admin), reports.py (/rapports). Roles: operateur < coordinateur < admin.

:meth:`ConsoleApp.answer` is the whole console, independent of any server: bot/console/server.py
serves it on Sanic (docs/console.md), :meth:`ConsoleApp.__call__` is its WSGI entry for
in-process callers (the tests).
"""
from __future__ import annotations

import logging
import re
from http import HTTPStatus
from pathlib import Path
from typing import Callable, NamedTuple

from jinja2 import Environment, FileSystemLoader, select_autoescape

from bot.console import security
from bot.console.auth import AuthPages
from bot.console.communes import Communes
from bot.console.detail import DetailPages
from bot.console.formats import fmt_dt
from bot.console.freshness import FreshnessPage
from bot.console.intake import IntakePages
from bot.console.notifier import Notifier
from bot.console.queue import AGES, QueuePages
from bot.console.reports import ReportsPage
from bot.console.search import History, SearchPages
from bot.console.sessions import SessionStore, Throttle
from bot.console.users import UsersPages
from bot.console.web import MAX_FORM, HttpError, Request, Response, finish, parse_request, redirect
from knowledge.tickets import SmtpSettings, send_with_settings
from knowledge.tickets import CONSENTEMENTS, ISSUES, ROLES, STATUTS, URGENCES, TicketStore

log = logging.getLogger("aiguillage.console")
HERE = Path(__file__).resolve().parent
RANKS = {"operateur": 0, "coordinateur": 1, "admin": 2}
MESSAGES = {
    "cree": "La demande a été enregistrée.",
    "statut": "Le statut a été modifié ; le demandeur sera prévenu par messagerie s'il a donné une adresse.",
    "assigne": "L'attribution a été enregistrée.",
    "note": "La note a été ajoutée.",
    "utilisateur": "L'utilisateur a été enregistré.",
    "deconnecte": "Vous êtes déconnecté.",
}
EVENEMENTS = {"creation": "création", "statut": "changement de statut", "assignation": "attribution",
              "note": "note"}
INTERNAL_ERROR = "Erreur interne : l'incident a été journalisé."


class Route(NamedTuple):
    method: str
    pattern: str                    # a regular expression on the whole path
    handler: Callable
    public: bool = False            # reachable without signing in


class ConsoleApp:
    """The console. `store` holds requests and operators; `orienter` is knowledge.orientation.orient;
    `directory=False` disables the directory (pages needing it answer 503)."""

    def __init__(self, store: TicketStore, secret: bytes, *, smtp: SmtpSettings | None = None,
                 secure_cookie: bool | None = None, orienter: Callable | None = None,
                 directory=None, notify_interval: float = 30.0, throttle: Throttle | None = None,
                 trust_proxy: bool = False):
        self.store = store
        self.secret = secret
        self.sessions = SessionStore(store, security.SESSION_SECONDS)
        self.throttle = throttle or Throttle()
        self.trust_proxy = trust_proxy
        self.secure_cookie = secure_cookie
        self.orienter = orienter
        self._directory = directory
        self.communes = Communes()
        self.history = History()
        self.notifier = Notifier(store, smtp, send_with_settings, notify_interval)
        self.env = Environment(loader=FileSystemLoader(str(HERE / "templates")),
                               autoescape=select_autoescape(["html"]), trim_blocks=True,
                               lstrip_blocks=True)
        self.env.filters["dt"] = fmt_dt
        self.env.globals.update(STATUTS=STATUTS, URGENCES=URGENCES, CONSENTEMENTS=CONSENTEMENTS,
                                ROLES=ROLES, ISSUES=ISSUES, AGES=AGES, RANKS=RANKS,
                                EVENEMENTS=EVENEMENTS)
        self.search = SearchPages(self)
        pages = (AuthPages(self), QueuePages(self), IntakePages(self), DetailPages(self),
                 self.search, FreshnessPage(self), UsersPages(self), ReportsPage(self))
        self.routes: list[Route] = [Route(*r) for p in pages for r in p.routes()]

    # -- outbox worker -------------------------------------------------------------------------

    def start_notifier(self) -> None:
        self.notifier.start()

    def stop_notifier(self) -> None:
        self.notifier.stop()

    def notify_soon(self) -> None:
        self.notifier.wake()

    def warm(self) -> None:
        """Preload what the first phone-line search needs (run by the server in the background)."""
        self.search.warm()

    # -- entry points --------------------------------------------------------------------------

    def answer(self, build: Callable[[], Request], path: str = "") -> tuple[int, list[tuple[str, str]], bytes]:
        """(status, headers, body) for the request `build()` returns; never raises."""
        try:
            resp = self.dispatch(build())
        except HttpError as exc:
            resp = self.error_page(exc.status, exc.message)
        except Exception:  # noqa: BLE001 - never show a traceback to the user
            log.exception("console error on %s", path)
            resp = self.error_page(500, INTERNAL_ERROR)
        return resp.status, finish(resp), resp.payload()

    def error_page(self, status: int, message: str) -> Response:
        return Response(self.render("erreur.html", None, status=status, probleme=message), status)

    def __call__(self, environ, start_response):
        """WSGI entry (in-process callers); the server is Sanic (bot/console/server.py)."""
        def build() -> Request:
            method = environ.get("REQUEST_METHOD", "GET").upper()
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            body = environ["wsgi.input"].read(min(length, MAX_FORM + 1)) if method == "POST" and length > 0 else b""
            return parse_request(method, environ.get("PATH_INFO", "/"), environ.get("QUERY_STRING", ""), body,
                                 environ.get("HTTP_COOKIE", ""), https=environ.get("wsgi.url_scheme") == "https",
                                 forwarded_proto=environ.get("HTTP_X_FORWARDED_PROTO", ""),
                                 peer=environ.get("REMOTE_ADDR"), forwarded_for=environ.get("HTTP_X_FORWARDED_FOR"),
                                 trust_proxy=self.trust_proxy)
        status, headers, body = self.answer(build, environ.get("PATH_INFO", ""))
        start_response(f"{status} {HTTPStatus(status).phrase}", headers)
        return [body]

    def dispatch(self, req: Request) -> Response:
        """Session, route, CSRF on every POST, sign-in for every page not public."""
        req.session = security.unsign(self.secret, req.cookies.get(security.COOKIE))
        if req.session and req.session.get("u"):
            if not self.sessions.valid(req.session.get("s"), req.session["u"]):
                req.session = None                   # logged out, password changed or expired
            else:
                op = self.store.user(req.session["u"])
                req.user = op if op and op.actif else None
        path_known = False
        for route in self.routes:
            m = re.fullmatch(route.pattern, req.path)
            if not m:
                continue
            path_known = True
            if route.method != req.method:
                continue
            if req.method == "POST" and not security.csrf_ok(req.session, req.form.get("csrf")):
                raise HttpError(403, "Jeton de sécurité invalide ou expiré : rechargez la page et recommencez.")
            if not route.public and req.user is None:
                return redirect("/connexion")
            return route.handler(req, **m.groupdict())
        if path_known:
            raise HttpError(405, "Méthode non autorisée.")
        raise HttpError(404, "Page introuvable.")

    # -- what pages share ----------------------------------------------------------------------

    def render(self, template: str, req: Request | None, **ctx) -> str:
        ctx.setdefault("user", req.user if req else None)
        ctx.setdefault("csrf", req.session.get("c") if req and req.session else "")
        ctx.setdefault("message", MESSAGES.get(req.query.get("ok", "")) if req else None)
        ctx.setdefault("path", req.path if req else "")
        return self.env.get_template(template).render(**ctx)

    def page(self, template: str, req: Request, status: int = 200, **ctx) -> Response:
        return Response(self.render(template, req, **ctx), status)

    def require(self, req: Request, role: str) -> None:
        if RANKS.get(req.user.role, -1) < RANKS[role]:
            raise HttpError(403, f"Action réservée au rôle « {ROLES[role]} » ou supérieur.")

    def secure(self, req: Request) -> bool:
        """Whether the session cookie carries ``Secure``."""
        return req.secure if self.secure_cookie is None else self.secure_cookie

    def directory(self):
        """The directory (same database), None when unavailable; `directory=False` disables it."""
        if self._directory is False:
            return None
        if self._directory is None:
            try:
                from knowledge.directory import Directory
                self._directory = Directory(self.store.url)
            except Exception:  # noqa: BLE001
                return None
        return self._directory

    def dacs(self) -> list[tuple[str, str]]:
        """(id, name) of every DAC: those of the requests, plus the directory's."""
        dacs = dict(self.store.dacs())
        directory = self.directory()
        if directory is not None:
            try:
                for s in directory.all():
                    if s.type == "DAC":
                        dacs.setdefault(s.id, s.nom)
            except Exception:  # noqa: BLE001 - the directory may not be loaded yet
                log.warning("directory unavailable for the DAC list")
        return sorted(dacs.items(), key=lambda kv: kv[1])

    def service(self, service_id: str):
        """A directory entry, None when unknown or the directory is unavailable."""
        directory = self.directory()
        if directory is None:
            return None
        try:
            return directory.get(service_id)
        except Exception:  # noqa: BLE001
            return None
