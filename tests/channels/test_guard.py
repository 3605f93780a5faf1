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


def test_a_slow_turn_is_answered_within_the_budget_and_abandoned():
    from rasa.core.channels.channel import CollectingOutputChannel

    guard.install()
    assert guard.ready(timeout=180)  # the emergency check's word lists, loaded in the background
    collector = CollectingOutputChannel()
    committed = []

    async def turn(text):
        await asyncio.sleep(0.6)
        await collector.send_text_message("dr", "réponse tardive")  # gated: the turn was abandoned
        guard.commit_point()  # Rasa's tracker save: the abandoned turn must stop here
        committed.append(text)

    async def say(line):
        collector.messages.append({"text": line})

    async def scenario():
        t0 = time.monotonic()
        outcome = await guard.process(turn, "patient inconscient ne respire plus", say=say, channel="t", budget=0.2,
                                      text_count=lambda: sum(1 for m in collector.messages if m.get("text")))
        waited = time.monotonic() - t0
        await asyncio.sleep(0.8)
        return outcome, waited

    outcome, waited = run(scenario())
    assert outcome == "lent" and waited < 0.5
    said = [m["text"] for m in collector.messages]
    assert len(said) == 1 and said[0].startswith("⚠️") and "15" in said[0].split("\n")[0]  # the emergency first
    assert "Réessayez" in said[0] and "02 61 91 24 00" in said[0]
    assert committed == []  # never saved: the conversation stays as before the message


def test_the_budget_holds_while_the_bot_blocks_its_own_loop():
    """Saturation: the bot's synchronous work (NLU, tracker store) no longer stops the guard's clock."""
    ch = Channel()
    ran = []

    async def turn(text):
        end = time.monotonic() + 1.5
        while time.monotonic() < end:  # CPU-bound work of a saturated server, holding the GIL: no await
            sum(range(2000))
        ran.append(text)
        await asyncio.sleep(0)

    async def scenario():
        t0 = time.monotonic()
        outcome = await guard.process(turn, "bonjour", text_count=ch.count, say=ch.say, channel="t", budget=0.3)
        return outcome, time.monotonic() - t0

    outcome, waited = run(scenario())
    assert outcome == "lent" and waited < 1.0, waited
    assert "116 117" in ch.said[0]
    time.sleep(1.5)


def test_a_turn_that_committed_is_not_abandoned():
    from rasa.core.channels.channel import CollectingOutputChannel

    guard.install()
    collector = CollectingOutputChannel()

    async def turn(text):
        await collector.send_text_message("dr", "Appelez le DAC du Cher")
        guard.commit_point()   # its tracker is being saved when the budget runs out
        await asyncio.sleep(0.3)

    count = lambda: sum(1 for m in collector.messages if m.get("text"))  # noqa: E731
    outcome = run(guard.process(turn, "bonjour", text_count=count, say=collector.send_text_message, channel="t",
                                budget=0.1, discard=collector.messages.clear))
    assert outcome == "ok" and [m["text"] for m in collector.messages] == ["Appelez le DAC du Cher"]


def test_an_abandoned_turn_is_not_saved_by_rasa():
    from rasa.core.processor import MessageProcessor

    guard.install()
    saved = []

    class Store:
        async def save(self, tracker):
            saved.append(tracker)

    class Processor:
        tracker_store = Store()

    async def save(state):
        turn = guard.Turn()
        token = guard._turn.set(turn)
        try:
            if state == "abandoned":
                assert turn.abandon()
            await MessageProcessor.save_tracker(Processor(), "tracker")
        finally:
            guard._turn.reset(token)
        return turn

    with pytest.raises(guard.TurnAbandoned):
        run(save("abandoned"))
    assert saved == []
    turn = run(save("running"))
    assert saved == ["tracker"] and turn.state == "committed" and not turn.abandon()


def test_the_fallback_does_not_wait_for_a_slow_emergency_check():
    guard.install()
    assert guard.ready(timeout=180)
    ch = Channel()

    async def turn(text):
        return None

    adversarial = "(" * 399  # within the bounds; seconds of triage analysis on a loaded machine
    t0 = time.monotonic()
    assert run(guard.process(turn, adversarial, text_count=ch.count, say=ch.say, channel="t")) == "vide"
    assert time.monotonic() - t0 < guard.FALLBACK_ANALYSIS + 1.0
    assert "116 117" in ch.said[-1] and "02 61 91 24 00" in ch.said[-1]
    assert guard.ready(timeout=120)


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
    # input_channel is not read from the body: the channel is always "rest" (docs/security.md).
    assert read_body('{"sender": "dr", "message": "bonjour", "metadata": {"canal": "email"}, '
                     '"input_channel": "email"}'.encode()) == ("dr", "bonjour", {"canal": "email"})


def test_turns_beyond_the_slots_wait_and_one_abandoned_in_the_queue_never_runs(monkeypatch):
    """Overload: at most `slots` turns run at once; a turn whose budget ran out while it waited for
    a slot is answered by the fallback and its work never starts (no CPU spent on it)."""
    monkeypatch.setattr(guard, "_worker", guard._Worker(slots=1))
    started: list[str] = []
    running = []

    def channel():
        return Channel()

    def make_turn(ch):
        async def turn(text):
            started.append(text)
            running.append(text)
            assert len(running) == 1  # never two at once with one slot
            await asyncio.sleep(0.5)
            await ch.say(f"réponse à {text}")
            running.remove(text)
        return turn

    async def scenario():
        first, second = channel(), channel()
        return await asyncio.gather(
            guard.process(make_turn(first), "premier", text_count=first.count, say=first.say, channel="t", budget=2.0),
            guard.process(make_turn(second), "second", text_count=second.count, say=second.say, channel="t", budget=0.3),
        ), first, second

    (out1, out2), first, second = run(scenario())
    time.sleep(0.8)  # the first turn's slot is free again: the dropped one must still not start
    assert out1 == "ok" and first.said == ["réponse à premier"]
    assert out2 == "lent" and len(second.said) == 1 and "Réessayez" in second.said[0]
    assert started == ["premier"]


def test_a_turn_that_gets_its_slot_late_is_answered_at_once_and_not_started(monkeypatch):
    monkeypatch.setattr(guard, "_worker", guard._Worker(slots=1))
    started: list[str] = []

    def make_turn(ch, pause):
        async def turn(text):
            started.append(text)
            await asyncio.sleep(pause)
            await ch.say(f"réponse à {text}")
        return turn

    async def scenario():
        first, second = Channel(), Channel()
        t0 = time.monotonic()
        second_turn = guard.process(make_turn(second, 0.0), "second", text_count=second.count, say=second.say,
                                    channel="t", budget=1.0)
        first_turn = guard.process(make_turn(first, 0.7), "premier", text_count=first.count, say=first.say,
                                   channel="t", budget=3.0)
        first_task = asyncio.ensure_future(first_turn)
        await asyncio.sleep(0.05)  # the first turn holds the only slot
        out2 = await second_turn
        return await first_task, out2, time.monotonic() - t0, first, second

    out1, out2, waited, first, second = run(scenario())
    assert out1 == "ok" and first.said == ["réponse à premier"]
    # Its slot came after 0.7 s of a 1 s budget: answered then, not at the end of the budget.
    assert out2 == "lent" and "Réessayez" in second.said[0] and waited < 0.95
    assert started == ["premier"]
