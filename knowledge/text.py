"""Text folding shared by the gazetteer, the vocabulary and the directory search."""
from __future__ import annotations

import re
import unicodedata

# Letters that NFD does not decompose.
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "ł": "l", "đ": "d"})
# Apostrophes, hyphens/dashes, underscore, dot and whitespace all become one space.
_SEPARATORS = re.compile(r"[\s'’‘ʼ`´\-‐‑‒–—_.]+")
_SAINT = re.compile(r"\b(st|ste)\b")

# A sentence: the text between two of these marks (the triage's frames and the situation's
# "not now" read one sentence at a time).
SENTENCE_ENDS = ".!?;\n"
SENTENCE = re.compile(r"[^.!?;\n]+")


def fold(s: str) -> str:
    """Lower case, strip accents; apostrophes, hyphens, ``_``, ``.`` and spaces -> one space.

    >>> fold("Ste-Maure-de-Touraine")
    'ste maure de touraine'
    """
    s = unicodedata.normalize("NFD", s.lower().translate(_LIGATURES))
    s = "".join(c for c in s if not unicodedata.combining(c))
    return _SEPARATORS.sub(" ", s).strip()


def fold_place(s: str) -> str:
    """`fold`, then ``st`` -> ``saint`` and ``ste`` -> ``sainte`` as whole words."""
    return _SAINT.sub(lambda m: "saint" if m.group(1) == "st" else "sainte", fold(s))
