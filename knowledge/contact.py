"""Contact identifiers: e-mail addresses, MSSanté addresses and French phone numbers.

The one place for these checks: the directory checker (phone and e-mail fields), the ticket store
(callback address) and the support-request form (the callback contact a GP types) use them.
Masking identifiers in free text is another concern (knowledge/privacy/patterns.py).
"""
from __future__ import annotations

import re

# One address: local part, "@", dotted domain ending in a top-level domain of letters.
EMAIL_PATTERN = r"[\w.%+'-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}"
_EMAIL_RE = re.compile(EMAIL_PATTERN)
_EMAIL_IN_TEXT_RE = re.compile(r"(?<![\w.%+'-])" + EMAIL_PATTERN + r"(?![\w-])")
MSS_DOMAIN = "mssante.fr"
# Phone numbers as the directory writes them: "02 61 91 18 00", "0 800 47 47 88" (free numbers),
# short numbers "15", "115", "3919", "39 77", "116 117".
DIRECTORY_PHONE_RE = re.compile(
    r"^(?:0[1-9](?: \d\d){4}|0 8\d\d(?: \d\d){3}|1\d{1,2}|116 \d{3}|3\d{3}|3\d \d\d)$"
)


def is_email(value: object) -> bool:
    """True for one well-formed e-mail address (surrounding spaces allowed)."""
    return isinstance(value, str) and _EMAIL_RE.fullmatch(value.strip()) is not None


def is_mss_address(address: str) -> bool:
    """True for an address of the MSSanté space (domain mssante.fr or one of its sub-domains)."""
    a = address.lower()
    return a.endswith("." + MSS_DOMAIN) or a.endswith("@" + MSS_DOMAIN)


def find_email(text: str) -> str | None:
    """The first e-mail address in free text, in lower case."""
    m = _EMAIL_IN_TEXT_RE.search(text or "")
    return m.group(0).lower() if m else None


def is_directory_phone(value: object) -> bool:
    """True for a phone number in the directory's written form (see `DIRECTORY_PHONE_RE`)."""
    return isinstance(value, str) and DIRECTORY_PHONE_RE.match(value.strip()) is not None


def normalize_phone(text: str) -> str | None:
    """A ten-digit French number typed any way ("0612345678", "+33 6 12…") as "06 12 34 56 78"."""
    digits = re.sub(r"[^\d+]", "", text or "")
    if digits.startswith("+33"):
        digits = "0" + digits[3:]
    if re.fullmatch(r"0\d{9}", digits):
        return " ".join(digits[i:i + 2] for i in range(0, 10, 2))
    return None


def callback_contact(text: str) -> str | None:
    """The callback contact a GP typed: an e-mail address (lower case), else a phone number."""
    return find_email(text) or normalize_phone(text)
