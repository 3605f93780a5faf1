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

from typing import Any, Dict, Optional, Text

from rasa.core.channels import socketio as stock


class SocketIOOutput(stock.SocketIOOutput):
    """Emits one event per bot message; `custom` travels as a key of the event data."""

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
            await self._send_message(recipient_id, out)

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        await self._send_message(recipient_id, {"custom": json_message})


class SocketIOInput(stock.SocketIOInput):
    """Stock socket.io input whose output channel is :class:`SocketIOOutput`."""

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    def get_output_channel(self) -> Optional[stock.OutputChannel]:
        if self.sio is None:
            return super().get_output_channel()
        return SocketIOOutput(self.sio, self.bot_message_evt)

    def blueprint(self, on_new_message):  # type: ignore[override]
        """Stock blueprint, with the incoming messages answered through :class:`SocketIOOutput`."""

        async def wrapped(message):
            if isinstance(message.output_channel, stock.SocketIOOutput) and not isinstance(
                message.output_channel, SocketIOOutput
            ):
                message.output_channel = SocketIOOutput(message.output_channel.sio, self.bot_message_evt)
            return await on_new_message(message)

        return super().blueprint(wrapped)
