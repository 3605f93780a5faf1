"""The Rasa SDK actions themselves (form validation, orientation) on the real directory."""
from __future__ import annotations

import asyncio

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.actions import ActionOrienter, ActionVerifierUrgence, ValidateOrientationForm
from bot.processes import ROOT

DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


def tracker(text: str, slots: dict | None = None, entities: list | None = None, loop: str | None = None) -> Tracker:
    values = {k: None for k in DOMAIN["slots"]}
    values.update(slots or {})
    return Tracker(
        "test", values, {"text": text, "intent": {"name": "informer"}, "entities": entities or []},
        [{"event": "user", "text": text}], False, None, {"name": loop} if loop else {}, "action_listen",
    )


def run_events(action, t: Tracker):
    d = CollectingDispatcher()
    events = asyncio.run(action.run(d, t, DOMAIN)) if asyncio.iscoroutinefunction(action.run) else action.run(d, t, DOMAIN)
    return events, d.messages


def run(action, t: Tracker):
    events, messages = run_events(action, t)
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}, messages


SITUATION = {"situation": "dame 87 ans, chutes à répétition, refuse les aides, vit seule", "requested_slot": "commune"}


@pytest.mark.parametrize(
    "answer,expected,next_slot",
    [
        ("Vierzon", {"commune": "18279", "departement": "18"}, None),
        ("à st amand", {"commune": "18197", "departement": "18"}, None),
        ("dans le Loiret", {"commune": None, "departement": "45"}, None),
        ("Nantes", {"commune": None, "hors_region": "Nantes"}, None),
        ("xqzt", {"commune": None}, "commune"),
    ],
)
def test_orientation_form_validation(answer, expected, next_slot, services):
    t = tracker(answer, SITUATION, loop="orientation_form")
    t.events.append({"event": "action", "name": "orientation_form"})   # as Rasa's form sends it
    slots, messages = run(ValidateOrientationForm(services), t)
    for key, value in expected.items():
        assert slots.get(key) == value, (answer, slots)
    if next_slot is None:
        assert slots.get("requested_slot") is None  # nothing more to ask: the form completes
    else:
        assert slots.get("requested_slot", next_slot) == next_slot  # still asking
        assert messages and "Je ne reconnais pas" in messages[0]["text"]
        assert messages[-1]["text"].startswith("Dans quelle commune")   # asked again in the same call
    if expected.get("commune") or expected.get("departement"):
        # The answer comes with the place, in the same call (no action_orienter after the form).
        answer = messages[-1]["custom"]["orientation"]
        assert answer["recommandations"] and slots["derniere_orientation"] == messages[-1]["custom"]


def test_one_action_answers_a_request_whose_place_is_known(services):
    events, messages = run_events(ActionOrienter(services), tracker("dame 87 ans seule à St-Amand, chutes ++, refuse les aides"))
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots["commune"] == "18197"
    (message,) = messages
    assert message["custom"]["orientation"]["recommandations"][0]["type"] == "DAC"
    assert "DAC du Cher" in message["text"]
    assert slots["derniere_orientation"] == message["custom"]
    assert not [e for e in events if e["event"] == "active_loop"]   # no form: the turn is done


def test_one_action_asks_the_commune_and_opens_the_form(services):
    events, messages = run_events(ActionOrienter(services), tracker("monsieur 79 ans, troubles cognitifs, épouse épuisée"))
    assert [m["text"] for m in messages] == ["Dans quelle commune vit la personne ? (nom ou code postal)"]
    assert {"event": "active_loop", "timestamp": None, "name": "orientation_form"} in events
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots["situation"] and slots["commune"] is None


def test_the_form_opened_by_the_request_does_not_read_the_request_as_its_answer(services):
    t = tracker("monsieur 79 ans, troubles cognitifs, épouse épuisée", {"situation": "monsieur 79 ans"},
                loop="orientation_form")
    # As Rasa sends it: the request, the action that opened the form, then the form's own execution.
    t.events += [{"event": "action", "name": "action_orienter"}, {"event": "active_loop", "name": "orientation_form"},
                 {"event": "slot", "name": "requested_slot", "value": None}, {"event": "action", "name": "orientation_form"}]
    events, messages = run_events(ValidateOrientationForm(services), t)
    assert messages == [] and events == [{"event": "slot", "timestamp": None, "name": "requested_slot", "value": "commune"}]


@pytest.mark.parametrize(
    "text,emergency",
    [
        ("homme 50 ans à Vierzon, douleur thoracique intense depuis 20 minutes", True),
        ("quelle posologie de tramadol pour une dame de 85 ans ?", False),
    ],
)
def test_emergency_replaces_the_refusal(text, emergency, services):
    d = CollectingDispatcher()
    events = ActionVerifierUrgence(services).run(d, tracker(text), DOMAIN)
    if emergency:
        assert d.messages[0]["text"].startswith("⚠️")
        assert events == [{"event": "followup", "timestamp": None, "name": "action_listen"}]
    else:
        assert d.messages == [] and events == []
