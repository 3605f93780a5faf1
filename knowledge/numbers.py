"""National numbers of the orientation contract (../shared/orientation-contract.md)."""
from __future__ import annotations

KNOWN_NUMBERS = ("15", "112", "17", "114", "115", "119", "3919", "3114", "3977", "116 117")
VITAL_NUMBERS = frozenset({"15", "112"})   # vital emergencies; the others are social or helplines
