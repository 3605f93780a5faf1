"""Communes, departments and postal codes of Centre-Val de Loire (region 24).

Data: ``knowledge/data/communes-24.json`` and ``knowledge/data/hors-region.json``, built by
``scripts/build_gazetteer.py`` from @etalab/decoupage-administratif (MIT). Matching rules and
thresholds are documented in ``docs/gazetteer.md``.
"""
from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, replace
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import OSA

from knowledge.text import fold_place

DATA_DIR = Path(__file__).resolve().parent / "data"
COMMUNES_FILE = DATA_DIR / "communes-24.json"
HORS_REGION_FILE = DATA_DIR / "hors-region.json"

MAX_SCAN = 5000          # find() only reads the first MAX_SCAN characters of a message
FUZZY_BUDGET = 60        # at most 60 uncached typo look-ups per message (keeps junk input fast)
MAX_NGRAM = 10           # longest name, in tokens ("La Chapelle-Saint-Martin-en-Plaine" = 7)
SHORT_FORM_MIN_POP = 2000  # a short form ("Saint-Amand") stands for one commune only if it has
SHORT_FORM_RATIO = 5       # >= 2,000 inhabitants and >= 5x the population of the next candidate


@dataclass(frozen=True)
class Commune:
    code_insee: str
    nom: str
    departement: str
    codes_postaux: tuple[str, ...]
    epci: str | None
    population: int


@dataclass(frozen=True)
class Departement:
    code: str
    nom: str


@dataclass(frozen=True)
class PlaceMatch:
    kind: str                      # "commune" | "departement" | "code_postal" | "hors_region"
    commune: Commune | None
    departement: Departement | None
    text: str
    start: int
    end: int
    score: float
    candidates: tuple[Commune, ...] = ()
    label: str | None = None


DEPARTEMENTS: dict[str, Departement] = {d.code: d for d in (
    Departement("18", "Cher"), Departement("28", "Eure-et-Loir"), Departement("36", "Indre"),
    Departement("37", "Indre-et-Loire"), Departement("41", "Loir-et-Cher"), Departement("45", "Loiret"),
)}

# Folded names (or name forms) that are ordinary French words, first names, wines or rivers.
# Found by checking every name against the French lexicon of spaCy's fr_core_news_md
# lemmatizer tables, then reviewed by hand (big towns that are not words were removed).
# In running text such a name needs a place cue, a capital letter inside a sentence,
# or an adjacent postal code / department number.
COMMON_NAMES = frozenset("""
abondant ange anche ardentes aube avoine azy billy blanc blet boisseau boisseaux bossee
breches brion brou bu bue calais cannes celle chanteau charbonnieres charge charly chassant
cher cigogne ciron coinces coings colombes colombiers conan conde contres corbeilles corse
coulombs cravant creuse crevant crosses dangers dry feux fosse gap gas gilles girolles
hanches hommes houilles houx jars jura lacs lance landes lange linge loches loire lot luisant
leves maille maillet maisons manche marne mer monnaie monts morand murs nice nord noyers
oison orne pannes pierres plaisir pommiers pouille poulaines preaux pruniers quincy raymond
reuilly riviere roches rouvres sache sancerre savonnieres sens somme tendron tendu tourailles
tours trappes tulle valence valencay var varennes vienne vouvray bourgueil cheverny moulins
ormes joue riche temple charme liege noyer loupe choux perche chatelet bordes essarts hayes
champenoise framboisiere chapelle ferte croix fontenelle ferriere bussiere coudray boulay
""".split()) | frozenset({
    "la celle", "la champenoise", "la loupe", "la perche", "la riche", "le blanc", "le charme",
    "le chatelet", "le liege", "le noyer", "le temple", "les bordes", "les choux", "les essarts",
    "la fleche", "la framboisiere", "le tampon", "la chapelle", "la ferte", "la croix",
    "jeu les bois", "saint aout",
})
# Leading parts of compound names that are words or too vague to stand for one commune.
SHORT_FORM_BLOCK = frozenset({"argent", "cours", "jouet", "bouges", "loche", "vallee", "vieilles",
                              "vannes", "athee", "feins", "noyant", "coulommiers", "chatres",
                              "pont", "mont", "cour", "bois", "ville", "dame marie", "cinq mars",
                              "vald", "cinq", "beauce", "tremblay", "vitry", "saint remy",
                              "villedieu", "neuville", "ferrieres", "tour", "dame", "vert", "lion",
                              "chateau", "fontaine", "fontaines", "ports", "mers", "sceaux", "beaune",
                              "pers", "berry", "neuilly", "sorel", "coteaux", "crottes", "bray",
                              "rueil", "avon", "conflans", "cere", "crecy"})
# Natural regions and "pays": not communes, never matched through a short form or a typo
# ("dans le Berry" is not Herry, "le Perche" is not La Perche).
NATURAL_REGIONS = frozenset({
    "berry", "sologne", "touraine", "beauce", "perche", "gatinais", "brenne", "boischaut",
    "puisaye", "drouais", "thymerais", "vendomois", "blesois", "orleanais", "pithiverais",
    "champagne berrichonne", "val de loire", "centre", "centre val de loire", "sancerrois",
})
# Subset where "à <word>" is itself a frequent phrase ("enfants à charge"): needs a strong cue
# or a capital letter.
VERY_COMMON = frozenset({"charge", "celle", "plaisir", "nord", "somme", "hommes", "maisons",
                         "monnaie", "lance", "sache", "tendu", "fosse", "hanches", "murs", "feux",
                         "monts", "lacs", "pierres", "roches", "pommiers", "crosses", "corbeilles",
                         "coings", "breches", "pannes", "dangers", "noyers", "pruniers", "preaux"})

ARTICLES = ("le", "la", "les", "l")
LINKERS = frozenset({"sur", "sous", "en", "le", "la", "les", "l", "de", "du", "des", "d", "aux",
                     "au", "et", "les", "pres", "lez", "lès"})
# Place cues, folded. STRONG ones accept any name; MEDIUM ones all but VERY_COMMON; WEAK ones
# only names that are not ordinary words.
STRONG_CUES = frozenset({
    "habite", "habitent", "habitant", "habitante", "domicilie", "domiciliee",
    "vit", "vivant", "vivent", "reside", "residant", "residante", "resident", "residente",
    "demeurant", "demeurante", "demeure", "commune", "secteur", "region", "pres", "proche",
    "originaire", "ville", "village", "canton", "agglo", "agglomeration", "environs", "alentours",
    "installe", "installee", "demenage", "demenagee", "hameau", "bourg",
})
MEDIUM_CUES = frozenset({"a", "au", "aux", "ds", "dans", "vers", "sur", "cote"})
WEAK_CUES = frozenset({"de", "d", "du", "des", "en", "et", "ou", "chez"})
LINK_AFTER_CUE = frozenset({"a", "au", "aux", "de", "d", "du", "des", "sur", "dans", "ds", "la",
                            "le", "les", "l", "vers", "cote", "en"})
# Before a department number ("dans le 36", "dpt 41"); never a bare "le 18" (the fire brigade).
DEPT_CUES = (("dans", "le"), ("dans", "la"), ("dans", "l"), ("ds", "le"), ("ds", "la"),
             ("ds", "l"), ("departement",), ("dpt",), ("dept",), ("dep",),
             ("departement", "du"), ("departement", "de"), ("departement", "de", "la"),
             ("departement", "de", "l"))
# Before an out-of-region department whose name is a word or a river ("dans la Loire").
DEPT_NAME_CUES = DEPT_CUES + (("en",),)
TITLES = frozenset({"m", "mr", "mme", "mlle", "me", "dr", "docteur", "madame", "monsieur",
                    "mademoiselle", "pr", "professeur", "nom", "prenom", "chez"})

# Out-of-region department numbers that are also emergency numbers: a place only with a cue.
EMERGENCY_NUMBERS = {"15", "17"}
_TOKEN = re.compile(r"[^\W\d_]+|\d+", re.UNICODE)


# Words that may surround a place name in a query without changing its meaning.
HARMLESS = frozenset({"centre", "ville", "nord", "sud", "est", "ouest", "quartier", "cedex",
                      "france", "commune", "secteur", "region", "agglomeration", "agglo", "pres",
                      "de", "du", "des", "la", "le", "les", "l", "d", "et", "departement", "dpt",
                      "dept", "dep", "dans", "ds", "en", "a", "au", "aux", "sur", "vers"})
_NOT_NAME_START = STRONG_CUES | MEDIUM_CUES | WEAK_CUES | LINK_AFTER_CUE | TITLES

_NO_FUZZY_START = _NOT_NAME_START - set(ARTICLES)


@dataclass
class _Entry:
    kind: str                       # "commune" | "departement" | "hors"
    communes: tuple[Commune, ...] = ()
    departement: Departement | None = None
    label: str | None = None
    form: str = "exact"             # "exact" | "sans_article" | "forme_courte"
    sure: bool = True               # False: candidates only, never a single guess
    dept: bool = False              # an out-of-region department (Loire, Vienne, Nord...)


@dataclass
class _Tok:
    start: int
    end: int
    raw: str
    key: str


class Gazetteer:
    _default: "Gazetteer | None" = None
    _lock = threading.Lock()

    def __init__(self, communes_file: Path = COMMUNES_FILE, hors_file: Path = HORS_REGION_FILE):
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
        # Fuzzy targets: exact names only (not short forms), at least 5 letters.
        self._fuzzy_keys = [k for k, e in idx.items()
                            if e.form == "exact" and len(k.replace(" ", "")) >= 5]
        self._all_dep_codes = set(self.departements) | set(self.hors_departements)
        self._longest = max(len(k.replace(" ", "")) for k in self._fuzzy_keys)
        self._fuzzy_cache: dict[str, PlaceMatch | None] = {}

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

    def _fuzzy_cached(self, key: str) -> PlaceMatch | None:
        cache = self._fuzzy_cache
        if key in cache:
            return cache[key]
        letters = len(key.replace(" ", ""))
        first, _, rest = key.partition(" ")
        if (letters < 5 or letters > self._longest + 2 or key in NATURAL_REGIONS
                or key in FUZZY_BLOCK or (first in ARTICLES and rest in NATURAL_REGIONS)):
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

    # ------------------------------------------------------------------ find
    def find(self, text: str) -> list[PlaceMatch]:
        """All places mentioned in a free-text message (first MAX_SCAN characters)."""
        if not text:
            return []
        return self._scan(text[:MAX_SCAN], standalone=False)

    @staticmethod
    def _tokens(text: str) -> list[_Tok]:
        out = []
        for m in _TOKEN.finditer(text):
            raw = m.group()
            out.append(_Tok(m.start(), m.end(), raw, fold_place(raw)))
        return out

    def _make(self, e: _Entry, text: str, start: int, end: int, score: float) -> PlaceMatch:
        span = text[start:end]
        if e.kind == "commune":
            if len(e.communes) == 1 and e.sure:
                c = e.communes[0]
                return PlaceMatch("commune", c, self.departements[c.departement], span, start, end, score)
            deps = {c.departement for c in e.communes}
            dep = self.departements[deps.pop()] if len(deps) == 1 else None
            return PlaceMatch("commune", None, dep, span, start, end, score, e.communes[:10])
        if e.kind == "departement":
            return PlaceMatch("departement", None, e.departement, span, start, end, score)
        return PlaceMatch("hors_region", None, None, span, start, end, score, label=e.label)

    def _scan(self, text: str, standalone: bool) -> list[PlaceMatch]:
        toks = self._tokens(text)
        if not toks:
            return []
        letters = [c for c in text if c.isalpha()]
        shouting = bool(letters) and sum(c.isupper() for c in letters) > 0.5 * len(letters)
        n = len(toks)
        found: list[tuple[PlaceMatch, _Entry | None]] = []
        budget = [FUZZY_BUDGET]      # typo look-ups per message (cached ones are free)
        i = 0
        while i < n:
            t = toks[i]
            if t.key.isdigit():
                m = self._number(text, toks, i, standalone)
                if m:
                    found.append((m, None))
                i += 1
                continue
            hit = self._name_at(text, toks, i, standalone, shouting, budget)
            if hit:
                m, e, j = hit
                found.append((m, e))
                i = j
                continue
            i += 1
        return self._post(text, found)

    def _joined(self, text: str, toks: list[_Tok], i: int, j: int) -> bool:
        """True when tokens i..j-1 are only separated by spaces, hyphens, apostrophes, dots."""
        for k in range(i, j - 1):
            gap = text[toks[k].end:toks[k + 1].start]
            if not re.fullmatch(r"[\s'’\-‐–_.]{0,3}", gap) or "\n" in gap:
                return False
            if "." in gap and toks[k].key not in ("saint", "sainte"):
                return False
        return True

    def _cue(self, toks: list[_Tok], i: int) -> str | None:
        """Strength of the place cue before token i: "strong", "medium", "weak" or None."""
        prev = [t.key for t in toks[max(0, i - 4):i]]
        if not prev:
            return None
        last = prev[-1]
        # "habite à", "secteur de", "près de", "commune de": strong word then linkers.
        k = len(prev) - 1
        while k >= 0 and prev[k] in LINK_AFTER_CUE and len(prev) - k <= 2:
            if k - 1 >= 0 and prev[k - 1] in STRONG_CUES:
                return "strong"
            k -= 1
        if last in STRONG_CUES:
            return "strong"
        if last in MEDIUM_CUES:
            return "medium"
        if last in WEAK_CUES:
            return "weak"
        return None

    @staticmethod
    def _next_to_postal_code(text: str, toks: list[_Tok], i: int, j: int, e: _Entry) -> bool:
        """True when tokens i..j-1 sit next to a postal code of the entry ("Sancerre 18300")."""
        if e.kind != "commune":
            return False
        codes = {cp for c in e.communes for cp in c.codes_postaux}
        near = []
        if j < len(toks) and re.fullmatch(r"[\s,(]*", text[toks[j - 1].end:toks[j].start]):
            near.append(toks[j].raw)
        if i > 0 and re.fullmatch(r"[\s,]*", text[toks[i - 1].end:toks[i].start]):
            near.append(toks[i - 1].raw)
        return any(x in codes for x in near)

    @staticmethod
    def _dept_cue(toks: list[_Tok], i: int) -> bool:
        prev = tuple(t.key for t in toks[max(0, i - 4):i])
        return any(prev[-len(c):] == c for c in DEPT_NAME_CUES)

    def _sentence_initial(self, text: str, toks: list[_Tok], i: int) -> bool:
        if i == 0:
            return True
        gap = text[toks[i - 1].end:toks[i].start]
        return bool(re.search(r"[.!?:;\n•\-*]", gap))

    def _accept(self, key: str, e: _Entry, cue: str | None, capital: bool, standalone: bool) -> bool:
        if standalone:
            return True
        common = key in COMMON_NAMES
        if key in VERY_COMMON:
            return cue == "strong" or capital
        if common:
            return cue in ("strong", "medium") or capital
        short = len(key.replace(" ", "")) <= 4
        if e.form != "exact" or short:
            return cue is not None or capital
        return True

    def _name_at(self, text, toks, i, standalone, shouting, budget):
        n = len(toks)
        first = toks[i]
        cue = self._cue(toks, i)
        raw0 = first.raw
        capital = raw0[:1].isupper() and not (shouting and raw0.isupper() and len(raw0) > 1)
        if capital and i > 0 and toks[i - 1].key in TITLES:
            capital = False
        initial = self._sentence_initial(text, toks, i)
        fallback = None
        for j in range(min(n, i + MAX_NGRAM), i, -1):
            if any(t.key.isdigit() for t in toks[i:j]) or not self._joined(text, toks, i, j):
                continue
            key = " ".join(t.key for t in toks[i:j])
            e = self._index.get(key)
            if e is None or (key in NATURAL_REGIONS and e.form != "exact"):
                continue
            if (key in self._clash and not standalone and not (i > 0 and toks[i - 1].key == "a")
                    and not self._next_to_postal_code(text, toks, i, j, e)):
                # "en Bretagne" is the region; only "à Bretagne" is the commune of the Indre.
                e = _Entry("hors", label=self._clash[key])
            cap_ok = capital and not (initial and key in COMMON_NAMES)
            if not (self._accept(key, e, cue, cap_ok, standalone)
                    or self._next_to_postal_code(text, toks, i, j, e)):
                continue
            if (e.dept and key in COMMON_NAMES and not standalone
                    and not self._dept_cue(toks, i)):
                continue   # rivers and words ("Val de Loire", "au nord"): only "dans la Loire"
            score = 100.0 if e.form == "exact" else (98.0 if e.form == "sans_article" else 95.0)
            if e.kind == "commune" and not e.sure and not standalone and not (
                    capital and cue in ("strong", "medium")):
                continue   # an uncertain short form ("Nogent") only as "à Nogent", with candidates
            if e.kind == "commune" and not e.sure and not standalone:
                fallback = (self._make(e, text, first.start, toks[j - 1].end, score), e, j)
                break      # a longer name with a typo may still match ("La Chapelle-Montiinard")
            return self._make(e, text, first.start, toks[j - 1].end, score), e, j
        # "au Blanc" = "Le Blanc", "aux Aix-d'Angillon" = "Les Aix-d'Angillon".
        if i > 0 and toks[i - 1].key in ("au", "du", "aux", "des"):
            art = "le" if toks[i - 1].key in ("au", "du") else "les"
            for j in range(min(n, i + MAX_NGRAM), i, -1):
                if any(t.key.isdigit() for t in toks[i:j]) or not self._joined(text, toks, i, j):
                    continue
                key = art + " " + " ".join(t.key for t in toks[i:j])
                e = self._index.get(key)
                if e is not None and e.kind in ("commune", "hors") and (
                        capital or cue == "strong" or standalone or key not in COMMON_NAMES):
                    return self._make(e, text, first.start, toks[j - 1].end, 100.0), e, j
        # Typos: only after a place cue or on a capitalised word (or in resolve()).
        if standalone or cue in ("strong", "medium") or (capital and not initial):
            for j in range(min(n, i + 6), i, -1):
                if any(t.key.isdigit() for t in toks[i:j]) or not self._joined(text, toks, i, j):
                    continue
                key = " ".join(t.key for t in toks[i:j])
                if (key in self._index or key in COMMON_NAMES or key in NATURAL_REGIONS
                        or toks[i].key in _NO_FUZZY_START):
                    continue
                if fallback and j <= fallback[2]:
                    break
                if key not in self._fuzzy_cache:
                    if budget[0] <= 0:
                        break
                    budget[0] -= 1
                m = self._fuzzy(key, text, first.start, toks[j - 1].end)
                if m is not None:
                    return m, None, j
        return fallback

    def _number(self, text, toks, i, standalone) -> PlaceMatch | None:
        t = toks[i]
        raw = t.raw
        # Glued to letters ("82a", "90ans") or part of a decimal / phone number: not a place.
        before = text[t.start - 1] if t.start > 0 else " "
        after = text[t.end] if t.end < len(text) else " "
        if before.isalnum() or after.isalnum():
            return None
        if (before in ".," and t.start > 1 and text[t.start - 2].isdigit()) or (
                after in ".," and t.end + 1 < len(text) and text[t.end + 1].isdigit()):
            return None  # "3.14159", "2,5": a decimal number
        if len(raw) == 5:
            cs = self._by_cp.get(raw)
            if cs:
                if len(cs) == 1:
                    c = cs[0]
                    return PlaceMatch("code_postal", c, self.departements[c.departement], raw,
                                      t.start, t.end, 100.0)
                dep = self.departements[cs[0].departement]
                return PlaceMatch("code_postal", None, dep, raw, t.start, t.end, 100.0, tuple(cs))
            prefix = raw[:3] if raw.startswith("97") else raw[:2]
            label = self._hors_cp.get(raw)
            # In running text only "75012 Paris": a number alone may be anything ("10000 unités").
            named = label and i + 1 < len(toks) and fold_place(label).startswith(toks[i + 1].key)
            if prefix in self.hors_departements and (standalone or named):
                return PlaceMatch("hors_region", None, None, raw, t.start, t.end, 100.0,
                                  label=label or raw)
            return None
        if len(raw) not in (2, 3):
            return None
        code = raw
        if code not in self._all_dep_codes:
            return None
        prev = tuple(x.key for x in toks[max(0, i - 3):i])
        paren = before == "(" and after == ")"
        cued = any(prev[-len(c):] == c for c in DEPT_CUES)
        alone = standalone and len(toks) <= 3
        if not (cued or paren or alone):
            return None
        if code in EMERGENCY_NUMBERS and not (cued or paren):
            return None  # "15", "le 17": the SAMU or the police, not the Cantal or Charente-Maritime
        if code in self.departements:
            return PlaceMatch("departement", None, self.departements[code], raw, t.start, t.end, 100.0)
        return PlaceMatch("hors_region", None, None, raw, t.start, t.end, 100.0, label=raw)

    def _post(self, text: str, found: list[tuple[PlaceMatch, _Entry | None]]) -> list[PlaceMatch]:
        """Disambiguate with postal codes / departments and merge adjacent mentions."""
        matches = [m for m, _ in found]
        deps = {m.departement.code for m in matches
                if m.kind in ("departement", "code_postal") and m.departement}
        cps = {m.text for m in matches if m.kind == "code_postal"}
        out: list[PlaceMatch] = []
        for m in matches:
            if m.kind == "commune" and m.commune is None and m.candidates:
                narrowed = tuple(c for c in m.candidates if set(c.codes_postaux) & cps) or \
                    tuple(c for c in m.candidates if c.departement in deps)
                if len(narrowed) == 1:
                    c = narrowed[0]
                    m = PlaceMatch("commune", c, self.departements[c.departement], m.text, m.start,
                                   m.end, m.score)
                elif narrowed:
                    m = PlaceMatch("commune", None, m.departement, m.text, m.start, m.end, m.score, narrowed)
            if m is not None:
                out.append(m)
        # Drop a department / postal code that only restates an adjacent commune ("Tours (37)");
        # an adjacent postal code joins the commune's span ("41000 Blois").
        drop: set[int] = set()
        for k, m in enumerate(out):
            if m.kind not in ("departement", "code_postal", "hors_region") or not m.text.isdigit():
                continue
            for x_i, x in enumerate(out):
                if x_i == k or not (0 <= m.start - x.end <= 3 or 0 <= x.start - m.end <= 3):
                    continue
                if x.kind == "commune" and x.commune and (
                        (m.kind == "departement" and x.commune.departement == m.departement.code)
                        or (m.kind == "code_postal" and m.text in x.commune.codes_postaux)):
                    drop.add(k)
                    gap = text[min(m.end, x.end):max(m.start, x.start)]
                    if m.kind == "code_postal" and re.fullmatch(r"[\s,]*", gap):
                        a, b = min(m.start, x.start), max(m.end, x.end)
                        out[x_i] = PlaceMatch(x.kind, x.commune, x.departement, text[a:b], a, b,
                                              x.score, x.candidates, x.label)
                elif x.kind == "hors_region" and m.kind == "hors_region":
                    drop.add(k)
        return [m for k, m in enumerate(out) if k not in drop]


# French words (folded) one edit away from a place name: never corrected into a place
# ("Mardi" is not Mardié, "Pompiers" not Pommiers). Built once from the 100,000 most frequent
# French words of the `wordfreq` package (Apache-2.0) with the fuzzy rule of `_fuzzy`; see
# docs/gazetteer.md.
FUZZY_BLOCK = frozenset("""
aaron abondante abondants abondent abonnant abonnee abord abordant aceres achetes acheves acord
addon aigre ailier aille ailles ailly aimes aisee alaire alais aliens aligre aller allie allied
alliee allies alliez allonges alloues allumes allures alois altier ambroise amende amies amines
anches ancre anders andes andre andres andrey angels anger anges animes anjouan annes antan
antes anthony antin anton antoni anvers aoust apris arche arcon arden ardennais ardenne ardente
ardents areas arenes argentes argentin argon arias ariens arion arlon armas armes arome arpege
array arron arros arson artis asnieres assad assaf assam assas assigne atours aubertin aurais
auras auray author autriche autruche avant avers avold avray bache bacle bacon baffes baggy
baile baille baillet baillon bailly bainville balais balcon balle bally balois bambin bandes
banlieu banna baoule baran barbes bardeaux baron barras barrau barro barron barros barrot barrow
barthe bassee bassigny basta bastian bastiat bastie bastin baude bauge baume bavant baves bayle
bayrou beauce beauchesne beauvois beaux beigne beliers belle belles belly belon benis bennes
bercy beret bernay berne berry besson bessy bienne biere bierre bievre bigre bille billes bills
binge binks biran biron bison bissy blais blance bleme blesses bleue blocs blogs bluray boches
boece boire boise boisee boitiers bonde bondee bones bonne bonnel bonner bonnes bonnet bonney
bonnie bonte bonze bordeau boree borges bormes bornee bornes bosse bosser bosses bossez bossue
boueuse bouffay bouge bouges bougres bouille bouilles bouillon bouillons boule boulon bounce
bourdes bourge bourget bourgs bourres bourses boury bousille boussac bouviers boyce braire
bravant braves breche brechet brent brett breves brian briard bribes brice brick brico brics
brides brien briere briey brille briot brises brison brissac brive broches brode broie broke
brome brosses broute broye broyes brule bruno brunon brunot buble buffy bugsy bulle bully busset
bussi cabris cache cadors cagnes cagney caille cailles caillet caillou calas calle calmar cambon
canal canes canines canne cannet canoes cantat cantin cardon carly carnac carne carnes caron
cassant caumont caunes caves celan celie cella celles cello cells celse celte cenon centres
cerdan cereales ceret cerisy cerne cerny cervelles cession cessons chabannes chablais chablis
chain chainon chalet challe challes chalon chamber chambers chandon change chantal chantres
chaos chapais chapelet chaperon chapin chapon charbon charbonniere charbonniers chardon chardy
charentes charest charette chargea chargee charger charges chargez charle charlet charley charli
charny charon charpente charte charters chartes chartre chassa chassait chasse chassent chateau
chateaurenard chaton chaudron chauffeurs chausey chausse chauvin chavanne chazelles check chelle
chenille chenonceau chere cheres cheri cheris cherry chers cheryl chessy chevigny cheville chevy
chignon chino chiron choisy choke chollet chome chope choque chore chose chouf choye chuis
cigognes ciman cimbres cimes cimon cintres cioran cirad citais citron civiere classant classy
clement cleon clermont cleves cliche cloches cloue clubs coast coches cogne cognes cohan cohue
coigny coince coincee coincees coincer coing coins coire collar colle colman colombe colombey
colombiens colombier colombus colomiers colon coman combes combles comme commes comores concourt
condes condo conge congres conna conne connery connes conny conon const conte contes contrat
contre contree contrees contrer coran corbeille corde cordon coree cores cormeilles corne
corneilles coron corre correge correle corsa corsee corser corses corset corsi corso corte cosse
cosses cosson coude coudees coudes couille couilles couillon couillons coulomb coulombe coulon
count courges cours course court cousu couts couvres cowan crache craon crasses creant creches
crecy cremant creon cresson crest creusee creuser creuses creuset creusez creux crevait crevent
criantes croches crois croisa croise croises croissy crosse crossed cruelles cuban cueille
cuisant curse cussac cusson cylon damiens danae dance dandy danger danke danny danse dante
dantes dantin danvers danza darcy daron darras daval davant davignon deals deaux delabre delle
delon delos derome derry derville deuil devant devers didon dieux digby digne dilly dimes diois
dison dixon dobbs domme donde donne donnee donner donnera doors doree dorme dormes dormoy dorval
doubt doues douille douilles douville douvres drachme drame drives drogue drogues drole drone
drouet druze duffy dunes dunst duret duvet ebauche echelles echoue ecuelle eille elance eleves
elles emaille emaux enron envers envoy epais epernay eperon epinay essay essonnes estampes
etapes etendu evers fache facon faille faisons fancy fange fantin faons fargeau faris faron
fasse faudrais felon fendu feret feron ferres ferris ferry fesse feves fiers fievre fievres
fille filles fimes flagey fleurs flosse flyers foire foison fonce fonde fontan fontenoy fonts
forges forman formes fortin fortran fosses fossey fouille fouilles foulon fours foyers fraie
frame franca france francky frappes fraye frazer freines frenes fresne fresnel fresnoy fretille
freux fronce fusse gache gagny gallardo galles gance gange garan garay gardon garennes garon
gaule gavant gaves gazeux geddes gelee genantes gendron genee geniale gennes gentille geree
gerry gesvres gifles gignac gigogne gijon giles gille gillet gillis gilly girardon giron giroud
givors givres glandes gloire gluant gomme gommes goncourt goree gorges gosse graca gracieux
grainville grappes gravant grille grilles grises grives gronde grosses groux guere guerit guerre
guille guilluy guilty guyana hache haches hallier hanche hannes hantes hardie haris harry havel
heille helle henault henry heraut herne heron herouville hetre holmes hombres homes homme horse
houille houiller hours houssaye huitre icelle illes indes indie indra indue inger ingere ingres
insere isles jaille jallais jantes japan jarnac jaucourt jelle jerry joinville jolivet jones
josse jourdan jours jumeau karan kerry khoury killy kiran konan laban lacan lacey lache laches
laden laferriere lafleche lafon lagny lagon lagons laides laire lallier lanca lancee lancel
lancer lances lancet lancez lancy lande landen lander landers landis landon lands langer langes
langlais langle langue lanne lannes lanta lapin laplante lardon large larges largesse larochelle
laudes launay laury lavant laves lavoie lavoine lavons layon leaves leblanc leches legere lemay
lemerre lemire leone leproux leray lerner leroux leses lesson levee levees level levels leven
levens levent lever levers levez levis levres liant libelle libre lierre lieux lievre lievres
ligne lignes ligue ligure lilie lilli lilly liman limes limoge limoger limoux linas linde linges
lingue linke linne lions liouville lirais lisant lisee lisere lisiez lison lisse liste litre
lives livet livre loans loche lodges logees loges loison loisy lomme londe longe lorca loret
lorgues lorie loris lorne lorry louane louant louches louhans louons lourd louron louviere
louvres loves lowry loyers luang lubie lucille luffy luire luisante luisants lulle lunar lundy
luneau lunes luxeuil lyons mabille mache macons macos macron maddie madou maelle mages maggy
magna magne magni magno magon maguy mahon mailles maillets maillot mailly maine maintenons
mainville maison maisy makes malais males malle mallet malou mamou mamoudou mance mancha manches
mande manes mange mangeais manille manne manny manon manor manos manteau manteaux mantes mapou
marais maran maras marat marca marchais marche marcherais marcon marcy marde mardi mardis mardy
maree maren marennes mares marey marge margie marie marin marine marion maris marle marlon marly
marnais marnes marni marnie maroc maroilles maroni maroon marot marotte marra marre marron marry
marte marthe martins marton marty mason massa masse massey massi massives massu matche mates
maton matou maule mauny mauves maven mavis mayence mayne meade meduse melin melle melon memere
menais menard mendel mendes mendez mendie mendy menee menou mense mente ments menue merde
merleau merry merville messa messe messes metaux mettra mettrai mettras meule meure meute meyers
michy mienne miens mievre migre mille milles millet milliers milly milne mimes minas minieres
ministere minne minou miron misere misons missy moches moelle mohand moigne moines moire moise
moisi moissy monceaux monde monnaies monnaye monos monta montagny montandon montarville monte
montes monteux month montholon months monti montpelier montres monty moran morandi morane morano
moray morde moreau morel morelle mores moret morey morges morgues morland morne mornes moron
morris morse morte mortiers morts morue morve moses mouans mouchard mouchet moudon mouille
mouilles moulay moulin mouret mouron mouse moutet mouton mouzon moves moyenne mulan muray muree
muriers murray musset mussy myron nadon names nance nangis nanny nanou nantel nanteuil nantis
narcisses natan nattes naval naves nelle neris neuilly neuve never neves neyret niles ninon
nivelle noches noire noiret noise noisy nombres nombreux nomme nommes nonce nonne normande
normandin normes norris nouille nouilles nourry noyees noyes nuisant nulle occitane oeuil olive
oliver olives ollier olson ombres orangis orbes oreal oreille orges origny orion ornes orson
ouille oulan oullins ouvres pache paddy pagnes pagny paille paillet pairs palais palis pallier
panes panis panne pantins paons papis parais paras paray parcelles parcourt parcs pardon pares
paria parias parie paries parish parisi parks parmis parois paros parris parthe partis parts
parus parvis passy patin patris patry patsy patty paule pauly pavant paves peaux peigne pelle
pelles pende pendu pennes percy peron perou perry pessah phone pierre pierret pietres piggy
pille pilles pilliers pingre pinon piron pison plaisirs plantin plumeau poches poings pointille
poire poiret poiriers poison poisse poisseux poitier pomme pommes pommier pompiers ponce
pontigny ponts poree poreux portiers posse postiers potiers pouilles pouillon pouilly poulains
pours preau preches prefontaine prennes presle presley preux prion priva privat prives proches
proue prunier puant puisant pussy quant quincey rache racines radon raille raimond raines rains
rainville raisons rallier ramond rance range rangers rapines raves ravines raymonde reaux
recueille regnes reign reigns reille reilly reines reins reiss relay remis renal renan rende
rendes rendu renens renes renies renne renner renny rentes resigne ressac reuil revant revers
reves revet reymond rheims rhode riais riant riches riens rifle rilke rimes rions risle rivas
rivere rives rivier riviera rivieres riziere rochas roche rocher rochers rochet rodee roden
rodeo roder rodes rodet rogen roissy rolle ronan ronce ronde rosaire rosen rosny rosse rouches
rouee rouer roues rouet rouge rouille rouilles rouillon rouville rouvre rouyn rozay ruches
rumilly sabin sabran sacha sacher saches sachet sachez sachs sacre safran sagan sagone sailly
saisons salaire salan samain sanche sancy santal santerre santes sarah sarcelle sarin saris
sartre sassy satan sauge saule saumure sauna saunas sauvy savant savoir savone savoye saxonne
scannes scelle seaux seche sedis segre seguy selle selon semes semis serais seras serfs serie
series serin serkis seron serrais serres sertis servile servis seuil seville sevre sevres sherry
sides sienne sierre siglo signac signe sille silly singe sinon soeurs soire soirs soisy solaires
solesmes sombres somma sommee sommer sommes sommet sommiers sonde songe sonne sonnee soucy soude
souille souilles souilly souks soulanges soule souligne souls soupe sourd sourds souri souris
souss soute spinal spurs suant sueves surville tache taille taisons talence tally tance tanche
tanches tannes tantes tapant tardes tarees tares taris tarnac tarses tartes tassigny taule
tavern taxant teigne telle telles tenais tende tendon tends tendue tendus tengu terne terray
terres terry tesson thaon theon thery these theses thoiry thury tienne tigre tille tilloy times
tison toise toison tolle tomme tondu tonne torch torse toubon toucha toucy touille toure tourn
tournan tournay tourny touron touts trainor trappe travers trille trina trones tropes troue
troues trous trout trouv troye troyen troyens truies tuant tuile tully urville vache vaille
vaise valais valente vallees valles vallier valognes vance vannes vantes varan vardon varenne
varie variee vartan vassy vaudeville veaux veillant veilles veine velle velues venais vende
vendeen vendez vendre vendu vendue vengee venne verbaux verdon verdun vereux vergne vergy vernay
verne vernis veron verrais verres versaille verville veules veyron vicky vielles vienna viennes
vigne vignon vigny vigogne vilain villain villar villard villas ville villemain villequier
villers villes villey vimes vinson vison voice voies voile voire vouziers vrille wallonnes waris
watan waves welle welles wesson wille willy worse yanne yaris yelle yonge yours youville yverdon
yvonne
""".split())
