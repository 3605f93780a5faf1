"""Reading the place of a message: the one reader used by the NLU, the dialogue and the situation.

``find_places(text)`` lists the place mentions (the gazetteer's reading of running text, then the
short-message readings the gazetteer leaves out); ``read_place(text)`` chooses one answer:
a commune, else an ambiguity (homonyms, a postal code shared by several communes) with its
department when they share one, else a department, else an out-of-region label.

Short messages ("cmp gien ?", "dac 36", "emsp bourge", "csapa romorantain") are read after the
words of the vocabulary (service types, needs, publics) and a few request words are set aside:
what remains is resolved as a bare place (gazetteer ``resolve``: exact names, usual short forms,
one-typo names), then as a typo of a town of at least ``TOWN_MIN_POP`` inhabitants. In a longer
message where the gazetteer finds no place, a clause that is only a place name ("besoin d'un
bilan mémoire, tours") names the place whatever its case (``_place_segments``). A department
number given with the commune decides between two communes read ("jeux d'argent, 36 le blanc").
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Mapping

from rapidfuzz import process
from rapidfuzz.distance import OSA

from knowledge.gazetteer import Commune, Departement, Gazetteer, PlaceMatch, is_code_insee
from knowledge.gazetteer.words import COMMON_NAMES, HARMLESS, SHORT_FORM_BLOCK, TITLES, VERY_COMMON
from knowledge.text import fold_place
from knowledge.vocabulary import Vocabulary

SHORT_MESSAGE_TOKENS = 12   # the short-message reading applies to messages up to this many words
BARE_ANSWER_TOKENS = 6      # a bare answer ("chateauroux", "St Amand") is resolved as a whole
TOWN_MIN_POP = 2000         # typo targets of the short-message reading: towns, where services are

# Request words of SMS-style messages, never part of a place name.
_REQUEST_WORDS = frozenset("""
a au aux de du des d la le les l en et ou pour par sur svp stp merci tel telephone tél num numero
coordonnees coordonnee contact contacts adresse mail horaires horaire ouvert qui quel quelle quels
quelles besoin cherche recherche urgent urgence rdv info infos information informations aide aides
demande dispo disponible secteur vers cote pres proche plus the un une mon ma mes son sa ses svpl
bonjour bjr slt salut ok oui non merci possible existe ya il y est c ca cela comment faire
equipe service services structure centre consultation pour quoi quoi ? domicile jeune personne
""".split())
# A department number is not a place when a unit follows ("36 ans", "41 kg").
_UNIT_AFTER = re.compile(r"\s*(?:ans?|a|h|heures?|mois|kg|cm|%|€|euros?|min|j|jours?|semaines?|sem|sa)\b",
                         re.IGNORECASE)
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass(frozen=True)
class PlaceReading:
    """The place chosen for a message."""

    commune: Commune | None = None
    departement: Departement | None = None
    hors_region: str | None = None
    candidates: tuple[Commune, ...] = ()    # homonyms or communes of a shared postal code

    @property
    def found(self) -> bool:
        return self.commune is not None or self.departement is not None

    @property
    def ambiguous(self) -> bool:
        return self.commune is None and bool(self.candidates)


def find_places(text: str, gazetteer: Gazetteer | None = None, vocabulary=None) -> list[PlaceMatch]:
    """Place mentions of a message, in reading order (gazetteer first, then short-message readings);
    a hospital named without its town only when nothing else is found."""
    if not text or not text.strip():
        return []
    gazetteer = gazetteer or Gazetteer.default()
    return _rank(text, _find_places(text, gazetteer, vocabulary) or _hospitals(text, gazetteer))


# When a message names several communes, the one it corrects to, then where the person lives,
# comes before a hospital's town or a former home ("hospitalisée à Orléans, elle habite à Tours";
# "Tours, non en fait il a déménagé à Châteauroux"; "habitait Gien, vit maintenant à Montargis").
_CORRECTION = re.compile(r"\b(?:non pardon|pardon|en fait|plut[oô]t|je me trompe|me corrige|correction|"
                         r"rectif\w*|finalement|maintenant)\b", re.IGNORECASE)
_RESIDENCE = re.compile(r"\b(?:habite\w*|vit|vivent|vivant|domicil\w*|r[ée]sid\w*|demeur\w*|d[ée]m[ée]nag\w*|"
                        r"install[ée]e?s?)\b[^,.;:!?]{0,30}$", re.IGNORECASE)
_ELSEWHERE = re.compile(r"\b(?:hospitalis\w*|h[oô]pital|chu|chr|chru|ch|clinique|urgences|sortie?|habitait|"
                        r"vivait|n[ée]e?|originaire)\b[^,.;:!?]{0,20}$", re.IGNORECASE)


def _rank(text: str, matches: list[PlaceMatch]) -> list[PlaceMatch]:
    """Reading order, except between communes: a correction, then a residence, before the others."""
    towns = [m for m in matches if m.kind in ("commune", "code_postal") and (m.commune or m.candidates)]
    if len(towns) < 2:
        return matches
    prev_end, rank = 0, {}
    for m in towns:
        before = text[max(prev_end, m.start - 60):m.start]
        sure = m.score >= 98   # never promote a typo reading ("vit à l'étranger" is not Le Tranger)
        if _ELSEWHERE.search(before):
            rank[id(m)] = 2
        elif sure and prev_end and _CORRECTION.search(text[prev_end:m.start]):
            rank[id(m)] = -1
        elif sure and _RESIDENCE.search(before):
            rank[id(m)] = 0
        else:
            rank[id(m)] = 1
        prev_end = m.end
    return sorted(matches, key=lambda m: rank.get(id(m), 1))


# "hôpital Trousseau", "CH Jacques Cœur", "sortant de la clinique…": the word before a hospital name.
_HOSPITAL_WORD = re.compile(r"\b(?:h[oô]p(?:ital|itaux)?|hosto|ch|chu|chr|chru|clinique|site)\s+(?:de\s+|du\s+|d')?$",
                            re.IGNORECASE)


def _hospitals(text: str, gazetteer: Gazetteer) -> list[PlaceMatch]:
    """The commune of a hospital named without its town (knowledge/data/abreviations-communes.yaml)."""
    alone, cued = gazetteer.hospitals
    tokens = list(_TOKEN.finditer(text))
    for i, t in enumerate(tokens):
        for size in (2, 1):
            if i + size > len(tokens):
                continue
            a, b = t.start(), tokens[i + size - 1].end()
            key = fold_place(text[a:b])
            c = alone.get(key)
            if c is None and key in cued and _HOSPITAL_WORD.search(text[max(0, a - 20):a]):
                c = cued[key]
            if c is not None:
                return [PlaceMatch("commune", c, gazetteer.departements[c.departement], text[a:b], a, b, 95.0)]
    return []


def _find_places(text: str, gazetteer: Gazetteer, vocabulary) -> list[PlaceMatch]:
    found = list(gazetteer.find(text))
    found = sorted(found + _bare_department_codes(text, found, gazetteer), key=lambda m: m.start)
    tokens = _TOKEN.findall(text)
    if any(_in_region(m) for m in found):
        if len(tokens) <= SHORT_MESSAGE_TOKENS and all(m.commune is None and m.candidates
                                                       for m in found if _in_region(m)):
            # homonyms in a short message: a bare department number decides ("ssiad rivarennes 37")
            deps = [m for m in _short_message(text, gazetteer, vocabulary) if m.kind == "departement"]
            found = sorted(found + deps, key=lambda m: m.start)
        return found
    if len(tokens) <= BARE_ANSWER_TOKENS:
        m = gazetteer.resolve(text)
        if m is not None and (_in_region(m) or not found):
            return [m]
    if len(tokens) <= SHORT_MESSAGE_TOKENS:
        extra = _short_message(text, gazetteer, vocabulary)
        if extra:
            return sorted(extra + [m for m in found if m.kind != "hors_region"], key=lambda m: m.start)
    extra = (_short_sentences(text, gazetteer, vocabulary) or _place_segments(text, gazetteer, vocabulary)
             or _lowercase_towns(text, gazetteer))
    if extra:
        return sorted(extra + [m for m in found if m.kind != "hors_region"], key=lambda m: m.start)
    return found


# A town whose name is also a common word ("tours") written in lower case inside a run-on SMS
# ("sans papiers mal aux dents tours ou se faire soigner"): the town, unless a determiner or a
# number makes it the word ("des tours", "3 tours", "tours de taille").
_WORD_BEFORE = frozenset("""le la les l des un une deux trois quatre cinq dix plusieurs quelques ces ses mes tes nos
vos leurs aux petits grands demi nombreux""".split())
_WORD_AFTER = frozenset({"de", "d", "du", "des", "par"})


def _lowercase_towns(text: str, gazetteer: Gazetteer) -> list[PlaceMatch]:
    """Towns of at least TRUSTED_TOWN_POP inhabitants named by a common word, read in a message
    where no other place was found (see ``_WORD_BEFORE``)."""
    towns = {fold_place(c.nom): c for c in gazetteer.communes.values()
             if c.population >= TRUSTED_TOWN_POP and fold_place(c.nom) in COMMON_NAMES}
    tokens = list(_TOKEN.finditer(text))
    out = []
    for i, t in enumerate(tokens):
        c = towns.get(fold_place(t.group()))
        if c is None or not t.group().islower():
            continue
        before = fold_place(tokens[i - 1].group()) if i else ""
        after = fold_place(tokens[i + 1].group()) if i + 1 < len(tokens) else ""
        if before in _WORD_BEFORE or before.isdigit() or after in _WORD_AFTER:
            continue
        out.append(PlaceMatch("commune", c, gazetteer.departements[c.departement], t.group(), t.start(), t.end(), 90.0))
    return out


def read_place(text: str, gazetteer: Gazetteer | None = None, vocabulary=None,
               entities: Mapping[str, list[str]] | None = None) -> PlaceReading:
    """The place of a message; an INSEE code given by the NLU (``entities["commune"]``) wins."""
    gazetteer = gazetteer or Gazetteer.default()
    for code in (entities or {}).get("commune", []):
        if is_code_insee(str(code)) and str(code) in gazetteer.communes:
            c = gazetteer.commune(str(code))
            return PlaceReading(commune=c, departement=gazetteer.departement(c.departement))
    return choose(find_places(text, gazetteer, vocabulary))


def choose(matches: Iterable[PlaceMatch]) -> PlaceReading:
    """First resolved commune; else the first ambiguity (with its department if shared); else the
    first department; else the first out-of-region place."""
    matches = list(matches)
    named = {m.departement.code for m in matches if m.kind == "departement" and m.departement}
    communes = [m for m in matches if m.kind in ("commune", "code_postal") and m.commune is not None]
    # A department number given with the commune decides between two communes read ("jeux
    # d'argent, 36 le blanc": Le Blanc, not a town of the Cher).
    communes.sort(key=lambda m: bool(named) and m.commune.departement not in named)
    if communes:
        return PlaceReading(commune=communes[0].commune, departement=communes[0].departement or None)
    amb = next((m for m in matches if m.candidates and m.kind in ("commune", "code_postal")), None)
    dep = next((m.departement for m in matches if m.kind == "departement" and m.departement), None)
    if amb is not None:
        cands = tuple(amb.candidates)
        if dep is not None:
            cands = tuple(c for c in cands if c.departement == dep.code) or cands
        deps = {c.departement for c in cands}
        shared = amb.departement if amb.departement is not None and len(deps) == 1 else dep
        if len(cands) == 1:
            return PlaceReading(commune=cands[0], departement=shared)
        return PlaceReading(departement=shared, candidates=cands)
    if dep is not None:
        return PlaceReading(departement=dep)
    out = next((m for m in matches if m.kind == "hors_region"), None)
    if out is not None:
        return PlaceReading(hors_region=out.label or out.text)
    return PlaceReading()


_ACRONYMS = ("dac|clic|mdph|ssiad|spasad|saad|had|emg|emsp|esa|pfr|samsah|savs|pcpe|cra|camsp|"
             "cmp|cmpp|mda|empp|csapa|caarud|pass|mds|ccas|pmi|crip|cmrr|cpts|cpam|prado")
_BARE_DEP_RE = re.compile(
    r"(?:(?:^|[,;/(]|(?<=[^\W\d_])[.!?:]|\s[-–])\s*(?P<code>\d{2})(?=\s*(?:[,;?!.)]|$))"
    r"|\b(?:" + _ACRONYMS + r")\s+(?:du\s+)?(?P<code2>\d{2})\b(?!\s*(?:ans|an|a|h|%|kg)\b))",
    re.IGNORECASE)


def _bare_department_codes(text: str, found: list[PlaceMatch], gazetteer: Gazetteer) -> list[PlaceMatch]:
    """A region department number standing alone between commas ("pte 91a, 45, seule") or right
    after a resource acronym ("DAC 45"): GP shorthand the gazetteer leaves out."""
    out = []
    for m in _BARE_DEP_RE.finditer(text):
        g = "code" if m.group("code") else "code2"
        code = m.group(g)
        if code not in gazetteer.departements:
            continue
        if any(m.start(g) < x.end and m.end(g) > x.start for x in found):
            continue
        out.append(PlaceMatch("departement", None, gazetteer.departements[code], code, m.start(g), m.end(g), 100.0))
    return out


def _in_region(m: PlaceMatch) -> bool:
    return m.kind in ("commune", "code_postal", "departement") and (
        m.commune is not None or m.departement is not None or bool(m.candidates))


# Request words that also link the words of a commune's name ("Saint-Jean-de-la-Ruelle",
# "Montlouis-sur-Loire"): they do not cut a run of leftover words that has begun.
_NAME_LINKS = frozenset({"de", "du", "des", "d", "la", "le", "les", "l", "sur", "en", "aux"})


def _short_message(text: str, gazetteer: Gazetteer, vocabulary) -> list[PlaceMatch]:
    """Places of an SMS-style message once vocabulary and request words are set aside."""
    if vocabulary is None:
        vocabulary = Vocabulary.default()
    taken = [(m.start, m.end) for m in vocabulary.find(text)]
    runs: list[list[re.Match]] = [[]]
    out: list[PlaceMatch] = []
    for t in _TOKEN.finditer(text):
        word = fold_place(t.group())
        inside = any(a <= t.start() and t.end() <= b for a, b in taken)
        if t.group().isdigit():
            runs.append([])
            dep = _department_code(text, t, gazetteer)
            if dep is not None:
                out.append(dep)
            continue
        if word in _NAME_LINKS and not inside and runs[-1]:
            runs[-1].append(t)   # inside a name ("st jean de la ruelle"); the run's stretches are tried
            continue
        if inside or word in _REQUEST_WORDS:
            runs.append([])
            continue
        runs[-1].append(t)
    for run in runs:
        if not run:
            continue
        m = _resolve_run(text, run, gazetteer)
        if m is not None:
            out.append(m)
    return out


def _department_code(text: str, t: re.Match, gazetteer: Gazetteer) -> PlaceMatch | None:
    code = t.group()
    if code not in gazetteer.departements:
        return None
    before = text[t.start() - 1] if t.start() else " "
    if before.isalnum() or before in "/.,:" and t.start() > 1 and text[t.start() - 2].isdigit():
        return None
    if _UNIT_AFTER.match(text, t.end()) or (t.end() < len(text) and text[t.end()] in "/.,:" and
                                             text[t.end() + 1:t.end() + 2].isdigit()):
        return None
    return PlaceMatch("departement", None, gazetteer.departements[code], code, t.start(), t.end(), 100.0)


def _resolve_run(text: str, run: list[re.Match], gazetteer: Gazetteer) -> PlaceMatch | None:
    """The longest stretch of a run of leftover words that names a place of the region; a name
    (even with a typo: "st jean de la ruel") before a longer stretch only one typo away from a town."""
    n = len(run)
    for read in (gazetteer.resolve, lambda span: town_typo(span, gazetteer)):
        for size in range(min(n, 6), 0, -1):
            for i in range(0, n - size + 1):
                a, b = run[i].start(), run[i + size - 1].end()
                span = text[a:b]
                if size == 1 and len(span) < 3:
                    continue
                m = read(span)
                if m is not None and _in_region(m):
                    return PlaceMatch(m.kind, m.commune, m.departement, span, a, b, m.score, m.candidates, m.label)
    return None


_SENTENCE_END = re.compile(r"[.!?\n]")


def _short_sentences(text: str, gazetteer: Gazetteer, vocabulary) -> list[PlaceMatch]:
    """The short-message reading of each short sentence that names a service type, in a longer
    message ("cmp le blanc adulte horaire ? patiente suivie à Poitiers, vient de déménager")."""
    vocabulary = vocabulary or Vocabulary.default()
    out: list[PlaceMatch] = []
    start = 0
    for end in [m.start() for m in _SENTENCE_END.finditer(text)] + [len(text)]:
        a, start = start, end + 1
        seg = text[a:end]
        if not 0 < len(_TOKEN.findall(seg)) <= SHORT_MESSAGE_TOKENS or not any(
                m.kind == "type" for m in vocabulary.find(seg)):
            continue
        for m in _short_message(seg, gazetteer, vocabulary):
            out.append(PlaceMatch(m.kind, m.commune, m.departement, m.text, a + m.start, a + m.end,
                                  m.score, m.candidates, m.label))
    return out


# Clause boundaries of a longer message: a clause that is only a place name ("..., tours",
# "le blanc : dame 80 ans ...") names the place, whatever its case.
_SEGMENT = re.compile(r"[,;:.!?()\n/]|\s[-–]\s")
SEGMENT_TOKENS = 5          # at most this many words in such a clause


def _place_segments(text: str, gazetteer: Gazetteer, vocabulary) -> list[PlaceMatch]:
    """Places given as a clause of their own in a longer message ("besoin d'un bilan, tours"):
    the clause is resolved as a bare answer, unless the vocabulary reads it (a need, a public)."""
    if vocabulary is None:
        vocabulary = Vocabulary.default()
    out: list[PlaceMatch] = []
    start = 0
    bounds = [m.start() for m in _SEGMENT.finditer(text)] + [len(text)]
    for end in bounds:
        a, b = start, end
        start = end + 1
        seg = text[a:b]
        words = _TOKEN.findall(seg)
        if not words or len(words) > SEGMENT_TOKENS or all(w.isdigit() for w in words):
            continue
        keys = [fold_place(w) for w in words if fold_place(w) not in HARMLESS]
        if vocabulary.find(seg) or fold_place(words[0]) in TITLES or " ".join(keys) in VERY_COMMON:
            continue   # a need or a public, a person's name ("Mme Gien"), a word ("en charge")
        m = gazetteer.resolve(seg)
        if m is None or not _in_region(m):
            continue
        lead = len(seg) - len(seg.lstrip())
        out.append(PlaceMatch(m.kind, m.commune, m.departement, seg.strip(), a + lead, a + lead + len(seg.strip()),
                              m.score, m.candidates, m.label))
    return out


_TOWNS: dict[int, tuple[list[str], dict[str, Commune]]] = {}


def town_typo(span: str, gazetteer: Gazetteer) -> PlaceMatch | None:
    """A one-edit typo (two from 9 letters) of a town's name or usual short name, when unique."""
    key = fold_place(span)
    letters = len(key.replace(" ", ""))
    if letters < 5:
        return None
    towns = _TOWNS.get(id(gazetteer))
    if towns is None:
        names: dict[str, Commune] = {}
        for c in gazetteer.communes.values():
            if c.population >= TOWN_MIN_POP:
                full = fold_place(c.nom)
                names.setdefault(full, c)
                head = full.split()[0]
                if (head not in ("saint", "sainte", "la", "le", "les") and len(head) >= 5
                        and head not in SHORT_FORM_BLOCK and head not in COMMON_NAMES):
                    names.setdefault(head, c)
        towns = _TOWNS[id(gazetteer)] = (list(names), names)
    keys, names = towns
    maxd = 1 if letters < 9 else 2
    found = process.extract(key, keys, scorer=OSA.distance, score_cutoff=maxd, limit=5)
    if not found:
        return None
    best = min(d for _, d, _ in found)
    hits = {names[k].code_insee: names[k] for k, d, _ in found if d == best}
    if len(hits) != 1:
        return None
    c = next(iter(hits.values()))
    m = PlaceMatch("commune", c, gazetteer.departements[c.departement], span, 0, len(span),
                   round(100.0 * (1 - best / letters), 1))
    if gazetteer.is_common_word(key) and not typo_beats_word(m):
        return None
    return m


TRUSTED_TOWN_POP = 10_000   # one typo away from a town this big, a short message means the town


def typo_beats_word(m: PlaceMatch) -> bool:
    """A town read from a common French word wins over the word only when it is one edit away
    and has at least TRUSTED_TOWN_POP inhabitants: "chartes" is Chartres and "bourge" Bourges, but
    "hanche" is not Hanches, "argent" not Argent-sur-Sauldre, "bourgeois" not Bourges."""
    letters = len(fold_place(m.text).replace(" ", ""))
    edits = round(letters * (1 - m.score / 100))
    return 1 <= edits < 2 and m.commune.population >= TRUSTED_TOWN_POP
