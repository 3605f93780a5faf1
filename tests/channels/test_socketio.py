"""The socket.io output channel: one `bot_uttered` event per bot message, payload included."""
from __future__ import annotations

import asyncio
import re

import pytest
from rasa.core.channels import socketio as stock

from bot.channels.socketio import SocketIOInput, SocketIOOutput, issue, verified

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


class Server:
    """Stands for python-socketio's AsyncServer (handlers, rooms and emits recorded)."""

    def __init__(self):
        self.handlers, self.rooms, self.events = {}, {}, []

    def on(self, event, handler=None, namespace=None):
        if handler is None:                     # used as a decorator
            return lambda h: self.handlers.__setitem__(event, h) or h
        self.handlers[event] = handler

    async def enter_room(self, sid, room, namespace=None):     # a coroutine, as in python-socketio ≥ 5.9
        self.rooms.setdefault(sid, set()).add(room)

    async def leave_room(self, sid, room, namespace=None):
        self.rooms.get(sid, set()).discard(room)

    async def emit(self, event, data=None, room=None, namespace=None, **kw):
        self.events.append((event, data, room))


VALID = issue()
RANDOM, MAC = VALID.split(".")
SESSION_CASES = [
    # (requested session id, kept?)
    (VALID, True),
    (None, False),
    ("0123456789abcdef0123456789abcdef", False),   # a client-chosen id (not issued by the server)
    ("9b2f6c1e-4d7a-4f0e-8c3b-2a1d5e6f7a8b", False),  # a standard client's own UUID: replaced
    ("anne.martin@medecin.mssante.fr", False),     # another channel's conversation id
    ("api:portail:dr-martin", False),
    (VALID.upper(), False),
    (VALID + "0", False),
    (RANDOM + "." + "0" * 32, False),               # forged signature
    (RANDOM[::-1] + "." + MAC, False),              # signature of another id
]


@pytest.mark.parametrize("wanted,kept", SESSION_CASES)
def test_session_request_joins_the_room_and_validates_the_id(wanted, kept):
    received = []

    async def on_new_message(message):
        received.append(message)

    ch = SocketIOInput(session_persistence=True)
    server = Server()

    async def scenario():
        import rasa.core.channels.socketio as mod

        original = mod.AsyncServer
        mod.AsyncServer = lambda **kw: server
        try:
            ch.blueprint(on_new_message)
        finally:
            mod.AsyncServer = original
        await server.handlers["user_uttered"]("sid1", {"message": "avant la session", "session_id": VALID})
        await server.handlers["session_request"]("sid1", {"session_id": wanted} if wanted else None)
        await server.handlers["user_uttered"]("sid1", {"message": "dame 87 ans", "session_id": "autre-session", "customData": {"canal": "email"}})

    asyncio.run(scenario())
    (event, session_id, room), = server.events
    assert event == "session_confirm" and room == "sid1"
    assert (session_id == wanted) is kept and re.fullmatch(r"[0-9a-f]{32}\.[0-9a-f]{32}", session_id)
    conversation = verified(session_id)
    assert conversation == "web:" + session_id.split(".")[0]
    assert server.rooms["sid1"] == {conversation}              # the room was really joined
    assert [(m.text, m.sender_id) for m in received] == [("dame 87 ans", conversation)]   # not before, not another id
    assert received[0].input_channel == "socketio" and received[0].metadata == {}
    assert isinstance(received[0].output_channel, SocketIOOutput)
