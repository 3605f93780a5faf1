"""Opening hours and closures of a ROR offer (FHIR ``availableTime`` / ``notAvailable``) as rows."""
from __future__ import annotations

from datetime import date, time

from knowledge.directory.fhir import MIDNIGHT, Malformed, as_list, code_of, extensions, fhir_date, fhir_time
from knowledge.directory.ror_mapping import Mapping
from knowledge.directory.tables import SLOT_OPENING
from knowledge.hours import Schedule, Slot

OFFER = "HealthcareService"
OPEN_END = date(9999, 12, 30)  # a closure without planned reopening
FHIR_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def available_time(res: dict, mapping: Mapping) -> tuple[list[dict], bool]:
    """Weekly slots (``availableTime``) as rows, and whether the service is open 24/7."""
    slots: list[dict] = []
    for i, at in enumerate(as_list(res.get("availableTime"), f"{OFFER}.availableTime")):
        el = f"{OFFER}.availableTime[{i}]"
        if not isinstance(at, dict):
            raise Malformed(el, "objet attendu")
        kind = next((code_of(x.get("valueCodeableConcept"), el)
                     for x in extensions(at, "ror-available-time-type-of-time", el)), None)
        days: list[int] = []
        for d in as_list(at.get("daysOfWeek"), f"{el}.daysOfWeek"):
            if d not in FHIR_DAYS:
                raise Malformed(f"{el}.daysOfWeek", f"{d!r} n'est pas un jour FHIR")
            days.append(FHIR_DAYS.index(d))
        for x in extensions(at, "ror-available-time-number-days-of-week", el):
            try:
                n = int(x.get("valueInteger"))
            except (TypeError, ValueError):
                n = 0
            if not 1 <= n <= 7:
                raise Malformed(f"{el}.extension:ror-available-time-number-days-of-week",
                                 f"{x.get('valueInteger')!r} n'est pas un jour (1 à 7)")
            days.append(n - 1)
        start = end = None
        for x in extensions(at, "ror-available-time-effective-opening-closing-date", el):
            period = x.get("valuePeriod") or {}
            start = fhir_date(period.get("start"), f"{el}.effectivePeriod.start")
            end = fhir_date(period.get("end"), f"{el}.effectivePeriod.end")
        if at.get("allDay") is True:
            debut, fin = time(0), MIDNIGHT
        else:
            debut = fhir_time(at.get("availableStartTime"), f"{el}.availableStartTime")
            fin = fhir_time(at.get("availableEndTime"), f"{el}.availableEndTime")
            if fin != MIDNIGHT and fin <= debut:
                raise Malformed(f"{el}.availableEndTime", "fin avant le début")
        if not days:
            raise Malformed(el, "aucun jour (daysOfWeek ou "
                                 "ror-available-time-number-days-of-week)")
        code = kind or mapping.fonctionnement
        for day in sorted(set(days)):
            slots.append({"jour": day, "debut": debut, "fin": fin, "code": code,
                          "debut_effectif": start, "fin_effectif": end})
    # Opening = "Horaire de fonctionnement" when given, else the other opening types.
    codes = {s["code"] for s in slots}
    opening = {mapping.fonctionnement} if mapping.fonctionnement in codes \
        else mapping.ouverture
    rows = []
    for s in slots:
        code = s.pop("code")
        s["type_creneau"] = SLOT_OPENING if code in opening else f"R252-{code}"[:20]
        rows.append(s)
    current = [s for s in rows if s["type_creneau"] == SLOT_OPENING]
    try:  # same checks as the hours module (overlaps) on the slots in force together
        Schedule(slots=tuple(Slot(s["jour"], s["debut"], s["fin"]) for s in current
                             if s["fin_effectif"] is None))
    except ValueError as exc:
        raise Malformed(f"{OFFER}.availableTime", f"créneaux incohérents ({exc})") from None
    full = {s["jour"] for s in current if s["debut"] == time(0) and s["fin"] == MIDNIGHT
            and s["debut_effectif"] is None and s["fin_effectif"] is None}
    permanent = full == set(range(7))
    if permanent:
        rows = [s for s in rows if s["type_creneau"] != SLOT_OPENING]
    rows.sort(key=lambda s: (s["jour"], s["debut"], s["type_creneau"]))
    return rows, permanent


def closures(res: dict) -> list[dict]:
    """Closure periods (``notAvailable``) with their planned reopening."""
    out = []
    for i, na in enumerate(as_list(res.get("notAvailable"), f"{OFFER}.notAvailable")):
        el = f"{OFFER}.notAvailable[{i}]"
        if not isinstance(na, dict):
            raise Malformed(el, "objet attendu")
        during = na.get("during") or {}
        start = fhir_date(during.get("start"), f"{el}.during.start")
        reopening = fhir_date(during.get("end"), f"{el}.during.end")
        if start is None:
            continue  # a description without dates cannot close anything
        if reopening is not None and reopening <= start:
            raise Malformed(f"{el}.during.end", "réouverture pas après la fermeture")
        motif = na.get("description")
        out.append({
            "debut": start, "fin": start if reopening else OPEN_END,
            "motif": (motif.strip() if isinstance(motif, str) and motif.strip()
                      else "Fermeture")[:200],
            "reouverture_prevue": reopening,
        })
    return out
