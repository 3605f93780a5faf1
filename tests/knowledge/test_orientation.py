"""Orientation on the real sample directory: ranking, reasons, hours, payload (no Rasa)."""
from __future__ import annotations

from datetime import datetime

import pytest

from knowledge.directory import Directory
from knowledge.orientation import Orienter

MONDAY_10H = datetime.fromisoformat("2026-11-23T10:00:00+01:00")
SATURDAY_23H = datetime.fromisoformat("2026-11-28T23:00:00+01:00")
CHRISTMAS_10H = datetime.fromisoformat("2026-12-25T10:00:00+01:00")


@pytest.fixture(scope="module")
def orienter(sample_directory_url) -> Orienter:
    return Orienter(directory=Directory(sample_directory_url))


# (message, commune, first type, other types expected among the alternatives)
RANKING = [
    ("dame 87 ans seule à St-Amand, chutes ++, refuse les aides", "18197", "DAC", {"CLIC", "EMG", "SSIAD"}),
    ("patient en soins palliatifs à domicile à Blois", "41018", "EMSP", set()),
    ("mr 40 ans alcoolique à Chartres veut se sevrer", "28085", "CSAPA", set()),
    ("patient sans couverture sociale à Tours, besoin de soins", "37261", "PASS", set()),
    ("ado 14 ans qui ne va plus au collège, idées noires non, Montargis", "45208", None, set()),
    ("besoin d'un SSIAD à Loches pour une dame de 84 ans", "37132", "SSIAD", set()),
]


@pytest.mark.parametrize("text,commune,first,alternatives", RANKING, ids=[r[0][:30] for r in RANKING])
def test_ranking(orienter, text, commune, first, alternatives):
    o = orienter.orient(text, at=MONDAY_10H)
    assert o.situation.commune.code_insee == commune
    assert o.recommandations, o.message()
    if first:
        assert o.recommandations[0].service.type == first
    assert len(o.recommandations) <= 3
    if alternatives:
        assert len(o.recommandations) >= 2
        assert {r.service.type for r in o.recommandations[1:]} <= alternatives
    dep = commune[:2]
    for r in o.recommandations:
        assert dep in r.departements
        assert r.pourquoi.endswith(".") and r.pourquoi[0].isupper()


def test_local_sector_wins_over_department_and_region(orienter):
    o = orienter.orient("dame 87 ans seule à Vierzon, chutes, refuse les aides", at=MONDAY_10H)
    ids = [r.service.id for r in o.recommandations]
    assert ids[0] == "dac-18"  # the department's DAC, not the regional line
    clic = [r for r in o.recommandations if r.service.type == "CLIC"]
    assert not clic or clic[0].service.id == "clic-18-vierzon"


def test_age_limits_are_respected(orienter):
    o = orienter.orient("enfant de 4 ans, retard de développement, Bourges", at=MONDAY_10H)
    assert o.recommandations
    for r in o.recommandations:
        ranges = [((p.age_min or 0), (p.age_max if p.age_max is not None else 200)) for p in r.service.publics]
        assert not ranges or any(lo <= 4 <= hi for lo, hi in ranges), r.service.id


@pytest.mark.parametrize(
    "at,open_,status_start",
    [
        (MONDAY_10H, True, "ouvert jusqu'à"),
        (SATURDAY_23H, False, "fermé, ouvre lundi"),
        (CHRISTMAS_10H, False, "fermé"),
    ],
)
def test_hours_in_the_answer(orienter, at, open_, status_start):
    o = orienter.orient("dame 87 ans seule à St-Amand, chutes ++, refuse les aides", at=at)
    first = o.recommandations[0]
    assert first.ouvert is open_
    assert first.statut.startswith(status_start)
    p = o.payload()["orientation"]["recommandations"][0]
    assert p["ouvert_maintenant"] is open_
    assert (p["prochaine_ouverture"] is None) is open_
    if not open_:
        assert p["prochaine_ouverture"].startswith(("2026-11-30T", "2026-12-28T"))


def test_closed_and_cannot_wait_gives_what_is_open_now(orienter):
    o = orienter.orient("dame 87 ans seule à St-Amand, chutes, urgent ce soir, plus personne pour l'aider", at=SATURDAY_23H)
    assert not o.recommandations[0].ouvert
    numbers = [f["numero"] for f in o.ouverts_maintenant]
    assert "116 117" in numbers
    assert "116 117" in o.message()


def test_closed_but_can_wait_gives_no_fallback(orienter):
    o = orienter.orient("dame 87 ans seule à St-Amand, chutes, refuse les aides", at=SATURDAY_23H)
    assert o.ouverts_maintenant == []


def test_vital_emergency_first_whatever_else(orienter):
    o = orienter.orient("dame 87 ans seule à St-Amand, chutes, ce matin douleur thoracique et sueurs", at=MONDAY_10H)
    assert o.triage.urgences[0].numero == "15"
    assert o.message().startswith("⚠️")
    assert o.payload()["orientation"]["urgence"]["numero"] == "15"


def test_child_in_danger_gives_119_and_the_departments_crip(orienter):
    o = orienter.orient("enfant de 6 ans en danger, suspicion de maltraitance, Châteauroux", at=MONDAY_10H)
    assert o.triage.urgences[0].numero == "119"
    assert o.recommandations[0].service.type == "CRIP"
    assert "36" in o.recommandations[0].departements


def test_out_of_region_has_no_local_recommendation(orienter):
    o = orienter.orient("patient 70 ans isolé à Nantes", at=MONDAY_10H)
    assert o.situation.hors_region and o.recommandations == []


def test_department_only(orienter):
    o = orienter.orient("pt 82a seul ds le 36, chutes ++, refus aides", at=MONDAY_10H)
    assert o.situation.commune is None and o.situation.departement.code == "36"
    assert o.recommandations[0].service.id == "dac-36"
    assert o.payload()["orientation"]["commune"] is None
