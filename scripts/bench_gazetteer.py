#!/usr/bin/env python3
"""Benchmark the gazetteer on generated spelling variants of every commune name.

Variants (fixed seed): accents dropped, St/Ste abbreviations, hyphens -> spaces, upper/lower
case, one-character typos (deletion, substitution, transposition) on names of >= 6 letters,
name + postal code, "à <name>". Each variant goes through resolve(); the "à <name>" and
postal-code variants also go through find() inside a short message.

Scoring: correct = the expected commune; for a name shared by several communes of the region
(true homonyms), an ambiguous answer whose candidates contain the expected commune counts as
correct (nothing in the text can tell them apart). A typo that yields the exact name of another
place is not generated (undetectable by design). Prints `name: value` lines.
"""
from __future__ import annotations

import random
import statistics
import sys
import time
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from knowledge.gazetteer import Gazetteer  # noqa: E402
from knowledge.text import fold_place  # noqa: E402

SEED = 20240601
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def strip_accents(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))


def abbreviate(s: str) -> str:
    return s.replace("Sainte-", "Ste-").replace("Saint-", "St-").replace("Sainte ", "Ste ").replace("Saint ", "St ")


def typo(rng: random.Random, s: str) -> str | None:
    idx = [i for i, c in enumerate(s) if c.isalpha()]
    if len(idx) < 6:
        return None
    kind = rng.choice(("del", "sub", "swap"))
    i = rng.choice(idx[1:-1])
    if kind == "del":
        return s[:i] + s[i + 1:]
    if kind == "sub":
        c = rng.choice([x for x in LETTERS if x != strip_accents(s[i]).lower()])
        return s[:i] + c + s[i + 1:]
    if i + 1 < len(s) and s[i + 1].isalpha() and s[i] != s[i + 1]:
        return s[:i] + s[i + 1] + s[i] + s[i + 2:]
    return None


def variants(g: Gazetteer, rng: random.Random):
    known = set(g._index)  # exact keys: a typo landing on one of them is not a typo we can see
    for c in sorted(g.communes.values(), key=lambda c: c.code_insee):
        nom = c.nom
        forms = {
            "sans_accents": strip_accents(nom),
            "abrege": abbreviate(nom),
            "espaces": nom.replace("-", " "),
            "minuscules": strip_accents(nom).lower(),
            "majuscules": nom.upper(),
            "code_postal": f"{c.codes_postaux[0]} {nom}",
        }
        t = typo(rng, nom)
        if t and fold_place(t) not in known:
            forms["faute"] = t
        for kind, q in forms.items():
            yield c, kind, q
        yield c, "a_nom", f"à {nom}"


def correct(m, c) -> str:
    if m is None:
        return "none"
    if m.commune is not None:
        return "ok" if m.commune == c else "wrong"
    if m.candidates and c in m.candidates:
        homonyms = all(fold_place(x.nom) == fold_place(c.nom) for x in m.candidates)
        return "ok" if homonyms else "ambiguous"
    if m.candidates:
        return "wrong"
    return "wrong" if m.kind in ("hors_region", "departement") else "none"


def main() -> int:
    t0 = time.perf_counter()
    g = Gazetteer.default()
    load_ms = (time.perf_counter() - t0) * 1000
    rng = random.Random(SEED)
    outcomes = {"ok": 0, "wrong": 0, "none": 0, "ambiguous": 0}
    times, find_times, find_cpu, find_ok, find_n = [], [], [], 0, 0
    wrong_examples = []
    items = list(variants(g, rng))
    for c, kind, q in items:
        g._fuzzy_cache.clear()   # time cold look-ups, not the typo cache
        t = time.perf_counter()
        m = g.resolve(q)
        times.append((time.perf_counter() - t) * 1000)
        r = correct(m, c)
        outcomes[r] += 1
        if r == "wrong" and len(wrong_examples) < 15:
            wrong_examples.append((q, c.nom, m and (m.commune.nom if m.commune else m.label or len(m.candidates))))
        if kind in ("a_nom", "code_postal", "faute"):
            msg = f"Patiente de 84 ans, vit seule {q if kind != 'faute' else 'à ' + q}, chutes répétées, refuse les aides."
            g._fuzzy_cache.clear()
            t, c0 = time.perf_counter(), time.process_time()
            ms = g.find(msg)
            find_times.append((time.perf_counter() - t) * 1000)
            find_cpu.append((time.process_time() - c0) * 1000)
            find_n += 1
            communes = [x for x in ms if x.kind == "commune"]
            if communes and correct(communes[0], c) == "ok":
                find_ok += 1
    n = len(items)
    times.sort()
    find_times.sort()
    find_cpu.sort()

    def pct(xs, p):
        return xs[min(len(xs) - 1, int(p * len(xs)))]

    print(f"commune_variants: {n}")
    print(f"commune_resolution_accuracy: {outcomes['ok'] / n:.3f}")
    print(f"commune_wrong_guess_rate: {outcomes['wrong'] / n:.4f}")
    print(f"commune_ambiguous_rate: {outcomes['ambiguous'] / n:.4f}")
    print(f"commune_no_answer_rate: {outcomes['none'] / n:.4f}")
    print(f"find_variants: {find_n}")
    print(f"find_accuracy: {find_ok / find_n:.3f}")
    print(f"load_ms: {load_ms:.0f}")
    print(f"resolve_p50_ms: {statistics.median(times):.3f}")
    print(f"resolve_p95_ms: {pct(times, 0.95):.3f}")
    print(f"find_p50_ms: {statistics.median(find_times):.3f}")
    print(f"find_p95_ms: {pct(find_times, 0.95):.3f}")
    print(f"find_cpu_p95_ms: {pct(find_cpu, 0.95):.3f}")   # CPU time: not skewed by machine load
    if "-v" in sys.argv:
        for w in wrong_examples:
            print("wrong:", w, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
