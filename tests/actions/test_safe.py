"""An action that fails answers in French and ends the turn; a failed form validation lets the form ask again."""
from __future__ import annotations

import asyncio

from rasa_sdk import Action, FormValidationAction
from rasa_sdk.executor import CollectingDispatcher

from actions import safe
from tests.actions.test_actions import tracker


class Broken(Action):
    def name(self):
        return "action_cassee"

    def run(self, dispatcher, tracker, domain):
        dispatcher.utter_message(text="moitié de réponse")
        raise RuntimeError("directory down")


class BrokenValidation(FormValidationAction):
    def name(self):
        return "validate_demande_form"

    async def run(self, dispatcher, tracker, domain):
        raise RuntimeError("directory down")


def _run(action, text):
    d = CollectingDispatcher()
    result = action.run(d, tracker(text), {})
    events = asyncio.run(result) if asyncio.iscoroutine(result) else result
    return events, [m.get("text") or "" for m in d.messages]


def test_a_failed_action_answers_in_french_and_ends_the_turn():
    safe._wrap(Broken)
    events, texts = _run(Broken(), "ssiad vierzon")
    assert [(e["event"], e["name"]) for e in events] == [("followup", "action_listen")]
    assert len(texts) == 1 and "moitié" not in texts[0]
    assert any(ch in texts[0] for ch in "éèàç")


def test_a_failed_action_still_gives_the_emergency_numbers():
    safe._wrap(Broken)
    _, texts = _run(Broken(), "il a la bouche de travers depuis 10 minutes et ne parle plus")
    assert "15" in texts[0]


def test_a_failed_form_validation_lets_the_form_ask_again():
    safe._wrap(BrokenValidation)
    events, texts = _run(BrokenValidation(), "vierzon")
    assert events == [] and len(texts) == 1
