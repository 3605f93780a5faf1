"""Orientation on imported ROR data: coverage then distance, psychiatric sector, freshness."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from knowledge.directory import Directory
from knowledge.geo import distance_km
from knowledge.orientation import Orienter

FIXTURES = Path(__file__).parent / "fixtures"
MONDAY_10H = datetime.fromisoformat("2026-11-23T10:00:00+01:00")


@pytest.fixture(scope="module")
def directory(tmp_path_factory):
    d = Directory(f"sqlite:///{tmp_path_factory.mktemp('ror')}/annuaire.db")
    d.load(FIXTURES / "directory-valid")
    d.import_ror(FIXTURES / "ror" / "export-cvl", at=MONDAY_10H)
    yield d
    d.close()


@pytest.fixture(scope="module")
def orienter(directory):
    return Orienter(directory=directory, centres={})


def test_distance_breaks_ties_between_equal_coverage(orienter):
    """Both CSAPA of the Cher cover the whole department: the nearer one is proposed."""
    vierzon = orienter.orient("homme 40 ans alcool, cherche un CSAPA à Vierzon", at=MONDAY_10H)
    assert vierzon.recommandations[0].service.id == "ror-1800000006"
    bourges = orienter.orient("homme 40 ans alcool, cherche un CSAPA à Bourges", at=MONDAY_10H)
    assert bourges.recommandations[0].service.id == "ror-1800000005"
    assert bourges.recommandations[0].distance_km < 1


def test_coverage_comes_before_distance(orienter):
    """The SSIAD whose zone lists Bourges wins over a department-wide one, wherever it is."""
    o = orienter.orient("dame 84 ans à Bourges, besoin d'un SSIAD", at=MONDAY_10H)
    assert o.recommandations[0].service.id == "ror-1800000001"


def test_distance_shown_in_kilometres(directory):
    """With a commune centre known (the official extract, here one entry), the answer says how
    far the service is; the payload carries the figure."""
    centre = (47.0700, 2.3300)  # La Chapelle-Saint-Ursin
    o = Orienter(directory=directory, centres={"18050": centre}).orient(
        "homme 40 ans alcool, cherche un CSAPA à La Chapelle-Saint-Ursin", at=MONDAY_10H)
    first = o.recommandations[0]
    assert first.service.id == "ror-1800000005"
    expected = distance_km(centre, first.service.position)
    assert 4 < expected < 7
    assert f"à {expected:.0f} km" in o.message()
    reco = o.payload()["orientation"]["recommandations"][0]
    assert reco["distance_km"] == round(expected, 1)


def test_cmp_chosen_by_psychiatric_sector(orienter):
    o = orienter.orient("patient 45 ans déprimé à Vierzon, je cherche un CMP", at=MONDAY_10H)
    first = o.recommandations[0]
    assert first.service.id == "ror-1800000004"  # sector 18G02, ahead of the YAML CMP
    assert "secteur de psychiatrie 18G02" in first.pourquoi


def test_payload_carries_freshness(orienter):
    o = orienter.orient("dame 84 ans à Bourges, besoin d'un SSIAD", at=MONDAY_10H)
    reco = o.payload()["orientation"]["recommandations"][0]
    assert reco["verifie_le"] == "2026-10-15"
    assert reco["source"] == "ROR (FHIR) – HealthcareService.ndjson"
    assert "02 61 91 24 09" not in o.message()  # restricted contact never shown


def test_yaml_entries_have_freshness_and_no_distance(sample_directory_url):
    o = Orienter(directory=Directory(sample_directory_url), centres={}).orient(
        "dame 87 ans seule à St-Amand, chutes ++, refuse les aides", at=MONDAY_10H)
    for reco in o.payload()["orientation"]["recommandations"]:
        assert reco["verifie_le"] and reco["source"]
        assert reco["distance_km"] is None
    assert " km" not in o.message()
