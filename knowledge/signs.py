"""Clinical signs and alert scenes read on a spaCy parse (fr_core_news_md), with their qualifiers.

The rules live in `knowledge/data/signs.yaml` (each names its reference source); they are compiled
into one spaCy `Matcher` over a token attribute that holds the folded word and its folded lemma,
so that "tombée", "tombait" and "tomber" all match `tomber`. Each match becomes a `Sign` with
qualifiers: negated and past history (`knowledge.negation`, shared with the rest of the project,
plus history cues of the data file), hypothetical, reported speech, onset (sudden / old).
Only a *live* sign (not negated, not past, not hypothetical, not old when the rule says so)
raises an emergency. EDS-NLP was evaluated for the qualifiers and not kept (docs/triage.md).

The spaCy model is loaded once per process (`nlp()`), the rules once (`SignReader.default()`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import product
from pathlib import Path
from typing import Any

import yaml

from knowledge.ages import within
from knowledge.negation import inside_split_negation, is_history, is_negated, thought_negated
from knowledge.qualifiers import framed as hyp_frame, real
from knowledge.scene_time import adjusted, current_duration, reassured, sequel_of_past_event
from knowledge.numbers import KNOWN_NUMBERS
from knowledge.spelling import extra as _sms
from knowledge.subjects import concrete, in_condition
from knowledge.text import fold
from knowledge.vocabulary import Vocabulary, fold_aligned

DEFAULT_PATH = Path(__file__).parent / "data" / "signs.yaml"
MODEL = "fr_core_news_md"
MAX_CHARS = 5000
QUALIFIERS = ("hypothese", "conditionnel", "en_cours", "crainte", "rapporte", "antecedent", "debut_ancien", "debut_brutal", "resolu",
              "rassurant", "information", "passe", "actuel", "duree_actuelle", "sequelle_etat")
_IGNORABLE = {"hypothese", "crainte", "rapporte", "antecedent", "nie"}
# Words that open a new clause inside a sentence (the scope of a qualifier stops there).
_CLAUSE_WORDS = frozenset({"mais", "et", "puis", "car", "donc", "or", "cependant", "pourtant", "sauf",
                           "maintenant", "aujourd_hui", "actuellement", "desormais", "depuis", "quand",
                           "lorsque", "alors"})
_PER_MATCHER = 150
_CLAUSE_PUNCT = frozenset({",", ";", ":", "(", ")", "-", "\n", "/"})


class SignsError(ValueError):
    """Invalid signs file; the message names the rule."""


@dataclass(frozen=True)
class Sign:
    regle: str
    numero: str
    texte: str
    start: int                 # offsets in the analysed text
    end: int
    nie: bool = False
    antecedent: bool = False
    hypothese: bool = False
    rapporte: bool = False
    debut: str | None = None   # "brutal" | "ancien" | None
    crainte: bool = False      # "peur de", "risque de": feared, not present
    rassurant: bool = False    # explored and reassuring ("ECG normal", "reproductible à la palpation")

    @property
    def qualificatifs(self) -> list[str]:
        out = [q for q in ("nie", "antecedent", "hypothese", "crainte", "rapporte", "rassurant") if getattr(self, q)]
        return out + ([f"debut_{self.debut}"] if self.debut else [])


@dataclass
class SignRule:
    id: str
    numero: str
    priorite: int
    motif: str
    source: str
    aussi: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    requiert: dict | None = None
    non_ancien: bool = False
    brutal: bool = False
    ignore: frozenset = frozenset()
    seulement_avec_urgence: bool = False
    order: int = 0


# ---------------------------------------------------------------------------------------------
# spaCy


@lru_cache(maxsize=1)
def nlp():
    """fr_core_news_md without NER, loaded once per process. The matching key of each token
    ("|folded text|folded lemma|") is written into its NORM: the Matcher reads NORM in C, where a
    custom `_.` attribute costs a Python call per token and per pattern (two thirds of the reading
    time, measured 3 December 2026)."""
    import spacy

    return spacy.load(MODEL, exclude=["ner"])


@lru_cache(maxsize=65536)
def _fold_key(text: str, lemma: str) -> str:
    # Punctuation folds to nothing: keep it, so that a gap `~N` can stop at a sentence end.
    f = fold(re.sub(r"(?<=\d)\.(?=\d)", ",", text)).replace(" ", "_") or text.strip()  # "39.5" reads "39,5"
    return f"|{f}|{fold(lemma).replace(' ', '_') or lemma.strip()}|{_sms(f)}"  # + SMS forms (spelling.py)


def _key(token) -> str:
    return _fold_key(token.text, token.lemma_)


_WORD_OK = re.compile(r"^[a-z0-9_']+\*?$")


def _word_regex(words: list[str]) -> str:
    alts = []
    for w in words:
        if w.startswith("re:"):
            alts.append(w[3:])
        elif w.endswith("*"):
            alts.append(re.escape(w[:-1]) + r"[a-z0-9_]*")
        else:
            alts.append(re.escape(w))
    return r"\|(?:" + "|".join(sorted(set(alts), key=len, reverse=True)) + r")\|"


def _gap(n: int) -> dict:
    # Sentence ends are read on the punctuation, not on the parser's guesses (it often starts a
    # "sentence" at "à" or "et"); nor does a gap cross "pas", "jamais", "sans" ("ne s'étouffe pas en
    # mangeant", "selles molles sans sang").
    return {"NORM": {"REGEX": r"^\|(?!pas\||jamais\||sans\|)[^.;!?…]"}, "IS_SPACE": False, "OP": "{0,%d}" % n}


def compile_line(line: str, where: str) -> list[list[dict]]:
    """A pattern line of the data file -> spaCy Matcher patterns (several when a slot has
    multi-word variants)."""
    raws = [r for r in line.split() if r.startswith("re:")]
    for k, r in enumerate(raws):
        line = line.replace(r, f"rx{k}x", 1)
    text = fold(line.replace("_", "\x00").replace("|", "\x01").replace("*", "\x02").replace("?", "\x03")
                .replace("~", "\x04"))
    text = text.replace("\x00", "_").replace("\x01", "|").replace("\x02", "*").replace("\x03", "?").replace("\x04", "~")
    # fold() turned separators into spaces; "~" gaps stay as "~N" tokens.
    options: list[list[list[dict]]] = []
    for raw in re.findall(r"~\s*\d+|[^\s~]+", text):
        raw = raw.replace(" ", "")
        if raw.startswith("~"):
            n = int(raw[1:])
            if n:
                options.append([[_gap(n)]])
            continue
        optional = raw.endswith("?")
        raw = raw.rstrip("?")
        alts = [a for a in raw.split("|") if a]
        alts = [raws[int(a[2:-1])] if re.fullmatch(r"rx\d+x", a) else a for a in alts]
        if not alts or not all(_WORD_OK.match(a) or a.startswith("re:") for a in alts):
            raise SignsError(f"signs.yaml : {where} : motif illisible « {line} »")
        variants: list[list[dict]] = [[{"NORM": {"REGEX": _word_regex(alts)}}]]
        # Multi-word variants sharing all but their last word share one pattern (grouping them
        # by length alone would also accept mixes: "j_ai_lu|vu_dans_un" must not match "j'ai un").
        by_head: dict[tuple[str, ...], list[str]] = {}
        for a in alts:
            parts = [] if a.startswith("re:") else [p for p in a.split("_") if p]
            if len(parts) > 1:
                by_head.setdefault(tuple(parts[:-1]), []).append(parts[-1])
        for head, lasts in sorted(by_head.items()):
            variants.append([{"NORM": {"REGEX": _word_regex([w])}} for w in head]
                            + [{"NORM": {"REGEX": _word_regex(lasts)}}])
        if optional:
            variants.append([])
        options.append(variants)
    if not options:
        raise SignsError(f"signs.yaml : {where} : motif vide")
    patterns = []
    for combo in product(*options):
        pattern = [tok for part in combo for tok in part]
        while pattern and "OP" in pattern[0]:
            pattern.pop(0)
        while pattern and "OP" in pattern[-1]:
            pattern.pop()
        if pattern:
            patterns.append(pattern)
    return patterns


# ---------------------------------------------------------------------------------------------
# Reader


class SignReader:
    """Compiled signs rules. `SignReader.default()`; `read(text)` -> list of `Sign`."""

    def __init__(self, data: Any, *, numbers=None, publics=None, source: str = "signs.yaml"):
        from spacy.matcher import Matcher

        self.source = source
        if not isinstance(data, dict) or not isinstance(data.get("regles"), list):
            raise SignsError(f"{source} : sections « qualificatifs » et « regles » attendues")
        self._nlp = nlp()
        self._cache: dict[str, tuple] = {}
        self._matchers: list = []
        quals = data.get("qualificatifs") or {}
        for name in QUALIFIERS:
            pats = [p for i, line in enumerate(quals.get(name) or [])
                    for p in compile_line(str(line), f"qualificatifs {name}[{i}]")]
            if pats:
                self._add(f"q:{name}", pats)
        self.rules: dict[str, SignRule] = {}
        for i, item in enumerate(data["regles"]):
            rule = self._rule(item, i, numbers, publics)
            pats = [p for j, line in enumerate(item["motifs"]) for p in compile_line(str(line), f"règle '{rule.id}' motifs[{j}]")]
            self._add(f"s:{rule.id}", pats)
            if item.get("sauf"):
                self._add(f"x:{rule.id}", [p for j, line in enumerate(item["sauf"])
                                           for p in compile_line(str(line), f"règle '{rule.id}' sauf[{j}]")])
            req = item.get("requiert") or {}
            if req.get("motifs"):
                self._add(f"r:{rule.id}", [p for j, line in enumerate(req["motifs"])
                                           for p in compile_line(str(line), f"règle '{rule.id}' requiert[{j}]")])
            self.rules[rule.id] = rule

    def _add(self, key: str, patterns: list) -> None:
        """Patterns go to matchers of at most `_PER_MATCHER` patterns: spaCy's cost of adding a
        pattern grows with the predicates already in its matcher."""
        from spacy.matcher import Matcher

        if not self._matchers or len(self._matchers[-1]) and self._count >= _PER_MATCHER:
            self._matchers.append(Matcher(self._nlp.vocab, validate=False))
            self._count = 0
        self._matchers[-1].add(key, patterns)
        self._count += len(patterns)

    def _rule(self, item, i, numbers, publics) -> SignRule:
        where = f"regles[{i}]"
        if not isinstance(item, dict):
            raise SignsError(f"{self.source} : {where} : une table est attendue")
        allowed = {"id", "numero", "priorite", "motif", "source", "motifs", "aussi", "types", "requiert",
                   "requiert_non_ancien", "requiert_brutal", "ignore", "seulement_avec_urgence", "sauf"}
        missing = {"id", "numero", "priorite", "motif", "source", "motifs"} - set(item)
        if missing:
            raise SignsError(f"{self.source} : {where} : champ manquant : {', '.join(sorted(missing))}")
        unknown = set(item) - allowed
        if unknown:
            raise SignsError(f"{self.source} : règle '{item['id']}' : champ inconnu : {', '.join(sorted(unknown))}")
        rid = str(item["id"])
        where = f"règle '{rid}'"
        if rid in self.rules:
            raise SignsError(f"{self.source} : {where} : identifiant en double")
        nums = [str(item["numero"])] + [str(x) for x in item.get("aussi") or []]
        for n in nums:
            if numbers is not None and n not in numbers:
                raise SignsError(f"{self.source} : {where} : numéro inconnu '{n}'")
        if not str(item["source"]).strip():
            raise SignsError(f"{self.source} : {where} : la source est obligatoire")
        req = item.get("requiert")
        if req is not None:
            extra = set(req) - {"motifs", "publics", "age_min", "age_max", "fenetre"}
            if extra:
                raise SignsError(f"{self.source} : {where} : requiert : champ inconnu : {', '.join(sorted(extra))}")
            for p in req.get("publics") or []:
                if publics is not None and p not in publics:
                    raise SignsError(f"{self.source} : {where} : public inconnu '{p}'")
        ignore = frozenset(item.get("ignore") or ())
        if ignore - _IGNORABLE:
            raise SignsError(f"{self.source} : {where} : ignore : {', '.join(sorted(ignore - _IGNORABLE))} inconnu")
        return SignRule(rid, nums[0], int(item["priorite"]), str(item["motif"]), str(item["source"]),
                        aussi=tuple(nums[1:]), types=tuple(item.get("types") or ()), requiert=req,
                        non_ancien=bool(item.get("requiert_non_ancien")), ignore=ignore, brutal=bool(item.get("requiert_brutal")),
                        seulement_avec_urgence=bool(item.get("seulement_avec_urgence")), order=i)

    @classmethod
    def load(cls, path: str | Path, **kw) -> "SignReader":
        try:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise SignsError(f"{Path(path).name} : YAML illisible : {exc}") from None
        return cls(data, source=Path(path).name, **kw)

    @classmethod
    def default(cls) -> "SignReader":
        return _default_reader()

    # -- reading ------------------------------------------------------------------------------

    def read(self, text: str, *, publics: set[str] = frozenset(), age: int | None = None) -> list[Sign]:
        """All signs of `text`, each with its qualifiers; requirements (public, age, nearby
        words) are checked here, so a returned sign belongs to its rule."""
        text = (text or "")[:MAX_CHARS]
        if not text.strip():
            return []
        doc, folded, inv, found, clauses = self._parsed(text)
        quals = {name: found.get(f"q:{name}", []) for name in QUALIFIERS}
        signs: list[Sign] = []
        for key, spans in found.items():
            if not key.startswith("s:"):
                continue
            rule = self.rules[key[2:]]
            kept: list[tuple[int, int]] = []
            for s, e in sorted(spans, key=lambda x: (x[0], -x[1])):
                if any(ks <= s and e <= ke for ks, ke in kept):
                    continue            # inside a longer match of the same rule
                kept.append((s, e))
            excluded = found.get(f"x:{rule.id}", [])
            for s, e in kept:
                if any(xs < e and s < xe for xs, xe in excluded):
                    continue
                if not self._required(rule, doc, s, e, found, publics, age, folded, inv):
                    continue
                signs.append(self._qualify(rule, doc, s, e, quals, clauses, folded, inv))
        signs.sort(key=lambda x: (self.rules[x.regle].priorite, x.start))
        return signs

    def _parsed(self, text: str):
        """The parse of `text` and its matches, computed once (a small per-process cache: the
        triage asks again for the qualifiers of its cue phrases on the same message)."""
        hit = self._cache.get(text)
        if hit is not None:
            return hit
        doc = self._nlp(text)
        for token in doc:
            token.norm_ = _key(token)
        folded, index = fold_aligned(text)
        inv = _inverse(index, len(text))
        found: dict[str, list[tuple[int, int]]] = {}
        for matcher in self._matchers:
            for match_id, start, end in matcher(doc):
                found.setdefault(self._nlp.vocab.strings[match_id], []).append((start, end))
        out = (doc, folded, inv, found, _clauses(doc))
        if len(self._cache) >= 64:
            self._cache.pop(next(iter(self._cache)))
        self._cache[text] = out
        return out

    def qualify(self, text: str, start: int, end: int) -> Sign | None:
        """Qualifiers of any character span of `text` (a cue phrase of the triage rules)."""
        text = (text or "")[:MAX_CHARS]
        if end > len(text) or start >= end:
            return None
        doc, folded, inv, found, clauses = self._parsed(text)
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None or not len(span):
            return None
        quals = {name: found.get(f"q:{name}", []) for name in QUALIFIERS}
        return self._qualify(None, doc, span.start, span.end, quals, clauses, folded, inv)

    def excluded(self, text: str, numero: str) -> list[tuple[int, int]]:
        """Character spans of `text` that a `sauf` of a rule for `numero` sets aside."""
        doc, *_, found, _ = self._parsed((text or " ")[:MAX_CHARS])
        return [(doc[s:e].start_char, doc[s:e].end_char) for k, v in found.items() if k.startswith("x:") and self.rules[k[2:]].numero == numero for s, e in v]

    def denied_only(self, text: str) -> bool:
        """Words of the rules occur, each negated ("la plaie ne saigne pas") or set aside by a vital `sauf`."""
        doc, folded, inv, found, _ = self._parsed((text or " ")[:MAX_CHARS])
        spans = [(doc[s:e], found.get("x:" + k[2:], ()) if self.rules[k[2:]].numero == "15" else ())
                 for k, v in found.items() if k.startswith("s:") for s, e in v]
        return bool(spans) and all(is_negated(folded, inv[x.start_char], inv[x.end_char]) or any(
            xs < x.end and x.start < xe for xs, xe in xs_) or inside_split_negation(doc, x.start, x.end) for x, xs_ in spans)

    def _required(self, rule, doc, s, e, found, publics, age, folded, inv) -> bool:
        req = rule.requiert
        if not req:
            return True
        if set(req.get("publics") or ()) & set(publics):
            return True
        if age is not None and ("age_min" in req or "age_max" in req):
            # A known age decides: "mr 90 ans maltraité par son fils" is not a child in danger.
            return within(age, req.get("age_min"), req.get("age_max"))
        window = int(req.get("fenetre", 30))
        for rs, re_ in found.get(f"r:{rule.id}", []):
            # a number followed by "ans" is an age ("femme de 40 ans"), not a temperature
            age_word = doc[re_ - 1].like_num and fold(doc[re_:re_ + 1].text) in ("ans", "an")
            if rs - window <= e and s - window <= re_ and not age_word:
                a, b = doc[rs:re_].start_char, doc[rs:re_].end_char
                if not is_negated(folded, inv[a], inv[b]):
                    return True
        return False

    def _qualify(self, rule, doc, s, e, quals, clauses, folded, inv) -> Sign:
        span = doc[s:e]
        a, b = inv[span.start_char], inv[span.end_char]
        sent, stretch, clause = clauses[s]
        quals = adjusted(doc, quals, s, e)
        nie = is_negated(folded, a, b) or thought_negated(doc, s, e) or inside_split_negation(doc, s, e)
        hist = (is_history(folded, a, b) or _near(quals["antecedent"], clause, s, e)
                or any(qs >= e and qe <= stretch[1] for qs, qe in quals["antecedent"])
                or any(qs >= e and qe <= sent[1] and not inside_split_negation(doc, qs, qe) for qs, qe in quals["resolu"])
                or _dated_past(quals, sent, s, e))
        hist = hist or sequel_of_past_event(doc, quals, sent, span)
        # a social scene dated now after an earlier past date ("... le mois dernier, dort dehors depuis trois nuits")
        hist = hist and not (rule and rule.numero != "15" and current_duration(doc, quals["duree_actuelle"], stretch, s, e))
        # A "si" question about a sign whose onset the message dates elsewhere ("est-ce grave si
        # elle a du mal à sourire ? ça a commencé il y a une heure") describes a real situation.
        dated = any(qs >= sent[1] or qe <= sent[0] for qs, qe in quals["en_cours"])
        hypo = (_near(quals["hypothese"], stretch, s, e, before_only=True)
                or (in_condition(doc, s, e, stretch) and not dated)
                or any(stretch[0] <= qs and qe <= e for qs, qe in quals["conditionnel"]))
        fear = _near(quals["crainte"], stretch, s, e, before_only=True)
        rapp = _near(quals["rapporte"], sent, s, e, before_only=True)
        debut = None
        if _near(quals["debut_brutal"], sent, s, e):
            debut = "brutal"
        elif _near(quals["debut_ancien"], clause, s, e) or any(qs == clause[1] for qs, _ in quals["debut_ancien"]):
            debut = "ancien"
        calm = reassured(doc, quals, sent, s, e)
        # A general question ("je me renseigne", "c'est quoi la différence") holds for the whole
        # message unless it dates something now ("ce midi", "depuis 1h"): then only its stretch;
        # never over a current sign of a definite person ("…pour mon père, il a la bouche de travers")
        # outside fiction and training.
        if quals["information"] and debut != "brutal" and not self._concrete(doc, s, e, folded) and (
                _near(quals["information"], stretch, s, e) or not any(quals[q] for q in ("actuel", "en_cours", "debut_brutal"))):
            hypo = True
        return Sign(rule.id if rule else "", rule.numero if rule else "", span.text, span.start_char,
                    span.end_char, nie=nie, antecedent=hist, hypothese=hypo, rapporte=rapp, debut=debut,
                    crainte=fear, rassurant=calm)

    @staticmethod
    def _concrete(doc, s: int, e: int, folded: str) -> bool:
        """A current sign of a definite person; in fiction or training, only of the writer's own."""
        level = concrete(doc, s, e)
        return level == 2 or (level == 1 and not hyp_frame(folded))

    def concrete(self, text: str, start: int, end: int) -> int:
        """Whose sign the character span `start:end` of `text` is, said now (knowledge.subjects.concrete)."""
        doc, *_ = self._parsed((text or " ")[:MAX_CHARS])
        span = doc.char_span(start, end, alignment_mode="expand")
        return concrete(doc, span.start, span.end) if span is not None and len(span) else 0

    def is_live(self, sign: Sign) -> bool:
        """A sign that raises its emergency: current, affirmed, real (knowledge.qualifiers)."""
        rule = self.rules[sign.regle]
        return real(sign, numero=rule.numero, ignore=rule.ignore, non_ancien=rule.non_ancien, brutal=rule.brutal)


def _inverse(index: list[int], n: int) -> list[int]:
    """Original offset -> folded offset (first folded char at or after it)."""
    inv = [len(index)] * (n + 1)
    for i in range(len(index) - 1, -1, -1):
        inv[index[i]] = i
    for j in range(n - 1, -1, -1):
        if inv[j] == len(index) and j + 1 <= n:
            inv[j] = inv[j + 1]
    return inv


_SENTENCE_END = frozenset({".", "!", "?", "\n", "…"})


def _clauses(doc) -> list[tuple[tuple[int, int], tuple[int, int], tuple[int, int]]]:
    """For each token: its sentence, its punctuation-bounded stretch and its clause (token ranges).

    Sentences end at . ! ? and line breaks (not at the parser's guesses); a stretch ends at any
    punctuation; a clause also ends at a clause word ("mais", "et", "depuis", "maintenant"…)."""
    n = len(doc)
    out = [((0, 0), (0, 0), (0, 0))] * n

    def ends_sentence(t) -> bool:
        return t.text in _SENTENCE_END or (t.is_space and "\n" in t.text)

    def ends_stretch(t) -> bool:
        return ends_sentence(t) or t.text in _CLAUSE_PUNCT

    sent_starts = [0] + [t.i + 1 for t in doc if ends_sentence(t) and t.i + 1 < n]
    sent_bounds = list(zip(sent_starts, sent_starts[1:] + [n]))
    for lo, hi in sent_bounds:
        stretch = [lo] + [t.i for t in doc[lo:hi] if t.i > lo and ends_stretch(t)] + [hi]
        clause = sorted(set(stretch + [t.i for t in doc[lo:hi]
                                       if t.i > lo and fold(t.text).replace(" ", "_") in _CLAUSE_WORDS]))
        for i in range(lo, hi):
            st = max(b for b in stretch if b <= i), min(b for b in stretch if b > i)
            cl = max(b for b in clause if b <= i), min(b for b in clause if b > i)
            out[i] = ((lo, hi), st, cl)
    return out


# Verbs of thought or wish whose negation denies the whole sign ("elle ne pensait pas au
# suicide", "il n'envisage pas de mourir"); a negated verb of a bodily sign ("il ne respire pas")
# is the sign itself and stays live.
def _dated_past(quals, sent, s: int, e: int) -> bool:
    """A dated past episode earlier in the sentence ("suite à son AVC il y a 4 ans, il est
    hémiplégique") carries over to the sign, unless something current comes in between
    ("AVC en 2019, ce matin la bouche de travers") or the sign itself is sudden."""
    for ps, pe in quals["passe"]:
        if sent[0] <= ps and pe <= s:
            if not any(pe <= cs and ce <= e for cs, ce in quals["actuel"] + quals["debut_brutal"]):
                return True
    return False


def _near(spans, scope, s, e, *, before_only: bool = False) -> bool:
    lo, hi = scope
    for qs, qe in spans:
        if qs < lo or qe > hi:
            continue
        if s <= qs and qe <= e:
            continue        # the cue is inside the sign itself ("sequellaire" inside a match)
        if before_only and qs >= s:
            continue
        return True
    return False


@lru_cache(maxsize=1)
def _default_reader() -> SignReader:
    return SignReader.load(DEFAULT_PATH, numbers=set(KNOWN_NUMBERS), publics=set(Vocabulary.default().publics))


def read_signs(text: str, *, publics: set[str] = frozenset(), age: int | None = None) -> list[Sign]:
    """The signs of a message with the default rules."""
    return SignReader.default().read(text, publics=publics, age=age)
