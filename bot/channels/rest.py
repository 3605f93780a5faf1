"""The REST channel (`POST /webhooks/rest/webhook`) behind the guard (bot/channels/guard.py).

Same request and answer as Rasa's stock `rest` channel, with: the body checked before the bot
sees it (too large → 413, not JSON / not an object / missing or mistyped fields → 400, each with
a French JSON error ``{"erreur": {"code", "message"}}``), the text bounded, the turn timed, and
a French answer whenever the bot would have said nothing. Declared in ``bot/credentials.yml``
as ``bot.channels.rest.GuardedRestInput`` (name "rest": the URL is unchanged).
"""
from __future__ import annotations

import json
import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request

from bot.channels import guard

logger = logging.getLogger(__name__)


def error(status: int, code: str, message: str, champ: str | None = None):
    err: Dict[str, Any] = {"code": code, "message": message}
    if champ:
        err["champ"] = champ
    return response.json({"erreur": err}, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False))


class BadRequest(Exception):
    def __init__(self, status: int, code: str, message: str, champ: str | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.champ = status, code, message, champ


def read_body(raw: bytes | None) -> tuple[str, str, Optional[Dict[str, Any]], Optional[str]]:
    """(sender, message, metadata, input_channel) from a REST body, else BadRequest (French message)."""
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
    if not isinstance(sender, (str, int)) or isinstance(sender, bool) or not str(sender).strip() or len(str(sender)) > 200:
        raise BadRequest(400, "requete_invalide", "Le champ « sender » doit être une chaîne non vide (200 caractères au plus).", "sender")
    message = body.get("message")
    if message is None:
        raise BadRequest(400, "requete_invalide", "Le champ « message » est obligatoire.", "message")
    if not isinstance(message, str):
        raise BadRequest(400, "requete_invalide", "Le champ « message » doit être une chaîne.", "message")
    metadata = body.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise BadRequest(400, "requete_invalide", "Le champ « metadata » doit être un objet JSON.", "metadata")
    input_channel = body.get("input_channel")
    return str(sender), message, metadata, input_channel if isinstance(input_channel, str) and input_channel else None


class GuardedRestInput(RestInput):
    """Rasa's REST input with checked bodies, bounded text and time, and a French answer always."""

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
                sender, text, metadata, input_channel = read_body(request.body)
            except BadRequest as exc:
                return error(exc.status, exc.code, exc.message, exc.champ)
            collector = CollectingOutputChannel()
            channel = input_channel or self.name()

            async def run_turn(kept: str) -> None:
                await on_new_message(UserMessage(kept, collector, sender, input_channel=channel, metadata=metadata))

            async def say(line: str) -> None:
                await collector.send_text_message(sender, line)

            def text_count() -> int:
                return sum(1 for m in collector.messages if m.get("text"))

            await guard.process(run_turn, text, text_count=text_count, say=say, channel="rest")
            return response.json(list(collector.messages))

        return bp
