"""Rasa tracker store that masks patient identifiers before conversations are written.

Every event is masked (knowledge.privacy) before it reaches the database: user text, parse
data (text, entity values and texts), metadata, slot values, bot texts and custom payloads.
Exceptions:
- slots that hold the bot's own directory data (`BOT_DATA_SLOTS`: services' public phones,
  the pending hours question) are stored as they are;
- the requester's own contact slots (`CONTACT_SLOTS`: callback number or address, name, RPPS)
  are needed raw on the next turn to open the request, so they are stored raw while the
  support-request form is open and overwritten with masked values as soon as the form clears
  them (request sent, corrected or cancelled): see `scrub_contact_slots`.
"""
from __future__ import annotations

import json
from typing import Any, Iterator

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SlotSet

from knowledge.privacy import install_logging_filter, mask, mask_obj

# The Rasa server configures logging before it builds the tracker store: mask every record.
install_logging_filter("rasa", "bot", "knowledge", "sanic")

BOT_DATA_SLOTS = frozenset({"derniere_orientation", "question_horaire", "commune", "departement"})
CONTACT_SLOTS = frozenset({"demande_rappel", "demandeur_nom", "demandeur_rpps"})
_MASKED_KEYS = ("text", "metadata", "parse_data", "data", "value", "message", "info")


def mask_event_dict(data: dict[str, Any], keep_contacts: bool = True) -> dict[str, Any]:
    """The serialised event `data` with every free-text field masked."""
    out = dict(data)
    if out.get("event") == "slot":
        name = out.get("name")
        if name in BOT_DATA_SLOTS or (keep_contacts and name in CONTACT_SLOTS):
            return out
        out["value"] = mask_obj(out.get("value"))
        return out
    for key in _MASKED_KEYS:
        if key in out and key != "value":
            out[key] = mask_obj(out[key])
    return out


def masked_event(event: Event) -> Event:
    """A masked copy of `event` (same type, same timestamp)."""
    data = event.as_dict()
    masked = mask_event_dict(data)
    if masked == data:
        return event
    return Event.from_parameters(masked) or event


def _clears_contact(event: Event) -> bool:
    return isinstance(event, SlotSet) and event.key in CONTACT_SLOTS and event.value is None


class MaskingSQLTrackerStore(SQLTrackerStore):
    """`SQLTrackerStore` (SQLite or PostgreSQL) storing masked events."""

    def _additional_events(self, session: Any, tracker: Any) -> Iterator:
        events = list(super()._additional_events(session, tracker))
        if any(_clears_contact(e) for e in events):
            scrub_contact_slots(session, self.SQLEvent, tracker.sender_id)
        return (masked_event(e) for e in events)


def scrub_contact_slots(session: Any, model: Any, sender_id: str) -> int:
    """Overwrite the stored raw contact slots of `sender_id` with masked values; return how many."""
    n = 0
    rows = session.query(model).filter(model.sender_id == sender_id, model.type_name == "slot").all()
    for row in rows:
        data = json.loads(row.data)
        if data.get("name") in CONTACT_SLOTS and data.get("value") is not None:
            masked = mask_event_dict(data, keep_contacts=False)
            value = masked.get("value")
            if value == data.get("value"):  # a name or RPPS that mask() keeps: drop it
                masked["value"] = "[masqué]"
            row.data = json.dumps(masked)
            n += 1
    return n
