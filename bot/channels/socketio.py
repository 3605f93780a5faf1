"""Socket.IO channel for the web chat: Rasa's stock channel, one event per bot message.

Rasa 3.6's `SocketIOOutput.send_custom_json` calls ``sio.emit(evt, **json_message)``, which only
works for payloads shaped ``{"data": ...}``: our contract payload ``{"orientation": {...}}`` makes
it raise ``TypeError`` and the card never reaches the page. This channel emits each bot message
as one ``bot_uttered`` event ``{"text", "quick_replies", "custom"}`` (keys present when set), so
the page can show the emergency banner, the text, the cards and the buttons of one answer together.

Declared in ``bot/credentials.yml`` as ``bot.channels.socketio.SocketIOInput`` with the same
settings as the stock ``socketio`` channel.
"""
from __future__ import annotations

import inspect
import json
import logging
import re
import uuid
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels import socketio as stock
from rasa.core.channels.channel import UserMessage

from bot.channels import guard

logger = logging.getLogger(__name__)
SESSION_ID = re.compile(r"[0-9a-f]{32}")
MAX_MESSAGE_CHARS = 8000


class SocketIOOutput(stock.SocketIOOutput):
    """Emits one event per bot message; `custom` travels as a key of the event data."""

    texts = 0  # texts emitted (bot/channels/guard.py answers when none was)

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
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
        if out:
            if out.get("text"):
                self.texts += 1
            await self._send_message(recipient_id, out)

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        await self._send_message(recipient_id, {"custom": json_message})


class SocketIOInput(stock.SocketIOInput):
    """Stock socket.io input with three fixes.

    - Bot messages go through :class:`SocketIOOutput` (payload included).
    - ``session_request`` awaits ``enter_room``: with python-socketio ≥ 5.9 it is a coroutine that
      Rasa 3.6 never awaits, so the socket never joined its session's room and, with
      ``session_persistence``, every answer was lost.
    - A socket can only speak in the session it asked for, and session ids are 32 hexadecimal
      characters (others are replaced by a new random id, sent back in ``session_confirm``): a
      page cannot choose another channel's conversation id (an e-mail address, an API sender).
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
        sessions: Dict[str, str] = {}  # socket id -> session id

        async def session_request(sid: Text, data: Optional[Dict]) -> None:
            wanted = (data or {}).get("session_id") if isinstance(data, dict) else None
            session_id = wanted if isinstance(wanted, str) and SESSION_ID.fullmatch(wanted) else uuid.uuid4().hex
            old = sessions.get(sid)
            if old and old != session_id:
                await _maybe_await(sio.leave_room(sid, old, namespace=self.namespace))
            sessions[sid] = session_id
            if self.session_persistence:
                await _maybe_await(sio.enter_room(sid, session_id, namespace=self.namespace))
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        async def disconnect(sid: Text) -> None:
            sessions.pop(sid, None)

        async def handle_message(sid: Text, data: Dict) -> None:
            if not isinstance(data, dict):
                return
            if self.session_persistence:
                sender_id = sessions.get(sid)
                if sender_id is None:
                    logger.warning("Message socket.io sans session_request préalable : ignoré.")
                    return
            else:
                sender_id = sid
            text = data.get("message", "")
            if not isinstance(text, str):
                return
            metadata = data.get(self.metadata_key) or {}
            if isinstance(metadata, str):
                try:
                    metadata = json.loads(metadata)
                except ValueError:
                    metadata = {}
            output = SocketIOOutput(sio, self.bot_message_evt)

            async def run_turn(kept: str) -> None:
                await on_new_message(UserMessage(
                    kept, output, sender_id, input_channel=self.name(),
                    metadata=metadata if isinstance(metadata, dict) else {},
                ))

            async def say(line: str) -> None:
                await output.send_text_message(sender_id, line)

            await guard.process(run_turn, text[:MAX_MESSAGE_CHARS], text_count=lambda: output.texts, say=say, channel="socketio")

        sio.on("session_request", session_request, namespace=self.namespace)
        sio.on("disconnect", disconnect, namespace=self.namespace)
        sio.on(self.user_message_evt, handle_message, namespace=self.namespace)
        return bp


async def _maybe_await(result: Any) -> None:
    if inspect.isawaitable(result):
        await result
