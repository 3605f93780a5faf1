#!/usr/bin/env python3
"""Build the commune gazetteer data files from @etalab/decoupage-administratif.

Outputs (deterministic, sorted, one record per line):
- knowledge/data/communes-24.json: the 1,754 current communes of region 24
  (Centre-Val de Loire), their department, postal codes, EPCI and population.
- knowledge/data/hors-region.json: the other French departments and regions, and the
  largest out-of-region communes (for "outside the region" detection).

- knowledge/data/communes-24-centres.json, only with --centres CSV: the centre (WGS 84) of each
  commune of the region, read from an official CSV the operator downloads (no registry package
  carries commune coordinates; see docs/directory.md). Columns are found by name: the INSEE
  code (code_insee, code_commune_insee, insee_com, com, codgeo) and either latitude/longitude
  (latitude, latitude_centre, lat / longitude, longitude_centre, lon) or one "lat, lon" column
  (coordonnees_gps, geo_point_2d).

Usage:
    python scripts/build_gazetteer.py [--package DIR] [--out-dir DIR] [--centres CSV]

Without --package the pinned npm version is fetched with `npm pack` into a temp dir.
"""
from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tarfile
import tempfile
import unicodedata
import re
from pathlib import Path

PACKAGE = "@etalab/decoupage-administratif"
VERSION = "6.0.0"
LICENCE = "MIT"
REGION = "24"
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "knowledge" / "data"

# Departments bordering Centre-Val de Loire: their sizeable communes are mentioned often.
NEIGHBOUR_DEPARTEMENTS = ("03", "23", "27", "49", "58", "61", "72", "77", "78", "86", "87", "89", "91")
TOP_N = 100                 # largest out-of-region communes of France
NEIGHBOUR_MIN_POP = 10_000  # plus neighbouring-department communes above this population
BIG_CITY = 200_000          # kept even when its name is the start of one of our communes


def _fold(s: str) -> str:
    s = "".join(c for c in unicodedata.normalize("NFD", s.lower()) if unicodedata.category(c) != "Mn")
    return re.sub(r"[\s'’\-_.]+", " ", s).strip()


def _load(package_dir: Path, name: str):
    with open(package_dir / "data" / name, encoding="utf-8") as f:
        return json.load(f)


def _package_version(package_dir: Path) -> str:
    with open(package_dir / "package.json", encoding="utf-8") as f:
        return json.load(f)["version"]


def fetch_package(tmp: Path) -> Path:
    """`npm pack` the pinned version into tmp and unpack it; return the package dir."""
    subprocess.run(["npm", "pack", f"{PACKAGE}@{VERSION}"], cwd=tmp, check=True,
                   stdout=subprocess.DEVNULL)
    tgz = next(tmp.glob("*.tgz"))
    with tarfile.open(tgz) as tar:
        tar.extractall(tmp)  # noqa: S202 - registry tarball of a pinned version
    return tmp / "package"


def build(package_dir: Path) -> tuple[dict, dict]:
    """Return (communes document, out-of-region document)."""
    version = _package_version(package_dir)
    communes = _load(package_dir, "communes.json")
    epcis = _load(package_dir, "epci.json")
    departements = _load(package_dir, "departements.json")
    regions = _load(package_dir, "regions.json")

    # communes.json has no EPCI field: the mapping is epci.json `membres[].code`.
    epci_of: dict[str, str] = {}
    epci_name: dict[str, str] = {}
    for e in epcis:
        for m in e["membres"]:
            epci_of[m["code"]] = e["code"]
        epci_name[e["code"]] = e["nom"]

    actuelles = [c for c in communes if c["type"] == "commune-actuelle"]
    ours = sorted((c for c in actuelles if c.get("region") == REGION), key=lambda c: c["code"])
    rows = []
    used_epci = set()
    for c in ours:
        epci = epci_of.get(c["code"])
        if epci:
            used_epci.add(epci)
        rows.append({
            "code_insee": c["code"],
            "nom": c["nom"],
            "departement": c["departement"],
            "codes_postaux": sorted(set(c.get("codesPostaux", []))),
            "epci": epci,
            "population": int(c.get("population", 0)),
        })
    deps = sorted(({"code": d["code"], "nom": d["nom"]} for d in departements if d["region"] == REGION),
                  key=lambda d: d["code"])
    header = {
        "source": f"{PACKAGE} (https://github.com/etalab/decoupage-administratif), Etalab",
        "licence": LICENCE,
        "version": version,
        "region": REGION,
        "departements": deps,
        "epci": {code: epci_name[code] for code in sorted(used_epci)},
    }
    communes_doc = {**header, "communes": rows}

    # Out-of-region: every other department and region, big communes, prefectures, neighbours.
    our_names = {_fold(c["nom"]) for c in ours}
    others = [c for c in actuelles if c.get("region") != REGION]
    chefs_lieux = {d["chefLieu"] for d in departements if d["region"] != REGION}
    by_pop = sorted(others, key=lambda c: (-c.get("population", 0), c["code"]))
    keep = {c["code"]: c for c in by_pop[:TOP_N]}
    for c in others:
        if c["code"] in chefs_lieux or (c["departement"] in NEIGHBOUR_DEPARTEMENTS
                                        and c.get("population", 0) >= NEIGHBOUR_MIN_POP):
            keep[c["code"]] = c
    big = []
    for c in sorted(keep.values(), key=lambda c: c["code"]):
        folded = _fold(c["nom"])
        # A homonym of one of our communes, or a short form of one ("Saint-Denis" for
        # Saint-Denis-de-l'Hôtel, "Avon" for Avon-les-Roches), is not "outside the region",
        # unless it is a big city ("Bordeaux", not Bordeaux-en-Gâtinais).
        if folded in our_names or (c.get("population", 0) < BIG_CITY
                                   and any(n.startswith(folded + " ") for n in our_names)):
            continue
        big.append({"code_insee": c["code"], "nom": c["nom"], "departement": c["departement"],
                    "codes_postaux": sorted(set(c.get("codesPostaux", []))),
                    "population": int(c.get("population", 0))})
    hors_doc = {
        "source": header["source"],
        "licence": LICENCE,
        "version": version,
        "departements": sorted(({"code": d["code"], "nom": d["nom"]} for d in departements
                                if d["region"] != REGION), key=lambda d: d["code"]),
        "regions": sorted(({"code": r["code"], "nom": r["nom"]} for r in regions if r["code"] != REGION),
                          key=lambda r: r["code"]),
        "communes": big,
    }
    return communes_doc, hors_doc


def dumps(doc: dict) -> str:
    """Stable JSON: header keys first, then list items one per line."""
    lines = ["{"]
    items = list(doc.items())
    for i, (key, value) in enumerate(items):
        comma = "," if i < len(items) - 1 else ""
        if isinstance(value, list):
            lines.append(f"  {json.dumps(key)}: [")
            for j, item in enumerate(value):
                sep = "," if j < len(value) - 1 else ""
                lines.append("    " + json.dumps(item, ensure_ascii=False, sort_keys=False) + sep)
            lines.append("  ]" + comma)
        elif isinstance(value, dict):
            lines.append(f"  {json.dumps(key)}: {{")
            sub = list(value.items())
            for j, (k, v) in enumerate(sub):
                sep = "," if j < len(sub) - 1 else ""
                lines.append(f"    {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}{sep}")
            lines.append("  }" + comma)
        else:
            lines.append(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


CODE_COLUMNS = ("code_insee", "code_commune_insee", "insee_com", "com", "codgeo")
LAT_COLUMNS = ("latitude", "latitude_centre", "lat")
LON_COLUMNS = ("longitude", "longitude_centre", "lon", "lng")
POINT_COLUMNS = ("coordonnees_gps", "geo_point_2d")


def build_centres(csv_path: Path, codes: set[str]) -> dict:
    """{"source", "region", "centres": {code: [lat, lon]}} for the communes in ``codes``.

    When a commune has several rows (one per postal code), the first one is kept."""
    text = csv_path.read_text(encoding="utf-8-sig")
    dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=",;\t")
    rows = csv.DictReader(text.splitlines(), dialect=dialect)
    names = {n.lower().strip(): n for n in rows.fieldnames or ()}

    def column(options):
        return next((names[o] for o in options if o in names), None)

    code_col, lat_col, lon_col = column(CODE_COLUMNS), column(LAT_COLUMNS), column(LON_COLUMNS)
    point_col = column(POINT_COLUMNS)
    if not code_col or not ((lat_col and lon_col) or point_col):
        raise SystemExit(f"{csv_path}: colonnes introuvables (code INSEE et latitude/longitude)")
    centres: dict[str, list[float]] = {}
    for row in rows:
        code = (row.get(code_col) or "").strip().zfill(5)
        if code not in codes or code in centres:
            continue
        try:
            if lat_col and lon_col and row.get(lat_col) and row.get(lon_col):
                lat, lon = float(row[lat_col].replace(",", ".")), float(row[lon_col].replace(",", "."))
            elif point_col and row.get(point_col):
                lat, lon = (float(x) for x in row[point_col].split(","))
            else:
                continue
        except ValueError:
            continue
        if 46.0 < lat < 49.5 and -0.5 < lon < 3.5:  # the region's bounding box, roughly
            centres[code] = [round(lat, 5), round(lon, 5)]
    return {"source": csv_path.name, "region": REGION, "centres": dict(sorted(centres.items()))}


def write(package_dir: Path, out_dir: Path) -> tuple[Path, Path]:
    communes_doc, hors_doc = build(package_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    a = out_dir / "communes-24.json"
    b = out_dir / "hors-region.json"
    a.write_text(dumps(communes_doc), encoding="utf-8")
    b.write_text(dumps(hors_doc), encoding="utf-8")
    return a, b


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--package", type=Path, help="unpacked npm package dir (contains data/communes.json)")
    p.add_argument("--out-dir", type=Path, default=DEFAULT_OUT)
    p.add_argument("--centres", type=Path, help="official CSV of commune centres (see above)")
    args = p.parse_args(argv)
    if args.centres:  # only the centres extract, for the communes of the current gazetteer
        doc = json.loads((args.out_dir / "communes-24.json").read_text(encoding="utf-8"))
        codes = {c["code"] if "code" in c else c["code_insee"] for c in doc["communes"]}
        centres = build_centres(args.centres, codes)
        out = args.out_dir / "communes-24-centres.json"
        out.write_text(dumps(centres), encoding="utf-8")
        print(f"{out}: {len(centres['centres'])} centres sur {len(codes)} communes")
        return 0
    if args.package:
        a, b = write(args.package, args.out_dir)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            a, b = write(fetch_package(Path(tmp)), args.out_dir)
    n = len(json.loads(a.read_text(encoding="utf-8"))["communes"])
    m = len(json.loads(b.read_text(encoding="utf-8"))["communes"])
    print(f"{a}: {n} communes; {b}: {m} out-of-region communes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
