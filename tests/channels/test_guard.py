"""The channel guard on its own: bounded text, time budget, French answer when the bot is silent."""
from __future__ import annotations

import asyncio
import time

import pytest

from bot.channels import guard
from bot.channels.rest import BadRequest, read_body


def run(coro):
    return asyncio.new_event_loop().run_until_complete(coro)


class Channel:
    def __init__(self):
        self.said: list[str] = []

    async def say(self, text):
        self.said.append(text)

    def count(self):
        return len(self.said)


def test_short_text_is_kept_whole():
    assert guard.bound_text("dame 87 ans") == ("dame 87 ans", None)


def test_long_text_is_cut_before_the_bot_and_the_note_says_what_was_kept():
    text = "patiente 87 ans seule à Bourges, chutes. " * 2000
    kept, note = guard.bound_text(text)
    assert len(kept) <= guard.MAX_INPUT_CHARS and text.startswith(kept)
    assert "trop long" in note and f"{len(text):,}".replace(",", "\u202f") in note
    assert f"{len(kept):,}".replace(",", "\u202f") in note and kept.split()[-1] in note


def test_a_bot_that_answers_is_left_alone():
    ch = Channel()

    async def turn(text):
        await ch.say(f"réponse à {text}")

    assert run(guard.process(turn, "bonjour", text_count=ch.count, say=ch.say, channel="t")) == "ok"
    assert ch.said == ["réponse à bonjour"]


def test_a_silent_bot_gets_a_french_answer_with_the_numbers():
    ch = Channel()

    async def turn(text):
        return None

    assert run(guard.process(turn, "oui", text_count=ch.count, say=ch.say, channel="t")) == "vide"
    assert len(ch.said) == 1 and "116 117" in ch.said[0] and "15" in ch.said[0] and "02 61 91 24 00" in ch.said[0]


def test_an_exception_is_answered_and_logged_once_without_the_text(caplog):
    ch = Channel()

    async def turn(text):
        raise RuntimeError("boom")

    secret = "M. Dupont 06 12 34 56 78"
    assert run(guard.process(turn, secret, text_count=ch.count, say=ch.say, channel="t")) == "erreur"
    assert "incident technique" in ch.said[0]
    records = [r for r in caplog.records if r.name == "bot.channels.guard"]
    assert len(records) == 1 and "Dupont" not in records[0].getMessage() and "boom" in records[0].getMessage()


def test_a_slow_turn_is_answered_within_the_budget_and_finishes_in_the_background():
    ch = Channel()
    finished = []

    async def turn(text):
        await asyncio.sleep(0.6)
        finished.append(text)

    async def scenario():
        t0 = time.monotonic()
        outcome = await guard.process(turn, "patient inconscient ne respire plus", text_count=ch.count,
                                      say=ch.say, channel="t", budget=0.2)
        waited = time.monotonic() - t0
        await asyncio.sleep(0.6)
        return outcome, waited

    outcome, waited = run(scenario())
    assert outcome == "lent" and waited < 0.5
    assert ch.said[0].startswith("⚠️") and "15" in ch.said[0].split("\n")[0]  # the emergency first
    assert finished == ["patient inconscient ne respire plus"]  # not cancelled: the tracker stays consistent


def test_the_note_comes_before_the_answer():
    ch = Channel()

    async def turn(text):
        await ch.say(f"lu {len(text)}")

    run(guard.process(turn, "a " * 5000, text_count=ch.count, say=ch.say, channel="t"))
    assert "trop long" in ch.said[0] and ch.said[1].startswith("lu ")


def test_the_note_alone_is_not_an_answer():
    ch = Channel()

    async def turn(text):
        return None

    assert run(guard.process(turn, "x " * 5000, text_count=ch.count, say=ch.say, channel="t")) == "vide"
    assert "trop long" in ch.said[0] and "116 117" in ch.said[1]


def test_symbols_count_as_tokens():
    kept, note = guard.bound_text("(" * 1500)
    assert len(kept) == guard.MAX_INPUT_TOKENS and note


@pytest.mark.parametrize("raw,code,champ", [
    (b"pas du json", "json_invalide", None),
    (b"", "json_invalide", None),
    (b"\xff\xfe", "json_invalide", None),
    (b"[1, 2]", "requete_invalide", None),
    (b'"texte"', "requete_invalide", None),
    (b"null", "requete_invalide", None),
    (b'{"sender": "a"}', "requete_invalide", "message"),
    (b'{"sender": "a", "message": 12}', "requete_invalide", "message"),
    (b'{"sender": "a", "message": ["x"]}', "requete_invalide", "message"),
    (b'{"sender": {"x": 1}, "message": "x"}', "requete_invalide", "sender"),
    (b'{"sender": "", "message": "x"}', "requete_invalide", "sender"),
    (b'{"sender": "a", "message": "x", "metadata": "y"}', "requete_invalide", "metadata"),
])
def test_malformed_rest_bodies_are_refused_in_french(raw, code, champ):
    with pytest.raises(BadRequest) as err:
        read_body(raw)
    assert err.value.status == 400 and err.value.code == code and err.value.champ == champ
    assert any(w in err.value.message for w in ("corps", "champ", "JSON"))


def test_a_huge_body_is_refused_before_decoding():
    with pytest.raises(BadRequest) as err:
        read_body(b'{"message": "' + b"a" * (guard.MAX_BODY_BYTES + 1) + b'"}')
    assert err.value.status == 413


def test_a_valid_body():
    assert read_body('{"sender": "dr", "message": "bonjour", "metadata": {"canal": "email"}}'.encode()) == (
        "dr", "bonjour", {"canal": "email"}, None)
