"""RPPS numbers: 11 digits with a Luhn key."""
import pytest

from knowledge.rpps import is_valid_rpps, luhn_complete, luhn_ok, normalize_rpps


@pytest.mark.parametrize("value,expected", [
    ("10000000009", "10000000009"),
    ("10123456781", "10123456781"),
    ("109 8765 4323", "10987654323"),
    ("10.12.34.56.78.1", "10123456781"),
    ("10123456782", None),        # wrong key
    ("1012345678", None),         # 10 digits
    ("101234567811", None),       # 12 digits
    ("1012345678a", None),
    ("", None),
    (None, None),
])
def test_normalize_rpps(value, expected):
    assert normalize_rpps(value) == expected
    assert is_valid_rpps(value) is (expected is not None)


@pytest.mark.parametrize("digits,ok", [
    ("79927398713", True),   # the classic Luhn example
    ("79927398710", False),
    ("0", True),
    ("18", True),
    ("12", False),
])
def test_luhn(digits, ok):
    assert luhn_ok(digits) is ok


@pytest.mark.parametrize("prefix", ["1000000000", "1012345678", "1987654321", "1000123456"])
def test_luhn_complete_gives_valid_numbers(prefix):
    n = luhn_complete(prefix)
    assert n.startswith(prefix) and len(n) == 11 and is_valid_rpps(n)
    wrong = prefix + str((int(n[-1]) + 1) % 10)
    assert not is_valid_rpps(wrong)
