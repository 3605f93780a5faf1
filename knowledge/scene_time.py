"""When a social scene holds: three corrections of the signs reader's qualifiers (issue 16, social6).

The qualifiers of `knowledge.signs` are computed on cue spans found by the matcher; three kinds
of cue said the wrong thing about a social scene:

- a month ("en mars") is read as a dated past episode, also when it is a coming deadline: "il
  ne voit pas d'autre issue que la corde si la banque saisit en mars", "il se tuera si on lui
  retire son permis en février", "plutôt que d'aller en maison de retraite en janvier". A month
  governed by a "si" clause, a future or conditional verb, or an infinitive that depends on one
  (or on "aller") is a deadline, not history (`future_month`);
- a training word inside a relative clause that describes a person ("un jeune que j'accompagne
  pour une formation m'a confié qu'il se coupe") frames that person, not the message
  (`framing_person`);
- a social scene dated by a current duration after an earlier past date ("sorti de l'ASE le mois
  dernier, dort dans une cage d'escalier depuis trois nuits") holds now (`current_duration`).

Three more of the seventh pass (fa7): a date after "depuis" starts something still going on
(`since`); a reassuring check does not cover a sign that comes after it with a contrast or a current
marker (`reassured`); a stroke or heart attack told with its sequels and nothing current is history
(`sequel_of_past_event`).

Plain functions on a spaCy `Doc` and token ranges; `knowledge.signs` calls them.
"""
from __future__ import annotations

import re

from knowledge.text import fold

MONTHS = frozenset({"janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout", "septembre",
                    "octobre", "novembre", "decembre"})
_TRAINING = frozenset({"formation", "formations", "stage", "stages", "cours", "atelier", "apprentissage",
                       "alternance", "sensibilisation", "conference", "memoire", "these"})
# Nouns of teaching material or of a case: a relative clause on them still frames the message
# ("un cas que je présente pour une formation").
_DOCUMENTS = frozenset({"cas", "affiche", "fiche", "document", "support", "guide", "brochure", "diaporama",
                        "exemple", "vignette", "scenario", "exercice", "quiz", "module", "protocole", "atelier",
                        "formation", "cours", "conference", "memoire", "these", "question", "questions"})


_FUTURE_ENDINGS = ("aient", "ait", "ais", "ai", "as", "a", "ont", "ons", "ez", "ions", "iez")
_IRREGULAR_STEMS = ("ser", "aur", "ir", "fer", "pourr", "voudr", "faudr", "devr", "viendr", "saur", "verr",
                    "enverr", "tiendr", "mourr", "courr", "vaudr")


def _verb_is_future(tok) -> bool:
    """Future or conditional, read on the form as well (the tagger calls "préférerait" an
    imperfect): the lemma ("tuer", "prendr(e)") or an irregular stem, then a future ending."""
    mood, tense = tok.morph.get("Mood"), tok.morph.get("Tense")
    if "Cnd" in mood or "Fut" in tense or (fold(tok.lemma_) in ("aller", "devoir") and "Pres" in tense):
        return True
    form, lemma = fold(tok.text), fold(tok.lemma_)
    stems = [lemma, lemma[:-1] if lemma.endswith("re") else lemma] + [s for s in _IRREGULAR_STEMS if form.startswith(s)]
    return any(form.startswith(stem) and form[len(stem):] in _FUTURE_ENDINGS for stem in stems if stem.endswith("r"))


def future_month(doc, s: int, e: int) -> bool:
    """The cue `doc[s:e]` names a month that is a coming deadline, not a past date."""
    last = doc[e - 1]
    if fold(last.text) not in MONTHS:
        return False
    if e < len(doc) and fold(doc[e].text) in ("prochain", "prochaine"):
        return True
    for a in last.ancestors:
        if any(c.dep_ == "mark" and fold(c.text) in ("si", "s") for c in a.children):
            return True
        if a.pos_ not in ("VERB", "AUX"):
            continue
        if _verb_is_future(a) or any(c.dep_.startswith("aux") and _verb_is_future(c) for c in a.children):
            return True
        if "Inf" in a.morph.get("VerbForm"):
            continue        # "d'aller en janvier": the verb it depends on decides
        if "Fin" in a.morph.get("VerbForm"):
            return False
    return False


def framing_person(doc, s: int, e: int, sign: tuple[int, int]) -> bool:
    """The cue `doc[s:e]` holds a training word and lies in a relative clause on a person that
    does not hold the sign `sign` (token range)."""
    if not any(fold(t.text) in _TRAINING for t in doc[s:e]):
        return False
    for a in doc[s].ancestors:
        if a.dep_ == "acl:relcl":
            lo, hi = a.left_edge.i, a.right_edge.i + 1
            if _person(a.head) and not (lo <= sign[0] and sign[1] <= hi):
                return True
    # the parser often misses the relative clause: "une apprentie de 17 ans que je suis pour une
    # formation m'a dit qu'elle…": a "que|qui" after a person noun, before the cue, the sign after it
    if sign[0] < e:
        return False
    for i in range(s - 1, max(-1, s - 8), -1):
        if doc[i].text in ".;!?":
            return False
        if fold(doc[i].text) in ("que", "qu", "qui") and i > 0:
            noun = doc[i - 1]
            while noun.dep_ in ("nmod", "nummod") and noun.head.i < noun.i:
                noun = noun.head
            return _person(noun)
    return False


def _person(tok) -> bool:
    # "un jeune que j'accompagne": an adjective with its determiner is a noun
    noun = tok.pos_ in ("NOUN", "PROPN") or (tok.pos_ == "ADJ" and any(c.dep_ == "det" for c in tok.children))
    return noun and fold(tok.lemma_) not in _DOCUMENTS and fold(tok.text) not in _DOCUMENTS


def current_duration(doc, spans, stretch: tuple[int, int], s: int, e: int) -> bool:
    """A current duration ("depuis trois nuits", "depuis hier") in the sign's stretch, from the
    sign on, with a sign not told in the imperfect ("il dormait dans sa voiture depuis des
    semaines" is over)."""
    if any("Imp" in t.morph.get("Tense") for t in doc[s:e] if t.pos_ in ("VERB", "AUX")):
        return False
    return any(qs >= s and qe <= stretch[1] for qs, qe in spans)


_SINCE = frozenset({"depuis", "dp", "dps", "dpuis", "depui", "dpui"})


def since(doc, qs: int) -> bool:
    """A past date after "depuis" starts something still going on ("depuis le mois dernier il la
    gifle"), it does not date a past episode."""
    return qs > 0 and fold(doc[qs - 1].text) in _SINCE


def adjusted(doc, quals: dict, s: int, e: int) -> dict:
    """The qualifier spans for the sign `doc[s:e]` without the future months and the dates after
    "depuis" (past history) and the training words that frame a person only (hypothetical,
    information)."""
    out = dict(quals)
    out["antecedent"] = [(qs, qe) for qs, qe in quals["antecedent"]
                         if not future_month(doc, qs, qe) and not since(doc, qs)]
    out["passe"] = [(qs, qe) for qs, qe in quals["passe"] if not since(doc, qs)]
    for name in ("hypothese", "information"):
        out[name] = [(qs, qe) for qs, qe in quals[name] if not framing_person(doc, qs, qe, (s, e))]
    return out


# An event named by its diagnosis (not a sign seen now) and the state that follows it.
_EVENT = re.compile(r"\b(?:avc|a\.?v\.?c|ait|infarctus|idm|embolie|accident vasculaire|hemorragie cerebrale)\b")
# The lasting deficit such an event leaves, a sequel when the sentence names the event.
_DEFICIT = re.compile(r"\b(?:hemipleg\w*|hemipares\w*|paralys\w*|aphas\w*)\b")
_NOW_WORDS = frozenset({"maintenant", "actuellement", "desormais", "aujourd hui"})


def sequel_of_past_event(doc, quals, sent, span) -> bool:
    """A stroke or heart attack told with the state that follows it, in the same sentence and with
    nothing sudden or dated now ("a fait un AVC, elle est en fauteuil maintenant", "post-AVC,
    sortie de SSR", "infarctus, stenté, suivi en cardio"), is a past event, not an emergency; so is
    the deficit it left ("post-AVC avec hémiplégie droite, sortie de SSR")."""
    text = fold(span.text)
    if not (_EVENT.search(text) or (_DEFICIT.search(text) and _EVENT.search(fold(doc[sent[0]:sent[1]].text)))):
        return False
    if not any(sent[0] <= qs and qe <= sent[1] for qs, qe in quals["sequelle_etat"]):
        return False
    if any(sent[0] <= qs and qe <= sent[1] for qs, qe in quals["debut_brutal"] + quals["en_cours"]):
        return False
    return not any(sent[0] <= qs and qe <= sent[1] and fold(doc[qs:qe].text) not in _NOW_WORDS
                   for qs, qe in quals["actuel"])


_CONTRAST = frozenset({"mais", "pourtant", "cependant", "or", "neanmoins", "toutefois"})


def reassured(doc, quals, sent, s: int, e: int) -> bool:
    """A reassuring check in the sentence ("ECG normal", "scanner normal") covers the sign, unless
    it comes before it with a contrast or something current in between ("scanner normal hier,
    mais ce matin elle ne parle plus": a new sign after the check)."""
    for qs, qe in quals["rassurant"]:
        if qs < sent[0] or qe > sent[1] or (s <= qs and qe <= e):
            continue
        if qe <= s and (any(fold(t.text) in _CONTRAST for t in doc[qe:s])
                        or any(qe <= cs and ce <= s for cs, ce in quals["actuel"] + quals["debut_brutal"])):
            continue
        return True
    return False
