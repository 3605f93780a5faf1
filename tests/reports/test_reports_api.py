"""Reports through the real API gateway process (token, JSON, CSV) on the generated month."""
from __future__ import annotations

import csv
import io

import pytest

from knowledge.reports import SUPPRIME, Reports
from tests.api.conftest import start_gateway, stop
from tests.reports.conftest import END, START

PERIOD = f"du={START.isoformat()}&au={END.isoformat()}"


@pytest.fixture(scope="module")
def gateway(traffic, tmp_path_factory):
    gw = start_gateway(tmp_path_factory.mktemp("api-reports"), {"AIGUILLAGE_API_RATE_PER_MINUTE": "1000"},
                       traffic[0])
    yield gw
    stop(gw)


def test_reports_need_a_token(gateway):
    r = gateway.request("GET", f"/api/v1/rapports/besoins?{PERIOD}", token=None)
    assert r.status == 401 and r.body["erreur"]["code"] == "jeton_manquant"


def test_json_and_csv_are_the_suppressed_figures(gateway, traffic):
    reports = Reports(traffic[0])
    r = gateway.request("GET", f"/api/v1/rapports/besoins?{PERIOD}&par=epci")
    assert r.status == 200
    expected = reports.build("besoins", START, END, "epci").as_json()
    assert r.body["lignes"] == expected["lignes"] and r.body["total"] == expected["total"]
    assert any(SUPPRIME in row.values() for row in r.body["lignes"])
    r = gateway.request("GET", f"/api/v1/rapports/types?{PERIOD}&format=csv")
    assert r.status == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.raw.decode() == reports.build("types", START, END).csv()
    assert next(csv.reader(io.StringIO(r.raw.decode())))[0] == "Type"


@pytest.mark.parametrize("query,code", [
    ("du=2026-11-31", "requete_invalide"), ("format=xml", "requete_invalide"), ("par=commune", "requete_invalide"),
])
def test_bad_parameters(gateway, query, code):
    r = gateway.request("GET", f"/api/v1/rapports/besoins?{query}")
    assert r.status == 400 and r.body["erreur"]["code"] == code


def test_unknown_report(gateway):
    r = gateway.request("GET", "/api/v1/rapports/patients")
    assert r.status == 404 and r.body["erreur"]["code"] == "ressource_introuvable"
