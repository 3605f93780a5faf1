"""French negation and reported-history cues around a mention in a folded message.

Both functions work on *folded* text (see ``knowledge.text.fold``); they are meant to be given the
text produced by ``knowledge.vocabulary.fold_aligned``, which also keeps ``.``, ``!``, ``?`` and
line breaks so that sentence ends bound the scopes (with plain ``fold`` the dots are gone and the
scope simply runs to the next other boundary). Rules are documented in docs/vocabulary.md.
"""
from __future__ import annotations

import re
from datetime import date

from knowledge.text import fold

_WORD = re.compile(r"[a-z0-9]+")

# Words that open a new clause: "pas de chutes mais refus d'aide".
TERMINATORS = frozenset({
    "mais", "cependant", "toutefois", "pourtant", "neanmoins", "sauf", "hormis", "excepte", "car",
    "donc", "puis", "ensuite", "sinon", "or", "quoique", "tandis",
})
TERMINATOR_PAIRS = frozenset({("par", "contre"), ("alors", "que"), ("bien", "que"), ("en", "revanche"),
                              ("meme", "si"), ("a", "part"), ("en", "dehors")})
# "et" ends the scope unless it coordinates noun phrases ("pas de chutes et de troubles").
# ... unless a verbal negation ends right before it: "ne la porte plus et la bouche de travers".
_VERB_NEGATION_ENDS = frozenset({"plus", "pas", "jamais", "guere", "rien"})
_ET_CARRIES = frozenset({"de", "d", "du", "des", "la", "le", "les", "l", "un", "une", "ni", "aucun", "aucune"})

TRIGGERS = frozenset({"pas", "aucun", "aucune", "aucuns", "aucunes", "sans", "ni", "absence", "nie", "niee",
                      "nies", "niees", "niant", "denie", "jamais", "non", "nullement", "exclut", "rien",
                      # SMS "pa" ("pa de fievre"; not "PA 8/5", blood pressure) and English "no", "without".
                      "pa", "no", "without"})
# "plus" negates only after "ne"/"n'" ("n'est plus seule"), never in "de plus en plus".
# Pseudo-negations: the trigger followed by one of these words is not a negation.
PSEUDO_NEXT = {
    "pas": frozenset({"mal", "seulement", "que", "qu", "uniquement", "toujours", "forcement", "sur", "sure",
                      "certain", "certaine", "exclu", "exclue", "impossible", "evident", "facile", "simple",
                      "trop", "tres", "assez"}),
    "sans": frozenset({"doute", "cesse", "arret", "compter", "succes", "resultat", "effet", "amelioration",
                       "gravite", "consequence", "consequences", "fin"}),
    "non": frozenset({"seulement", "plus"}),
    "rien": frozenset({"que", "qu", "a", "ne", "n"}) - {"n", "ne"},
    "ni": frozenset(),
}
PSEUDO_NEXT["pa"] = PSEUDO_NEXT["pas"]
# After "jamais", a comparison makes the sign unprecedented, not denied.
_UNPRECEDENTED = frozenset({"aussi", "si", "autant", "tellement", "pareil", "pareille", "comme_ca"})
# A trigger preceded by one of these words is not a negation of what follows
# ("ne répond pas au traitement antidépresseur", "n'arrive pas à se laver", "n'ose pas porter plainte").
PSEUDO_PREV = {
    "pas": frozenset({"repond", "reagit", "supporte", "tolere", "arrive", "parvient", "sait", "ose", "comprend",
                      "hesitez", "hesite"}),
}
PSEUDO_PREV["pa"] = PSEUDO_PREV["pas"] | {"repon", "reagi", "arive"}
# Words allowed between a trigger and the mention it negates ("pas de notion de", "aucun signe de").
FILLERS = frozenset("""
de d du des la le les l un une a au aux en ce cet cette jour y il elle ils elles on n ne est sont ont avait
etait s se sa son ses leur leurs lui tout toute tous toutes notion notions signe signes element elements argument
arguments faveur pour trace traces histoire episode episodes antecedent antecedents atcd atcds particulier
particuliere particuliers particulieres actuellement vraiment encore franc franche francs franches evident
evidente evidents clinique cliniques cliniquement present presente presents presentes presenter retrouve
retrouvee retrouves constate constatee note notee decrit decrite rapporte rapportee signale signalee besoin
probleme problemes souci soucis difficulte difficultes moment instant plan sur niveau ici recent recente
recents recentes recemment nouveau nouvelle nouveaux nouvelles autre autres grand grande gros grosse veritable
veritables reel reelle apparent apparente objective objectif objectivee connu connue connus semble parait
plainte plaintes suspicion evocateur evocatrice evoquant suggestif suggestive vers place demande ete eu fait
fait faire veut souhaite voulu accepte necessaire necessite indication utile qu que mise
""".split())
MAX_CONTENT_WORDS = 2     # non-filler words tolerated between the trigger and the mention
MAX_LOOKBACK = 10         # words scanned before the mention

# Words right after a mention that negate it when they close the clause ("TNC : non", "chutes : 0").
POST_NEGATIONS = frozenset({"non", "absent", "absente", "absents", "absentes", "nie", "niee", "nies", "niees",
                            "exclu", "exclue", "exclus", "exclues", "ecarte", "ecartee", "negatif", "negative",
                            "0", "aucun", "aucune", "neant"})


# Characters that end a clause (a negation or history cue never crosses them) and a sentence.
_CLAUSE_CHARS = ",;.!?:\n"
_SENTENCE_CHARS = ";.!?\n"


_LAST = {chars: re.compile(r".*[" + re.escape(chars) + "]", re.S) for chars in (_CLAUSE_CHARS, _SENTENCE_CHARS)}


def _last(s: str, chars: str) -> int:
    """Index of the last occurrence in ``s`` of any of ``chars`` (-1 if none)."""
    m = _LAST[chars].match(s)
    return m.end() - 1 if m else -1


WINDOW = 300              # characters scanned on each side of a mention


def _clause_before(text: str, start: int) -> list[str]:
    """Words of the clause that ends at ``start``, after the last terminator word."""
    head = text[max(0, start - WINDOW):start]
    words = _WORD.findall(head[_last(head, _CLAUSE_CHARS) + 1:])
    for i in range(len(words) - 1, -1, -1):
        w = words[i]
        if w in TERMINATORS or (i + 1 < len(words) and (w, words[i + 1]) in TERMINATOR_PAIRS):
            return words[i + 1:] if w in TERMINATORS else words[i + 2:]
        if w == "et" and (i + 1 >= len(words) or words[i + 1] not in _ET_CARRIES
                          or (i > 0 and words[i - 1] in _VERB_NEGATION_ENDS)):
            return words[i + 1:]
    return words


# A comma or dot between digits ("0,40", "38.5") is a decimal mark, not a clause end.
_CLAUSE_END = re.compile(r"[;!?\n]|[,.](?!\d)")


def _clause_after(text: str, end: int) -> list[str]:
    m = _CLAUSE_END.search(text, end, end + WINDOW)
    return _WORD.findall(text[end:m.start() if m else end + WINDOW])


def is_negated(folded_text: str, start: int, end: int | None = None) -> bool:
    """True when the mention starting at ``start`` is negated in its clause.

    Before the mention: "pas (de)", "aucun(e)", "sans", "ni", "absence de", "nie", "jamais",
    "non", "ne ... plus", with at most a few filler words in between ("pas de notion de chute").
    After it (only when ``end`` is given): "TNC : non", "chutes : 0", "idées suicidaires niées".
    """
    words = _clause_before(folded_text, start)
    content = 0
    for i in range(len(words) - 1, max(-1, len(words) - 1 - MAX_LOOKBACK), -1):
        w = words[i]
        nxt = words[i + 1] if i + 1 < len(words) else ""
        prev = words[i - 1] if i > 0 else ""
        if w == "jamais" and any(x in _UNPRECEDENTED for x in words[i + 1:]):
            continue        # "jamais eu aussi mal", "jamais vu si pâle": never before, so now
        if (w in TRIGGERS and nxt not in PSEUDO_NEXT.get(w, ()) and prev not in PSEUDO_PREV.get(w, ())
                and not (w == "pa" and (nxt or folded_text[start:start + 1])[:1].isdigit())):
            return True
        if w == "plus" and nxt != "en" and any(x in ("ne", "n") for x in words[max(0, i - 4):i]):
            return True
        if w in FILLERS:
            continue
        content += 1
        if content > MAX_CONTENT_WORDS:
            break
    if end is not None:
        after = _clause_after(folded_text, end)
        if after and after[-1] in POST_NEGATIONS and len(after) <= 2:
            return True
    return False


# ---------------------------------------------------------------------------------------------
# Reported history ("ATCD d'AVC", "ancien alcoolique", "a fait un AVC il y a 2 ans")

HISTORY_BEFORE = frozenset({"atcd", "atcds", "antecedent", "antecedents", "ant", "autrefois", "jadis",
                            "anterieurement", "gueri", "guerie", "sevre", "sevree", "sevres", "sevrees"})
HISTORY_RIGHT_BEFORE = frozenset({"ancien", "ancienne", "anciens", "anciennes", "ex"})
HISTORY_AFTER = frozenset({"ancien", "ancienne", "anciens", "anciennes", "gueri", "guerie", "gueris", "resolu",
                           "resolue", "resolus", "autrefois", "jadis", "sevre", "sevree", "sevres", "sevrees"})
_PAST_PHRASES = re.compile(
    r"\b(?:dans|par) le passe\b|\bdans (?:sa|ma|leur) jeunesse\b|\b(?:dans|au cours de) (?:sa|ma|leur) vie\b|\ben remission\b|\bil y a (?:longtemps|des annees|"
    r"plusieurs annees|quelques annees|de nombreuses annees)\b|"
    r"(?<!depuis )(?<!dp )\b(?:la semaine|le mois|l an|l annee) (?:derniere|dernier|passee|passe)\b")   # "depuis le mois dernier" is ongoing
_AGO = re.compile(r"\b(?:il y a|y a|ya|il y avait)\s+(\d+|un|une|deux|trois|quelques|plusieurs)\s+(ans?|annees?|mois|semaines?)\b")
_YEAR = re.compile(r"\ben\s+((?:19|20)\d\d)\b")
_HEADER = re.compile(r"\b(?:atcds?|antecedents?|ant)\s*:")
# The "ATCD :" list ends at a clause that speaks of the present ("ATCD : HTA, diabète, vit seule, chutes").
_HEADER_END = re.compile(r"\b(?:actuellement|motif|hdm|aujourd hui|ce jour|depuis|mais|actuel|actuelle|recemment|"
                         r"maintenant|desormais|vit|habite|demande|souhaite|refuse|presente|nouvelle|nouveau|"
                         r"est|sont|a des|fait des)\b")
HEADER_MAX_ITEMS = 4      # at most this many comma-separated items after "ATCD :"


def _has_past_cue(chunk: str, year: int) -> bool:
    if not ("passe" in chunk or "jeunesse" in chunk or "remission" in chunk or "y a" in chunk
            or "ya " in chunk or " vie" in chunk or "en 1" in chunk or "en 2" in chunk or "derni" in chunk or "passe" in chunk):
        return False
    if _PAST_PHRASES.search(chunk) or _AGO.search(chunk):
        return True
    return any(int(m.group(1)) < year for m in _YEAR.finditer(chunk))


# Something current between a dated past episode and the mention: "elle a fait un AVC l'an passé et
# ce matin elle a de nouveau la bouche de travers" (the mouth is now).
_CURRENT = re.compile(
    r"\b(?:ce matin|cette nuit|ce soir|ce midi|cet apres midi|aujourd hui|maintenant|actuellement|en ce moment|"
    r"de nouveau|a nouveau|tout a l heure|a l instant|vient de|viennent de|et la|mais la|"
    r"depuis (?:ce matin|cette nuit|hier|tout a l heure|\d+ ?(?:min|mn|minutes?|h|heures?)))\b")


def _past_before(chunk: str, year: int) -> bool:
    """A past cue in the clause before a mention, with nothing current between them."""
    if not _has_past_cue(chunk, year):
        return False
    ends = [m.end() for m in _PAST_PHRASES.finditer(chunk)] + [m.end() for m in _AGO.finditer(chunk)]
    ends += [m.end() for m in _YEAR.finditer(chunk) if int(m.group(1)) < year]
    return not _CURRENT.search(chunk[max(ends, default=0):])


def is_history(folded_text: str, start: int, end: int, *, year: int | None = None) -> bool:
    """True when the mention ``folded_text[start:end]`` is reported history, not a current problem.

    Cues: an "ATCD :" / "antécédents :" header earlier in the sentence; "ATCD de", "antécédent de",
    "ancien", "ex-", "guéri", "sevré", "autrefois", "dans le passé", "il y a N ans/mois", "en 2019"
    (a past year) in the same clause, before or after the mention. "depuis 3 ans" is current.
    """
    year = year or date.today().year
    head = folded_text[max(0, start - WINDOW):start]
    sentence = head[_last(head, _SENTENCE_CHARS) + 1:]
    if "ant" in sentence or "atcd" in sentence:
        h = None
        for h in _HEADER.finditer(sentence):
            pass
        if h is not None:
            listed = sentence[h.end():]
            if listed.count(",") < HEADER_MAX_ITEMS and not _HEADER_END.search(listed):
                return True
    before = _clause_before(folded_text, start)
    if any(w in HISTORY_BEFORE for w in before[-6:]) or any(w in HISTORY_RIGHT_BEFORE for w in before[-2:]):
        return True
    if _past_before(head[_last(head, _CLAUSE_CHARS) + 1:], year):
        return True
    m = _CLAUSE_END.search(folded_text, end, end + WINDOW)
    tail = folded_text[end:m.start() if m else end + WINDOW]
    after = _WORD.findall(tail)
    if any(w in HISTORY_AFTER for w in after[:6]):
        return True
    return _has_past_cue(tail, year)


_THOUGHT_VERBS = frozenset({"penser", "envisager", "evoquer", "vouloir", "souhaiter", "exprimer", "parler",
                            "songer", "projeter", "imaginer", "avoir_envie"})
_NEGATORS = frozenset({"pas", "jamais", "aucunement", "nullement", "point"})


def thought_negated(doc, s: int, e: int) -> bool:
    """The sign opens on a negated verb of thought: "ne|n' <verb> pas|jamais ..." (source: NegEx
    scope rules, Chapman 2001, adapted to the French split negation)."""
    if s == 0 or e - s < 2:
        return False
    first = doc[s]
    if fold(first.lemma_) not in _THOUGHT_VERBS or fold(doc[s - 1].text) not in ("ne", "n"):
        return False
    nxt = fold(doc[s + 1].text)
    if nxt not in _NEGATORS:
        return False
    return not (s + 2 < len(doc) and fold(doc[s + 2].text) in ("que", "qu"))


_SPLIT_ENDS = frozenset({"pas", "plus", "jamais", "guere"})
_CLITICS = frozenset({"se", "s", "me", "m", "te", "t", "le", "la", "l", "les", "lui", "leur", "y", "en"})


def inside_split_negation(doc, s: int, e: int) -> bool:
    """The sign lies wholly inside a split negation: "ne|n' <sign> pas|plus|jamais" ("la plaie ne
    saigne pas", "ne saigne plus"); a sign that holds its own negation ("ne respire plus") is not
    inside one (source: NegEx scope rules, Chapman 2001, adapted to the French split negation)."""
    if e >= len(doc) or fold(doc[e].text) not in _SPLIT_ENDS:
        return False
    i = s - 1
    while i >= 0 and s - i <= 2 and fold(doc[i].text) in _CLITICS:
        i -= 1          # "ne s'étouffe pas", "ne lui répond plus"
    return i >= 0 and fold(doc[i].text) in ("ne", "n")
