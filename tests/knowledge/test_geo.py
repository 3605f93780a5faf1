"""Distances and the commune-centres extract (scripts/build_gazetteer.py --centres)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from knowledge.geo import distance_km, load_centres

ROOT = Path(__file__).parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import build_gazetteer  # noqa: E402


def test_distance_known_values():
    # Paris – Lyon (city centres) is about 392 km as the crow flies.
    assert 390 < distance_km((48.8566, 2.3522), (45.7640, 4.8357)) < 393
    # One degree of latitude is about 111.2 km.
    assert distance_km((47.0, 2.0), (48.0, 2.0)) == pytest.approx(111.19, abs=0.01)
    assert distance_km((47.0, 2.0), (47.0, 2.0)) == 0


def test_centres_extract_from_a_csv(tmp_path):
    csv_path = tmp_path / "communes.csv"
    csv_path.write_text(
        "code_commune_insee;nom;latitude;longitude\n"
        "18033;Bourges;47,0810;2,3988\n"
        "18033;Bourges (2e code postal);47.5;2.5\n"   # first row kept
        "75056;Paris;48.8566;2.3522\n"                # outside the region: dropped
        "18279;Vierzon;;\n",                          # no position: dropped
        encoding="utf-8")
    doc = build_gazetteer.build_centres(csv_path, {"18033", "18279"})
    assert doc["centres"] == {"18033": [47.081, 2.3988]}
    out = tmp_path / "communes-24-centres.json"
    out.write_text(build_gazetteer.dumps(doc), encoding="utf-8")
    assert load_centres(out) == {"18033": (47.081, 2.3988)}
    point = tmp_path / "points.csv"
    point.write_text("insee_com,geo_point_2d\n18279,\"47.2218, 2.0684\"\n", encoding="utf-8")
    assert build_gazetteer.build_centres(point, {"18279"})["centres"] == {"18279": [47.2218, 2.0684]}


def test_centres_csv_without_columns_is_refused(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="colonnes introuvables"):
        build_gazetteer.build_centres(bad, {"18033"})


def test_no_extract_shipped_means_no_centres(tmp_path):
    assert load_centres(tmp_path / "absent.json") == {}
    assert json.loads(json.dumps(load_centres(tmp_path / "absent.json"))) == {}
