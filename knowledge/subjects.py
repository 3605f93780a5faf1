"""Who and when a sign is said of, on the spaCy parse of the signs reader (knowledge.signs).

- `concrete(doc, s, e)`: the sign `doc[s:e]` is said of a definite person, now: "il a la bouche de
  travers", "sa bouche est tombée", "mon patient a perdu connaissance". An information request
  ("je me renseigne pour mon père, il a la bouche de travers") does not frame such a sign; it
  frames a sign given as an example ("par exemple la bouche de travers"), said of anyone ("quand
  on a la bouche de travers") or in a "si" clause.
- `in_condition(doc, s, e, stretch)`: the sign sits in a "si" clause.
"""
from __future__ import annotations

from knowledge.text import fold

_PERSONAL = frozenset({"je", "j", "tu", "il", "elle", "ils", "elles", "nous"})
# Verbs of the request itself ("je me renseigne", "je voudrais savoir"), never a sign's predicate.
_ASKING = frozenset({"renseigner", "demander", "savoir", "reconnaitre", "lire", "parler", "informer",
                     "vouloir", "chercher", "connaitre", "expliquer", "signifier", "falloir", "exister"})
_GENERIC_MARKS = frozenset({"si", "s", "quand", "lorsque", "lorsqu"})
_HAVING = frozenset({"avoir", "faire", "etre", "sentir", "ressentir", "presenter", "garder"})
_IMPERFECT = ("ais", "ait", "aient")
_PRESENT_AIT = frozenset({"fait", "sait", "tait", "nait", "plait", "parait", "connait", "apparait", "disparait"})
_THIRD = frozenset({"il", "elle", "ils", "elles"})
_FIRST = frozenset({"mon", "ma", "mes", "notre", "nos"})
_CORE = frozenset({"obj", "nsubj", "nsubj:pass", "iobj"})
_SUBJECT = frozenset({"nsubj", "nsubj:pass"})


def _present(token, perfect: bool = True) -> bool:
    """A finite present indicative, or a participle with such an auxiliary (passé composé)."""
    m = token.morph
    if "Fin" in m.get("VerbForm") and "Ind" in m.get("Mood"):
        word = fold(token.text)
        # the tagger reads some imperfects as presents ("je perdais")
        return "Pres" in m.get("Tense") and not (word.endswith(_IMPERFECT) and word not in _PRESENT_AIT)
    return perfect and "Part" in m.get("VerbForm") and any(
        c.dep_.startswith("aux") and "Ind" in c.morph.get("Mood") and "Pres" in c.morph.get("Tense")
        for c in token.children)


def _perfect(token) -> bool:
    return "Part" in token.morph.get("VerbForm") and any(c.dep_.startswith("aux") for c in token.children)


def _person(token) -> int:
    """2: the writer or someone of theirs ("je", "mon père", "ma fille"); 1: a definite person
    ("il", "elle", a proper noun, "sa mère", "sa bouche"); 0: anyone ("on", "ça", "un patient")."""
    word = fold(token.text)
    if token.pos_ == "PRON":
        if word in ("je", "j") or (word in _THIRD and any(_person(t) == 2 for t in token.sent if t.i < token.i and t.pos_ == "NOUN")):
            return 2            # "quand mon mari s'est écroulé, il ne respire plus"
        return int(word in _PERSONAL)
    if token.pos_ == "PROPN":
        return 1
    dets = [fold(c.text) for c in token.children if c.dep_ == "det" and "Yes" in c.morph.get("Poss")]
    return 0 if token.pos_ != "NOUN" or not dets else 2 if set(dets) & _FIRST else 1


def _predicate(doc, s: int, e: int):
    """The verb the sign is said with: its own ("il s'effondre", "a perdu connaissance"), or a
    verb of having ("il a la bouche de travers", "elle fait un malaise") it is the object of."""
    root = doc[s:e].root
    if root.pos_ in ("VERB", "AUX") or any(c.dep_ == "cop" for c in root.children):
        return root
    head = root.head
    if root.dep_ in _CORE and head.i != root.i and (root.dep_ != "obj" or fold(head.lemma_) in _HAVING):
        return head
    return None


def concrete(doc, s: int, e: int) -> int:
    """Whose sign `doc[s:e]` is, said now: 2 the writer's or one of theirs' ("mon père a perdu
    connaissance"), 1 a definite person's ("il a la bouche de travers"), 0 none (an example, "on",
    a "si" or "quand" clause, a past or conditional verb)."""
    pred = _predicate(doc, s, e)
    if pred is None or fold(pred.lemma_) in _ASKING:
        return 0
    cop = next((c for c in pred.children if c.dep_ == "cop"), None)
    own = doc[s:e].root.i == pred.i
    if not _present(cop if cop is not None and pred.pos_ not in ("VERB", "AUX") else pred, perfect=own):
        return 0
    # "si" always, "quand" in the present ("quand on a mal"), not told ("quand il s'est effondré")
    if any(c.dep_ == "mark" and fold(c.text) in _GENERIC_MARKS and (fold(c.text) in ("si", "s") or not _perfect(pred))
           for c in pred.children):
        return 0
    if any(c.dep_ == "expl:comp" and fold(c.text) == "y" for c in pred.children):
        return 0                # "il y a"
    subjects = [c for c in pred.children if c.dep_ in _SUBJECT]
    if not subjects and pred.dep_ == "conj":
        subjects = [c for c in pred.head.children if c.dep_ in _SUBJECT]   # "il tousse et respire mal"
    if any(fold(c.text) == "qui" for c in subjects) and pred.dep_.startswith("acl"):
        subjects = [pred.head]                                               # "mon père qui a mal"
    return max([_person(c) for c in subjects], default=0)


def in_condition(doc, s: int, e: int, stretch: tuple[int, int]) -> bool:
    """The sign sits in a "si" clause: "que faire si mon patient convulse", "si elle a mal à la
    poitrine, …" (dependency parse: an ancestor of the sign has the marker "si"), but not
    "si ça continue elle va se tuer" (the "si" belongs to another verb)."""
    marks = [t for t in doc if t.dep_ == "mark" and fold(t.text) in ("si", "s")]
    if marks:
        for t in doc[s:e]:
            for a in [t, *t.ancestors]:
                if any(c.dep_ == "mark" and fold(c.text) in ("si", "s") and c.i < s for c in a.children):
                    return True
        return False
    # No "si" marker found by the parser: a stretch that opens with "si"/"s'il".
    first = fold(doc[stretch[0]].text) if stretch[0] < len(doc) else ""
    return first in ("si", "s") and stretch[0] < s
