"""RPPS number (Répertoire partagé des professionnels de santé): 11 digits, Luhn checksum.

The Luhn arithmetic is python-stdnum's (``stdnum.luhn``), the library of reference for
identifier check digits (it also checks the NIR key in knowledge/privacy/).
"""
from __future__ import annotations

import re

from stdnum import luhn
from stdnum.exceptions import ValidationError


def luhn_ok(digits: str) -> bool:
    """True when the digit string passes the Luhn checksum."""
    if not digits.isdigit():
        return False
    try:
        luhn.validate(digits)
    except ValidationError:
        return False
    return True


def normalize_rpps(value: str | None) -> str | None:
    """The 11 digits of a valid RPPS number (spaces, dots, dashes removed), else None."""
    if value is None:
        return None
    digits = re.sub(r"[\s.\-]", "", str(value))
    if len(digits) != 11 or not digits.isdigit() or not luhn_ok(digits):
        return None
    return digits


def is_valid_rpps(value: str | None) -> bool:
    """True for an 11-digit RPPS number with a valid Luhn key."""
    return normalize_rpps(value) is not None


def luhn_complete(prefix10: str) -> str:
    """The 11-digit number made of `prefix10` (10 digits) and its Luhn check digit."""
    if len(prefix10) != 10 or not prefix10.isdigit():
        raise ValueError("10 chiffres attendus")
    return prefix10 + luhn.calc_check_digit(prefix10)
