"""The operator console: a small WSGI application (standard library + Jinja2), French UI.

Pages: /connexion, /demandes (queue), /demandes/<numéro> (history, notes, assignment, status),
/demandes/nouvelle (a request on behalf of a caller), /recherche (orientation engine for the
phone line), /utilisateurs (admin). Roles: operateur < coordinateur < admin.
"""
from __future__ import annotations

import csv
import io
import logging
import re
import secrets
import threading
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http import HTTPStatus
from http.cookies import CookieError, SimpleCookie
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape

from bot.console import reports as reports_page
from bot.console import security
from bot.console.sessions import SessionStore, Throttle, wait_message
from knowledge import privacy
from knowledge.geo import distance_km, load_centres
from knowledge.tickets import SmtpSettings, send_with_settings
from knowledge.tickets import (CONSENTEMENTS, ISSUES, ROLES, STATUTS, TRANSITIONS, TZ, URGENCES,
                               NewRequest, TicketError, TicketStore, route_dac)

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
AGES = {"1": "plus d'un jour", "2": "plus de 2 jours", "7": "plus d'une semaine", "30": "plus d'un mois"}
PAGE_SIZE = 50
HISTORY_SIZE = 5                  # last phone-line searches kept per session
CSV_COLUMNS = (("numero", "Numéro"), ("cree_le", "Créée le"), ("echeance", "Échéance"),
               ("statut", "Statut"), ("niveau", "Niveau"), ("urgence", "Délai"), ("dac", "DAC"),
               ("demandeur_nom", "Demandeur"), ("demandeur_profession", "Profession"),
               ("commune", "Commune"), ("canal", "Canal"), ("assigne_a", "Attribuée à"),
               ("en_retard", "En retard"))   # no summary, reasons, outcome or contact: no patient text
TYPES_RECHERCHE = ("DAC", "CLIC", "MDPH", "SSIAD", "SAAD", "HAD", "EMG", "EMSP", "ESA", "PFR", "CMP",
                   "CMPP", "MDA", "CSAPA", "PASS", "MDS", "CCAS", "PMI", "CRIP", "CPTS", "CPAM")


class HttpError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    form_lists: dict[str, list[str]]
    cookies: dict[str, str]
    secure: bool
    session: dict | None = None
    user: object | None = None
    address: str = "inconnue"


@dataclass
class Response:
    body: str | bytes = ""
    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    content_type: str = "text/html; charset=utf-8"


def redirect(location: str) -> Response:
    return Response("", 303, [("Location", location)])


def _fold(text: str) -> str:
    """Lower case without accents, hyphens as spaces (comparing commune names)."""
    t = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(ch for ch in t if not unicodedata.combining(ch)).replace("-", " ").split())


def _csv_cell(value) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def fmt_dt(dt: datetime | None) -> str:
    if dt is None:
        return ""
    d = dt.astimezone(TZ)
    return d.strftime("%d/%m/%Y %Hh%M")


def fmt_age(dt: datetime, now: datetime) -> str:
    delta = now - dt
    if delta < timedelta(hours=1):
        return f"{max(int(delta.total_seconds() // 60), 0)} min"
    if delta < timedelta(days=1):
        return f"{int(delta.total_seconds() // 3600)} h"
    return f"{delta.days} j"


class ConsoleApp:
    """WSGI application. `store` holds requests and operators; `orienter` is knowledge.orientation.orient."""

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
        self._orienter = orienter
        self._directory = directory
        self.env = Environment(loader=FileSystemLoader(str(HERE / "templates")),
                               autoescape=select_autoescape(["html"]), trim_blocks=True,
                               lstrip_blocks=True)
        self.env.filters["dt"] = fmt_dt
        self.env.globals.update(STATUTS=STATUTS, URGENCES=URGENCES, CONSENTEMENTS=CONSENTEMENTS,
                                ROLES=ROLES, ISSUES=ISSUES, AGES=AGES, RANKS=RANKS,
                                EVENEMENTS=EVENEMENTS)
        self.smtp = smtp
        self._history: dict[str, list[dict]] = {}
        self._history_lock = threading.Lock()
        self._communes_list: list[str] | None = None
        self._centres = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._worker: threading.Thread | None = None
        self.notify_interval = notify_interval
        self.routes = [
            ("GET", r"/", self.home),
            ("GET", r"/sante", self.health),
            ("GET", r"/static/console\.css", self.css),
            ("GET", r"/connexion", self.login_form),
            ("POST", r"/connexion", self.login),
            ("POST", r"/deconnexion", self.logout),
            ("GET", r"/demandes", self.queue),
            ("GET", r"/demandes\.csv", self.queue_csv),
            ("GET", r"/demandes/nouvelle", self.new_form),
            ("POST", r"/demandes/nouvelle", self.new_request),
            ("GET", r"/demandes/(?P<numero>AIG-\d{4}-\d{6})", self.detail),
            ("POST", r"/demandes/(?P<numero>AIG-\d{4}-\d{6})/statut", self.change_status),
            ("POST", r"/demandes/(?P<numero>AIG-\d{4}-\d{6})/attribution", self.change_assignment),
            ("POST", r"/demandes/(?P<numero>AIG-\d{4}-\d{6})/note", self.add_note),
            ("GET", r"/recherche", self.search),
            ("POST", r"/recherche", self.search),
            ("GET", r"/annuaire/fraicheur", self.freshness),
            ("GET", r"/utilisateurs", self.users),
            ("POST", r"/utilisateurs", self.create_user),
            ("POST", r"/utilisateurs/(?P<login>[a-z0-9._\-]+)", self.update_user),
        ] + reports_page.routes(self)

    # -- notification worker -------------------------------------------------------------------

    def start_notifier(self) -> None:
        """Send the outbox in a background thread: at once after a change, and every interval."""
        if self.smtp is None or self._worker is not None:
            return

        def run():
            while not self._stop.is_set():
                try:
                    send_with_settings(self.store, self.smtp)
                except Exception:  # noqa: BLE001 - keep the worker alive; rows stay in the outbox
                    log.exception("notification worker failed")
                self._wake.wait(self.notify_interval)
                self._wake.clear()

        self._worker = threading.Thread(target=run, name="aiguillage-notify", daemon=True)
        self._worker.start()

    def stop_notifier(self) -> None:
        self._stop.set()
        self._wake.set()

    def _notify_soon(self) -> None:
        self._wake.set()

    # -- WSGI ----------------------------------------------------------------------------------

    def __call__(self, environ, start_response):
        try:
            req = self._request(environ)
            resp = self._dispatch(req)
        except HttpError as exc:
            resp = Response(self._render("erreur.html", None, status=exc.status, probleme=exc.message),
                            exc.status)
        except Exception:  # noqa: BLE001 - never show a traceback to the user
            log.exception("console error on %s", environ.get("PATH_INFO"))
            resp = Response(self._render("erreur.html", None, status=500,
                                         probleme="Erreur interne : l'incident a été journalisé."), 500)
        body = resp.body.encode() if isinstance(resp.body, str) else resp.body
        headers = [("Content-Type", resp.content_type), ("Content-Length", str(len(body))),
                   ("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY"),
                   ("Referrer-Policy", "no-referrer"), ("Cache-Control", "no-store"),
                   ("Content-Security-Policy",
                    "default-src 'self'; style-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
                    "form-action 'self'")] + resp.headers
        start_response(f"{resp.status} {HTTPStatus(resp.status).phrase}", headers)
        return [body]

    def _request(self, environ) -> Request:
        method = environ.get("REQUEST_METHOD", "GET").upper()
        path = environ.get("PATH_INFO", "/") or "/"
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        form_lists: dict[str, list[str]] = {}
        if method == "POST":
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > 100_000:
                raise HttpError(413, "Formulaire trop volumineux.")
            raw = environ["wsgi.input"].read(length).decode("utf-8", "replace") if length else ""
            form_lists = parse_qs(raw, keep_blank_values=True)
        cookies = {}
        try:
            c = SimpleCookie(environ.get("HTTP_COOKIE", ""))
            cookies = {k: m.value for k, m in c.items()}
        except CookieError:
            pass
        secure = (environ.get("wsgi.url_scheme") == "https"
                  or environ.get("HTTP_X_FORWARDED_PROTO", "").lower() == "https")
        address = environ.get("REMOTE_ADDR") or "inconnue"
        if self.trust_proxy and environ.get("HTTP_X_FORWARDED_FOR"):   # the proxy's last hop
            address = environ["HTTP_X_FORWARDED_FOR"].split(",")[-1].strip() or address
        return Request(method, path, query, {k: v[0] for k, v in form_lists.items()}, form_lists,
                       cookies, secure, address=address)

    def _dispatch(self, req: Request) -> Response:
        req.session = security.unsign(self.secret, req.cookies.get(security.COOKIE))
        if req.session and req.session.get("u"):
            if not self.sessions.valid(req.session.get("s"), req.session["u"]):
                req.session = None                   # logged out, password changed or expired
            else:
                op = self.store.user(req.session["u"])
                req.user = op if op and op.actif else None
        allowed_methods = False
        for method, pattern, handler in self.routes:
            m = re.fullmatch(pattern, req.path)
            if not m:
                continue
            allowed_methods = True
            if method != req.method:
                continue
            if req.method == "POST" and not security.csrf_ok(req.session, req.form.get("csrf")):
                raise HttpError(403, "Jeton de sécurité invalide ou expiré : rechargez la page et recommencez.")
            public = handler in (self.login_form, self.login, self.health, self.css)
            if not public and req.user is None:
                return redirect("/connexion")
            return handler(req, **m.groupdict())
        if allowed_methods:
            raise HttpError(405, "Méthode non autorisée.")
        raise HttpError(404, "Page introuvable.")

    def _render(self, template: str, req: Request | None, **ctx) -> str:
        ctx.setdefault("user", req.user if req else None)
        ctx.setdefault("csrf", req.session.get("c") if req and req.session else "")
        ctx.setdefault("message", MESSAGES.get(req.query.get("ok", "")) if req else None)
        ctx.setdefault("path", req.path if req else "")
        return self.env.get_template(template).render(**ctx)

    def _page(self, template: str, req: Request, status: int = 200, **ctx) -> Response:
        return Response(self._render(template, req, **ctx), status)

    def _require(self, req: Request, role: str) -> None:
        if RANKS.get(req.user.role, -1) < RANKS[role]:
            raise HttpError(403, f"Action réservée au rôle « {ROLES[role]} » ou supérieur.")

    def _secure(self, req: Request) -> bool:
        return req.secure if self.secure_cookie is None else self.secure_cookie

    # -- pages ---------------------------------------------------------------------------------

    def health(self, req: Request) -> Response:
        return Response("ok", content_type="text/plain; charset=utf-8")

    def css(self, req: Request) -> Response:
        return Response((HERE / "static" / "console.css").read_text(encoding="utf-8"),
                        content_type="text/css; charset=utf-8",
                        headers=[])

    def home(self, req: Request) -> Response:
        return redirect("/demandes")

    def login_form(self, req: Request, error: str | None = None, status: int = 200) -> Response:
        session = req.session if req.session and not req.session.get("u") else security.new_session(None)
        req.session = session
        resp = self._page("connexion.html", req, status=status, error=error,
                          login=req.form.get("login", ""))
        resp.headers.append(("Set-Cookie", security.cookie_header(security.sign(self.secret, session),
                                                                  self._secure(req))))
        return resp

    def login(self, req: Request) -> Response:
        login = (req.form.get("login", "") or "").strip().lower()[:80]
        keys = (f"compte:{login}", f"adresse:{req.address}")
        wait = self.throttle.wait(*keys)
        if wait > 0:
            log.warning("login throttled (%s)", req.address)
            return self.login_form(req, error=wait_message(wait), status=429)
        op = self.store.authenticate(login, req.form.get("mot_de_passe", ""))
        if op is None:
            self.throttle.failed(*keys)
            log.warning("login failed (%s)", req.address)
            return self.login_form(req, error="Identifiant ou mot de passe incorrect.", status=401)
        self.throttle.succeeded(*keys)
        session = security.new_session(op.login)        # new token: no session fixation
        session["s"] = self.sessions.open(op.login)     # server-side: revocable
        log.info("login %s", op.login)
        resp = redirect("/demandes")
        resp.headers.append(("Set-Cookie", security.cookie_header(security.sign(self.secret, session),
                                                                  self._secure(req))))
        return resp

    def logout(self, req: Request) -> Response:
        if req.session:
            self.sessions.close(req.session.get("s"))
            with self._history_lock:
                self._history.pop(req.session.get("s"), None)
        resp = redirect("/connexion?ok=deconnecte")
        resp.headers.append(("Set-Cookie", security.cookie_header("", self._secure(req), max_age=0)))
        return resp

    def _queue_filters(self, req: Request) -> tuple[dict, dict, str | None]:
        """Store keywords of the queue's filters and search, the values to show, an error."""
        q = req.query
        statut = q.get("statut") or None
        if statut not in (None, "toutes") and statut not in STATUTS:
            statut = None
        niveau = int(q["niveau"]) if q.get("niveau") in ("1", "2", "3") else None
        age = q.get("age") if q.get("age") in AGES else None
        dac = q.get("dac") or None
        shown = {"dac": dac or "", "statut": statut or "", "niveau": q.get("niveau", "") if niveau else "",
                 "age": age or ""}
        kw = {"dac_id": dac, "statut": statut, "niveau": niveau,
              "older_than": timedelta(days=int(age)) if age else None}
        error = None
        for key in ("numero", "demandeur", "texte", "commune"):
            shown[key] = (q.get(key) or "").strip()[:200]
        if shown["numero"]:
            kw["numero"] = shown["numero"]
        if shown["demandeur"]:
            kw["demandeur"] = shown["demandeur"]
        if shown["texte"]:
            kw["texte"] = shown["texte"]
        if shown["commune"]:
            codes = self._commune_codes(shown["commune"])
            if not codes:
                error = (f"Commune non reconnue : « {shown['commune']} ». Essayez le nom ou le code "
                         "postal ; la file n'est pas filtrée par commune.")
            else:
                kw["communes"] = codes
        return kw, shown, error

    def queue(self, req: Request) -> Response:
        kw, shown, error = self._queue_filters(req)
        total = self.store.count(**kw)
        pages = max(1, -(-total // PAGE_SIZE))
        try:
            page = min(max(int(req.query.get("page", "1")), 1), pages)
        except ValueError:
            page = 1
        tickets = self.store.queue(**kw, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        now = self.store.clock()
        params = {k: v for k, v in shown.items() if v}
        return self._page("demandes.html", req, tickets=tickets, dacs=self._dacs(), filtres=shown,
                          ages={t.numero: fmt_age(t.cree_le, now) for t in tickets}, total=total,
                          page=page, pages=pages, premier=(page - 1) * PAGE_SIZE + 1 if tickets else 0,
                          lien=lambda **extra: "?" + urlencode({**params, **extra}),
                          communes_liste=self._commune_options(), error=error)

    def queue_csv(self, req: Request) -> Response:
        """The filtered queue as CSV (semicolons, UTF-8 with BOM for spreadsheets), no patient text."""
        kw, _, error = self._queue_filters(req)
        if error:
            raise HttpError(400, error)
        gaz = self._gazetteer()
        out = io.StringIO()
        out.write("\ufeff")
        w = csv.writer(out, delimiter=";", lineterminator="\r\n")
        w.writerow([label for _, label in CSV_COLUMNS])
        for t in self.store.queue(**kw, limit=None):
            commune = gaz.communes.get(t.commune_insee) if t.commune_insee else None
            row = {"numero": t.numero, "cree_le": fmt_dt(t.cree_le), "echeance": fmt_dt(t.echeance),
                   "statut": t.statut_libelle, "niveau": t.niveau or "", "urgence": URGENCES.get(t.urgence, t.urgence),
                   "dac": t.dac_nom or t.dac_id or "", "demandeur_nom": t.demandeur_nom,
                   "demandeur_profession": t.demandeur_profession or "",
                   "commune": commune.nom if commune else (t.commune_insee or ""), "canal": t.canal,
                   "assigne_a": t.assigne_a or "", "en_retard": "oui" if t.en_retard else "non"}
            w.writerow([_csv_cell(row[k]) for k, _ in CSV_COLUMNS])
        log.info("queue exported by %s", req.user.login)
        stamp = self.store.clock().astimezone(TZ).strftime("%Y%m%d-%H%M")
        return Response(out.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8",
                        headers=[("Content-Disposition", f'attachment; filename="demandes-{stamp}.csv"')])

    def _dacs(self) -> list[tuple[str, str]]:
        dacs = dict(self.store.dacs())
        directory = self._get_directory()
        if directory is not None:
            try:
                for s in directory.all():
                    if s.type == "DAC":
                        dacs.setdefault(s.id, s.nom)
            except Exception:  # noqa: BLE001 - the directory may not be loaded yet
                log.warning("directory unavailable for the DAC list")
        return sorted(dacs.items(), key=lambda kv: kv[1])

    def _get_directory(self):
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

    def detail(self, req: Request, numero: str, error: str | None = None, status: int = 200) -> Response:
        t = self.store.get(numero)
        if t is None:
            raise HttpError(404, f"Demande introuvable : {numero}.")
        return self._page("demande.html", req, status=status, t=t, history=self.store.history(numero),
                          notes=self.store.notes(numero), outbox=self.store.outbox(numero),
                          transitions=sorted(TRANSITIONS[t.statut], key=list(STATUTS).index),
                          users=[u for u in self.store.users() if u.actif], error=error)

    def change_status(self, req: Request, numero: str) -> Response:
        self._require(req, "coordinateur")
        issue = req.form.get("issue_autre", "").strip() or req.form.get("issue", "").strip()
        try:
            self.store.transition(numero, req.form.get("statut", ""), by=req.user.login,
                                  outcome=issue or None, note=req.form.get("note") or None)
        except TicketError as exc:
            return self.detail(req, numero, error=str(exc), status=400)
        self._notify_soon()
        return redirect(f"/demandes/{numero}?ok=statut")

    def change_assignment(self, req: Request, numero: str) -> Response:
        self._require(req, "coordinateur")
        try:
            self.store.assign(numero, req.form.get("assigne_a") or None, by=req.user.login)
        except TicketError as exc:
            return self.detail(req, numero, error=str(exc), status=400)
        return redirect(f"/demandes/{numero}?ok=assigne")

    def add_note(self, req: Request, numero: str) -> Response:
        try:
            self.store.add_note(numero, req.user.login, req.form.get("texte", ""))
        except TicketError as exc:
            return self.detail(req, numero, error=str(exc), status=400)
        return redirect(f"/demandes/{numero}?ok=note")

    # -- a request on behalf of a caller ------------------------------------------------------------

    def new_form(self, req: Request, values: dict | None = None, error: str | None = None,
                 status: int = 200) -> Response:
        values = dict(values or {})
        values.setdefault("cle", uuid.uuid4().hex)
        values.setdefault("urgence", "programme")
        values.setdefault("consentement", "oui")
        if not values.get("commune") and values.get("commune_insee"):
            values["commune"] = self._commune_label(values["commune_insee"])
        return self._page("nouvelle.html", req, status=status, v=values, dacs=self._dacs(), error=error,
                          communes_liste=self._commune_options())

    def new_request(self, req: Request) -> Response:
        f = req.form
        if f.get("etape") != "enregistrer":       # coming from the search page: prefill only
            return self.new_form(req, {k: f.get(k, "") for k in
                                       ("resume", "commune_insee", "dac_id", "niveau", "motifs", "public")})
        dac_id = f.get("dac_id") or None
        dac = self._service(dac_id) if dac_id else None
        commune_insee = None
        if f.get("commune", "").strip():
            commune, candidates, _ = self._read_place(f["commune"])
            if commune is None:
                noms = ", ".join(self._commune_label(c.code_insee) for c in candidates[:6])
                problem = (f"Plusieurs communes possibles pour « {f['commune'].strip()} » : {noms}. "
                           "Choisissez-en une dans la liste." if candidates else
                           f"Commune non reconnue : « {f['commune'].strip()} ». Tapez le début du nom "
                           "ou le code postal et choisissez dans la liste.")
                return self.new_form(req, dict(f), error=problem, status=400)
            commune_insee = commune.code_insee
        try:
            niveau = int(f["niveau"]) if f.get("niveau") in ("1", "2", "3") else None
            t = self.store.create(NewRequest(
                resume=f.get("resume", ""), demandeur_nom=f.get("demandeur_nom", ""),
                demandeur_profession=f.get("demandeur_profession") or None,
                demandeur_rpps=f.get("demandeur_rpps") or None, niveau=niveau,
                motifs=[m.strip() for m in f.get("motifs", "").split(",") if m.strip()],
                urgence=f.get("urgence", "programme"), consentement=f.get("consentement", "non_demande"),
                commune_insee=commune_insee, dac_id=dac_id,
                dac_nom=dac.nom if dac else None, dac_telephone=dac.telephone if dac else None,
                public=f.get("public") or None,
                rappel_telephone=f.get("rappel_telephone") or None,
                rappel_messagerie=f.get("rappel_messagerie") or None,
                creneau_rappel=f.get("creneau_rappel") or None, canal="telephone",
                conversation_id=None, cree_par=req.user.login),
                idempotency_key=f"console:{f.get('cle') or secrets.token_hex(8)}")
        except TicketError as exc:
            return self.new_form(req, dict(f), error=str(exc), status=400)
        self._notify_soon()
        return redirect(f"/demandes/{t.numero}?ok=cree")

    def _service(self, service_id: str):
        directory = self._get_directory()
        if directory is None:
            return None
        try:
            return directory.get(service_id)
        except Exception:  # noqa: BLE001
            return None

    # -- phone-line search ----------------------------------------------------------------------

    def search(self, req: Request) -> Response:
        f = req.form if req.method == "POST" else {}
        texte = f.get("texte", "").strip()
        commune = f.get("commune", "").strip()
        type_ = f.get("type", "").strip()
        ouvert = f.get("ouvert") == "1"
        result, error, recos, dac = None, None, [], None
        if req.method == "POST" and (texte or commune):
            try:
                place = self._place(commune) if commune else {}
                if commune and not place:
                    error = f"Commune non reconnue : « {commune} ». Essayez le nom exact ou le code postal."
                else:
                    result = self._orient(texte or commune, types=[type_] if type_ else [],
                                          ouvert_seulement=ouvert, **place)
            except Exception as exc:  # noqa: BLE001 - show the problem, keep the page usable
                log.exception("orientation failed")
                error = f"La recherche a échoué : {exc}"
            if result is not None:
                self._log_answer(result)
                recos = self._search_rows(result, type_, ouvert)
                dac = self._route(result)
                self._remember(req, {"texte": privacy.mask(texte), "commune": commune, "type": type_,
                                     "ouvert": ouvert, "resultats": len(recos),
                                     "heure": self.store.clock().astimezone(TZ).strftime("%Hh%M")})
        elif req.method == "POST":
            error = "Décrivez la situation ou indiquez une commune."
        return self._page("recherche.html", req, texte=texte, commune=commune, type=type_, ouvert=ouvert,
                          types=TYPES_RECHERCHE, result=result, recos=recos, error=error, dac=dac,
                          resume=privacy.mask(texte), historique=self._recent(req),
                          communes_liste=self._commune_options(),
                          imprime_le=fmt_dt(self.store.clock()))

    def _remember(self, req: Request, entry: dict) -> None:
        """Keep the search among the session's last ones (console memory, masked text only)."""
        key = (req.session or {}).get("s")
        if not key:
            return
        with self._history_lock:
            past = [e for e in self._history.get(key, []) if {**e, "heure": "", "resultats": 0}
                    != {**entry, "heure": "", "resultats": 0}]
            self._history[key] = [entry] + past[:HISTORY_SIZE - 1]

    def _recent(self, req: Request) -> list[dict]:
        key = (req.session or {}).get("s")
        if not key:
            return []
        with self._history_lock:
            return list(self._history.get(key, []))

    def _log_answer(self, result) -> None:
        """The phone line's answer goes to the anonymous orientation log (knowledge.activity)."""
        directory = self._get_directory()
        if directory is not None and hasattr(result, "triage"):
            from knowledge import activity
            activity.record(result, canal="telephone", directory=directory)

    def _route(self, result):
        commune = getattr(result.situation, "commune", None)
        directory = self._get_directory()
        if commune is None or directory is None:
            return None
        try:
            return route_dac(commune.code_insee, directory)
        except Exception:  # noqa: BLE001 - routing is a convenience here
            log.exception("DAC routing failed")
            return None

    # -- places: the bot's reader, plus the "Name (postal code)" the autocompletion proposes -----

    @staticmethod
    def _gazetteer():
        from knowledge.gazetteer import Gazetteer
        return Gazetteer.default()

    def _read_place(self, text: str):
        """(commune, candidates, departement) read from a commune field, or Nones."""
        gaz = self._gazetteer()
        text = (text or "").strip()
        m = re.fullmatch(r"(.+?)\s*\((\d{5})\)", text)        # an autocompletion choice
        if m:
            name = _fold(m.group(1))
            same = [c for c in gaz.communes_of_code_postal(m.group(2)) if _fold(c.nom) == name]
            if same:
                return same[0], (), None
            text = m.group(1)
        if re.fullmatch(r"\d[\dAB]\d{3}", text) and text in gaz.communes:
            if not gaz.communes_of_code_postal(text):          # an INSEE code, not a postal code
                return gaz.commune(text), (), None
        if re.fullmatch(r"\d{5}", text):
            shared = gaz.communes_of_code_postal(text)
            if len(shared) == 1:
                return shared[0], (), None
            if shared:
                return None, tuple(shared), None
        try:
            from knowledge.places import read_place      # the bot's reader (branch orient)
        except ImportError:
            read_place = None
        if read_place is not None:
            r = read_place(text, gaz)
            return r.commune, tuple(r.candidates), r.departement
        match = gaz.resolve(text)
        if match is None or match.kind == "hors_region":
            return None, (), None
        return match.commune, tuple(match.candidates), match.departement

    def _commune_codes(self, text: str) -> list[str]:
        """INSEE codes a queue search on `text` covers (a commune, a postal code, a department)."""
        commune, candidates, dep = self._read_place(text)
        if commune is not None:
            return [commune.code_insee]
        if candidates:
            return [c.code_insee for c in candidates]
        if dep is not None:
            return [c.code_insee for c in self._gazetteer().communes_of_departement(dep.code)]
        return []

    def _commune_label(self, code: str | None) -> str:
        c = self._gazetteer().communes.get(code or "")
        if c is None:
            return code or ""
        return f"{c.nom} ({c.codes_postaux[0]})" if c.codes_postaux else c.nom

    def _commune_options(self) -> list[str]:
        """"Name (postal code)" of every commune, for the fields' native autocompletion."""
        if self._communes_list is None:
            gaz = self._gazetteer()
            self._communes_list = sorted({f"{c.nom} ({cp})" for c in gaz.communes.values()
                                          for cp in c.codes_postaux}, key=_fold)
        return self._communes_list

    def _place(self, text: str) -> dict:
        """orient() keyword for the commune field: {"commune": INSEE} or {"departement": code}."""
        commune, candidates, dep = self._read_place(text)
        if commune is not None:
            return {"commune": commune.code_insee}
        if candidates:
            return {"commune": candidates[0].code_insee}
        if dep is not None:
            return {"departement": dep.code}
        return {}

    def _orient(self, text: str, **kwargs):
        if self._orienter is None:
            from knowledge.orientation import orient
            self._orienter = orient
        return self._orienter(text, **kwargs)

    def _search_rows(self, result, type_: str, ouvert: bool) -> list[dict]:
        rows = []
        seen = set()
        for r in result.recommandations:
            rows.append({"service": r.service, "pourquoi": r.pourquoi, "ouvert": r.ouvert,
                         "statut": getattr(r, "statut", ""), "horaires": getattr(r, "horaires_du_jour", ""),
                         "distance": getattr(r, "distance_km", None)})
            seen.add(r.service.id)
        # with a type filter, list every service of that type serving the commune
        commune = getattr(result.situation, "commune", None)
        if type_ and commune is not None:
            directory = self._get_directory()
            if directory is not None:
                at = getattr(result, "at", None) or self.store.clock()
                origin = self._position(directory, commune.code_insee)
                for s in directory.serving(commune, types=[type_]):
                    if s.id in seen:
                        continue
                    where = getattr(s, "position", None) or self._position(directory, s.commune_insee)
                    rows.append({"service": s, "pourquoi": f"{s.type} intervenant sur {commune.nom}",
                                 "ouvert": s.schedule.is_open(at), "statut": s.schedule.status_text(at),
                                 "horaires": s.schedule.day_text(at.astimezone(TZ).date()),
                                 "distance": distance_km(origin, where) if origin and where else None})
        if type_:
            rows = [r for r in rows if r["service"].type == type_]
        if ouvert:
            rows = [r for r in rows if r["ouvert"]]
        return rows

    def _position(self, directory, code_insee: str | None):
        """A commune's centre (optional extract, else its ROR locations); None when unknown."""
        if not code_insee:
            return None
        if self._centres is None:
            self._centres = load_centres()
        try:
            return self._centres.get(code_insee) or directory.commune_position(code_insee)
        except Exception:  # noqa: BLE001 - distance is a convenience
            return None

    # -- users (admin) ----------------------------------------------------------------------------

    def freshness(self, req: Request) -> Response:
        """Directory entries not verified for more than 12 months, and those the last ROR import
        withdrew."""
        directory = self._get_directory()
        if directory is None:
            raise HttpError(503, "Annuaire indisponible.")
        today = self.store.clock().date()
        try:
            stale, withdrawn = directory.stale(today), directory.withdrawn_by_last_import()
        except Exception:  # noqa: BLE001 - e.g. the directory was never loaded here
            log.warning("directory unavailable for the freshness page")
            raise HttpError(503, "Annuaire indisponible (non chargé dans cette base).") from None
        return self._page("fraicheur.html", req, stale=stale, withdrawn=withdrawn, today=today)

    def users(self, req: Request, error: str | None = None, status: int = 200) -> Response:
        self._require(req, "admin")
        return self._page("utilisateurs.html", req, status=status, users=self.store.users(), error=error)

    def create_user(self, req: Request) -> Response:
        self._require(req, "admin")
        f = req.form
        try:
            self.store.create_user(f.get("login", ""), f.get("mot_de_passe", ""), f.get("role", ""),
                                   nom=f.get("nom") or None, by=req.user.login)
        except TicketError as exc:
            return self.users(req, error=str(exc), status=400)
        log.info("user %s created by %s", f.get("login"), req.user.login)
        return redirect("/utilisateurs?ok=utilisateur")

    def update_user(self, req: Request, login: str) -> Response:
        self._require(req, "admin")
        if login == req.user.login and (req.form.get("role") != "admin" or req.form.get("actif") != "1"):
            return self.users(req, error="Vous ne pouvez pas retirer vos propres droits d'administration.",
                              status=400)
        try:
            self.store.set_role(login, req.form.get("role", ""), actif=req.form.get("actif") == "1")
        except TicketError as exc:
            return self.users(req, error=str(exc), status=400)
        log.info("user %s updated by %s", login, req.user.login)
        return redirect("/utilisateurs?ok=utilisateur")
