"""People's names in free text: one pass over word tokens (civility, patient and family cues,
known first names with their surname); spaCy's NER as an optional second net (`ner.py`)."""
from __future__ import annotations

import re

from knowledge.privacy.lexicon import (_AMBIGUOUS_FIRST, _CIV_TOKEN_RE, _COLON_CUES,
                                       _CUE_NEEDS_NAME, _INSTITUTION_CUES, _NOT_NAME_WORDS, _NOT_NAMES,
                                       _PARTICLES, _PATIENT_CUES, _PROFESSIONAL_CUES, _QUALIFIERS,
                                       _TITLE_WORDS, _accented_communes, _blocked, _common_words, _communes, _first_names,
                                       _norm, _professional_before, _stop_words)
from knowledge.privacy.ner import _ner_spans

_WORD_RE = re.compile(r"(?:[DNO]['’](?=[A-ZÀ-Ý]))?[^\W\d_]+(?:[\-][^\W\d_]+){0,6}|\d+|\[[a-zéèêôû°\s\-]{1,30}\]|[^\w\s]")


class _Tok:
    __slots__ = ("s", "e", "w", "_n")

    def __init__(self, m: re.Match):
        self.s, self.e, self.w = m.start(), m.end(), m.group(0)
        self._n = None

    @property
    def n(self) -> str:
        """Lower-case, accent-free form (computed on first use)."""
        if self._n is None:
            self._n = _norm(self.w)
        return self._n

    @property
    def alpha(self) -> bool:
        return self.w[0].isalpha()

    @property
    def cap(self) -> bool:
        return self.w[0].isupper()

    @property
    def allcaps(self) -> bool:
        return len(self.w) >= 2 and self.w.isupper() and self.w.replace("-", "").isalpha()


def _is_first_name(t: _Tok) -> bool:
    return t.alpha and (t.cap) and t.n in _first_names() and t.w.lower() not in _accented_communes()


def _is_first_name_lower(t: _Tok) -> bool:
    return t.alpha and t.n in _first_names() and t.n not in _stop_words() and t.n not in _AMBIGUOUS_FIRST


def _namey(t: _Tok, commune_ok: bool = False) -> bool:
    """A token that may be part of a name: capitalised or in capitals, not a blocked word."""
    if not (t.alpha and t.cap) or len(t.w) < 2 and not t.allcaps:
        return False
    if _blocked(t):
        return False
    if not commune_ok and t.n in _communes() and not _is_first_name(t):
        return False
    return True


def _gap(text: str, a: _Tok, b: _Tok) -> str:
    return text[a.e:b.s]


def _joined(text: str, a: _Tok, b: _Tok) -> bool:
    """True when b follows a with only spaces (one line) between them."""
    g = _gap(text, a, b)
    return len(g) <= 3 and g.strip(" \t") == ""


def _sentence_start(text: str, toks: list, i: int) -> bool:
    if i == 0:
        return True
    p = toks[i - 1]
    return p.w in ".!?:;\n-–•*(" or "\n" in _gap(text, p, toks[i])


def _run(text: str, toks: list, i: int, commune_first: bool, limit: int = 4) -> int:
    """End index (exclusive) of the name run starting at token i (particles inside allowed)."""
    j, taken = i, 0
    while j < len(toks) and taken < limit:
        t = toks[j]
        if j > i and not _joined(text, toks[j - 1], t):
            break
        if t.n in _PARTICLES and t.w[0].isalpha() and j + 1 < len(toks) and _joined(text, t, toks[j + 1]) \
                and _namey(toks[j + 1], commune_ok=True) and (taken or j == i):
            j += 1
            continue
        if t.w in ("'", "’") and j > i and toks[j - 1].n in ("d", "o", "l"):
            j += 1
            continue
        if len(t.w) == 1 and t.w.isupper() and j + 2 < len(toks) and toks[j + 1].w == "." \
                and _namey(toks[j + 2], commune_ok=True):
            j += 2  # an initial: "Mme B. Martin"
            continue
        if _namey(t, commune_ok=(commune_first and taken == 0)):
            j += 1
            taken += 1
            continue
        break
    while j > i and toks[j - 1].n in _PARTICLES:
        j -= 1
    return j if taken else i


def _professional_after(text: str, toks: list, j: int) -> bool:
    """ "Sophie, infirmière", "Julie (IDE)": a professional word right after a name."""
    for k in range(j, min(j + 4, len(toks))):
        t = toks[k]
        if t.n in ("dr", "docteur", "docteure", "pr", "professeur", "professeure", "drs", "dre"):
            return False  # "(Dr Martin, médecin traitant)": another person, not an apposition
        if t.n in _PROFESSIONAL_CUES and t.n not in ("as", "me"):
            return k == j or all(x.w in ",(-–" or x.n in ("l", "'", "notre", "son", "sa", "la", "le",
                                                          "votre", "mon", "ma")
                                 for x in toks[j:k])
    return False


def _name_spans(text: str, ner: bool = False) -> list[tuple[int, int]]:
    toks = [_Tok(m) for m in _WORD_RE.finditer(text)]
    spans: list[tuple[int, int]] = []
    protected: set[int] = set()
    ends: list[int] = []
    n = len(toks)

    def take(a: int, b: int) -> None:
        """Tokens a to b - 1 are a name: masked, and no cue is read inside them."""
        spans.append((toks[a].s, toks[b - 1].e))
        protected.update(range(a, b))
        ends.append(b)

    i = 0
    while i < n:
        t = toks[i]
        if not t.w[0].isalpha():  # digits and punctuation never start a name or a cue
            i += 1
            continue
        nl = t.n
        # professionals and institutions: the following name run is kept
        # ("Me" for a notary and "AS" for a social worker only when written so: "me", "as" are verbs)
        if (nl in _PROFESSIONAL_CUES or nl in _INSTITUTION_CUES) and not (
                nl in ("me", "as") and t.w not in ("Me", "AS")):
            k = i + 1
            while k < n and (toks[k].w in ("'", "’", ".") or toks[k].n in ("l", "d")) and k - i <= 2:
                k += 1
            j = _run(text, toks, k, commune_first=True) if k < n else k
            protected.update(range(k, j))
            i = max(j, i + 1)
            continue
        # civility: the following run is a name
        if t.w == "m" and i + 2 < n and toks[i + 1].w == "." and toks[i + 2].alpha and not toks[i + 2].cap \
                and toks[i + 2].n not in _common_words() and _joined(text, toks[i + 1], toks[i + 2]):
            spans.append((toks[i + 2].s, toks[i + 2].e))
            protected.add(i + 2)
            ends.append(i + 3)
            i += 3
            continue
        if t.w in ("mme", "mr", "mlle", "melle") and i + 1 < n and toks[i + 1].alpha \
                and not toks[i + 1].cap and len(toks[i + 1].w) >= 2 and toks[i + 1].n not in _common_words() \
                and toks[i + 1].n not in _NOT_NAME_WORDS and _joined(text, t, toks[i + 1]):
            # SMS in lower case: "mme dupont"
            j = i + 2
            if j < n and toks[j].alpha and not toks[j].cap and _joined(text, toks[j - 1], toks[j]) \
                    and _is_first_name_lower(toks[j]):
                j += 1
            take(i + 1, j)
            i = j
            continue
        if _CIV_TOKEN_RE.match(t.w) or (nl in ("m", "mr", "mme", "mlle", "mm", "mmes") and t.cap):
            k = i + 1
            if k < n and toks[k].w == ".":
                k += 1
            particle_ok = (k + 1 < n and toks[k].n in _PARTICLES and _namey(toks[k + 1], commune_ok=True)
                           and toks[k + 1].n not in _TITLE_WORDS)
            if (particle_ok and i > 0 and toks[i - 1].n in ("un", "une") and toks[k].n == "de"
                    and toks[k + 1].n in _communes()):
                i += 1   # "un monsieur de Pithiviers": where the caller lives, not a noble name
                continue
            if k < n and (toks[k].n not in _NOT_NAMES or particle_ok) and toks[k].n not in _TITLE_WORDS \
                    and _joined(text, toks[k - 1], toks[k]):
                j = _run(text, toks, k, commune_first=True)
                if j > k:
                    if not (_professional_apposition(toks, i) or _professional_after(text, toks, j)):
                        spans.append((toks[k].s, toks[j - 1].e))
                        ends.append(j)
                    protected.update(range(k, j))
                    i = j
                    continue
            i += 1
            continue
        # patient / family cues: "la patiente Odette Lambert", "chez les Perrin", "née Chevallier"
        if nl in _PATIENT_CUES and t.alpha:
            k = i + 1
            while k < n and toks[k].w in (":", ",", "'", "’", "(") and k - i <= 2:
                k += 1
            if k < n and toks[k].n in ("les", "l", "mr", "mme") and nl in ("chez", "famille"):
                k += 1
            if k < n and toks[k].n in ("s'", "s") and nl == "appelle":
                k += 1
            if k < n and not toks[k].cap and _is_first_name_lower(toks[k]) and toks[k].n not in _common_words() \
                    and nl not in ("pour", "nom", "dit", "dite", "jeune", "petit", "petite") \
                    and _joined(text, toks[k - 1], toks[k]):
                j = k + 1  # lower-case SMS: "ma mère ginette", "sa fille julie martin"
                if j < n and toks[j].alpha and not toks[j].cap and toks[j].n not in _common_words() \
                        and len(toks[j].w) >= 3 and _joined(text, toks[k], toks[j]):
                    j += 1
                take(k, j)
                i = j
                continue
            if k < n and toks[k].cap and not _blocked(toks[k]) and toks[k].n not in _NOT_NAMES:
                first_ok = _is_first_name(toks[k]) or toks[k].allcaps
                colon = any(toks[x].w == ":" for x in range(i + 1, k))
                if nl in _CUE_NEEDS_NAME and not _is_first_name(toks[k]) and not (colon and nl in _COLON_CUES):
                    i += 1
                    continue
                j = _run(text, toks, k, commune_first=first_ok)
                if j > k and not _professional_after(text, toks, j):
                    take(k, j)
                    i = j
                    continue
            i += 1
            continue
        # lower case (SMS): a known first name and a surname, neither a common word ("julie martin")
        if i not in protected and t.alpha and not t.cap and len(t.w) >= 3 and i + 1 < n \
                and _is_first_name_lower(t) and t.n not in _common_words():
            u = toks[i + 1]
            if u.alpha and not u.cap and len(u.w) >= 3 and u.n not in _common_words() \
                    and not _blocked(u) and u.n not in _communes() and _joined(text, t, u) \
                    and not _professional_before(toks, i):
                spans.append((t.s, u.e))
                protected.update((i, i + 1))
                ends.append(i + 2)
                i += 2
                continue
        # first names with their surname, in either order; capitals + capitalised word
        if i not in protected and t.alpha and t.cap and not _blocked(t):
            fn = _is_first_name(t) and not (t.n in _AMBIGUOUS_FIRST)
            amb = _is_first_name(t) and t.n in _AMBIGUOUS_FIRST
            caps = t.allcaps and len(t.w) >= 3 and t.n not in _communes()
            if fn or amb or caps:
                # extend left over one name-like word
                a = i
                if a > 0 and (a - 1) not in protected and _joined(text, toks[a - 1], t) \
                        and _namey(toks[a - 1]) and (not _sentence_start(text, toks, a - 1)
                                                     or toks[a - 1].n not in _common_words()) \
                        or (a > 0 and (a - 1) not in protected and _joined(text, toks[a - 1], t)
                            and _namey(toks[a - 1]) and (toks[a - 1].allcaps or _is_first_name(toks[a - 1]))):
                    a -= 1
                j = _run(text, toks, i, commune_first=False)
                j = max(j, i + 1)
                length = j - a
                other_caps = any(toks[x].allcaps for x in range(a, j) if x != i)
                other_fn = any(_is_first_name(toks[x]) for x in range(a, j) if x != i)
                ok = False
                if length >= 2 and (fn or amb or other_fn or (caps and (other_caps or any(
                        toks[x].cap for x in range(a, j) if x != i)))):
                    ok = True
                    if caps and not (fn or amb or other_fn) and all(toks[x].allcaps for x in range(a, j)):
                        ok = False  # "NYHA III": capitals alone are acronyms more often than names
                elif length == 1 and (fn or (amb and not _sentence_start(text, toks, i))):
                    ok = True
                if ok and _professional_before(toks, a) is False and not _professional_after(text, toks, j):
                    take(a, j)
                    i = j
                    continue
        i += 1
    # a capitalised word right before an age or a birth date: "Perrin, 82 ans", "Lemoine né le"
    for i in range(n):
        t = toks[i]
        if not t.w[0].isupper() or i in protected or t.allcaps or not _namey(t):
            continue
        k = i + 1
        if k < n and toks[k].w in (",", "(") and _joined(text, t, toks[k]) or (k < n and toks[k].w in (",", "(")):
            k += 1
        before_age = (k + 1 < n and toks[k].w.isdigit() and len(toks[k].w) <= 3 and toks[k + 1].n == "ans")
        before_birth = k < n and toks[k].n in ("ne", "nee", "ddn", "dn") and (
            toks[k].n in ("ddn", "dn") or (k + 1 < n and toks[k + 1].n in ("le", "en", "[date de naissance]")))
        if not (before_age or before_birth):
            continue
        if _professional_before(toks, i) or (t.n in _common_words() and not _is_first_name(t)):
            continue
        a = i
        while a > 0 and (a - 1) not in protected and _joined(text, toks[a - 1], toks[a]) \
                and _namey(toks[a - 1]) and i - a < 3:
            a -= 1
        spans.append((toks[a].s, t.e))
        protected.update(range(a, i + 1))
        ends.append(i + 1)
    # names in lists: "[nom] et Jade", "Julie, Léa et Tom"
    queue = list(ends)
    while queue:
        j = queue.pop()
        if j + 1 >= n or toks[j].w not in (",", "et", "ou", "&"):
            continue
        k = j + 1
        t = toks[k]
        if k in protected or not _namey(t) or not t.cap:
            continue
        if toks[j].w == "," and not (_is_first_name(t) or (t.allcaps and len(t.w) >= 3)):
            continue
        e = max(_run(text, toks, k, commune_first=False), k + 1)
        if _professional_after(text, toks, e):
            continue
        spans.append((t.s, toks[e - 1].e))
        protected.update(range(k, e))
        queue.append(e)
    if ner:
        spans += _ner_spans(text, toks, protected, spans)
    return spans


def _professional_apposition(toks: list, i: int) -> bool:
    """ "l'assistante sociale du CCAS, Mme Lambert": a professional title just before a civility."""
    if i == 0 or toks[i - 1].w not in (",", "(", "-", "–"):
        return False
    for k in range(i - 2, max(-1, i - 10), -1):
        t = toks[k]
        if t.n in _PROFESSIONAL_CUES and t.n not in ("as", "me"):
            return True
        if t.w in ("'", "’") or t.n in _QUALIFIERS or (t.alpha and t.cap):
            continue
        return False
    return False
