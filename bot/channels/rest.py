"""Rasa's REST channel (``POST /webhooks/rest/webhook``) behind the guard, without client-chosen identity.

Declared in ``bot/credentials.yml`` as ``bot.channels.rest.GuardedRestInput`` (name "rest": the URL
is unchanged). Same request and answer as Rasa's stock channel, with:

- the body checked before the bot sees it (too large → 413; not JSON, not an object, missing or
  mistyped fields → 400), each refusal a French JSON error ``{"erreur": {"code", "message"}}``;
- the text bounded, the turn timed, and a French answer whenever the bot would have said nothing
  (:mod:`bot.channels.guard`);
- identity not chosen by the client: ``input_channel`` is always ``rest``; only our own processes
  (header ``X-Aiguillage-Channel`` = ``AIGUILLAGE_CHANNEL_SECRET``) may use namespaced senders
  (with ``:``) and pass ``metadata.canal``; other callers (local tools, tests) get plain names
  (letters, digits, ``. _ @ + -``), anything else is refused (403); requests from web pages (an
  ``Origin`` header: another site's page can POST to 127.0.0.1 from a user's browser) are refused;
- built-in commands screened (:mod:`bot.channels.commands`).
"""
from __future__ import annotations

import hmac
import json
import logging
import re
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request

from bot import keys
from bot.channels import commands, guard

logger = logging.getLogger(__name__)
PLAIN_SENDER = re.compile(r"[A-Za-z0-9._@+-]{1,64}")
TRUSTED_SENDER = re.compile(r"[^\x00-\x1f\x7f]{1,300}")
CANAUX = {"email"}


def error(status: int, code: str, message: str, champ: str | None = None):
    err: Dict[str, Any] = {"code": code, "message": message}
    if champ:
        err["champ"] = champ
    return response.json({"erreur": err}, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False))


class BadRequest(Exception):
    def __init__(self, status: int, code: str, message: str, champ: str | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.champ = status, code, message, champ


def trusted(request: Request) -> bool:
    given = request.headers.get(keys.CHANNEL_HEADER) or ""
    return bool(given) and hmac.compare_digest(given.encode(), keys.get("AIGUILLAGE_CHANNEL_SECRET").encode())


def read_body(raw: bytes | None) -> tuple[str, str, Optional[Dict[str, Any]]]:
    """(sender, message, metadata) from a REST body, else BadRequest (French message)."""
    if raw is not None and len(raw) > guard.MAX_BODY_BYTES:
        raise BadRequest(413, "corps_trop_volumineux", f"Le corps de la requête dépasse {guard.MAX_BODY_BYTES // 1024} Kio.")
    try:
        body = json.loads(raw or b"")
    except (ValueError, UnicodeDecodeError):
        raise BadRequest(400, "json_invalide", "Le corps de la requête n'est pas un JSON valide.") from None
    if not isinstance(body, dict):
        raise BadRequest(400, "requete_invalide", "Le corps doit être un objet JSON : {\"sender\": \"…\", \"message\": \"…\"}.")
    sender = body.get("sender")
    if sender is None:
        sender = "default"  # as Rasa's stock channel
    if not isinstance(sender, (str, int)) or isinstance(sender, bool) or not str(sender).strip() or len(str(sender)) > 300:
        raise BadRequest(400, "requete_invalide", "Le champ « sender » doit être une chaîne non vide.", "sender")
    message = body.get("message")
    if message is None:
        raise BadRequest(400, "requete_invalide", "Le champ « message » est obligatoire.", "message")
    if not isinstance(message, str):
        raise BadRequest(400, "requete_invalide", "Le champ « message » doit être une chaîne.", "message")
    metadata = body.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise BadRequest(400, "requete_invalide", "Le champ « metadata » doit être un objet JSON.", "metadata")
    return str(sender), message, metadata


def check_identity(request: Request, sender: str, metadata: Optional[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    """The metadata the bot may see; BadRequest (403) for a reserved sender or a web page."""
    if trusted(request):
        if not TRUSTED_SENDER.fullmatch(sender):
            raise BadRequest(403, "identifiant_invalide", "Identifiant de conversation invalide.", "sender")
        canal = metadata.get("canal") if isinstance(metadata, dict) else None
        return {"canal": canal} if canal in CANAUX else None
    if request.headers.get("Origin"):   # a web page (possibly another site's, in a user's browser)
        raise BadRequest(403, "origine_refusee", "Le canal REST n'accepte pas les requêtes de pages web : utilisez le web chat.")
    if not PLAIN_SENDER.fullmatch(sender):
        logger.warning("REST : identifiant de conversation réservé ou invalide refusé.")
        raise BadRequest(403, "identifiant_reserve",
                         "Identifiant de conversation réservé ou invalide (1 à 64 caractères : lettres, chiffres, . _ @ + -).",
                         "sender")
    return None


class GuardedRestInput(RestInput):
    """Rasa's REST input with checked bodies and identity, bounded text and time, a French answer always."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        guard.install()
        bp = Blueprint("custom_webhook_GuardedRestInput", __name__)

        @bp.route("/", methods=["GET"])
        async def health(request: Request):
            return response.json({"status": "ok"})

        @bp.route("/webhook", methods=["POST"])
        async def receive(request: Request):
            try:
                sender, text, metadata = read_body(request.body)
                metadata = check_identity(request, sender, metadata)
            except BadRequest as exc:
                return error(exc.status, exc.code, exc.message, exc.champ)
            collector = CollectingOutputChannel()
            own: list[int] = []  # the guard's lines (ids), kept when an abandoned turn's are dropped

            async def run_turn(kept: str) -> None:  # on the guard's worker loop
                await on_new_message(UserMessage(commands.screen(kept), collector, sender,
                                                 input_channel=self.name(), metadata=metadata))

            async def say(line: str) -> None:
                message = CollectingOutputChannel._message(sender, text=line)
                collector.messages.append(message)
                own.append(id(message))

            def text_count() -> int:
                return sum(1 for m in collector.messages if m.get("text"))

            def discard() -> None:  # the turn is abandoned: nothing it collected is sent
                collector.messages[:] = [m for m in collector.messages if id(m) in own]

            await guard.process(run_turn, text, text_count=text_count, say=say, channel="rest", discard=discard)
            return response.json(list(collector.messages))

        return bp
