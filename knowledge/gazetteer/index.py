"""The `Gazetteer`: loading of the region's communes, look-ups, a place given alone, typo matching."""
from __future__ import annotations

import json
import threading
from dataclasses import replace
from pathlib import Path

import yaml
from rapidfuzz import process
from rapidfuzz.distance import OSA

from knowledge.gazetteer.model import Commune, Departement, PlaceMatch, _Entry
from knowledge.gazetteer.scan import TextScan
from knowledge.gazetteer.words import (ARTICLES, FUZZY_BLOCK, HARMLESS, LINKERS, NATURAL_REGIONS, SHORT_FORM_BLOCK,
                                       _NOT_NAME_START)
from knowledge.text import fold_place

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
COMMUNES_FILE = DATA_DIR / "communes-24.json"
HORS_REGION_FILE = DATA_DIR / "hors-region.json"
ABBREVIATIONS_FILE = DATA_DIR / "abreviations-communes.yaml"   # usual SMS abbreviations ("romo", "chtx")

SHORT_FORM_MIN_POP = 2000  # a short form ("Saint-Amand") stands for one commune only if it has
SHORT_FORM_RATIO = 5       # >= 2,000 inhabitants and >= 5x the population of the next candidate
SHADOWED_RATIO = 10        # a commune's own name is uncertain when it is the short form of one 10x bigger


class Gazetteer(TextScan):
    _default: "Gazetteer | None" = None
    _lock = threading.Lock()

    def __init__(self, communes_file: Path = COMMUNES_FILE, hors_file: Path = HORS_REGION_FILE, *,
                 fuzzy_block: frozenset[str] = FUZZY_BLOCK, abbreviations_file: Path | None = ABBREVIATIONS_FILE):
        self._abbreviations_file = abbreviations_file
        self._fuzzy_block = fuzzy_block   # scripts/build_fuzzy_block.py builds one without it
        with open(communes_file, encoding="utf-8") as f:
            doc = json.load(f)
        with open(hors_file, encoding="utf-8") as f:
            hors = json.load(f)
        self.source = {k: doc[k] for k in ("source", "licence", "version")}
        self.departements = {d["code"]: Departement(d["code"], d["nom"]) for d in doc["departements"]}
        self._epci_names: dict[str, str] = dict(doc["epci"])
        self.communes: dict[str, Commune] = {}
        for c in doc["communes"]:
            self.communes[c["code_insee"]] = Commune(
                c["code_insee"], c["nom"], c["departement"], tuple(c["codes_postaux"]),
                c["epci"], int(c["population"]))
        self._by_epci: dict[str, list[Commune]] = {}
        self._by_dep: dict[str, list[Commune]] = {}
        self._by_cp: dict[str, list[Commune]] = {}
        for c in self.communes.values():
            if c.epci:
                self._by_epci.setdefault(c.epci, []).append(c)
            self._by_dep.setdefault(c.departement, []).append(c)
            for cp in c.codes_postaux:
                self._by_cp.setdefault(cp, []).append(c)
        for lst in self._by_cp.values():
            lst.sort(key=lambda c: (-c.population, c.code_insee))
        self.hors_departements = {d["code"]: Departement(d["code"], d["nom"]) for d in hors["departements"]}
        self._hors_cp: dict[str, str] = {}
        self._build_index(hors)

    # ------------------------------------------------------------------ loading
    @classmethod
    def default(cls) -> "Gazetteer":
        """Shared instance, loaded once."""
        if cls._default is None:
            with cls._lock:
                if cls._default is None:
                    cls._default = cls()
        return cls._default

    def _build_index(self, hors: dict) -> None:
        idx: dict[str, _Entry] = {}
        groups: dict[str, list[Commune]] = {}
        for c in self.communes.values():
            groups.setdefault(fold_place(c.nom), []).append(c)
        for key, cs in groups.items():
            idx[key] = _Entry("commune", tuple(sorted(cs, key=lambda c: (-c.population, c.code_insee))))
        # Article-less forms ("Chapelle-Saint-Ursin" for "La Chapelle-Saint-Ursin").
        sans: dict[str, list[Commune]] = {}
        for key, e in list(idx.items()):
            first, _, rest = key.partition(" ")
            if first in ARTICLES and rest and rest not in idx:
                sans.setdefault(rest, []).extend(e.communes)
        for key, cs in sans.items():
            idx[key] = _Entry("commune", tuple(sorted(cs, key=lambda c: -c.population)), form="sans_article")
        # Short forms: a leading part of compound names ("Saint-Amand", "Romorantin").
        prefixes: dict[str, list[Commune]] = {}
        for c in self.communes.values():
            toks = fold_place(c.nom).split()
            if len(toks) < 2 or toks[0] in ARTICLES or toks[0] == "notre":
                continue
            base = 2 if toks[0] in ("saint", "sainte") else 1
            heads = {base}
            cut = next((k for k in range(base, len(toks)) if toks[k] in LINKERS), None)
            if cut is not None:
                heads.add(cut)
            for k in heads:
                if 0 < k < len(toks) and toks[k - 1] not in ("saint", "sainte"):
                    prefixes.setdefault(" ".join(toks[:k]), []).append(c)
        reserved = {fold_place(c["nom"]) for c in hors["communes"]} | {
            fold_place(d["nom"]) for d in hors["departements"] + hors["regions"]} | {
            fold_place(d.nom) for d in self.departements.values()}
        for key, cs in prefixes.items():
            if key in idx or key in reserved or key in SHORT_FORM_BLOCK or len(key.replace(" ", "")) < 4:
                continue
            cs = sorted(set(cs), key=lambda c: (-c.population, c.code_insee))
            if cs[0].population >= SHORT_FORM_MIN_POP and (
                    len(cs) == 1 or cs[0].population >= SHORT_FORM_RATIO * cs[1].population):
                idx[key] = _Entry("commune", (cs[0],), form="forme_courte")
            else:
                idx[key] = _Entry("commune", tuple(cs), form="forme_courte", sure=False)
        # A tiny commune's name that is also the usual short form of a far bigger one ("Montlouis",
        # 111 inhabitants in the Cher, for Montlouis-sur-Loire): both, the bigger first, uncertain.
        for key, cs in prefixes.items():
            e = idx.get(key)
            big = max(cs, key=lambda c: c.population)
            if (e is not None and e.kind == "commune" and e.form == "exact" and big.population >= SHORT_FORM_MIN_POP
                    and big.population >= SHADOWED_RATIO * max(c.population for c in e.communes)):
                idx[key] = _Entry("commune", (big,) + e.communes, sure=False)
        # Usual abbreviations of towns (data table knowledge/data/abreviations-communes.yaml):
        # read as short forms, never shadowing a name already indexed.
        for key, c in self.abbreviations().items():
            if key not in idx:
                idx[key] = _Entry("commune", (c,), form="forme_courte")
        # Departments of the region.
        for d in self.departements.values():
            idx[fold_place(d.nom)] = _Entry("departement", departement=d)
        # Outside the region: communes, departments, regions. Ours always win.
        for c in sorted(hors["communes"], key=lambda c: -c["population"]):
            key = fold_place(c["nom"])
            idx.setdefault(key, _Entry("hors", label=c["nom"]))
            for cp in c["codes_postaux"]:
                self._hors_cp.setdefault(cp, c["nom"])
        # Our communes named like an out-of-region department or region ("Bretagne", Indre):
        # in running text only "à Bretagne" is the commune, "en Bretagne" is the region.
        self._clash = {fold_place(x["nom"]): x["nom"] for x in hors["departements"] + hors["regions"]
                       if fold_place(x["nom"]) in groups}
        for d in hors["departements"]:
            idx.setdefault(fold_place(d["nom"]), _Entry("hors", label=d["nom"], dept=True))
        for r in hors["regions"]:
            idx.setdefault(fold_place(r["nom"]), _Entry("hors", label=r["nom"]))
        self._index = idx
        self._person_demonyms = {**self.abbreviations("gentiles"), **self.abbreviations("gentiles_de_personne")}
        self.hospitals = (self.abbreviations("etablissements_seuls"), self.abbreviations("etablissements"))
        # Fuzzy targets: exact names only (not short forms), at least 5 letters.
        self._fuzzy_keys = [k for k, e in idx.items()
                            if e.form == "exact" and len(k.replace(" ", "")) >= 5]
        self._all_dep_codes = set(self.departements) | set(self.hors_departements)
        self._longest = max(len(k.replace(" ", "")) for k in self._fuzzy_keys)
        self._fuzzy_cache: dict[str, PlaceMatch | None] = {}

    def abbreviations(self, section: str | None = None) -> dict[str, Commune]:
        """The usual abbreviations and demonyms of the data table, folded, with their commune ({} without a file);
        `section`: another list of the file (``"gentiles_de_personne"``, ``"etablissements"``…)."""
        path = self._abbreviations_file
        if path is None or not path.exists():
            return {}
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        out: dict[str, Commune] = {}
        rows = [] if section else [(row["forme"], row) for row in doc.get("abreviations") or []]
        rows += [(f, row) for row in doc.get(section or "gentiles") or [] for f in row["formes"]]   # demonyms
        for form, row in rows:
            key, code = fold_place(str(form)), str(row["code_insee"])
            if not row.get("source"):
                raise ValueError(f"{path.name} : la forme {key!r} ne cite pas sa source")
            if code not in self.communes:
                raise ValueError(f"{path.name} : code INSEE inconnu {code!r} pour {key!r}")
            out[key] = self.communes[code]
        return out

    # ------------------------------------------------------------------ lookups
    def commune(self, code_insee: str) -> Commune:
        return self.communes[code_insee]

    def departement(self, code: str) -> Departement:
        return self.departements[code]

    def communes_of_epci(self, siren: str) -> list[Commune]:
        return sorted(self._by_epci.get(siren, []), key=lambda c: c.code_insee)

    def communes_of_departement(self, code: str) -> list[Commune]:
        return sorted(self._by_dep.get(code, []), key=lambda c: c.code_insee)

    def communes_of_code_postal(self, code: str) -> list[Commune]:
        return list(self._by_cp.get(code, []))

    def epci_name(self, siren: str) -> str | None:
        return self._epci_names.get(siren)

    # ------------------------------------------------------------------ resolve
    def resolve(self, query: str) -> PlaceMatch | None:
        """Resolve a place given alone (name, postal code, department); None if unknown."""
        if not query or not query.strip():
            return None
        text = query[:200]
        matches = self._scan(text, standalone=True)
        # Postal codes and departments only narrow the commune down ("Amilly Loiret").
        fixed = [m for m in matches if m.score == 100
                 and (m.kind in ("code_postal", "departement") or m.text.isdigit())]
        named = [m for m in matches if m not in fixed]
        words = [t for t in self._tokens(text) if not t.key.isdigit()
                 and not any(f.start <= t.start and t.end <= f.end for f in fixed)]
        while words and words[0].key in _NOT_NAME_START and words[0].key not in ARTICLES:
            words = words[1:]
        while words and words[-1].key in HARMLESS:
            words = words[:-1]
        if words:
            whole = len(named) == 1 and named[0].start <= words[0].start and named[0].end >= words[-1].end
            if not whole:
                # Never answer with a fragment of the query: match the whole name with typos.
                fm = None
                for ws in (words, words[1:] if words[0].key in ARTICLES else []):
                    if ws and fm is None:
                        fm = self._fuzzy(" ".join(t.key for t in ws), text, ws[0].start, ws[-1].end)
                if fm is None:
                    return None
                matches = self._post(text, [(fm, None)] + [(m, None) for m in fixed])
        if not matches:
            return None
        # Prefer a commune, then a postal code, a department, an out-of-region place.
        order = {"commune": 0, "code_postal": 1, "departement": 2, "hors_region": 3}
        matches.sort(key=lambda m: (order[m.kind], -(m.end - m.start)))
        return matches[0]

    def _fuzzy(self, key: str, text: str, start: int, end: int) -> PlaceMatch | None:
        """Typo match of a whole folded name; None when nothing or several unrelated places."""
        hit = self._fuzzy_cached(key)
        if hit is None:
            return None
        span = text[start:end]
        return replace(hit, text=span, start=start, end=end)

    def is_common_word(self, key: str) -> bool:
        """A folded French word that no typo rule may turn into a place (knowledge/data/fuzzy-block.txt)."""
        return key in self._fuzzy_block

    def _fuzzy_cached(self, key: str) -> PlaceMatch | None:
        cache = self._fuzzy_cache
        if key in cache:
            return cache[key]
        letters = len(key.replace(" ", ""))
        first, _, rest = key.partition(" ")
        if (letters < 5 or letters > self._longest + 2 or key in NATURAL_REGIONS
                or key in self._fuzzy_block or (first in ARTICLES and rest in NATURAL_REGIONS)):
            return None
        maxd = 1 if letters < 12 else 2
        found = process.extract(key, self._fuzzy_keys, scorer=OSA.distance, score_cutoff=maxd, limit=8)
        hit = None
        if found:
            best = min(d for _, d, _ in found)
            tops = [k for k, d, _ in found if d == best]
            score = round(100.0 * (1 - best / max(letters, 1)), 1)
            entries = [self._index[k] for k in tops]
            communes = sorted({c for e in entries if e.kind == "commune" for c in e.communes},
                              key=lambda c: (-c.population, c.code_insee))
            if len(tops) == 1:
                hit = self._make(entries[0], key, 0, len(key), score)
            elif communes and all(e.kind == "commune" for e in entries):
                hit = PlaceMatch("commune", None, None, key, 0, len(key), score, tuple(communes))
            # else: several unrelated places are equally close: no guess
        if len(cache) >= 20_000:
            cache.clear()
        cache[key] = hit
        return hit
