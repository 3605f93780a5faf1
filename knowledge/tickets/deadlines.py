"""Target response times (``echeance``) in working days, at 18h Europe/Paris (docs/tickets.md)."""
from __future__ import annotations

from datetime import datetime, time

from knowledge.hours import TZ, add_working_days, working_day

# target response time per level, in working days
DELAIS_JOURS_OUVRES = {3: 1, 2: 2, 1: 5}
FIN_DE_JOURNEE = time(18, 0)


def echeance_for(cree_le: datetime, niveau: int | None, urgence: str) -> datetime:
    """Target response time (aware, Europe/Paris), see docs/tickets.md.

    niveau 3: end (18h) of the next working day; niveau 2: of the 2nd working day; niveau 1 or
    unknown: of the 5th working day. urgence "aujourd_hui": 18h the same day when it is a working
    day before 16h, else 12h the next working day. urgence "semaine": at most 5 working days.
    """
    local = cree_le.astimezone(TZ)
    day = local.date()
    if urgence == "aujourd_hui":
        if working_day(day) and local.time() < time(16, 0):
            return datetime.combine(day, FIN_DE_JOURNEE, TZ)
        return datetime.combine(add_working_days(day, 1), time(12, 0), TZ)
    n = DELAIS_JOURS_OUVRES.get(niveau or 1, 5)
    if urgence == "semaine":
        n = min(n, 5)
    return datetime.combine(add_working_days(day, n), FIN_DE_JOURNEE, TZ)
