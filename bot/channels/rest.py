"""Rasa's REST channel (``POST /webhooks/rest/webhook``) without client-chosen identity.

The stock channel takes ``sender``, ``input_channel`` and ``metadata`` from the request body, so
a client could write into the API gateway's conversations (``api:<client>:<sender>``), the mail
channel's (``mail:<hmac>``) or the web chat's (``web:<id>``), and choose the ticket's channel.
This one, declared as ``bot.channels.rest.RestInput`` in bot/credentials.yml (same URL):

- ``input_channel`` is always ``rest``;
- only our own processes (header ``X-Aiguillage-Channel`` = ``AIGUILLAGE_CHANNEL_SECRET``) may use
  namespaced senders (with ``:``) and pass ``metadata.canal``; other callers (local tools, tests)
  get their own plain names (letters, digits, ``. _ @ + -``), anything else is refused (403);
- requests from web pages (an ``Origin`` header: another site's page can POST to 127.0.0.1 from a
  user's browser without CORS) are refused;
- built-in commands are screened (:mod:`bot.channels.commands`).
"""
from __future__ import annotations

import hmac
import logging
import re
from typing import Any, Dict, Optional, Text

from rasa.core.channels import rest as stock
from sanic.exceptions import Forbidden, InvalidUsage
from sanic.request import Request

from bot import keys
from bot.channels import commands

logger = logging.getLogger(__name__)
PLAIN_SENDER = re.compile(r"[A-Za-z0-9._@+-]{1,64}")
TRUSTED_SENDER = re.compile(r"[^\x00-\x1f\x7f]{1,300}")
CANAUX = {"email"}


def trusted(request: Request) -> bool:
    given = request.headers.get(keys.CHANNEL_HEADER) or ""
    return bool(given) and hmac.compare_digest(given.encode(), keys.get("AIGUILLAGE_CHANNEL_SECRET").encode())


class RestInput(stock.RestInput):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    async def _extract_sender(self, req: Request) -> Optional[Text]:
        body = req.json if isinstance(req.json, dict) else {}
        sender = body.get("sender")
        if not isinstance(sender, str):
            raise InvalidUsage("Champ « sender » absent ou invalide.")
        if trusted(req):
            if not TRUSTED_SENDER.fullmatch(sender):
                raise InvalidUsage("Identifiant de conversation invalide.")
            return sender
        if req.headers.get("Origin"):   # a web page (possibly another site's, in a user's browser)
            raise Forbidden("Le canal REST n'accepte pas les requêtes de pages web : utilisez le web chat.")
        if not PLAIN_SENDER.fullmatch(sender):
            logger.warning("REST : identifiant de conversation réservé ou invalide refusé.")
            raise Forbidden("Identifiant de conversation réservé ou invalide (1 à 64 caractères : lettres, chiffres, . _ @ + -).")
        return sender

    def _extract_message(self, req: Request) -> Optional[Text]:
        body = req.json if isinstance(req.json, dict) else {}
        text = body.get("message")
        return commands.screen(text) if isinstance(text, str) else text

    def _extract_input_channel(self, req: Request) -> Text:
        return self.name()

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        if not trusted(request):
            return None
        meta = (request.json or {}).get("metadata") if isinstance(request.json, dict) else None
        canal = meta.get("canal") if isinstance(meta, dict) else None
        return {"canal": canal} if canal in CANAUX else None
