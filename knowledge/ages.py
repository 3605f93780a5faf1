"""Ages in years: the plausible range and age-range admission, in one place.

Used by the reading of a message (knowledge/situation.py, nlu/components.py), the directory
checker (age_min/age_max of a public), the directory model (`PublicPrisEnCharge.admits`) and the
triage and sign rules (``requiert: {age_min, age_max}``).
"""
from __future__ import annotations

MAX_AGE = 120


def plausible_age(value: object) -> bool:
    """True for an age in whole years from 0 to `MAX_AGE` (a bool is not an age)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_AGE


def within(age: int, age_min: int | None, age_max: int | None) -> bool:
    """True when `age` is in [age_min, age_max]; a missing bound is open."""
    return (age_min is None or age >= age_min) and (age_max is None or age <= age_max)
