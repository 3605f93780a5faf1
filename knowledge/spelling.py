"""SMS and misspelt forms of the sign words, read as the words they stand for.

A relative texting in a hurry writes "bouch de traver", "respir pa", "etoufe", "reagi plu": the
signs reader compares each token to the words of its patterns, so such forms were missed. For a
folded token of four letters or more that is not itself a word of the sign patterns, `extra` gives the pattern words it
can stand for: a short table of usual SMS forms (`plu` -> `plus`, `ki` -> `qui`, `bb` -> `bebe`),
and the pattern words reached by adding a silent ending (`bouch` -> `bouche`, `respir` ->
`respirer`, `reagi` -> `reagit`) or by doubling one consonant (`etoufe` -> `etouffe`, `arive` ->
`arrive`). Only words of the patterns are ever produced, so a form can only help a pattern match.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

SIGNS = Path(__file__).parent / "data" / "signs.yaml"
# Usual SMS forms of grammar words and sign words (folded), each with what it stands for.
SMS = {
    "plu": "plus", "pu": "plus", "depui": "depuis", "dpuis": "depuis", "dpui": "depuis", "ki": "qui",
    "ke": "que", "tt": "tout", "tte": "toute", "tou": "tout", "bb": "bebe", "pa": "pas", "el": "elle",
    "mai": "mais", "presk": "presque", "preske": "presque", "tro": "trop", "bcp": "beaucoup",
    "bocou": "beaucoup", "bcoup": "beaucoup", "koi": "quoi", "yeu": "yeux", "san": "sang", "fis": "fils",
    "mer": "mere", "dan": "dans", "ds": "dans", "pome": "pommes", "pomes": "pommes", "tre": "tres",
    "vit": "vite", "rouj": "rouge", "blan": "blanc", "froi": "froid", "moi": "mois", "sa": "ca",
    "o": "au", "respi": "respiration", "pal": "pale", "dor": "dort", "voi": "voit", "boi": "boit", "bra": "bras", "jamb": "jambe", "reveil": "reveille", "cet": "cette",
}
_ENDINGS = ("e", "s", "t", "d", "x", "r", "er", "re", "dre", "es", "ent", "ee", "ez")
_DOUBLE = set("bcdfglmnprst")
_WORD = re.compile(r"[a-z]{2,}")


@lru_cache(maxsize=1)
def vocabulary() -> frozenset[str]:
    """Every word written in the patterns of signs.yaml (folded, at least three letters)."""
    data = yaml.safe_load(SIGNS.read_text(encoding="utf-8")) or {}
    words: set[str] = set()

    def walk(node):
        if isinstance(node, str):
            for part in node.split():
                if not part.startswith("re:"):
                    words.update(w for w in _WORD.findall(part.replace("_", " ")) if len(w) >= 3)
        elif isinstance(node, dict):
            for key, value in node.items():
                if key not in ("id", "numero", "motif", "source", "priorite", "types"):
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    quals = data.get("qualificatifs") or {}
    now = ("debut_brutal", "en_cours", "actuel")
    walk({k: v for k, v in quals.items() if k in now})
    walk(data.get("regles"))
    # The forms serve recall, never silence: a misspelt "longtemp" must not become a word of the
    # qualifiers that cancel a sign (past, long-standing, hypothetical, reassuring...).
    kept = set(words)
    words.clear()
    walk({k: v for k, v in quals.items() if k not in now})
    return frozenset(kept - words)


def _doubled(word: str):
    yield word
    for i in range(1, len(word) - 1):
        c = word[i]
        if c in _DOUBLE and word[i - 1] != c and word[i + 1] != c:
            yield word[:i + 1] + word[i:]


@lru_cache(maxsize=65536)
def extra(folded: str) -> str:
    """Slots to add to a token's matching key ("bouche|" for "bouch"), or ""."""
    if folded in SMS:
        word = SMS[folded]
        return f"{word}|" if word != folded else ""
    vocab = vocabulary()
    if len(folded) < 4 or not folded.isalpha() or folded in vocab:    # short forms: the table only
        return ""
    found = sorted({w for base in _doubled(folded) for w in [base, *(base + end for end in _ENDINGS)]
                    if w != folded and w in vocab})
    return "".join(f"{w}|" for w in found)

