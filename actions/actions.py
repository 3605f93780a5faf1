"""Rasa SDK actions: thin adapters between the dialogue flows and `knowledge/`.

Every decision is made by plain Python (actions/orienting.py, completion.py, service_hours.py,
ticket_status.py, support_form.py, confirm.py, on top of `knowledge/`); these classes read the
tracker into one ``Turn``, call the flow and turn its ``Reply`` into messages and events. Each
action gets the server's ``Services`` (orienter, ticket store, clock) at construction:
``build_actions`` is called once by bot/actionserver.py (tests build their own ``Services``).
"""
from __future__ import annotations

import logging
from typing import List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import confirm, orienting
from actions.completion import complete, misread_follow_up
from actions.safe import protect_actions
from actions.service_hours import service_hours
from actions.services import Services
from actions.ticket_status import ticket_status
from actions.turn import Reply, Turn, emergency_first
from knowledge.privacy import install_logging_filter

logger = logging.getLogger(__name__)
# Logging is configured by the action server before it imports this module: mask every record.
install_logging_filter("rasa_sdk", "actions", "knowledge")

REQUESTED_SLOT = "requested_slot"


class DialogueAction(Action):
    """An action of this bot: holds the server's services, reads the turn once, says the flow's
    reply and sets its slots (subclasses give `reply`, or override `run`)."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def turn(self, tracker: Tracker) -> Turn:
        return Turn.from_message(self.services, tracker.latest_message or {})

    def reply(self, tracker: Tracker) -> Reply:
        raise NotImplementedError

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        reply = self.reply(tracker)
        _say(dispatcher, reply)
        return _events(reply)


def _say(dispatcher: CollectingDispatcher, reply: Reply) -> None:
    for m in reply.messages():
        if m.text or m.payload:
            dispatcher.utter_message(text=m.text or None, json_message=m.payload, buttons=m.buttons or None)
        if m.response:
            dispatcher.utter_message(response=m.response)


def _events(reply: Reply) -> List[EventType]:
    """The reply's slots, and the form it opens (its question is already in the reply)."""
    events = [SlotSet(k, v) for k, v in reply.all_slots().items()]
    return events + ([ActiveLoop(reply.opens_form)] if reply.opens_form else [])


class ActionOrienter(DialogueAction):
    """A new orientation request, in one call: the answer, or what was understood and the
    commune question (the orientation form then reads the answer)."""

    def name(self) -> Text:
        return "action_orienter"

    def reply(self, tracker: Tracker) -> Reply:
        return orienting.orientation_turn(self.turn(tracker), canal=_channel(tracker))


class ActionVerifierUrgence(DialogueAction):
    """Runs before replies that do not orient (small talk, clinical question, out of scope, low
    confidence): an emergency in the message is said first, a misread request is oriented, a
    misread follow-up completes the remembered situation."""

    def name(self) -> Text:
        return "action_verifier_urgence"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        turn, slots = self.turn(tracker), tracker.current_slot_values()
        reply = orienting.emergency_or_redirect(turn, slots) or misread_follow_up(turn, slots)
        if reply is None:
            return []  # no emergency, no orientation request: the rule's reply follows
        _say(dispatcher, reply)
        return _events(reply) + [FollowupAction("action_listen")]   # replaces the rule's reply


class ActionVerifierDemande(DialogueAction):
    """Runs before the support-request form: naming a service ("dac du 18 svp") gets its
    contact; only a hand-over ("que le DAC me rappelle", "ouvrir une demande") opens the form."""

    def name(self) -> Text:
        return "action_verifier_demande"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        redirected = orienting.redirect_request(self.turn(tracker), tracker.current_slot_values(), "ouvrir_demande")
        if redirected is None:
            return []  # a hand-over: the form follows
        _say(dispatcher, redirected)
        return _events(redirected) + [FollowupAction("action_listen")]


class ValidateOrientationForm(FormValidationAction, DialogueAction):
    """The answer to the commune question, read and answered in this one call."""

    def name(self) -> Text:
        return "validate_orientation_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if not _after_user_message(tracker):
            # The form was just opened by action_orienter, which asked the question.
            return [SlotSet(REQUESTED_SLOT, "commune")]
        reply, done = orienting.commune_form_turn(self.turn(tracker), tracker.current_slot_values(),
                                                  canal=_channel(tracker))
        _say(dispatcher, reply)
        # The commune is always set (None asks again) so that the form never rejects the answer.
        return _events(reply) + [SlotSet(REQUESTED_SLOT, None if done else "commune")]


class ActionCompleter(DialogueAction):
    """A correction or a bare piece of information ("non, à Vierzon", "82 ans", "10h")."""

    def name(self) -> Text:
        return "action_completer"

    def reply(self, tracker: Tracker) -> Reply:
        return complete(self.turn(tracker), tracker.current_slot_values())


class ActionHorairesService(DialogueAction):
    """Contact and opening hours of a named service, at a given time when asked."""

    def name(self) -> Text:
        return "action_horaires_service"

    def reply(self, tracker: Tracker) -> Reply:
        return service_hours(self.turn(tracker), tracker.current_slot_values())


class ActionSuiviDemande(DialogueAction):
    """Status of a support request, for its requester only."""

    def name(self) -> Text:
        return "action_suivi_demande"

    def reply(self, tracker: Tracker) -> Reply:
        return ticket_status(self.turn(tracker), tracker.sender_id)


class ValidateDemandeForm(FormValidationAction, DialogueAction):
    """One turn of the support-request form: the answer read, the next question asked."""

    def name(self) -> Text:
        return "validate_demande_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        reply, nxt = confirm.form_step(self.turn(tracker), tracker.current_slot_values(), tracker.sender_id,
                                       _channel(tracker))
        _say(dispatcher, reply)
        return _events(reply) + [SlotSet(REQUESTED_SLOT, nxt)]


class ActionEnregistrerDemande(DialogueAction):
    """Ends the form: clears it once confirmed (written by the validation), or says it was cancelled."""

    def name(self) -> Text:
        return "action_enregistrer_demande"

    def reply(self, tracker: Tracker) -> Reply:
        return confirm.after_form(self.services, tracker.current_slot_values(), tracker.sender_id, _channel(tracker))


class ActionAffirmer(DialogueAction):
    """A "oui" outside a form: completes or re-confirms a request, or opens the offered one."""

    def name(self) -> Text:
        return "action_affirmer"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        reply, followup = confirm.affirm(self.services, tracker.current_slot_values(), _last_bot_action(tracker),
                                         tracker.sender_id, _channel(tracker))
        if not followup:
            reply = emergency_first(self.turn(tracker), reply)
        _say(dispatcher, reply)
        return _events(reply) + [FollowupAction(followup or "action_listen")]


ACTIONS = (ActionOrienter, ActionVerifierUrgence, ActionVerifierDemande, ValidateOrientationForm, ActionCompleter,
           ActionHorairesService, ActionSuiviDemande, ValidateDemandeForm, ActionEnregistrerDemande, ActionAffirmer)


def build_actions(services: Services) -> List[Action]:
    """Every action of the bot, on one set of services (called once by the action server)."""
    return [cls(services) for cls in ACTIONS]


def _last_bot_action(tracker: Tracker) -> Optional[str]:
    """The last action before the latest user message (action_listen and this action skipped)."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            seen_user = True
        elif seen_user and event.get("event") == "action" and event.get("name") not in ("action_listen", None):
            return event["name"]
    return None


def _after_user_message(tracker: Tracker) -> bool:
    """True when the form runs on a user message (not right after the action that opened it).

    Rasa's form adds its own `ActionExecuted` to the tracker it sends its validation, so the
    latest action is always the form: the action before it tells.
    """
    events = list(reversed(tracker.events))
    if events and events[0].get("event") == "action":
        events = events[1:]   # the form's own execution
    for event in events:
        if event.get("event") == "user":
            return True
        if event.get("event") == "action" and event.get("name") != "action_listen":
            return False
    return False


def _channel(tracker: Tracker) -> Optional[str]:
    """"email" for the MSSanté channel (it posts through REST with metadata), else Rasa's channel."""
    metadata = tracker.latest_message.get("metadata") or {}
    return metadata.get("canal") or tracker.get_latest_input_channel()


protect_actions(globals())
