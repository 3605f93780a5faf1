"""RPPS number (Répertoire partagé des professionnels de santé): 11 digits, Luhn checksum."""
from __future__ import annotations

import re


def luhn_ok(digits: str) -> bool:
    """True when the digit string passes the Luhn checksum."""
    if not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


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
    for k in range(10):
        if luhn_ok(prefix10 + str(k)):
            return prefix10 + str(k)
    raise AssertionError("unreachable")
