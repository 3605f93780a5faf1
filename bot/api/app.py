"""The API gateway (Sanic): orientation engine, conversations through the Rasa REST channel,
directory entries, OpenAPI description.

Every route under ``/api/v1`` needs a bearer token except ``/health`` and ``/openapi.json``.
Limits: body size (413), per-client token bucket (429 + Retry-After), CORS only for configured
origins. Errors are JSON in French with stable codes (see :mod:`bot.api.errors`).
"""
from __future__ import annotations

import asyncio
import hmac
import math
import re
import time
from datetime import datetime
from typing import Any

import logging

import aiohttp
from sanic import Sanic, response
from sanic.request import Request

from bot import keys, web
from bot.api import reports as reports_api
from bot.api.errors import ApiError, error_response, json_response
from bot.api.openapi import openapi_document
from knowledge import activity
from knowledge.degraded import degraded_answer
from knowledge.gazetteer import DEPARTEMENT_CODES, is_region_departement
from knowledge.hours import TZ
from knowledge.hours import current_time
from knowledge.places import read_place
from knowledge.orientation import default_orienter
from knowledge.settings import ApiSettings

logger = logging.getLogger("bot.api")
PREFIX = "/api/v1"
PUBLIC_PATHS = {f"{PREFIX}/health", f"{PREFIX}/openapi.json"}
SENDER_RE = re.compile(r"^[A-Za-z0-9._@+-]{1,64}$")
SERVICE_ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
MAX_TEXT = 4000
RASA_TIMEOUT = 6.0  # seconds; the REST channel itself answers within its budget (4 s)
CORS_METHODS = "GET, POST, OPTIONS"
CORS_HEADERS = "Authorization, Content-Type"
SANIC_REFUSALS = {400: "requete_invalide", 404: "ressource_introuvable", 405: "methode_non_autorisee"}


class TokenBucket:
    """Per-key token buckets: `rate` requests per minute, bursts up to `rate`."""

    def __init__(self, rate_per_minute: int, clock=time.monotonic) -> None:
        self.capacity = float(rate_per_minute)
        self.refill = rate_per_minute / 60.0
        self.clock = clock
        self.buckets: dict[str, tuple[float, float]] = {}

    MAX_KEYS = 10_000

    def take(self, key: str) -> tuple[bool, int, int]:
        """(allowed, remaining, retry_after_seconds)."""
        now = self.clock()
        if len(self.buckets) > self.MAX_KEYS:  # forget clients whose bucket has refilled
            full = (self.capacity - 1) / self.refill
            self.buckets = {k: v for k, v in self.buckets.items() if now - v[1] < full}
        tokens, last = self.buckets.get(key, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - last) * self.refill)
        if tokens >= 1:
            tokens -= 1
            self.buckets[key] = (tokens, now)
            return True, int(tokens), 0
        self.buckets[key] = (tokens, now)
        return False, 0, max(1, math.ceil((1 - tokens) / self.refill))


def authenticate(header: str | None, tokens: dict[str, str]) -> str:
    """The client name for an ``Authorization: Bearer`` header, else ApiError."""
    if not header:
        raise ApiError("jeton_manquant", headers={"WWW-Authenticate": 'Bearer realm="aiguillage"'})
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise ApiError("jeton_invalide", headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    given = value.strip().encode()
    client = None
    for token, name in tokens.items():  # compare with every token: no early exit
        if hmac.compare_digest(given, token.encode()):
            client = name
    if client is None:
        raise ApiError("jeton_invalide", headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    return client


def _json_body(request: Request) -> dict:
    ctype = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if ctype != "application/json":
        raise ApiError("type_contenu")
    try:
        import json

        body = json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError):
        raise ApiError("json_invalide") from None
    if not isinstance(body, dict):
        raise ApiError("requete_invalide", "Le corps doit être un objet JSON.")
    return body


def _text_field(body: dict, name: str, required: bool = True) -> str | None:
    value = body.get(name)
    if value is None:
        if required:
            raise ApiError("requete_invalide", f"Le champ « {name} » est obligatoire.", champ=name)
        return None
    if not isinstance(value, str):
        raise ApiError("requete_invalide", f"Le champ « {name} » doit être une chaîne.", champ=name)
    value = value.strip()
    if required and not value:
        raise ApiError("requete_invalide", f"Le champ « {name} » est vide.", champ=name)
    if len(value) > MAX_TEXT:
        raise ApiError("requete_invalide", f"Le champ « {name} » dépasse {MAX_TEXT} caractères.", champ=name)
    return value


def service_document(service, at: datetime) -> dict:
    """A directory entry as JSON (the API's view of `knowledge.directory.Service`)."""
    sch = service.schedule
    is_open = sch.is_open(at)
    nxt = None if is_open else sch.next_opening(at)
    return {
        "id": service.id,
        "type": service.type,
        "nom": service.nom,
        "description": service.description,
        "audience": service.audience,
        "missions": list(service.missions),
        "publics": [{"public": p.public, "age_min": p.age_min, "age_max": p.age_max} for p in service.publics],
        "besoins": list(service.besoins),
        "zones": [{"type": z.kind, "code": z.code} for z in service.zones],
        "telephone": service.telephone,
        "messagerie_securisee": service.messagerie_securisee,
        "email": service.email,
        "adresse": service.adresse,
        "site_web": service.site_web,
        "contacts": [
            {"fonction": c.fonction, "telephone": c.telephone, "email": c.email, "messagerie_securisee": c.messagerie_securisee}
            for c in service.contacts
        ],
        "horaires": {
            "permanent": sch.permanent,
            "ferme_jours_feries": sch.ferme_jours_feries,
            "creneaux": [{"jour": s.jour, "debut": s.debut.strftime("%H:%M"), "fin": s.fin.strftime("%H:%M")} for s in sch.slots],
            "fermetures": [
                {"debut": c.debut.isoformat(), "fin": c.fin.isoformat(), "motif": c.motif} for c in sch.closures
            ],
        },
        "ouvert_maintenant": is_open,
        "prochaine_ouverture": nxt.isoformat() if nxt else None,
        "horaires_du_jour": sch.day_text(at.date()),
        "statut": sch.status_text(at),
        "source": service.source,
        "verifie_le": service.verifie_le.isoformat() if service.verifie_le else None,
        "exemple": service.exemple,
    }


def create_app(settings: ApiSettings | None = None, orienter=None, name: str = "aiguillage_api") -> Sanic:
    """The gateway app. `orienter` defaults to the process-wide one (directory from AIGUILLAGE_DB_URL)."""
    settings = settings or ApiSettings.from_env()
    app = web.new_app("aiguillage_api", max_body=settings.max_body, name=name)
    app.config.FALLBACK_ERROR_FORMAT = "json"
    app.ctx.settings = settings
    app.ctx.limiter = TokenBucket(settings.rate_per_minute)
    app.ctx.orienter = orienter

    def get_orienter():
        if app.ctx.orienter is None:
            app.ctx.orienter = default_orienter()
        return app.ctx.orienter

    # -- middleware: CORS, size, rate limit, authentication ---------------------------------

    def cors_headers(request: Request) -> dict:
        origin = request.headers.get("origin")
        if origin and origin.rstrip("/") in settings.cors_origins:
            return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
        return {"Vary": "Origin"} if origin else {}

    @app.on_request
    async def guard(request: Request):
        request.ctx.client = None
        request.ctx.extra_headers = cors_headers(request)
        origin = request.headers.get("origin")
        if request.method == "OPTIONS":
            if not origin or origin.rstrip("/") not in settings.cors_origins:
                raise ApiError("origine_refusee")
            return response.empty(
                status=204,
                headers={
                    **request.ctx.extra_headers,
                    "Access-Control-Allow-Methods": CORS_METHODS,
                    "Access-Control-Allow-Headers": CORS_HEADERS,
                    "Access-Control-Max-Age": "600",
                },
            )
        if request.path in PUBLIC_PATHS or not request.path.startswith(PREFIX):
            key = f"ip:{request.ip}"
        else:
            try:
                request.ctx.client = authenticate(request.headers.get("authorization"), settings.tokens)
            except ApiError:
                ok, _, retry = app.ctx.limiter.take(f"ip:{request.ip}")  # failed logins count too
                if not ok:
                    raise ApiError("trop_de_requetes", headers={"Retry-After": str(retry)}) from None
                raise
            key = f"client:{request.ctx.client}"
        ok, remaining, retry = app.ctx.limiter.take(key)
        request.ctx.extra_headers["X-RateLimit-Limit"] = str(settings.rate_per_minute)
        request.ctx.extra_headers["X-RateLimit-Remaining"] = str(remaining)
        if not ok:
            raise ApiError("trop_de_requetes", headers={"Retry-After": str(retry)})

    @app.on_response
    async def decorate(request: Request, resp):
        for k, v in getattr(getattr(request, "ctx", None), "extra_headers", {}).items():
            resp.headers.setdefault(k, v)
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Cache-Control", "no-store")

    # -- errors --------------------------------------------------------------------------------

    @app.exception(ApiError)
    async def on_api_error(request: Request, exc: ApiError):
        return error_response(exc)

    def refused(request: Request, status: int):
        """Sanic's refusals (unknown path, method, body too large, malformed) and crashes, as JSON."""
        if status == 413:
            return error_response(ApiError("corps_trop_volumineux", f"Le corps dépasse {settings.max_body} octets."))
        return error_response(ApiError(SANIC_REFUSALS.get(status, "erreur_interne")))

    web.on_errors(app, refused, logger)

    # -- routes --------------------------------------------------------------------------------

    @app.get(f"{PREFIX}/health")
    async def health(request: Request):
        return json_response({"statut": "ok", "version": "1"})

    @app.get(f"{PREFIX}/openapi.json")
    async def openapi(request: Request):
        return json_response(openapi_document())

    @app.route(f"{PREFIX}/orientation", methods=["POST", "OPTIONS"])
    async def orientation(request: Request):
        body = _json_body(request)
        texte = _text_field(body, "texte")
        commune_q = _text_field(body, "commune", required=False)
        code_insee = _text_field(body, "code_insee", required=False)
        departement = _text_field(body, "departement", required=False)
        types = body.get("types", [])
        ouvert = body.get("ouvert_maintenant", False)
        moment = _text_field(body, "moment", required=False)
        orienter = get_orienter()
        if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
            raise ApiError("requete_invalide", "Le champ « types » doit être une liste de codes.", champ="types")
        unknown = [t for t in types if t not in orienter.vocabulary.resource_types]
        if unknown:
            raise ApiError("requete_invalide", f"Type de ressource inconnu : {', '.join(unknown[:3])}.", champ="types")
        if not isinstance(ouvert, bool):
            raise ApiError("requete_invalide", "Le champ « ouvert_maintenant » doit être un booléen.", champ="ouvert_maintenant")
        at = None
        if moment:
            try:
                at = datetime.fromisoformat(moment)
            except ValueError:
                raise ApiError("requete_invalide", "Le champ « moment » doit être une date ISO 8601.", champ="moment") from None
            if at.tzinfo is None:
                at = at.replace(tzinfo=TZ)
        commune = None
        if code_insee:
            try:
                commune = orienter.gazetteer.commune(code_insee).code_insee
            except KeyError:
                raise ApiError("commune_inconnue", f"Code INSEE inconnu en Centre-Val de Loire : « {code_insee[:10]} ».", champ="code_insee") from None
        elif commune_q:
            commune = resolve_commune(orienter.gazetteer, commune_q)
        if departement and not is_region_departement(departement):
            raise ApiError("requete_invalide", f"Département hors Centre-Val de Loire ({', '.join(DEPARTEMENT_CODES)}).", champ="departement")

        def run():
            return orienter.orient(
                texte, commune=commune, departement=None if commune else departement, types=types, at=at,
                ouvert_seulement=ouvert,
            )

        def run_and_log():
            result = run()
            activity.record(result, canal="api", directory=orienter.directory)
            return result

        result = await asyncio.get_running_loop().run_in_executor(None, run_and_log)
        return json_response({**result.payload(), "message": result.message()})

    reports_api.register(app, PREFIX, get_orienter)

    @app.route(f"{PREFIX}/conversations/<sender>/messages", methods=["POST", "OPTIONS"])
    async def conversation(request: Request, sender: str):
        if not SENDER_RE.match(sender):
            raise ApiError("requete_invalide", "Identifiant de conversation invalide (1 à 64 caractères : lettres, chiffres, . _ @ + -).", champ="sender")
        body = _json_body(request)
        message = _text_field(body, "message")
        # Each client has its own conversations: the same sender name cannot reach another client's.
        rasa_sender = f"api:{request.ctx.client}:{sender}"
        url = f"{settings.rasa_url}/webhooks/rest/webhook"
        headers = {keys.CHANNEL_HEADER: keys.get("AIGUILLAGE_CHANNEL_SECRET")}   # namespaced ids are ours only
        try:
            # The Rasa REST channel answers within its reply budget (bot/channels/guard.py).
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=RASA_TIMEOUT)) as http:
                async with http.post(url, json={"sender": rasa_sender, "message": message}, headers=headers) as r:
                    if r.status != 200:
                        raise ApiError("bot_indisponible", f"L'assistant a répondu {r.status}.")
                    messages = await r.json()
        except (aiohttp.ClientError, asyncio.TimeoutError):
            raise ApiError("bot_indisponible", degraded_answer(message, "indisponible")) from None
        out = []
        for m in messages:
            item: dict[str, Any] = {}
            for k in ("text", "buttons", "custom", "image", "attachment"):
                if m.get(k) is not None:
                    item[k] = m[k]
            out.append(item)
        return json_response({"conversation": sender, "messages": out})

    @app.route(f"{PREFIX}/services/<service_id>", methods=["GET", "OPTIONS"])
    async def service(request: Request, service_id: str):
        if not SERVICE_ID_RE.match(service_id):
            raise ApiError("service_introuvable")
        orienter = get_orienter()
        found = await asyncio.get_running_loop().run_in_executor(None, orienter.directory.get, service_id)
        if found is None:
            raise ApiError("service_introuvable", f"Aucun service « {service_id} » dans l'annuaire.")

        return json_response(service_document(found, current_time()))

    return app


def resolve_commune(gazetteer, query: str) -> str:
    """A commune name or postal code → INSEE code (the bot's place reader), else ApiError commune_inconnue.

    Unlike the chat, the API does not ask back: an ambiguous name or shared postal code is refused
    with the candidates, so that the client sends the INSEE code."""
    reading = read_place(query, gazetteer)
    if reading.commune is not None:
        return reading.commune.code_insee
    if reading.candidates:
        names = ", ".join(f"{c.nom} ({c.departement})" for c in reading.candidates[:5])
        raise ApiError("commune_inconnue", f"Commune ambiguë : {names}. Précisez le code INSEE.", champ="commune")
    raise ApiError("commune_inconnue", f"Commune inconnue en Centre-Val de Loire : « {query[:60]} ».", champ="commune")
