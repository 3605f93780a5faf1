"""The socket.io channel: standard events for standard clients (rasa-webchat), one event per bot
message with the payload for our page, session ids issued or a client's own UUID."""
from __future__ import annotations

import asyncio
import re

import pytest
from rasa.core.channels import socketio as stock

from bot.channels.socketio import OWN_ROOM, SocketIOInput, SocketIOOutput, issue, verified

PAYLOAD = {"orientation": {"urgence": None, "niveau": 3, "recommandations": [{"id": "dac-18", "type": "DAC"}]}}


class Recorder:
    """Stands for python-socketio's AsyncServer: records what would be emitted."""

    def __init__(self):
        self.events = []

    async def emit(self, event, data=None, to=None, room=None, skip_sid=None, namespace=None, callback=None, ignore_queue=False):
        self.events.append((event, data, room))


QR = [{"content_type": "text", "title": "Ouvrir une demande d'appui", "payload": "/ouvrir_demande"}]
CASES = [
    # (bot message as Rasa hands it to the output channel, our page's event, standard events)
    ({"text": "Niveau 3", "buttons": [{"title": "Ouvrir une demande d'appui", "payload": "/ouvrir_demande"}], "custom": PAYLOAD},
     {"text": "Niveau 3", "quick_replies": QR, "custom": PAYLOAD},
     [{"text": "Niveau 3", "quick_replies": QR}, {"custom": PAYLOAD}]),
    ({"text": "Bonjour !"}, {"text": "Bonjour !"}, [{"text": "Bonjour !"}]),
    ({"custom": PAYLOAD}, {"custom": PAYLOAD}, [{"custom": PAYLOAD}]),
    ({"text": "Texte", "custom": PAYLOAD}, {"text": "Texte", "custom": PAYLOAD}, [{"text": "Texte"}, {"custom": PAYLOAD}]),
    ({"buttons": [{"title": "Oui", "payload": "/affirm"}]},
     {"quick_replies": [{"content_type": "text", "title": "Oui", "payload": "/affirm"}]},
     [{"text": "", "quick_replies": [{"content_type": "text", "title": "Oui", "payload": "/affirm"}]}]),
    ({"text": "Premier paragraphe.\n\nSecond paragraphe."}, {"text": "Premier paragraphe.\n\nSecond paragraphe."},
     [{"text": "Premier paragraphe.\n\nSecond paragraphe."}]),
    ({"image": "https://exemple.fr/carte.png"}, {"attachment": {"type": "image", "payload": {"src": "https://exemple.fr/carte.png"}}},
     [{"attachment": {"type": "image", "payload": {"src": "https://exemple.fr/carte.png"}}}]),
]


@pytest.mark.parametrize("message,ours,standard", CASES)
def test_our_page_gets_one_event_standard_clients_text_buttons_then_payload(message, ours, standard):
    sio = Recorder()
    asyncio.run(SocketIOOutput(sio, "bot_uttered").send_response("session-1", dict(message)))
    assert [d for e, d, room in sio.events if room == "session-1" + OWN_ROOM] == [ours]
    assert [d for e, d, room in sio.events if room == "session-1"] == standard
    assert {e for e, _, _ in sio.events} == {"bot_uttered"}
    # rasa-webchat renders an event with exactly {text} or {text, quick_replies}; the payload
    # travels alone ({custom}), which it ignores without a custom component
    for data in standard:
        assert set(data) in ({"text"}, {"text", "quick_replies"}, {"custom"}, {"attachment"})


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
    ("9b2f6c1e-4d7a-4f0e-8c3b-2a1d5e6f7a8b", True),   # a standard client's own random UUID: kept
    ("9B2F6C1E-4D7A-4F0E-8C3B-2A1D5E6F7A8B", False),  # not the canonical form
    ("9b2f6c1e-4d7a-1f0e-8c3b-2a1d5e6f7a8b", False),  # a time-based UUID (v1): guessable
    ("00000000-0000-4000-8000-000000000000", True),   # well-formed v4 (a client's own risk)
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
    (event, session_id, room), = [e for e in server.events if e[0] == "session_confirm"]
    assert event == "session_confirm" and room == "sid1"
    assert (session_id == wanted) is kept
    conversation = verified(session_id)
    if "-" in session_id:                                       # a client's UUID: HMAC'd conversation id
        assert re.fullmatch(r"web:[0-9a-f]{32}", conversation) and session_id.replace("-", "") not in conversation
        assert conversation != verified(session_id[:-1] + ("1" if session_id[-1] != "1" else "2"))
    else:
        assert re.fullmatch(r"[0-9a-f]{32}\.[0-9a-f]{32}", session_id)
        assert conversation == "web:" + session_id.split(".")[0]
    # This fake bot says nothing: the guard (bot/channels/guard.py) answers in French, once, to the
    # conversation (the standard room and our page's room).
    answers = [e for e in server.events if e[0] != "session_confirm"]
    assert sorted((e[0], e[2]) for e in answers) == [("bot_uttered", conversation), ("bot_uttered", conversation + OWN_ROOM)]
    assert all("116 117" in e[1]["text"] for e in answers)
    assert server.rooms["sid1"] == {conversation}              # the room was really joined
    assert [(m.text, m.sender_id) for m in received] == [("dame 87 ans", conversation)]   # not before, not another id
    assert received[0].input_channel == "socketio" and received[0].metadata == {}
    assert isinstance(received[0].output_channel, SocketIOOutput)
