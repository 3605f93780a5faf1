"""The socket.io output channel: one `bot_uttered` event per bot message, payload included."""
from __future__ import annotations

import asyncio

import pytest
from rasa.core.channels import socketio as stock

from bot.channels.socketio import SocketIOInput, SocketIOOutput

PAYLOAD = {"orientation": {"urgence": None, "niveau": 3, "recommandations": [{"id": "dac-18", "type": "DAC"}]}}


class Recorder:
    """Stands for python-socketio's AsyncServer: records what would be emitted."""

    def __init__(self):
        self.events = []

    async def emit(self, event, data=None, to=None, room=None, skip_sid=None, namespace=None, callback=None, ignore_queue=False):
        self.events.append((event, data, room))


CASES = [
    # (bot message as Rasa hands it to the output channel, expected event data)
    ({"text": "Niveau 3", "buttons": [{"title": "Ouvrir une demande d'appui", "payload": "/ouvrir_demande"}], "custom": PAYLOAD},
     {"text": "Niveau 3", "quick_replies": [{"content_type": "text", "title": "Ouvrir une demande d'appui", "payload": "/ouvrir_demande"}],
      "custom": PAYLOAD}),
    ({"text": "Bonjour !"}, {"text": "Bonjour !"}),
    ({"custom": PAYLOAD}, {"custom": PAYLOAD}),
    ({"text": "Premier paragraphe.\n\nSecond paragraphe."}, {"text": "Premier paragraphe.\n\nSecond paragraphe."}),
    ({"image": "https://exemple.fr/carte.png"}, {"attachment": {"type": "image", "payload": {"src": "https://exemple.fr/carte.png"}}}),
]


@pytest.mark.parametrize("message,expected", CASES)
def test_one_event_per_message(message, expected):
    sio = Recorder()
    asyncio.run(SocketIOOutput(sio, "bot_uttered").send_response("session-1", dict(message)))
    assert sio.events == [("bot_uttered", expected, "session-1")]


def test_stock_channel_cannot_carry_the_contract_payload():
    """Why this channel exists: Rasa 3.6's stock output fails on {"orientation": ...}."""
    sio = Recorder()
    with pytest.raises(TypeError):
        asyncio.run(stock.SocketIOOutput(sio, "bot_uttered").send_response("s", {"text": "x", "custom": dict(PAYLOAD)}))


def test_input_channel_settings():
    ch = SocketIOInput.from_credentials({"user_message_evt": "user_uttered", "bot_message_evt": "bot_uttered", "session_persistence": True})
    assert ch.name() == "socketio"
    assert ch.session_persistence is True and ch.socketio_path == "/socket.io"
    ch.blueprint(lambda m: None)
    assert isinstance(ch.get_output_channel(), SocketIOOutput)
