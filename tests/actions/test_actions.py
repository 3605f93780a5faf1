"""The Rasa SDK actions themselves (form validation, orientation) on the real directory."""
from __future__ import annotations

import asyncio

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.actions import ActionAnalyserDemande, ActionOrienter, ActionVerifierUrgence, ValidateOrientationForm
from bot.processes import ROOT

DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


def tracker(text: str, slots: dict | None = None, entities: list | None = None, loop: str | None = None) -> Tracker:
    values = {k: None for k in DOMAIN["slots"]}
    values.update(slots or {})
    return Tracker(
        "test", values, {"text": text, "intent": {"name": "informer"}, "entities": entities or []},
        [{"event": "user", "text": text}], False, None, {"name": loop} if loop else {}, "action_listen",
    )


def run(action, t: Tracker):
    d = CollectingDispatcher()
    events = asyncio.run(action.run(d, t, DOMAIN)) if asyncio.iscoroutinefunction(action.run) else action.run(d, t, DOMAIN)
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}, d.messages


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
def test_orientation_form_validation(answer, expected, next_slot):
    slots, messages = run(ValidateOrientationForm(), tracker(answer, SITUATION, loop="orientation_form"))
    for key, value in expected.items():
        assert slots.get(key) == value, (answer, slots)
    if next_slot is None:
        assert slots.get("requested_slot") is None  # nothing more to ask: the form completes
    else:
        assert slots.get("requested_slot", next_slot) == next_slot  # still asking
        assert messages and "Je ne reconnais pas" in messages[0]["text"]


def test_analyse_then_orient_produces_text_and_payload():
    slots, messages = run(ActionAnalyserDemande(), tracker("dame 87 ans seule à St-Amand, chutes ++, refuse les aides"))
    assert slots["commune"] == "18197" and not messages
    slots2, messages2 = run(ActionOrienter(), tracker("", {**slots}))
    (message,) = messages2
    assert message["custom"]["orientation"]["recommandations"][0]["type"] == "DAC"
    assert "DAC du Cher" in message["text"]
    assert slots2["derniere_orientation"] == message["custom"]


@pytest.mark.parametrize(
    "text,emergency",
    [
        ("homme 50 ans à Vierzon, douleur thoracique intense depuis 20 minutes", True),
        ("quelle posologie de tramadol pour une dame de 85 ans ?", False),
    ],
)
def test_emergency_replaces_the_refusal(text, emergency):
    d = CollectingDispatcher()
    events = ActionVerifierUrgence().run(d, tracker(text), DOMAIN)
    if emergency:
        assert d.messages[0]["text"].startswith("⚠️")
        assert events == [{"event": "followup", "timestamp": None, "name": "action_listen"}]
    else:
        assert d.messages == [] and events == []
