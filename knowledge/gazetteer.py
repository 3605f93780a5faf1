"""Communes, departments and postal codes of Centre-Val de Loire (region 24).

Data: ``knowledge/data/communes-24.json`` and ``knowledge/data/hors-region.json``, built by
``scripts/build_gazetteer.py`` from @etalab/decoupage-administratif (MIT). Matching rules and
thresholds are documented in ``docs/gazetteer.md``.
"""
from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import OSA

from knowledge.text import fold, fold_place

DATA_DIR = Path(__file__).resolve().parent / "data"
COMMUNES_FILE = DATA_DIR / "communes-24.json"
HORS_REGION_FILE = DATA_DIR / "hors-region.json"

MAX_SCAN = 5000          # find() only reads the first MAX_SCAN characters of a message
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
        letters = len(key.replace(" ", ""))
        first, _, rest = key.partition(" ")
        if letters < 5 or key in NATURAL_REGIONS or (first in ARTICLES and rest in NATURAL_REGIONS):
            return None
        maxd = 1 if letters < 12 else 2
        found = process.extract(key, self._fuzzy_keys, scorer=OSA.distance, score_cutoff=maxd, limit=8)
        if not found:
            return None
        best = min(d for _, d, _ in found)
        tops = [k for k, d, _ in found if d == best]
        score = round(100.0 * (1 - best / max(letters, 1)), 1)
        entries = [self._index[k] for k in tops]
        communes = sorted({c for e in entries if e.kind == "commune" for c in e.communes},
                          key=lambda c: (-c.population, c.code_insee))
        if len(tops) == 1:
            return self._make(entries[0], text, start, end, score)
        if communes and all(e.kind == "commune" for e in entries):
            return PlaceMatch("commune", None, None, text[start:end], start, end, score, tuple(communes))
        return None      # several unrelated places are equally close: no guess

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
        i = 0
        while i < n:
            t = toks[i]
            if t.key.isdigit():
                m = self._number(text, toks, i, standalone)
                if m:
                    found.append((m, None))
                i += 1
                continue
            hit = self._name_at(text, toks, i, standalone, shouting)
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

    def _name_at(self, text, toks, i, standalone, shouting):
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
