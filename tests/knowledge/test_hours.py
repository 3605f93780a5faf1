"""Opening hours: slots, closures, holidays, DST, French texts (fixed clock, Europe/Paris)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import holidays
import pytest

from knowledge.hours import (
    TZ, Closure, Schedule, Slot, describe_opening, easter, jour_ferie, jours_feries, now_paris,
    parse_slots, to_iso,
)

SEMAINE = ("lundi", "mardi", "mercredi", "jeudi", "vendredi")
FIN_ANNEE = {"debut": date(2026, 12, 24), "fin": date(2026, 12, 31),
             "motif": "Fermeture de fin d'année", "reouverture": date(2027, 1, 4)}

# DAC-like: weekdays with a lunch break, end-of-year closure.
DAC = Schedule.from_mapping({j: "9:00-12:30, 13:30-17:30" for j in SEMAINE}, closures=[FIN_ANNEE])
# CLIC-like: weekdays 9h–17h and Saturday mornings.
CLIC = Schedule.from_mapping({**{j: "9h-17h" for j in SEMAINE}, "samedi": "9h00–12h00"})
# A 24/7 line (open on holidays), with a maintenance closure.
LIGNE = Schedule((), permanent=True,
                 closures=(Closure(date(2027, 2, 1), date(2027, 2, 1), "Maintenance"),))
# Night/weekend on-call line: weekday nights, from Saturday noon to Monday 8h, holidays included.
GARDE = Schedule.from_mapping(
    {**{j: "0:00-8:00, 20:00-24:00" for j in SEMAINE}, "samedi": "0h-8h, 12h-24h",
     "dimanche": "0:00-24:00"}, ferme_jours_feries=False)
# Open on public holidays, Monday to Saturday.
PHARMA = Schedule.from_mapping({j: "8:00-20:00" for j in (*SEMAINE, "samedi")},
                               ferme_jours_feries=False)
# Early-morning Sunday slot across the DST changes.
DIMANCHE_NUIT = Schedule.from_mapping({"dimanche": "1:00-4:00"}, ferme_jours_feries=False)
VIDE = Schedule(())
# Evening slots ending at midnight; an on-call line open around the clock for weeks at a time.
SOIREE = Schedule.from_mapping({"vendredi": "18:00-24:00", "samedi": "0:00-2:00"})
ASTREINTE = Schedule.from_mapping({j: "0h-24h" for j in ("lundi", "mardi", "mercredi", "jeudi",
                                                          "vendredi", "samedi", "dimanche")},
                                  ferme_jours_feries=False,
                                  closures=[Closure(date(2027, 1, 4), date(2027, 1, 4), "Audit")])

SCHEDULES = {"DAC": DAC, "CLIC": CLIC, "LIGNE": LIGNE, "GARDE": GARDE, "PHARMA": PHARMA,
             "DIMANCHE_NUIT": DIMANCHE_NUIT, "VIDE": VIDE, "SOIREE": SOIREE,
             "ASTREINTE": ASTREINTE}


def paris(y, mo, d, h=0, mi=0, fold=0):
    return datetime(y, mo, d, h, mi, tzinfo=TZ, fold=fold)


# (schedule, at, is_open, next_opening, closes_at, status_text)
CASES = [
    # --- weekdays with a lunch break (Monday 2026-11-23) ---
    ("DAC", paris(2026, 11, 23, 14, 34), True, None, paris(2026, 11, 23, 17, 30),
     "ouvert jusqu'à 17h30"),
    ("DAC", paris(2026, 11, 23, 9, 0), True, None, paris(2026, 11, 23, 12, 30),
     "ouvert jusqu'à 12h30"),
    ("DAC", paris(2026, 11, 23, 8, 59), False, paris(2026, 11, 23, 9, 0), None,
     "fermé, ouvre à 9h"),
    ("DAC", paris(2026, 11, 23, 12, 30), False, paris(2026, 11, 23, 13, 30), None,
     "fermé, ouvre à 13h30"),
    ("DAC", paris(2026, 11, 23, 12, 29), True, None, paris(2026, 11, 23, 12, 30),
     "ouvert jusqu'à 12h30"),
    ("DAC", paris(2026, 11, 23, 17, 30), False, paris(2026, 11, 24, 9, 0), None,
     "fermé, ouvre demain à 9h"),
    ("DAC", paris(2026, 11, 24, 0, 5), False, paris(2026, 11, 24, 9, 0), None,
     "fermé, ouvre à 9h"),
    ("DAC", paris(2026, 11, 27, 18, 0), False, paris(2026, 11, 30, 9, 0), None,
     "fermé, ouvre lundi à 9h"),
    ("DAC", paris(2026, 11, 28, 10, 0), False, paris(2026, 11, 30, 9, 0), None,
     "fermé, ouvre lundi à 9h"),
    ("DAC", paris(2026, 11, 29, 23, 59), False, paris(2026, 11, 30, 9, 0), None,
     "fermé, ouvre demain à 9h"),
    # --- public holidays ---
    ("DAC", paris(2026, 11, 10, 18, 0), False, paris(2026, 11, 12, 9, 0), None,
     "fermé, ouvre jeudi à 9h"),
    ("DAC", paris(2026, 11, 11, 10, 0), False, paris(2026, 11, 12, 9, 0), None,
     "fermé (jour férié : 11 Novembre), ouvre demain à 9h"),
    ("DAC", paris(2026, 5, 14, 10, 0), False, paris(2026, 5, 15, 9, 0), None,
     "fermé (jour férié : Ascension), ouvre demain à 9h"),
    ("DAC", paris(2026, 5, 25, 15, 0), False, paris(2026, 5, 26, 9, 0), None,
     "fermé (jour férié : Lundi de Pentecôte), ouvre demain à 9h"),
    ("DAC", paris(2026, 4, 3, 18, 0), False, paris(2026, 4, 7, 9, 0), None,
     "fermé, ouvre mardi à 9h"),
    ("DAC", paris(2026, 7, 14, 11, 0), False, paris(2026, 7, 15, 9, 0), None,
     "fermé (jour férié : 14 Juillet), ouvre demain à 9h"),
    ("DAC", paris(2026, 11, 1, 11, 0), False, paris(2026, 11, 2, 9, 0), None,
     "fermé, ouvre demain à 9h"),  # Toussaint is a Sunday: closed anyway, not mentioned
    ("PHARMA", paris(2026, 11, 11, 10, 0), True, None, paris(2026, 11, 11, 20, 0),
     "ouvert jusqu'à 20h"),
    ("PHARMA", paris(2026, 12, 25, 19, 59), True, None, paris(2026, 12, 25, 20, 0),
     "ouvert jusqu'à 20h"),
    # --- end-of-year closure with a planned reopening ---
    ("DAC", paris(2026, 12, 23, 18, 0), False, paris(2027, 1, 4, 9, 0), None,
     "fermé, ouvre le lundi 4 janvier à 9h"),
    ("DAC", paris(2026, 12, 24, 10, 0), False, paris(2027, 1, 4, 9, 0), None,
     "fermé jusqu'au 4 janvier (Fermeture de fin d'année)"),
    ("DAC", paris(2026, 12, 31, 23, 0), False, paris(2027, 1, 4, 9, 0), None,
     "fermé jusqu'au 4 janvier (Fermeture de fin d'année)"),
    ("DAC", paris(2027, 1, 1, 10, 0), False, paris(2027, 1, 4, 9, 0), None,
     "fermé jusqu'au 4 janvier (Fermeture de fin d'année)"),  # gap before reopening is closed
    ("DAC", paris(2027, 1, 4, 9, 30), True, None, paris(2027, 1, 4, 12, 30),
     "ouvert jusqu'à 12h30"),
    # --- Saturday mornings ---
    ("CLIC", paris(2026, 11, 27, 18, 0), False, paris(2026, 11, 28, 9, 0), None,
     "fermé, ouvre demain à 9h"),
    ("CLIC", paris(2026, 11, 28, 11, 0), True, None, paris(2026, 11, 28, 12, 0),
     "ouvert jusqu'à 12h"),
    ("CLIC", paris(2026, 11, 28, 12, 0), False, paris(2026, 11, 30, 9, 0), None,
     "fermé, ouvre lundi à 9h"),
    ("CLIC", paris(2026, 11, 23, 16, 59), True, None, paris(2026, 11, 23, 17, 0),
     "ouvert jusqu'à 17h"),
    # --- year boundary: 1 Jan 2028 is a Saturday (holiday) ---
    ("CLIC", paris(2027, 12, 31, 18, 0), False, paris(2028, 1, 3, 9, 0), None,
     "fermé, ouvre lundi à 9h"),
    ("CLIC", paris(2028, 1, 1, 10, 0), False, paris(2028, 1, 3, 9, 0), None,
     "fermé (jour férié : Jour de l'an), ouvre lundi à 9h"),
    # --- 24/7 line ---
    ("LIGNE", paris(2026, 11, 23, 3, 0), True, None, paris(2027, 2, 1, 0, 0), "ouvert 24h/24"),
    ("LIGNE", paris(2026, 12, 25, 12, 0), True, None, paris(2027, 2, 1, 0, 0), "ouvert 24h/24"),
    ("LIGNE", paris(2027, 2, 1, 12, 0), False, paris(2027, 2, 2, 0, 0), None,
     "fermé jusqu'au 2 février (Maintenance)"),
    ("LIGNE", paris(2027, 2, 2, 0, 0), True, None, None, "ouvert 24h/24"),
    # --- night and weekend on-call line, midnight ---
    ("GARDE", paris(2026, 11, 23, 21, 0), True, None, paris(2026, 11, 24, 8, 0),
     "ouvert jusqu'à demain 8h"),
    ("GARDE", paris(2026, 11, 24, 0, 0), True, None, paris(2026, 11, 24, 8, 0),
     "ouvert jusqu'à 8h"),
    ("GARDE", paris(2026, 11, 24, 8, 0), False, paris(2026, 11, 24, 20, 0), None,
     "fermé, ouvre à 20h"),
    ("GARDE", paris(2026, 11, 27, 23, 0), True, None, paris(2026, 11, 28, 8, 0),
     "ouvert jusqu'à demain 8h"),
    ("GARDE", paris(2026, 11, 28, 13, 0), True, None, paris(2026, 11, 30, 8, 0),
     "ouvert jusqu'à lundi 8h"),
    ("GARDE", paris(2026, 11, 28, 10, 0), False, paris(2026, 11, 28, 12, 0), None,
     "fermé, ouvre à 12h"),
    ("GARDE", paris(2026, 12, 31, 23, 30), True, None, paris(2027, 1, 1, 8, 0),
     "ouvert jusqu'à demain 8h"),
    # --- DST: 29 March 2026 (02:00 -> 03:00), 25 October 2026 (03:00 -> 02:00) ---
    ("DAC", paris(2026, 3, 27, 18, 0), False, paris(2026, 3, 30, 9, 0), None,
     "fermé, ouvre lundi à 9h"),
    ("DAC", paris(2026, 10, 23, 18, 0), False, paris(2026, 10, 26, 9, 0), None,
     "fermé, ouvre lundi à 9h"),
    ("GARDE", paris(2026, 3, 29, 3, 30), True, None, paris(2026, 3, 30, 8, 0),
     "ouvert jusqu'à demain 8h"),
    ("DIMANCHE_NUIT", paris(2026, 3, 29, 1, 30), True, None, paris(2026, 3, 29, 4, 0),
     "ouvert jusqu'à 4h"),
    ("DIMANCHE_NUIT", paris(2026, 3, 29, 3, 30), True, None, paris(2026, 3, 29, 4, 0),
     "ouvert jusqu'à 4h"),
    ("DIMANCHE_NUIT", paris(2026, 3, 28, 23, 0), False, paris(2026, 3, 29, 1, 0), None,
     "fermé, ouvre demain à 1h"),
    ("DIMANCHE_NUIT", paris(2026, 10, 25, 2, 30, fold=1), True, None, paris(2026, 10, 25, 4, 0),
     "ouvert jusqu'à 4h"),
    ("DIMANCHE_NUIT", paris(2026, 10, 25, 4, 0), False, paris(2026, 11, 1, 1, 0), None,
     "fermé, ouvre le dimanche 1er novembre à 1h"),
    # --- midnight ends ---
    ("SOIREE", paris(2026, 11, 27, 18, 0), True, None, paris(2026, 11, 28, 2, 0),
     "ouvert jusqu'à demain 2h"),
    ("SOIREE", paris(2026, 11, 28, 2, 0), False, paris(2026, 12, 4, 18, 0), None,
     "fermé, ouvre vendredi à 18h"),
    ("GARDE", paris(2026, 11, 30, 23, 59), True, None, paris(2026, 12, 1, 8, 0),
     "ouvert jusqu'à demain 8h"),
    ("ASTREINTE", paris(2026, 12, 30, 10, 0), True, None, paris(2027, 1, 4, 0, 0),
     "ouvert jusqu'à dimanche 24h"),
    ("ASTREINTE", paris(2026, 12, 20, 10, 0), True, None, paris(2027, 1, 4, 0, 0),
     "ouvert jusqu'au dimanche 3 janvier 24h"),
    ("ASTREINTE", paris(2027, 1, 3, 10, 0), True, None, paris(2027, 1, 4, 0, 0),
     "ouvert jusqu'à minuit"),
    ("ASTREINTE", paris(2027, 1, 4, 10, 0), False, paris(2027, 1, 5, 0, 0), None,
     "fermé jusqu'au 5 janvier (Audit)"),
    ("ASTREINTE", paris(2027, 1, 5, 10, 0), True, None, None, "ouvert 24h/24"),
    # --- a service with no slot never opens ---
    ("VIDE", paris(2026, 11, 23, 10, 0), False, None, None, "fermé"),
    # --- other time zones are converted to Paris ---
    ("DAC", datetime(2026, 11, 23, 8, 30, tzinfo=timezone.utc), True, None,
     paris(2026, 11, 23, 12, 30), "ouvert jusqu'à 12h30"),
    ("DAC", datetime(2026, 7, 6, 7, 30, tzinfo=timezone.utc), True, None,
     paris(2026, 7, 6, 12, 30), "ouvert jusqu'à 12h30"),
]


@pytest.mark.parametrize("name,at,open_,nxt,closes,status", CASES)
def test_schedule_queries(name, at, open_, nxt, closes, status):
    schedule = SCHEDULES[name]
    assert schedule.is_open(at) is open_
    got_next = schedule.next_opening(at)
    assert got_next == nxt
    if got_next is not None:
        assert got_next.tzinfo is TZ
        assert to_iso(got_next) == to_iso(nxt)  # same wall time and offset
    got_close = schedule.closes_at(at)
    assert got_close == closes
    if got_close is not None:
        assert to_iso(got_close) == to_iso(closes)
    assert schedule.status_text(at) == status


def test_dst_offsets_in_iso():
    assert to_iso(DAC.next_opening(paris(2026, 3, 27, 18, 0))) == "2026-03-30T09:00:00+02:00"
    assert to_iso(DAC.next_opening(paris(2026, 10, 23, 18, 0))) == "2026-10-26T09:00:00+01:00"
    # elapsed time must be computed in UTC (same-tzinfo arithmetic is wall-clock in Python)
    def utc(dt):
        return dt.astimezone(timezone.utc)

    # the spring-forward Sunday lasts 23 hours: 1h–4h local is 2 real hours
    opening = paris(2026, 3, 29, 1, 0)
    assert utc(DIMANCHE_NUIT.closes_at(opening)) - utc(opening) == timedelta(hours=2)
    # the fall-back Sunday: 1h–4h local is 4 real hours
    opening = paris(2026, 10, 25, 1, 0)
    assert utc(DIMANCHE_NUIT.closes_at(opening)) - utc(opening) == timedelta(hours=4)
    # 2h30 does not exist on 29 March; 2h30 exists twice on 25 October (both open)
    assert DIMANCHE_NUIT.is_open(paris(2026, 10, 25, 2, 30, fold=0))
    assert DIMANCHE_NUIT.is_open(paris(2026, 10, 25, 2, 30, fold=1))


# (schedule, day, day_text)
DAY_TEXTS = [
    ("DAC", date(2026, 11, 23), "9h–12h30, 13h30–17h30"),
    ("DAC", date(2026, 11, 28), "fermé"),
    ("DAC", date(2026, 11, 11), "fermé (jour férié : 11 Novembre)"),
    ("DAC", date(2026, 12, 25), "fermé (Fermeture de fin d'année)"),
    ("DAC", date(2027, 1, 1), "fermé (Fermeture de fin d'année)"),
    ("DAC", date(2027, 12, 24), "9h–12h30, 13h30–17h30"),
    ("DAC", date(2027, 12, 27), "9h–12h30, 13h30–17h30"),
    ("CLIC", date(2026, 11, 28), "9h–12h"),
    ("CLIC", date(2026, 12, 25), "fermé (jour férié : Noël)"),
    ("CLIC", date(2026, 11, 1), "fermé"),
    ("LIGNE", date(2026, 12, 25), "24h/24"),
    ("LIGNE", date(2027, 2, 1), "fermé (Maintenance)"),
    ("GARDE", date(2026, 11, 23), "0h–8h, 20h–24h"),
    ("GARDE", date(2026, 11, 28), "0h–8h, 12h–24h"),
    ("GARDE", date(2026, 11, 29), "24h/24"),
    ("PHARMA", date(2026, 11, 11), "8h–20h"),
    ("VIDE", date(2026, 11, 23), "fermé"),
    ("SOIREE", date(2026, 11, 27), "18h–24h"),
    ("SOIREE", date(2026, 11, 28), "0h–2h"),
    ("ASTREINTE", date(2026, 12, 25), "24h/24"),
]


@pytest.mark.parametrize("name,day,text", DAY_TEXTS)
def test_day_text(name, day, text):
    assert SCHEDULES[name].day_text(day) == text


# (text, expected (debut, fin) pairs)
VALID_SLOTS = [
    ("9:00-12:30, 13:30-17:30", [(time(9), time(12, 30)), (time(13, 30), time(17, 30))]),
    ("9h-12h30", [(time(9), time(12, 30))]),
    ("9h00–12h30", [(time(9), time(12, 30))]),
    ("09:00 - 12:00 ; 14:00 - 18:00", [(time(9), time(12)), (time(14), time(18))]),
    ("13h30-17h30, 9h-12h", [(time(9), time(12)), (time(13, 30), time(17, 30))]),
    ("8h à 12h et 14h à 18h", [(time(8), time(12)), (time(14), time(18))]),
    ("20:00-24:00", [(time(20), time(0))]),
    ("20h-0h", [(time(20), time(0))]),
    ("0h-24h", [(time(0), time(0))]),
    ("9H15—11H45", [(time(9, 15), time(11, 45))]),
    ("fermé", []),
]


@pytest.mark.parametrize("text,expected", VALID_SLOTS)
def test_parse_slots_valid(text, expected):
    slots = parse_slots(2, text)
    assert [(s.debut, s.fin) for s in slots] == expected
    assert all(s.jour == 2 for s in slots)


# (text, fragment of the error message)
INVALID_SLOTS = [
    ("", "empty"),
    ("9:00-12:30,", "empty"),
    ("matin", "invalid slot"),
    ("9-12", "invalid slot"),
    ("9:00-12:30 13:30-17:30", "invalid slot"),
    ("12:30-9:00", "ends before it starts"),
    ("20:00-08:00", "split at midnight"),
    ("9:00-9:00", "ends before it starts"),
    ("0:00-0:00", "empty"),
    ("9:00-12:30, 12:00-14:00", "overlapping"),
    ("9:00-18:00, 10:00-11:00", "overlapping"),
    ("25:00-26:00", "invalid time"),
    ("9:75-10:00", "invalid time"),
    ("24:00-24:00", "invalid time"),
]


@pytest.mark.parametrize("text,message", INVALID_SLOTS)
def test_parse_slots_invalid(text, message):
    with pytest.raises(ValueError, match=message):
        parse_slots(0, text)


def test_parse_slots_bad_day():
    with pytest.raises(ValueError, match="0 \\(lundi\\)"):
        parse_slots(7, "9:00-12:00")


@pytest.mark.parametrize("horaires,message", [
    ({"lundi": "9:00-12:00", "lundy": "9:00-12:00"}, "unknown day 'lundy'"),
    ({"monday": "9:00-12:00"}, "unknown day 'monday'"),
    ({"mardi": "9:00-25:00"}, "mardi: invalid time"),
    ({"mercredi": 540}, "mercredi: opening hours must be a string"),
])
def test_from_mapping_errors(horaires, message):
    with pytest.raises(ValueError, match=message):
        Schedule.from_mapping(horaires)


def test_from_mapping_builds_sorted_slots_and_closures():
    s = Schedule.from_mapping({"Vendredi": "14h-16h", "lundi": "9h-12h", "mardi": None,
                               "mercredi": "fermé"},
                              closures=[{"debut": "2027-05-01", "fin": "2027-05-02",
                                         "motif": "Inventaire"}])
    assert s.slots == (Slot(0, time(9), time(12)), Slot(4, time(14), time(16)))
    assert s.closures == (Closure(date(2027, 5, 1), date(2027, 5, 2), "Inventaire"),)
    assert s.day_text(date(2027, 5, 3)) == "9h–12h"


@pytest.mark.parametrize("kwargs,message", [
    (dict(debut=date(2026, 12, 31), fin=date(2026, 12, 24), motif="x"), "before it starts"),
    (dict(debut=date(2026, 12, 24), fin=date(2026, 12, 31), motif=" "), "motif"),
    (dict(debut=date(2026, 12, 24), fin=date(2026, 12, 31), motif="x",
          reouverture=date(2026, 12, 31)), "must be after its last day"),
    (dict(debut="24/12/2026", fin=date(2026, 12, 31), motif="x"), "not an ISO date"),
])
def test_closure_validation(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Closure(**kwargs)


def test_schedule_rejects_overlaps_and_overnight_slots():
    with pytest.raises(ValueError, match="overlapping"):
        Schedule((Slot(0, time(9), time(12)), Slot(0, time(11), time(14))))
    with pytest.raises(ValueError, match="split at midnight"):
        Slot(0, time(20), time(8))


@pytest.mark.parametrize("method", ["is_open", "next_opening", "closes_at", "status_text"])
def test_naive_datetimes_are_rejected(method):
    with pytest.raises(ValueError, match="naive datetime"):
        getattr(DAC, method)(datetime(2026, 11, 23, 10, 0))


def test_naive_datetime_rejected_by_formatters():
    with pytest.raises(ValueError, match="naive datetime"):
        to_iso(datetime(2026, 11, 23, 9, 0))
    with pytest.raises(ValueError, match="naive datetime"):
        describe_opening(datetime(2026, 11, 23, 9, 0), paris(2026, 11, 23, 8, 0))


# (opening, at, badge) — "at" is Monday 2026-11-23 14:34
AT = paris(2026, 11, 23, 14, 34)
BADGES = [
    (paris(2026, 11, 23, 17, 0), "ouvre à 17h"),
    (paris(2026, 11, 24, 0, 0), "ouvre à minuit"),
    (paris(2026, 11, 24, 9, 0), "ouvre demain à 9h"),
    (paris(2026, 11, 25, 8, 45), "ouvre mercredi à 8h45"),
    (paris(2026, 11, 29, 10, 0), "ouvre dimanche à 10h"),
    (paris(2026, 11, 30, 9, 0), "ouvre le lundi 30 novembre à 9h"),
    (paris(2026, 12, 1, 9, 0), "ouvre le mardi 1er décembre à 9h"),
    (paris(2027, 8, 16, 9, 0), "ouvre le lundi 16 août 2027 à 9h"),
    (datetime(2026, 11, 24, 8, 0, tzinfo=timezone.utc), "ouvre demain à 9h"),
]


@pytest.mark.parametrize("opening,badge", BADGES)
def test_describe_opening(opening, badge):
    assert describe_opening(opening, AT) == badge


@pytest.mark.parametrize("dt,iso", [
    (paris(2026, 11, 23, 9, 0), "2026-11-23T09:00:00+01:00"),
    (paris(2026, 7, 1, 13, 30), "2026-07-01T13:30:00+02:00"),
    (datetime(2026, 11, 23, 8, 0, 42, tzinfo=timezone.utc), "2026-11-23T09:00:42+01:00"),
])
def test_to_iso(dt, iso):
    assert to_iso(dt) == iso


@pytest.mark.parametrize("year,sunday", [
    (2024, date(2024, 3, 31)), (2025, date(2025, 4, 20)), (2026, date(2026, 4, 5)),
    (2027, date(2027, 3, 28)), (2038, date(2038, 4, 25)), (2285, date(2285, 3, 22)),
])
def test_easter(year, sunday):
    assert easter(year) == sunday


@pytest.mark.parametrize("year", range(2020, 2036))
def test_jours_feries_match_holidays_package(year):
    ours = jours_feries(year)
    reference = holidays.France(years=year)
    assert len(ours) == 11
    assert set(ours) == set(reference)
    # names: same holiday on the same date (Easter-based ones move every year)
    assert ours[easter(year) + timedelta(days=1)] == "Lundi de Pâques"
    assert ours[easter(year) + timedelta(days=39)] == "Ascension"
    assert ours[easter(year) + timedelta(days=50)] == "Lundi de Pentecôte"


@pytest.mark.parametrize("day,name", [
    (date(2026, 1, 1), "Jour de l'an"), (date(2026, 5, 1), "1er Mai"), (date(2026, 5, 8), "8 Mai"),
    (date(2026, 8, 15), "Assomption"), (date(2026, 11, 1), "Toussaint"),
    (date(2026, 11, 11), "11 Novembre"), (date(2026, 12, 25), "Noël"),
    (date(2026, 12, 26), None), (date(2026, 4, 5), None),
])
def test_jour_ferie_names(day, name):
    assert jour_ferie(day) == name


def test_jours_feries_returns_a_copy():
    jours_feries(2026).clear()
    assert len(jours_feries(2026)) == 11


def test_now_paris_is_aware_paris_time():
    now = now_paris()
    assert now.tzinfo is TZ
    assert abs(now - datetime.now(timezone.utc)) < timedelta(seconds=5)
