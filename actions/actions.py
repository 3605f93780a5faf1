"""Rasa SDK actions: thin adapters between the dialogue and `knowledge/`.

Every decision (place resolution, triage, ranking, hours, tickets, masking) is made by plain
Python in `knowledge/`; these classes only read the tracker, call it and format events.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import confirm, dialogue
from actions.safe import protect_actions
from knowledge.privacy import install_logging_filter

logger = logging.getLogger(__name__)
# Logging is configured by the action server before it imports this module: mask every record.
install_logging_filter("rasa_sdk", "actions", "knowledge")


def _text(tracker: Tracker) -> str:
    return dialogue.clean_input(tracker.latest_message.get("text") or "")


def _say(dispatcher: CollectingDispatcher, reply: dialogue.Reply) -> None:
    if reply.text or reply.payload:
        dispatcher.utter_message(text=reply.text or None, json_message=reply.payload, buttons=reply.buttons or None)


def _events(reply: dialogue.Reply) -> List[EventType]:
    return [SlotSet(k, v) for k, v in reply.slots.items()]


class ActionAnalyserDemande(Action):
    """Reads a new orientation request: place, emergencies; says emergencies at once."""

    def name(self) -> Text:
        return "action_analyser_demande"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        reply = dialogue.analyse_request(_text(tracker), dialogue.entities(tracker.latest_message),
                                         canal=_channel(tracker))
        _say(dispatcher, reply)
        return _events(reply)


class ActionVerifierUrgence(Action):
    """Runs before replies that do not orient (clinical question, out of scope, low confidence):
    an emergency in the message is said first, whatever the intent."""

    def name(self) -> Text:
        return "action_verifier_urgence"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        reply = dialogue.emergency_check(_text(tracker))
        if not reply.text:
            intent = (tracker.latest_message.get("intent") or {}).get("name")
            redirected = dialogue.redirect_request(
                _text(tracker), dialogue.entities(tracker.latest_message), tracker.current_slot_values(), intent)
            if redirected is None:
                return []  # no emergency, no orientation request: the rule's reply follows
            _say(dispatcher, redirected)
            return _events(redirected) + [FollowupAction("action_listen")]
        _say(dispatcher, reply)
        return [FollowupAction("action_listen")]  # the emergency replaces the refusal or fallback


class ActionVerifierDemande(Action):
    """Runs before the support-request form: naming a service ("dac du 18 svp") gets its
    contact; only a hand-over ("que le DAC me rappelle", "ouvrir une demande") opens the form."""

    def name(self) -> Text:
        return "action_verifier_demande"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        redirected = dialogue.redirect_request(
            _text(tracker), dialogue.entities(tracker.latest_message), tracker.current_slot_values(), "ouvrir_demande")
        if redirected is None:
            return []  # a hand-over: the form follows
        _say(dispatcher, redirected)
        return _events(redirected) + [FollowupAction("action_listen")]


class ValidateOrientationForm(FormValidationAction):
    """Asks for the commune only when the request needs one and none was understood."""

    def name(self) -> Text:
        return "validate_orientation_form"

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        return dialogue.orientation_required_slots(tracker.current_slot_values())

    async def extract_commune(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if tracker.get_slot("requested_slot") != "commune":
            return {}
        reply = dialogue.answer_place(_text(tracker), dialogue.entities(tracker.latest_message))
        _say(dispatcher, reply)
        # Always set the requested slot (None re-asks) so that the form is never rejected.
        return {"commune": reply.slots.get("commune")}

    def validate_commune(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        # The SDK keeps only required slots from extraction: the department or out-of-region
        # answer is set here, from the same reading of the message.
        reply = dialogue.answer_place(_text(tracker), dialogue.entities(tracker.latest_message))
        return {"commune": None, **reply.slots}


class ActionOrienter(Action):
    """Answers with the ranked services, hours, reasons and the contract payload."""

    def name(self) -> Text:
        return "action_orienter"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        reply = dialogue.orientation_answer(tracker.current_slot_values(), canal=_channel(tracker))
        _say(dispatcher, reply)
        return _events(reply)


class ActionCompleter(Action):
    """A correction or a bare piece of information ("non, à Vierzon", "82 ans", "10h")."""

    def name(self) -> Text:
        return "action_completer"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        reply = dialogue.complete(
            _text(tracker), dialogue.entities(tracker.latest_message), tracker.current_slot_values(), intent=intent
        )
        _say(dispatcher, reply)
        return _events(reply)


class ActionHorairesService(Action):
    """Contact and opening hours of a named service, at a given time when asked."""

    def name(self) -> Text:
        return "action_horaires_service"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        reply = dialogue.service_hours(_text(tracker), dialogue.entities(tracker.latest_message), tracker.current_slot_values())
        _say(dispatcher, reply)
        return _events(reply)


class ActionSuiviDemande(Action):
    """Status of a support request, for its requester only."""

    def name(self) -> Text:
        return "action_suivi_demande"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        reply = dialogue.ticket_status(_text(tracker), dialogue.entities(tracker.latest_message), tracker.sender_id)
        _say(dispatcher, reply)
        return _events(reply)


class ValidateDemandeForm(FormValidationAction):
    """Fills the support-request form from what the conversation knows, asks only the rest."""

    def name(self) -> Text:
        return "validate_demande_form"

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        return dialogue.ticket_required_slots(domain_slots, tracker.current_slot_values())

    async def extract_demande_resume(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._extract("demande_resume", dispatcher, tracker)

    async def extract_commune(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._extract("commune", dispatcher, tracker)

    async def extract_demande_urgence(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._extract("demande_urgence", dispatcher, tracker)

    async def extract_demande_consentement(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._extract("demande_consentement", dispatcher, tracker)

    async def extract_demandeur_nom(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._extract("demandeur_nom", dispatcher, tracker)

    async def extract_demandeur_profession(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._extract("demandeur_profession", dispatcher, tracker)

    async def extract_demandeur_rpps(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._extract("demandeur_rpps", dispatcher, tracker)

    async def extract_demande_rappel(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._extract("demande_rappel", dispatcher, tracker)

    async def extract_demande_creneau(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._extract("demande_creneau", dispatcher, tracker)

    async def extract_demande_confirmation(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._extract("demande_confirmation", dispatcher, tracker)

    def _extract(self, slot: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
        slots = tracker.current_slot_values()
        prefilled = dialogue.prefill_ticket(slots)
        if slot in prefilled:
            return {slot: prefilled[slot]}
        if tracker.get_slot("requested_slot") != slot:
            return {}
        reply = dialogue.ticket_answer(slot, _text(tracker), slots)
        _say(dispatcher, reply)
        return reply.slots

    def validate_demande_confirmation(self, slot_value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        """The "oui" is committed and confirmed in this same step (actions/confirm.py)."""
        if slot_value != "confirmee":
            return {"demande_confirmation": slot_value}
        reply = confirm.confirm_in_form(tracker.current_slot_values(), tracker.sender_id, _channel(tracker))
        _say(dispatcher, reply)
        return reply.slots


def _ask_action(slot: str) -> type:
    """`action_ask_<slot>`: the form's question (texts in actions/dialogue.QUESTIONS)."""

    class AskAction(Action):
        def name(self) -> Text:
            return f"action_ask_{slot}"

        def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
            _say(dispatcher, dialogue.question(slot, tracker.current_slot_values()))
            return []

    AskAction.__name__ = f"ActionAsk_{slot}"
    return AskAction


ASK_ACTIONS = [_ask_action(slot) for slot in [*dialogue.QUESTIONS, "demande_confirmation"]]


class ActionEnregistrerDemande(Action):
    """Ends the form: clears it once confirmed (written by the validation), or says it was cancelled."""

    def name(self) -> Text:
        return "action_enregistrer_demande"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        reply = confirm.after_form(tracker.current_slot_values(), tracker.sender_id, _channel(tracker))
        _say(dispatcher, reply)
        return _events(reply)


class ActionAffirmer(Action):
    """A "oui" outside a form: completes or re-confirms a request, or opens the offered one."""

    def name(self) -> Text:
        return "action_affirmer"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        reply, followup = confirm.affirm(tracker.current_slot_values(), _last_bot_action(tracker), tracker.sender_id, _channel(tracker))
        reply = dialogue._emergency_first(_text(tracker), reply) if not followup else reply
        _say(dispatcher, reply)
        return _events(reply) + [FollowupAction(followup or "action_listen")]


def _last_bot_action(tracker: Tracker) -> Optional[str]:
    """The last action before the latest user message (action_listen and this action skipped)."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            seen_user = True
        elif seen_user and event.get("event") == "action" and event.get("name") not in ("action_listen", None):
            return event["name"]
    return None


def _channel(tracker: Tracker) -> Optional[str]:
    """"email" for the MSSanté channel (it posts through REST with metadata), else Rasa's channel."""
    metadata = tracker.latest_message.get("metadata") or {}
    return metadata.get("canal") or tracker.get_latest_input_channel()


protect_actions(globals())
