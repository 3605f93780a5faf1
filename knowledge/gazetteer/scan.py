"""Places mentioned in a free-text message: the scan over word tokens, place cues, postal codes
and department numbers (rules and thresholds: docs/gazetteer.md)."""
from __future__ import annotations

import re

from knowledge.gazetteer.model import PlaceMatch, _Entry, _Tok
from knowledge.gazetteer.words import (ALONE, BARE_LE_MIN, COMMON_NAMES, DEMONYM_BEFORE, DEPT_CUES, DEPT_NAME_CUES, DIRECTIONS,
                                       EMERGENCY_NUMBERS, LINK_AFTER_CUE, MEDIUM_CUES, NATURAL_REGIONS,
                                       NUMBER_NOT_PLACE_AFTER, STRONG_CUES, TITLES, VERY_COMMON, WEAK_CUES,
                                       _NO_FUZZY_START, _TOKEN)
from knowledge.text import fold_place

MAX_SCAN = 5000          # find() only reads the first MAX_SCAN characters of a message
FUZZY_BUDGET = 60        # at most 60 uncached typo look-ups per message (keeps junk input fast)
SHORT_TOWN_POP = 10_000  # a lower-case name of at most 4 letters is read alone for a town this big
MAX_NGRAM = 10           # longest name, in tokens ("La Chapelle-Saint-Martin-en-Plaine" = 7)


class TextScan:
    """The free-text half of `Gazetteer` (it provides `_index`, `_make`, `_fuzzy`, the departments)."""

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
        while k >= 0 and (prev[k] in LINK_AFTER_CUE or prev[k] in ALONE) and len(prev) - k <= 2:
            if k - 1 >= 0 and prev[k - 1] in STRONG_CUES:
                # "vit seule loches": medium, not "vit seule charge mentale"
                return "medium" if any(p in ALONE for p in prev[k:]) else "strong"
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
        """True when tokens i..j-1 sit next to a postal code of the entry ("Sancerre 18300"), or
        to its department number ("Amilly 28", "37 chinon"; "37 tours" only for a name that is no word)."""
        if e.kind != "commune":
            return False
        cps = {cp for c in e.communes for cp in c.codes_postaux}
        deps = {c.departement for c in e.communes}
        key = " ".join(t.key for t in toks[i:j])
        if j < len(toks) and re.fullmatch(r"[\s,(]*", text[toks[j - 1].end:toks[j].start]):
            raw = toks[j].raw
            if raw in cps or (raw in deps and not re.match(r"\s*(?:ans?|a)\b|[,.]\d", text[toks[j].end:])):
                return True
        if i > 0 and re.fullmatch(r"[\s,]*", text[toks[i - 1].end:toks[i].start]):
            raw = toks[i - 1].raw
            if raw in cps or (raw in deps and key not in COMMON_NAMES):
                return True
        return False

    @staticmethod
    def _dept_cue(toks: list[_Tok], i: int, names: bool = False) -> bool:
        """A department cue before token i; `names`: one that makes a word a department of ours
        ("dans le cher"), not "sur le" (the river: "sur le Cher") nor "en"."""
        prev = tuple(t.key for t in toks[max(0, i - 4):i])
        cues = [c for c in DEPT_CUES if c[0] != "sur"] if names else DEPT_NAME_CUES
        return any(prev[-len(c):] == c for c in cues)

    def _after_direction(self, text: str, toks: list[_Tok], i: int) -> bool:
        """True after a compass point ("nord Cher", "sud de l'Indre", "l'est du Loiret"); "est"
        alone before the name is the verb ("c'est cher")."""
        k = i - 1
        while k >= 0 and i - k <= 2 and toks[k].key in ("de", "du", "la", "l", "d"):
            k -= 1
        if k < 0 or toks[k].key not in DIRECTIONS or not self._joined(text, toks, k, i + 1):
            return False
        return toks[k].key != "est" or k < i - 1 or (k > 0 and toks[k - 1].key in ("l", "le"))

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
        if e.form == "sans_article" and " " in key:
            return True    # "ferte st aubin", "ile bouchard": a compound name without its article, not a phrase
        if short and e.form == "exact" and e.sure and len(e.communes) == 1 and (
                e.communes[0].population >= SHORT_TOWN_POP and not self.is_common_word(key)):
            return True    # "gien": a town of a short name that is no word
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
        demonym = self._person_demonyms.get(first.key) if i > 0 and toks[i - 1].key in DEMONYM_BEFORE else None
        if demonym is not None:   # "un Orléanais de 36 ans", "l'agglo tourangelle": the town, not the region
            return PlaceMatch("commune", demonym, self.departements[demonym.departement], first.raw,
                              first.start, first.end, 95.0), None, i + 1
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
                    or self._next_to_postal_code(text, toks, i, j, e)
                    or (e.kind == "departement" and (self._after_direction(text, toks, i)
                                                     or self._dept_cue(toks, i, names=True)))):
                continue
            if (e.dept and key in COMMON_NAMES and not standalone
                    and not self._dept_cue(toks, i)):
                continue   # rivers and words ("Val de Loire", "au nord"): only "dans la Loire"
            score = 100.0 if e.form == "exact" else (98.0 if e.form == "sans_article" else 95.0)
            if e.kind == "commune" and not e.sure and not standalone and not (
                    capital and cue in ("strong", "medium")) and not self._next_to_postal_code(text, toks, i, j, e):
                continue   # an uncertain short form ("Nogent") only as "à Nogent" or "Nogent 28", with candidates
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
        bare = prev[-1:] in (("le",), ("du",))
        if (cued or bare) and NUMBER_NOT_PLACE_AFTER.match(text, t.end):
            return None   # "dans le 37,5", "le 28 novembre", "sur le 45 kg"
        # "le 41", "un patient du 37"; not a range ("du 36 au 38")
        bare_le = (bare and code in self.departements and int(code) >= BARE_LE_MIN
                   and not re.match(r"\s*(?:au|a|à|-)\s*\d", text[t.end:]))
        if not (cued or paren or alone or bare_le):
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
                # a department number right next to the name counts ("Amilly 28", "28 Amilly")
                after = re.match(r"[\s,(]*(\d{2})(?!\d|[,.]\d|\s*(?:ans?|a)\b)", text[m.end:m.end + 8])
                before = re.search(r"(?<![\d,.])(?<!\d )(\d{2})[\s,]*$", text[max(0, m.start - 6):m.start])
                near = {x.group(1) for x in (after, before) if x}
                narrowed = tuple(c for c in m.candidates if set(c.codes_postaux) & cps) or \
                    tuple(c for c in m.candidates if c.departement in deps | near)
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
