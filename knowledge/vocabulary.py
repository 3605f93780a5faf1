"""Closed vocabularies (resource types, publics, needs, missions, time urgency) and their French synonyms.

Data: ``knowledge/data/vocabulary.yaml`` (validated at load, ``VocabularyError``). ``Vocabulary.find``
reads a free-text message: matching is done on folded text, whole words, longest match first,
without overlapping mentions of one kind; each mention is marked negated / reported history with
``knowledge.negation``. Rules are documented in docs/vocabulary.md.
"""
from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import yaml

from knowledge.negation import TRIGGERS, is_history, is_negated
from knowledge.text import fold

VOCABULARY_FILE = Path(__file__).resolve().parent / "data" / "vocabulary.yaml"
MAX_CHARS = 5000          # find() reads at most this many characters of a message

TYPE_CODES = ("DAC", "CLIC", "MDPH", "SSIAD", "SPASAD", "SAAD", "HAD", "EMG", "EMSP", "ESA", "PFR", "SAMSAH",
              "SAVS", "PCPE", "CRA", "CAMSP", "CMP", "CMPP", "MDA", "EMPP", "CSAPA", "CAARUD", "PASS", "MDS",
              "CCAS", "PMI", "CRIP", "RESEAU", "CMRR", "CPTS", "CPAM", "PRADO")
PUBLIC_CODES = ("personne_agee", "handicap", "enfant", "adolescent", "adulte", "perinatalite", "precarite",
                "sante_mentale", "addiction", "maladie_chronique", "soins_palliatifs", "aidant", "tous")
NEED_CODES = ("chutes", "perte_autonomie", "maintien_domicile", "refus_aide", "isolement", "epuisement_aidant",
              "repit", "troubles_cognitifs", "troubles_comportement", "evaluation_gerontologique", "aide_domicile",
              "soins_infirmiers", "hospitalisation_domicile", "soins_palliatifs", "douleur", "retour_domicile",
              "entree_etablissement", "mesure_protection", "denutrition", "incurie", "droits_handicap",
              "scolarisation_handicap", "autisme", "developpement_enfant", "suivi_grossesse", "protection_enfance",
              "souffrance_psychique", "troubles_psychiatriques", "idees_suicidaires", "addiction",
              "reduction_risques", "acces_soins", "acces_droits", "logement", "precarite_financiere", "violences",
              "maltraitance", "medecin_traitant", "maladie_chronique", "education_therapeutique", "coordination")
MISSION_CODES = ("information_orientation", "appui_parcours", "appui_pratiques", "prise_en_charge")
URGENCE_CODES = ("immediat", "aujourd_hui", "semaine")

# YAML section -> (kind used in Term/Mention, expected codes, allowed keys of an entry)
SECTIONS = {
    "types": ("type", TYPE_CODES, {"label", "sigle", "synonymes", "relais", "precisions"}),
    "publics": ("public", PUBLIC_CODES, {"label", "synonymes"}),
    "besoins": ("besoin", NEED_CODES, {"label", "synonymes", "publics"}),
    "missions": ("mission", MISSION_CODES, {"label", "synonymes"}),
    "urgence_temps": ("urgence", URGENCE_CODES, {"label", "synonymes"}),
}
NEUTRAL_SECTION = "neutres"
KIND_OF = {section: kind for section, (kind, _, _) in SECTIONS.items()}
KIND_OF.update({kind: kind for kind in KIND_OF.values()})
KIND_OF.update({"resource_types": "type", "needs": "besoin", "urgences": "urgence", "urgence_temps": "urgence"})
FIND_KINDS = ("type", "public", "besoin", "urgence")
_NEUTRAL = "_neutre"
# Between these two kinds a mention inside a longer mention of the other kind is dropped
# ("sans aidant" is a need, the public "aidant" inside it is not a mention).
_NESTED_KINDS = ("public", "besoin")

KEEP = frozenset(".!?;:,\n")
_ABSENCE_WORDS = TRIGGERS | {"plus"}


def _blank(folded: str, spans: list[tuple[int, int]]) -> str:
    """`folded` with the letters of `spans` replaced (same length: offsets stay valid)."""
    chars = list(folded)
    for a, b in spans:
        for k in range(a, b):
            if chars[k].isalnum():
                chars[k] = "x"
    return "".join(chars)


# Ways of saying "at home": a phrase written with one of them is read with any other
# ("soins lourds à domicile" = "soins lourds à la maison" = "soins lourds chez lui").
HOME_FORMS = (("a", "domicile"), ("au", "domicile"), ("a", "la", "maison"), ("a", "dom"), ("chez", "lui"),
              ("chez", "elle"), ("chez", "soi"))


def _home_variants(keys: tuple[str, ...]) -> list[tuple[str, ...]]:
    """`keys` with its first way of saying "at home" replaced by each of the others."""
    for form in HOME_FORMS:
        n = len(form)
        for i in range(len(keys) - n + 1):
            if keys[i:i + n] == form:
                return [keys[:i] + other + keys[i + n:] for other in HOME_FORMS if other != form]
    return []


# Determiners (and a few adverbs) that may be left out of, or added to, a phrase between two of its words.
OPTIONAL_WORDS = frozenset("""le la les l un une des du de d son sa ses mon ma mes ton ta tes leur leurs
notre votre nos vos ce cet cette ces toujours encore vraiment tres""".split())
# ... but not added after a negation: "sans l'aide de sa fille" is not "sans aide".
_NO_SKIP_AFTER = frozenset({"sans", "pas", "aucun", "aucune", "plus", "ni", "jamais", "rien"})
TOKEN = re.compile(r"[a-z0-9]+|[^\sa-z0-9]")
_END = object()
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class VocabularyError(ValueError):
    """Invalid vocabulary data; the message names the section, the code and the entry."""


@dataclass(frozen=True)
class Term:
    kind: str
    code: str
    label: str
    synonyms: tuple[str, ...]
    acronym: str | None = None             # types: usual acronym ("EMSP")
    publics: tuple[str, ...] = ()          # needs: publics implied by the need
    relais: tuple[str, ...] = ()           # types: types that stand in where none of this type serves
    precisions: tuple[tuple[str, str], ...] = ()  # types: (need or public, more precise type) pairs


@dataclass(frozen=True)
class Mention:
    kind: str
    code: str
    text: str
    start: int
    end: int
    negated: bool
    history: bool = False                  # reported history ("ATCD de", "ancien", "il y a 2 ans")


@lru_cache(maxsize=4096)
def _fold_char(c: str) -> str:
    if c in KEEP:
        return c
    if unicodedata.combining(c):
        return ""
    return fold(c) or " "


def fold_aligned(text: str) -> tuple[str, list[int]]:
    """``knowledge.text.fold`` applied character by character, with a map back to ``text``.

    Unlike ``fold`` it keeps sentence punctuation (``. ! ? ; : ,``) and line breaks, and it does not
    collapse spaces, so that ``index[i]`` is the position in ``text`` of folded character ``i``.
    """
    pieces = list(map(_fold_char, text))
    folded = "".join(pieces)
    if len(folded) == len(text) and "" not in pieces:
        return folded, list(range(len(text)))
    index: list[int] = []
    for i, f in enumerate(pieces):
        index.extend([i] * len(f))
    return folded, index


@lru_cache(maxsize=65536)
def _key(token: str) -> str:
    """Token used for matching: a final "s" is optional for words of 5 letters or more."""
    if len(token) >= 5 and token.endswith("s") and token.isalpha():
        return token[:-1]
    return token


_OPTIONAL_KEYS = frozenset(_key(w) for w in OPTIONAL_WORDS)


def _keys(phrase: str) -> tuple[str, ...]:
    return tuple(_key(t) for t in TOKEN.findall(fold(phrase)))


class Vocabulary:
    resource_types: dict[str, Term]
    publics: dict[str, Term]
    needs: dict[str, Term]
    missions: dict[str, Term]
    urgences: dict[str, Term]

    _default: "Vocabulary | None" = None
    _lock = threading.Lock()

    def __init__(self, data: dict, source: str = "<dict>") -> None:
        self.source = source
        self._terms: dict[str, dict[str, Term]] = {}
        self._trie: dict = {}
        self.neutral: tuple[str, ...] = ()
        self._load(data)
        self.resource_types = self._terms["type"]
        self.publics = self._terms["public"]
        self.needs = self._terms["besoin"]
        self.missions = self._terms["mission"]
        self.urgences = self._terms["urgence"]

    # -- loading --------------------------------------------------------------------------------
    @classmethod
    def from_file(cls, path: str | Path) -> "Vocabulary":
        path = Path(path)
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
        except yaml.YAMLError as e:
            raise VocabularyError(f"{path}: YAML illisible : {e}") from e
        return cls(data, source=str(path))

    @classmethod
    def default(cls) -> "Vocabulary":
        """The vocabulary of ``knowledge/data/vocabulary.yaml``, loaded once per process."""
        if cls._default is None:
            with cls._lock:
                if cls._default is None:
                    cls._default = cls.from_file(VOCABULARY_FILE)
        return cls._default

    def _err(self, msg: str) -> VocabularyError:
        return VocabularyError(f"{self.source}: {msg}")

    def _load(self, data: dict) -> None:
        if not isinstance(data, dict):
            raise self._err("le fichier doit contenir un dictionnaire de sections")
        unknown = set(data) - set(SECTIONS) - {NEUTRAL_SECTION}
        if unknown:
            raise self._err(f"section(s) inconnue(s) : {', '.join(sorted(map(str, unknown)))} "
                            f"(attendues : {', '.join(SECTIONS)}, {NEUTRAL_SECTION})")
        seen: dict[tuple[str, tuple[str, ...]], tuple[str, str]] = {}   # (kind, keys) -> (code, written form)
        for section, (kind, codes, allowed) in SECTIONS.items():
            entries = data.get(section)
            if not isinstance(entries, dict):
                raise self._err(f"section {section!r} absente ou invalide")
            missing = [c for c in codes if c not in entries]
            extra = [str(c) for c in entries if c not in codes]
            if missing or extra:
                raise self._err(f"section {section!r} : codes manquants {missing}, codes inconnus {extra}")
            terms: dict[str, Term] = {}
            for code in codes:
                where = f"{section}.{code}"
                entry = entries[code]
                if not isinstance(entry, dict):
                    raise self._err(f"{where} : entrée invalide (dictionnaire attendu)")
                bad = set(entry) - allowed
                if bad:
                    raise self._err(f"{where} : clé(s) inconnue(s) {sorted(map(str, bad))}")
                label = entry.get("label")
                if not isinstance(label, str) or not label.strip():
                    raise self._err(f"{where} : label vide ou absent")
                synonyms = entry.get("synonymes") or []
                if not isinstance(synonyms, list) or not all(isinstance(s, str) for s in synonyms):
                    raise self._err(f"{where} : synonymes doit être une liste de chaînes")
                acronym = entry.get("sigle")
                if acronym is not None and (not isinstance(acronym, str) or not acronym.strip()):
                    raise self._err(f"{where} : sigle vide")
                publics = entry.get("publics") or []
                if not isinstance(publics, list) or any(p not in PUBLIC_CODES for p in publics):
                    raise self._err(f"{where} : publics inconnus {[p for p in publics if p not in PUBLIC_CODES]}")
                relais, precisions = self._type_links(entry, where)
                forms = [label] + ([code] if kind == "type" else []) + ([acronym] if acronym else []) + synonyms
                for form in forms:
                    keys = _keys(form)
                    if not keys:
                        raise self._err(f"{where} : synonyme vide après normalisation : {form!r}")
                    prev = seen.get((kind, keys))
                    if prev is not None and prev[0] != code:
                        raise self._err(f"{where} : le synonyme {form!r} est déjà celui de "
                                        f"{section}.{prev[0]} ({prev[1]!r})")
                    if prev is None:
                        seen[(kind, keys)] = (code, form)
                        self._insert(keys, kind, code)
                        for variant in _home_variants(keys):
                            self._insert(variant, kind, code, replace=False)
                terms[code] = Term(kind, code, label.strip(), tuple(dict.fromkeys(synonyms)),
                                   acronym.strip() if acronym else None, tuple(publics), relais, precisions)
            self._terms[kind] = terms
        neutral = data.get(NEUTRAL_SECTION) or []
        if not isinstance(neutral, list) or not all(isinstance(s, str) and _keys(s) for s in neutral):
            raise self._err(f"{NEUTRAL_SECTION} : liste d'expressions non vides attendue")
        self.neutral = tuple(neutral)
        for phrase in neutral:
            self._insert(_keys(phrase), _NEUTRAL, "")

    def _type_links(self, entry: dict, where: str) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
        """``relais`` (type codes) and ``precisions`` (need or public code -> type code) of a type."""
        relais = entry.get("relais") or []
        if not isinstance(relais, list) or any(t not in TYPE_CODES for t in relais):
            raise self._err(f"{where} : relais doit être une liste de types connus, pas {relais!r}")
        precisions = entry.get("precisions") or {}
        if not isinstance(precisions, dict):
            raise self._err(f"{where} : precisions doit associer un besoin ou un public à un type")
        for cue, type_ in precisions.items():
            if cue not in NEED_CODES and cue not in PUBLIC_CODES:
                raise self._err(f"{where} : precisions : besoin ou public inconnu {cue!r}")
            if type_ not in TYPE_CODES:
                raise self._err(f"{where} : precisions : type inconnu {type_!r}")
        return tuple(relais), tuple(precisions.items())

    def _insert(self, keys: tuple[str, ...], kind: str, code: str, *, replace: bool = True) -> None:
        node = self._trie
        for k in keys:
            node = node.setdefault(k, {})
        ends = node.setdefault(_END, {})
        if replace or kind not in ends:
            ends[kind] = code

    # -- access ---------------------------------------------------------------------------------
    def terms(self, kind: str) -> dict[str, Term]:
        """Terms of one kind ("type", "public", "besoin", "mission", "urgence"; section names work too)."""
        try:
            return self._terms[KIND_OF[kind]]
        except KeyError:
            raise KeyError(f"type de vocabulaire inconnu : {kind!r}") from None

    def label(self, kind: str, code: str) -> str:
        """French label of a code ("besoin", "refus_aide") -> "refus d'aide"."""
        terms = self.terms(kind)
        if code not in terms:
            raise KeyError(f"code inconnu pour {kind} : {code!r}")
        return terms[code].label

    def synonyms(self, kind: str, *, folded: bool = False) -> dict[str, list[str]]:
        """code -> written forms (label, acronym, synonyms), e.g. for Rasa lookup tables and synonyms."""
        out: dict[str, list[str]] = {}
        for code, t in self.terms(kind).items():
            forms = [t.label] + ([code] if t.kind == "type" else []) + ([t.acronym] if t.acronym else []) + list(t.synonyms)
            if folded:
                forms = [fold(f) for f in forms]
            out[code] = list(dict.fromkeys(forms))
        return out

    # -- matching -------------------------------------------------------------------------------
    @staticmethod
    def _walk(node: dict, toks: list, j: int):
        """(end token, trie node) of every phrase continuing from `node` at token `j`, one
        determiner being optional between two words on either side ("après une hospitalisation"
        reads as "après hospitalisation", "sortie hospit" as "sortie d'hospit")."""
        stack = [(node, j)]
        while stack:
            node, j = stack.pop()
            yield j, node
            for k, child in node.items():
                if k in _OPTIONAL_KEYS and k is not _END:
                    nxt = child.get(toks[j][2]) if j < len(toks) else None
                    if nxt is not None and toks[j][2] not in _OPTIONAL_KEYS:
                        stack.append((nxt, j + 1))      # the phrase's determiner left out
            if j >= len(toks):
                continue
            child = node.get(toks[j][2])
            if child is not None:
                stack.append((child, j + 1))
            elif toks[j][2] in _OPTIONAL_KEYS and j + 1 < len(toks) and toks[j - 1][2] not in _NO_SKIP_AFTER:
                after = node.get(toks[j + 1][2])
                if after is not None:
                    stack.append((after, j + 2))       # a determiner the phrase does not have

    def find(self, text: str, kinds: Iterable[str] = FIND_KINDS) -> list[Mention]:
        """Mentions of the vocabularies in a free-text message, in text order.

        Kinds "type", "public", "besoin", "urgence" by default ("mission" on request). Offsets refer to
        ``text``. Only the first ``MAX_CHARS`` characters are read.
        """
        if not text:
            return []
        text = text[:MAX_CHARS]
        wanted = {KIND_OF.get(k, k) for k in kinds}
        folded, index = fold_aligned(text)
        toks = [(m.start(), m.end(), _key(m.group())) for m in TOKEN.finditer(folded)]
        found: list[tuple[int, int, str, str]] = []        # (first token, last token + 1, kind, code)
        for i in range(len(toks)):
            first = self._trie.get(toks[i][2])
            if first is None:
                continue
            for j, node in self._walk(first, toks, i + 1):
                for kind, code in node.get(_END, {}).items():
                    if kind in wanted or kind == _NEUTRAL:
                        found.append((i, j, kind, code))
        found = list(dict.fromkeys(found))
        # Leftmost-longest, non-overlapping, per kind.
        found.sort(key=lambda f: (f[0], -f[1]))
        covered: dict[str, int] = {}
        chosen: list[tuple[int, int, str, str]] = []
        for f in found:
            if f[0] >= covered.get(f[2], 0):
                chosen.append(f)
                covered[f[2]] = f[1]
        neutral = [(a, b) for a, b, k, _ in chosen if k == _NEUTRAL]
        chosen = [f for f in chosen if f[2] != _NEUTRAL
                  and not any(a <= f[0] and f[1] <= b for a, b in neutral)]
        nested = [(a, b, k) for a, b, k, _ in chosen if k in _NESTED_KINDS]
        chosen = [f for f in chosen if f[2] not in _NESTED_KINDS or not any(
            k != f[2] and a <= f[0] and f[1] <= b and (b - a) > (f[1] - f[0]) for a, b, k in nested)]
        out = []
        year = date.today().year
        # Phrases that state an absence ("sans domicile", "pas de couverture") are findings: their
        # negation word does not reach the mentions after them ("sans domicile avec des troubles
        # psychiatriques", "sans papiers, enceinte").
        findings = [(toks[i][0], toks[j - 1][1]) for i, j, _, _ in chosen
                    if any(toks[x][2] in _ABSENCE_WORDS for x in range(i, j))]
        for i, j, kind, code in chosen:
            fs, fe = toks[i][0], toks[j - 1][1]
            start, end = index[fs], index[fe - 1] + 1
            negated = is_negated(folded, fs, fe)
            if negated and findings:
                negated = is_negated(_blank(folded, [(a, b) for a, b in findings if b <= fs]), fs, fe)
            out.append(Mention(kind, code, text[start:end], start, end,
                               negated=negated, history=is_history(folded, fs, fe, year=year)))
        order = {k: n for n, k in enumerate(("type", "public", "besoin", "urgence", "mission"))}
        out.sort(key=lambda m: (m.start, order.get(m.kind, 9), m.end))
        return out
