"""bot/rasa_patches.py: the compiled validator accepts and rejects exactly what Rasa 3.6.21 does."""
from __future__ import annotations

import copy

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa_sdk.events import ActiveLoop, AllSlotsReset, FollowupAction, SlotSet, UserUttered

from bot import rasa_patches


@pytest.fixture
def patched():
    rasa_patches.revert()
    stock = RemoteAction._validate_action_result
    assert rasa_patches.apply() is True
    yield stock
    rasa_patches.revert()


def _orientation_payload() -> dict:
    return {"orientation": {"niveau": 2, "recommandations": [{"nom": "DAC 18", "telephone": "02 61 91 00 01"}]}}


VALID = [
    {},
    {"events": [], "responses": []},
    {
        "events": [SlotSet("situation", "dame 87 ans [NOM]"), SlotSet("derniere_orientation", _orientation_payload())],
        "responses": [{"text": "Appelez le DAC.", "custom": _orientation_payload(), "buttons": [], "elements": []}],
    },
    {"events": [ActiveLoop(None), SlotSet("requested_slot", None), FollowupAction("action_listen"), AllSlotsReset()]},
    {"events": [UserUttered("bonjour", {"intent": {"name": "saluer", "confidence": 0.9}, "entities": []})]},
    {"events": [{"event": "bot", "text": "x", "timestamp": 12.5, "metadata": None}]},
]

INVALID = [
    [],  # not an object
    {"events": {"event": "slot"}},  # events not a list
    {"events": ["slot"]},  # an event that is not an object
    {"events": [{"name": "commune", "value": "18197"}]},  # no event type
    {"events": [{"event": "made_up", "name": "x"}]},  # unknown event type
    {"events": [{"event": 3}]},  # event type not a string
    {"events": [{"event": "slot", "name": "commune"}]},  # SlotSet without a value
    {"events": [{"event": "slot", "name": 5, "value": "x"}]},  # slot name not a string
    {"events": [{"event": "slot", "name": "x", "value": 1, "timestamp": "hier"}]},
    {"events": [{"event": "entities"}]},  # entities required
    {"events": [{"event": "user", "parse_data": {"entities": [{"entity": "commune"}]}}]},  # entity without value
    {"events": [{"event": "user", "parse_data": {"intent": {"name": 1}}}]},
    {"events": [{"event": "action", "hide_rule_turn": "yes"}]},
    {"events": [{"event": "slot", "name": "x", "value": 1, "metadata": "m"}]},
    {"responses": ["Bonjour"]},  # responses must be objects
    {"responses": {"text": "Bonjour"}},
]


@pytest.mark.parametrize("result", VALID)
def test_valid_action_results_are_accepted(patched, result):
    assert RemoteAction("action_orienter", None)._validate_action_result(copy.deepcopy(result)) is True
    # Stock Rasa agrees.
    assert patched(RemoteAction("action_orienter", None), copy.deepcopy(result)) is True


@pytest.mark.parametrize("result", INVALID)
def test_invalid_action_results_are_rejected_with_rasas_error(patched, result):
    action = RemoteAction("action_orienter", None)
    with pytest.raises(jsonschema.ValidationError) as patched_error:
        action._validate_action_result(copy.deepcopy(result))
    with pytest.raises(jsonschema.ValidationError) as stock_error:
        patched(action, copy.deepcopy(result))
    assert patched_error.value.message == stock_error.value.message
    assert "Failed to validate Action server response" in patched_error.value.message


def test_fast_path_decides_valid_results_alone(patched):
    from rasa.shared.utils.schemas.events import EVENT_SCHEMA

    validator = rasa_patches.ActionResultValidator(RemoteAction.action_response_format_spec(), EVENT_SCHEMA)
    assert all(validator.is_valid(copy.deepcopy(r)) for r in VALID)
    assert not any(validator.is_valid(copy.deepcopy(r)) for r in INVALID)


def test_refuses_any_other_rasa_version():
    rasa_patches.revert()
    with pytest.raises(rasa_patches.PatchRefused, match="3.6.21"):
        rasa_patches.apply(rasa_version="3.6.20")
    assert rasa_patches._original is None


def test_can_be_disabled_for_measurements(monkeypatch):
    rasa_patches.revert()
    stock = RemoteAction._validate_action_result
    monkeypatch.setenv("AIGUILLAGE_RASA_PATCHES", "0")
    assert rasa_patches.apply() is False
    assert RemoteAction._validate_action_result is stock


def test_refuses_a_schema_whose_event_types_overlap():
    from rasa.shared.utils.schemas.events import EVENT_SCHEMA

    schema = copy.deepcopy(EVENT_SCHEMA)
    schema["oneOf"].append({"properties": {"event": {"const": "slot"}}})
    with pytest.raises(rasa_patches.PatchRefused):
        rasa_patches.ActionResultValidator(RemoteAction.action_response_format_spec(), schema)


def test_the_tracker_store_module_applies_the_patch():
    import importlib

    import bot.stores

    rasa_patches.revert()
    importlib.reload(bot.stores)
    try:
        assert rasa_patches._original is not None
        assert RemoteAction._validate_action_result.__module__ == "bot.rasa_patches"
    finally:
        rasa_patches.revert()


def _heldout_texts() -> list[str]:
    from rasa.shared.nlu.training_data.loading import load_data

    from bot.processes import ROOT

    data = load_data(str(ROOT / "nlu" / "eval" / "heldout.yml"))
    return [m.get("text") for m in data.intent_examples][:150]


def test_spacy_without_ner_gives_the_same_tokens_lemmas_and_tags():
    """What config.yml's components read from spaCy is unchanged when the NER pipe is dropped."""
    from rasa.nlu.utils.spacy_utils import SpacyNLP

    rasa_patches.revert()
    stock = SpacyNLP.load_model("fr_core_news_md").model
    rasa_patches.apply()
    try:
        lean = SpacyNLP.load_model("fr_core_news_md").model
    finally:
        rasa_patches.revert()
    assert "ner" in stock.pipe_names and "ner" not in lean.pipe_names
    texts = _heldout_texts()
    assert len(texts) > 100

    def read(doc):
        return [(t.idx, t.text, t.lemma_, t.pos_, t.tag_, str(t.morph), t.is_sent_start) for t in doc]

    for a, b in zip(stock.pipe(texts), lean.pipe(texts)):
        assert read(a) == read(b), a.text


def test_event_types_resolve_to_the_same_classes_as_stock_rasa(patched):
    import rasa.shared.utils.common
    from rasa.shared.core.events import Event

    stock = rasa_patches._original_resolve_by_type
    assert stock is not None and Event.resolve_by_type is not stock
    names = {cls.type_name for cls in rasa.shared.utils.common.all_subclasses(Event)}
    assert len(names) > 20
    for name in names:
        assert Event.resolve_by_type(name) is stock(name)
    # Misses are Rasa's: its "topic" compatibility, its default, its error.
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("no_such_event", default=Event) is Event
    with pytest.raises(ValueError, match="Unknown event name 'no_such_event'"):
        Event.resolve_by_type("no_such_event")


def test_a_stored_conversation_deserialises_identically_with_the_event_table(patched):
    from rasa.shared.core.events import Event

    data = [
        {"event": "action", "name": "action_listen", "timestamp": 1.0},
        {"event": "user", "text": "bonjour", "parse_data": {"intent": {"name": "saluer", "confidence": 0.9}},
         "timestamp": 2.0},
        {"event": "slot", "name": "commune", "value": "Bourges", "timestamp": 3.0},
        {"event": "active_loop", "name": "demande_form", "timestamp": 4.0},
        {"event": "bot", "text": "Bonjour !", "timestamp": 5.0},
    ]
    patched_events = [Event.from_parameters(dict(d)) for d in data]
    rasa_patches.revert()
    stock_events = [Event.from_parameters(dict(d)) for d in data]
    assert [type(e) for e in patched_events] == [type(e) for e in stock_events]
    assert patched_events == stock_events


def test_revert_restores_rasas_resolve_by_type(patched):
    from rasa.shared.core.events import Event

    rasa_patches.revert()
    assert rasa_patches._original_resolve_by_type is None
    assert "all_subclasses" in Event.resolve_by_type.__code__.co_names


def test_the_event_table_can_be_left_out_for_measurements(monkeypatch):
    from rasa.shared.core.events import Event

    rasa_patches.revert()
    monkeypatch.setenv("AIGUILLAGE_RASA_EVENT_TABLE", "0")
    try:
        assert rasa_patches.apply() is True
        assert rasa_patches._original_resolve_by_type is None
        assert "all_subclasses" in Event.resolve_by_type.__code__.co_names
    finally:
        rasa_patches.revert()
