"""Socket.IO channel for the web chat: Rasa's stock channel, standard events, our page's format.

Rasa 3.6's `SocketIOOutput.send_custom_json` calls ``sio.emit(evt, **json_message)``, which only
works for payloads shaped ``{"data": ...}``: our contract payload ``{"orientation": {...}}`` makes
it raise ``TypeError`` and the card never reaches the page.

Two formats, chosen by the client in ``session_request`` (each socket joins the room of its format):

- standard (default; what ``rasa-webchat`` and other Rasa widgets render): ``{"text"}`` or
  ``{"text", "quick_replies"}`` events, exactly those keys, then the payload alone as
  ``{"custom": {...}}``, which such widgets ignore without a custom component;
- ``"format": "aiguillage"`` (our page, bot/webchat): one event per bot message
  ``{"text", "quick_replies", "custom"}`` (keys present when set), so the page shows the emergency
  banner, the text, the cards and the buttons of one answer together.

Declared in ``bot/credentials.yml`` as ``bot.channels.socketio.SocketIOInput`` with the same
settings as the stock ``socketio`` channel.
"""
from __future__ import annotations

import hashlib
import hmac
import inspect
import logging
import re
import secrets
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels import socketio as stock
from rasa.core.channels.channel import UserMessage

from bot import keys
from bot.channels import commands, guard

logger = logging.getLogger(__name__)
SESSION_ID = re.compile(r"([0-9a-f]{32})\.([0-9a-f]{32})")
CLIENT_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
OWN_FORMAT = "aiguillage"
OWN_ROOM = "#aiguillage"        # suffix of the room of the sockets that asked for our page's format


def _mac(random_part: str) -> str:
    key = keys.get("AIGUILLAGE_ID_KEY").encode()
    return hmac.new(key, b"web-session:" + random_part.encode(), hashlib.sha256).hexdigest()[:32]


def issue() -> str:
    """A new web chat session id: 128 random bits and their HMAC."""
    part = secrets.token_hex(16)
    return f"{part}.{_mac(part)}"


def verified(session_id: object) -> str | None:
    """The Rasa conversation id (``web:<32 hex>``) of an acceptable session id, else None.

    A session id we issued gives ``web:<its random part>``. A standard client's own random UUID
    (version 4, as rasa-webchat generates) is accepted too: its conversation is
    ``web:<HMAC of the UUID>``, so knowing a conversation id (tickets, logs) never gives the
    session id that speaks in it, and no UUID can reach a conversation of an issued id."""
    if not isinstance(session_id, str):
        return None
    if CLIENT_UUID.fullmatch(session_id):
        key = keys.get("AIGUILLAGE_ID_KEY").encode()
        return "web:" + hmac.new(key, b"client-session:" + session_id.encode(), hashlib.sha256).hexdigest()[:32]
    m = SESSION_ID.fullmatch(session_id)
    if m is None or not hmac.compare_digest(m.group(2), _mac(m.group(1))):
        return None
    return f"web:{m.group(1)}"
MAX_MESSAGE_CHARS = 8000


class SocketIOOutput(stock.SocketIOOutput):
    """Standard events to the conversation's room, our page's one-event form to its own room."""

    texts = 0  # texts emitted (bot/channels/guard.py answers when none was)

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        out = self._combined(message)
        if not out:
            return
        if out.get("text"):
            self.texts += 1
        await self._send_message(recipient_id + OWN_ROOM, out)
        # standard clients: text (with its buttons), the rest each alone
        first = {k: out[k] for k in ("text", "quick_replies") if k in out}
        if "quick_replies" in first and "text" not in first:
            first["text"] = ""
        if first:
            await self._send_message(recipient_id, first)
        if "attachment" in out:
            await self._send_message(recipient_id, {"attachment": out["attachment"]})
        if "custom" in out:
            await self._send_message(recipient_id, {"custom": out["custom"]})

    @staticmethod
    def _combined(message: Dict[Text, Any]) -> Dict[Text, Any]:
        out: Dict[Text, Any] = {}
        if message.get("text"):
            out["text"] = message["text"]
        buttons = message.get("quick_replies") or message.get("buttons") or []
        if buttons:
            out["quick_replies"] = [
                {"content_type": "text", "title": b.get("title"), "payload": b.get("payload")} for b in buttons
            ]
        if message.get("custom"):
            out["custom"] = message["custom"]
        if message.get("image"):
            out["attachment"] = {"type": "image", "payload": {"src": message["image"]}}
        elif message.get("attachment"):
            out["attachment"] = message["attachment"]
        return out

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text})     # both rooms (the guard's lines)

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        await self._send_message(recipient_id + OWN_ROOM, {"custom": json_message})
        await self._send_message(recipient_id, {"custom": json_message})


class SocketIOInput(stock.SocketIOInput):
    """Stock socket.io input with three fixes.

    - Bot messages go through :class:`SocketIOOutput` (payload included).
    - ``session_request`` awaits ``enter_room``: with python-socketio ≥ 5.9 it is a coroutine that
      Rasa 3.6 never awaits, so the socket never joined its session's room and, with
      ``session_persistence``, every answer was lost.
    - Session ids are issued by the server: ``<32 hex random>.<32 hex HMAC>`` (128 random bits,
      signed with ``AIGUILLAGE_ID_KEY``, :func:`issue`). A ``session_request`` with an id we did
      not issue (absent, client-chosen UUID, another channel's id) gets a new one in
      ``session_confirm``, which standard socket.io clients adopt. A socket speaks only in the
      session it was confirmed; the Rasa conversation is ``web:<32 hex>``, which no other
      channel accepts from a client. ``input_channel`` is always ``socketio`` and the client's
      metadata is dropped (``metadata.canal`` is not client-settable).
    - Built-in commands are screened (:mod:`bot.channels.commands`).
    """

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    def get_output_channel(self) -> Optional[stock.OutputChannel]:
        if self.sio is None:
            return super().get_output_channel()
        return SocketIOOutput(self.sio, self.bot_message_evt)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]):  # type: ignore[override]
        guard.install()
        bp = super().blueprint(on_new_message)  # health route, connect (JWT) handlers, sio attached
        sio = self.sio
        if getattr(sio, "eio", None) is not None:
            # Rasa faces only the web chat's relay, which sends no Origin: a page of any site that
            # reaches 127.0.0.1 from a user's browser is refused (Rasa 3.6 disables the check).
            sio.eio.cors_allowed_origins = _no_browser_page
        sessions: Dict[str, str] = {}  # socket id -> session id
        suffixes: Dict[str, str] = {}  # socket id -> room suffix of its format

        async def session_request(sid: Text, data: Optional[Dict]) -> None:
            wanted = (data or {}).get("session_id") if isinstance(data, dict) else None
            session_id = wanted if verified(wanted) else issue()
            suffix = OWN_ROOM if isinstance(data, dict) and data.get("format") == OWN_FORMAT else ""
            old = sessions.get(sid)
            if old and (old, suffixes.get(sid, "")) != (session_id, suffix):
                await _maybe_await(sio.leave_room(sid, verified(old) + suffixes.get(sid, ""),
                                                  namespace=self.namespace))
            sessions[sid] = session_id
            suffixes[sid] = suffix
            if self.session_persistence:  # answers go to the room of the conversation id
                await _maybe_await(sio.enter_room(sid, verified(session_id) + suffix, namespace=self.namespace))
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        async def disconnect(sid: Text) -> None:
            sessions.pop(sid, None)
            suffixes.pop(sid, None)

        async def handle_message(sid: Text, data: Dict) -> None:
            if not isinstance(data, dict):
                return
            if self.session_persistence:
                session_id = sessions.get(sid)
                if session_id is None:
                    logger.warning("Message socket.io sans session_request préalable : ignoré.")
                    return
                sender_id = verified(session_id)
            else:
                sender_id = f"web:{hashlib.sha256(sid.encode()).hexdigest()[:32]}"
                await _maybe_await(sio.enter_room(sid, sender_id + suffixes.get(sid, ""), namespace=self.namespace))
            text = data.get("message", "")
            if not isinstance(text, str) or not text.strip():
                return                  # rasa-webchat sends {customData} alone when it opens
            output = SocketIOOutput(sio, self.bot_message_evt)

            async def run_turn(kept: str) -> None:
                # Client metadata is dropped: the channel, not the client, says where a message comes from.
                await on_new_message(UserMessage(commands.screen(kept), output, sender_id,
                                                 input_channel=self.name(), metadata={}))

            async def say(line: str) -> None:
                await output.send_text_message(sender_id, line)

            await guard.process(run_turn, text[:MAX_MESSAGE_CHARS], text_count=lambda: output.texts, say=say, channel="socketio")

        sio.on("session_request", session_request, namespace=self.namespace)
        sio.on("disconnect", disconnect, namespace=self.namespace)
        sio.on(self.user_message_evt, handle_message, namespace=self.namespace)
        return bp


def _no_browser_page(origin: Any, environ: Any = None) -> bool:
    return False


async def _maybe_await(result: Any) -> None:
    if inspect.isawaitable(result):
        await result
