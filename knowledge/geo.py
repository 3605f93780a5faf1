"""Distances between places: great-circle distance and commune centres.

No package of the registries ships commune coordinates (``@etalab/decoupage-administratif``
6.0.0 and ``codes-postaux`` 4.1.2 have none, see docs/directory.md), so a commune's centre
comes from an optional extract ``knowledge/data/communes-24-centres.json``
(``{"18033": [47.081, 2.399], …}``, WGS 84) when one is installed, else from the positions
of the ROR locations of that commune (``Directory.commune_position``).
"""
from __future__ import annotations

import json
from math import asin, cos, radians, sin, sqrt
from pathlib import Path
from typing import Mapping

from knowledge import settings

EARTH_RADIUS_KM = 6371.0088
Point = tuple[float, float]  # (latitude, longitude), degrees WGS 84


def distance_km(a: Point, b: Point) -> float:
    """Great-circle (haversine) distance in kilometres."""
    lat1, lon1, lat2, lon2 = map(radians, (*a, *b))
    h = sin((lat2 - lat1) / 2) ** 2 + cos(lat1) * cos(lat2) * sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * asin(sqrt(h))


def centres_path() -> Path:
    return settings.project_root() / "knowledge" / "data" / "communes-24-centres.json"


def load_centres(path: Path | None = None) -> Mapping[str, Point]:
    """Commune centres by INSEE code from the optional extract (empty when absent)."""
    path = Path(path or centres_path())
    if not path.is_file():
        return {}
    doc = json.loads(path.read_text(encoding="utf-8"))
    data = doc.get("centres", doc)
    return {code: (float(p[0]), float(p[1])) for code, p in data.items()}
