"""French time expressions -> When, with fixed clocks in Europe/Paris."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from knowledge.hours import TZ, Schedule
from knowledge.when import When, parse_when


def paris(y, mo, d, h=0, mi=0):
    return datetime(y, mo, d, h, mi, tzinfo=TZ)


LUNDI = paris(2026, 11, 23, 14, 34)       # Monday afternoon
SAMEDI = paris(2026, 11, 28, 10, 0)       # Saturday morning
VEILLE = paris(2026, 11, 10, 17, 0)       # Tuesday, eve of 11 Novembre
NUIT = paris(2026, 11, 24, 1, 15)         # Tuesday, 1h15 at night
DECEMBRE = paris(2026, 12, 28, 11, 0)     # Monday, end of year


def at(moment):
    return When(moment, moment.date(), False)


def day(d):
    return When(None, d, True)


# (now, text, expected When)
CASES = [
    # --- now ---
    (LUNDI, "c'est ouvert maintenant ?", at(LUNDI)),
    (LUNDI, "et là, ils répondent ?", at(LUNDI)),
    (LUNDI, "Je peux appeler tout de suite ?", at(LUNDI)),
    (LUNDI, "ouvert en ce moment ?", at(LUNDI)),
    (LUNDI, "actuellement joignable ?", at(LUNDI)),
    # --- periods of today ---
    (LUNDI, "ce soir", at(paris(2026, 11, 23, 20, 0))),
    (LUNDI, "cette nuit", at(paris(2026, 11, 24, 2, 0))),
    (LUNDI, "ce midi", at(paris(2026, 11, 23, 12, 0))),
    (LUNDI, "cet après-midi", at(LUNDI)),            # already in the afternoon: now
    (LUNDI, "cet aprem", at(LUNDI)),
    (LUNDI, "ce soir à 21h", at(paris(2026, 11, 23, 21, 0))),
    (LUNDI, "ce soir vers 9h", at(paris(2026, 11, 23, 21, 0))),
    (LUNDI, "cette nuit à 3h", at(paris(2026, 11, 24, 3, 0))),
    (LUNDI, "cette nuit à 23h", at(paris(2026, 11, 23, 23, 0))),
    (NUIT, "cette nuit", at(NUIT)),                  # asked during the night
    (SAMEDI, "ce matin", at(SAMEDI)),
    (paris(2026, 11, 28, 21, 30), "ce soir", at(paris(2026, 11, 28, 21, 30))),
    # --- tomorrow ---
    (LUNDI, "demain matin", at(paris(2026, 11, 24, 9, 0))),
    (LUNDI, "demain après-midi", at(paris(2026, 11, 24, 14, 30))),
    (LUNDI, "demain apres midi", at(paris(2026, 11, 24, 14, 30))),
    (LUNDI, "demain soir", at(paris(2026, 11, 24, 20, 0))),
    (LUNDI, "demain à 8h45", at(paris(2026, 11, 24, 8, 45))),
    (LUNDI, "demain midi", at(paris(2026, 11, 24, 12, 0))),
    (LUNDI, "demain ?", day(date(2026, 11, 24))),
    (LUNDI, "après-demain", day(date(2026, 11, 25))),
    (VEILLE, "demain matin", at(paris(2026, 11, 11, 9, 0))),
    (VEILLE, "et demain ?", day(date(2026, 11, 11))),
    # --- today ---
    (LUNDI, "aujourd'hui", day(date(2026, 11, 23))),
    (LUNDI, "aujourdhui", day(date(2026, 11, 23))),
    (LUNDI, "aujourd'hui à 16h", at(paris(2026, 11, 23, 16, 0))),
    # --- weekdays ---
    (LUNDI, "est-ce ouvert samedi ?", day(date(2026, 11, 28))),
    (LUNDI, "samedi à 10h", at(paris(2026, 11, 28, 10, 0))),
    (LUNDI, "samedi matin", at(paris(2026, 11, 28, 9, 0))),
    (LUNDI, "Samedi Matin", at(paris(2026, 11, 28, 9, 0))),
    (LUNDI, "sam 10h", at(paris(2026, 11, 28, 10, 0))),
    (LUNDI, "dim. matin", at(paris(2026, 11, 29, 9, 0))),
    (LUNDI, "vendredi 17h30", at(paris(2026, 11, 27, 17, 30))),
    (LUNDI, "mercredi", day(date(2026, 11, 25))),
    (LUNDI, "jeudi prochain", day(date(2026, 11, 26))),
    (LUNDI, "lundi prochain", day(date(2026, 11, 30))),
    (LUNDI, "lundi 16h", at(paris(2026, 11, 23, 16, 0))),
    (LUNDI, "lundi 14h", at(paris(2026, 11, 30, 14, 0))),     # already past today: next week
    (LUNDI, "lundi matin", at(paris(2026, 11, 30, 9, 0))),
    (LUNDI, "mar 9h", at(paris(2026, 11, 24, 9, 0))),
    (LUNDI, "jeu. 14h", at(paris(2026, 11, 26, 14, 0))),
    (LUNDI, "mardi prochain à 14h", at(paris(2026, 11, 24, 14, 0))),
    (SAMEDI, "samedi", day(date(2026, 11, 28))),              # today is Saturday
    (SAMEDI, "samedi prochain", day(date(2026, 12, 5))),
    (SAMEDI, "samedi à 11h", at(paris(2026, 11, 28, 11, 0))),
    (SAMEDI, "dimanche", day(date(2026, 11, 29))),
    (SAMEDI, "lundi 9h", at(paris(2026, 11, 30, 9, 0))),
    (SAMEDI, "ce week-end", day(date(2026, 11, 28))),
    (LUNDI, "ce weekend", day(date(2026, 11, 28))),
    (LUNDI, "dans la nuit de samedi", at(paris(2026, 11, 29, 2, 0))),
    (LUNDI, "la semaine prochaine", day(date(2026, 11, 30))),
    # --- dates ---
    (LUNDI, "le 24 décembre à 10h", at(paris(2026, 12, 24, 10, 0))),
    (LUNDI, "le 24 decembre", day(date(2026, 12, 24))),
    (LUNDI, "le 1er janvier", day(date(2027, 1, 1))),
    (LUNDI, "le 3 janvier 2027 à 9h", at(paris(2027, 1, 3, 9, 0))),
    (LUNDI, "le 24/12 à 9h30", at(paris(2026, 12, 24, 9, 30))),
    (LUNDI, "le 02/01/2027", day(date(2027, 1, 2))),
    (LUNDI, "le 15 novembre", day(date(2027, 11, 15))),       # passed this year
    (DECEMBRE, "le 4 janvier à 9h", at(paris(2027, 1, 4, 9, 0))),
    (DECEMBRE, "lundi 4 janvier", day(date(2027, 1, 4))),
    # --- hours alone ---
    (LUNDI, "à 18h30", at(paris(2026, 11, 23, 18, 30))),
    (LUNDI, "vers 17 heures", at(paris(2026, 11, 23, 17, 0))),
    (LUNDI, "à 9h", at(paris(2026, 11, 24, 9, 0))),           # already past: tomorrow
    (LUNDI, "à 20:15", at(paris(2026, 11, 23, 20, 15))),
    (LUNDI, "à 8h du soir", at(paris(2026, 11, 23, 20, 0))),
    (LUNDI, "à 3h de l'après-midi", at(paris(2026, 11, 23, 15, 0))),
    (LUNDI, "à midi", at(paris(2026, 11, 24, 12, 0))),
    (LUNDI, "à minuit", at(paris(2026, 11, 24, 0, 0))),
    # --- relative ---
    (LUNDI, "dans 2 heures", at(paris(2026, 11, 23, 16, 34))),
    (LUNDI, "dans une heure", at(paris(2026, 11, 23, 15, 34))),
    (LUNDI, "dans 20 minutes", at(paris(2026, 11, 23, 14, 54))),
    (LUNDI, "dans 1h30", at(paris(2026, 11, 23, 16, 4))),
    (LUNDI, "dans une demi-heure", at(paris(2026, 11, 23, 15, 4))),
    (LUNDI, "dans 3 jours", day(date(2026, 11, 26))),
    # --- no time expression ---
    (LUNDI, "la structure est-elle ouverte ?", None),
    (LUNDI, "patient de 85 ans à Bourges", None),
    (LUNDI, "ligne ouverte 24h/24 et 7j/7 ?", None),
    (LUNDI, "il faut appeler le 15", None),
    (LUNDI, "mer agitée", None),
    (LUNDI, "2 habitants", None),
    (LUNDI, "", None),
]


@pytest.mark.parametrize("now,text,expected", CASES)
def test_parse_when(now, text, expected):
    got = parse_when(text, now)
    assert got == expected
    if got is not None and got.moment is not None:
        assert got.moment.tzinfo is TZ
        assert got.moment.utcoffset() == expected.moment.utcoffset()


def test_now_in_another_zone_is_converted():
    now = datetime(2026, 11, 23, 13, 34, tzinfo=timezone.utc)  # 14h34 in Paris
    assert parse_when("à 18h30", now) == at(paris(2026, 11, 23, 18, 30))
    assert parse_when("maintenant", now) == at(LUNDI)


def test_naive_now_is_rejected():
    with pytest.raises(ValueError, match="naive datetime"):
        parse_when("samedi", datetime(2026, 11, 23, 14, 34))


def test_dst_day_offsets():
    now = paris(2026, 3, 27, 12, 0)           # Friday before the spring change
    got = parse_when("lundi 9h", now)
    assert got.moment.utcoffset().total_seconds() == 2 * 3600
    got = parse_when("dimanche 10h", paris(2026, 10, 23, 12, 0))
    assert got.moment.utcoffset().total_seconds() == 3600


# The dialogue's use: "est-ce ouvert <when> ?" against a schedule.
DAC = Schedule.from_mapping({j: "9:00-12:30, 13:30-17:30"
                             for j in ("lundi", "mardi", "mercredi", "jeudi", "vendredi")})


@pytest.mark.parametrize("now,text,open_,status", [
    (LUNDI, "samedi à 10h", False, "fermé, ouvre lundi à 9h"),
    (LUNDI, "demain matin", True, "ouvert jusqu'à 12h30"),
    (VEILLE, "demain matin", False, "fermé (jour férié : 11 Novembre), ouvre demain à 9h"),
    (LUNDI, "ce soir", False, "fermé, ouvre demain à 9h"),
])
def test_when_with_schedule(now, text, open_, status):
    moment = parse_when(text, now).moment
    assert DAC.is_open(moment) is open_
    # the status is phrased relative to the asked moment
    assert DAC.status_text(moment) == status


@pytest.mark.parametrize("now,text,expected", [
    (LUNDI, "à 9h du matin", at(paris(2026, 11, 24, 9, 0))),     # passed: tomorrow
    (LUNDI, "ce matin à 9h", at(paris(2026, 11, 23, 9, 0))),     # explicitly today
    (SAMEDI, "samedi matin", at(SAMEDI)),                        # inside the period: now
    (paris(2026, 11, 28, 15, 0), "samedi matin", at(paris(2026, 12, 5, 9, 0))),
    (NUIT, "cette nuit à 4h", at(paris(2026, 11, 24, 4, 0))),
    # "dans 2 heures" counts real hours across the autumn change (2h -> 3h -> 2h)
    (paris(2026, 10, 25, 1, 30), "dans 2 heures",
     at(datetime(2026, 10, 25, 2, 30, tzinfo=TZ, fold=1))),
])
def test_parse_when_edges(now, text, expected):
    got = parse_when(text, now)
    assert got == expected
    assert got.moment.utcoffset() == expected.moment.utcoffset()
