"""Cue phrases of the triage rules: whole words, ``*`` = any word ending, text folded.

Shared by the emergency detection (knowledge.emergencies) and the complexity dimensions
(knowledge.triage). A cue counts only when live: not negated, not inside an excluded span and,
when asked, not reported history (knowledge.negation).
"""
from __future__ import annotations

import re
from typing import Iterable

from knowledge.negation import is_history, is_negated
from knowledge.text import fold


class Cues:
    """A compiled list of cue phrases: whole words, ``*`` = any word ending, text folded."""

    def __init__(self, phrases: Iterable[str]):
        self.phrases = tuple(dict.fromkeys(p for p in (fold(str(x)) for x in phrases) if p))
        alternatives = sorted((_phrase_regex(p) for p in self.phrases), key=len, reverse=True)
        self.regex = (re.compile(r"(?<![a-z0-9])(?:" + "|".join(alternatives) + r")(?![a-z0-9])")
                      if alternatives else None)

    def spans(self, folded: str) -> list[tuple[int, int]]:
        """All (start, end) spans of the phrases in an already folded text."""
        if self.regex is None:
            return []
        return [(m.start(), m.end()) for m in self.regex.finditer(folded)]

    def __bool__(self) -> bool:
        return self.regex is not None


def _phrase_regex(phrase: str) -> str:
    words = []
    for word in phrase.split(" "):
        if word.endswith("*"):
            words.append(re.escape(word.rstrip("*")) + r"[a-z0-9]*")
        else:
            words.append(re.escape(word))
    return r"\s+".join(words)


def live(folded: str, spans: Iterable[tuple[int, int]], *, history: bool,
         excluded: list[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """Spans that are not negated, not inside an excluded span and (if `history`) not past."""
    out = []
    for start, end in spans:
        if any(s < end and start < e for s, e in excluded):
            continue
        if is_negated(folded, start, end):
            continue
        if history and is_history(folded, start, end):
            continue
        out.append((start, end))
    return out
