"""Time for Aiguillage: the Paris clock, French public holidays and working days, French date
words and texts, and opening hours. See docs/hours.md.

One concept per module, no import circle (each imports only those above it):

- ``clock``: ``TZ`` (Europe/Paris), ``now_paris``, ``current_time`` (``AIGUILLAGE_NOW`` or now), ``as_paris`` (naive datetimes refused), ``to_iso``;
- ``holidays``: ``easter``, ``jours_feries``, ``jour_ferie``, ``working_day``, ``add_working_days``;
- ``french``: ``JOURS``, ``MOIS`` and the French texts (``9h``, ``1er mai``, ``ouvre lundi à 9h``);
- ``schedule``: ``Slot``, ``Closure``, ``parse_slots`` and ``Schedule`` (open now, next opening).
"""
from knowledge.hours.clock import MIDNIGHT, TZ, as_paris, current_time, now_paris, to_iso
from knowledge.hours.french import (JOURS, MOIS, date_heure_text, date_text, describe_moment,
                                    describe_opening, heure_text)
from knowledge.hours.holidays import (add_working_days, easter, jour_ferie, jours_feries,
                                      working_day)
from knowledge.hours.schedule import HORIZON_DAYS, Closure, Schedule, Slot, parse_slots

__all__ = [
    "HORIZON_DAYS", "JOURS", "MIDNIGHT", "MOIS", "TZ", "Closure", "Schedule", "Slot",
    "add_working_days", "as_paris", "date_heure_text", "date_text", "describe_moment",
    "current_time", "describe_opening", "easter", "heure_text", "jour_ferie", "jours_feries", "now_paris",
    "parse_slots", "to_iso", "working_day",
]
