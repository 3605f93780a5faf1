#!/usr/bin/env python3
"""Write knowledge/data/fuzzy-block.txt: the French words that typo matching must never turn into a place.

A word is listed when it is among the 100,000 most frequent French words of the `wordfreq`
package (Apache-2.0; an offline build tool, not a runtime dependency) and the gazetteer's typo
rule (`Gazetteer._fuzzy_cached`, with an empty block list) would correct it into a place
("Mardi" is not Mardié, "saisonnières" not Savonnières). Rerun it when the gazetteer data or the
typo rule changes; tests/knowledge/test_fuzzy_block.py checks that the shipped file is what this
script writes.

Usage:
    python scripts/build_fuzzy_block.py [--words FILE] [--out FILE] [--check]

Without --words the list comes from ``wordfreq.top_n_list("fr", 100000)`` (``pip install
wordfreq`` in any Python: only the list is needed); FILE has one word a line.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Iterable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from knowledge.gazetteer import Gazetteer, words  # noqa: E402
from knowledge.places import town_typo, typo_beats_word  # noqa: E402
from knowledge.text import fold  # noqa: E402

OUT = words.FUZZY_BLOCK_FILE
SOURCE = "wordfreq 3.1.1, top_n_list('fr', 100000)"
HEADER = f"""# French words (folded) one or two edits away from a place name: typo matching never corrects them into
# a place. Written by scripts/build_fuzzy_block.py (do not edit by hand) from
# {SOURCE}.
"""


def blocked_words(gazetteer: Gazetteer, candidates: Iterable[str]) -> list[str]:
    """The folded single words of `candidates` that a typo rule (the gazetteer's, built with
    ``fuzzy_block=frozenset()``, or the town-name rule of short messages, knowledge/places.py)
    would turn into a place ("hanche" is not Hanches)."""
    out = set()
    for w in candidates:
        key = fold(w)
        if not key or not key.isalpha() or key in gazetteer._index:
            continue
        if gazetteer._fuzzy_cached(key) is not None or _word_before_town(key, gazetteer):
            out.add(key)
    return sorted(out)


def _word_before_town(key: str, gazetteer: Gazetteer) -> bool:
    """The short-message town rule would read the word `key` as a town that does not win over
    the word (places.typo_beats_word)."""
    m = town_typo(key, gazetteer)
    return m is not None and not typo_beats_word(m)


def render(block: list[str]) -> str:
    return HEADER + "".join(w + "\n" for w in block)


def _candidates(path: str | None) -> list[str]:
    if path:
        return [l.strip() for l in Path(path).read_text(encoding="utf-8").splitlines() if l.strip()]
    try:
        import wordfreq
    except ImportError:
        raise SystemExit("wordfreq est absent : pip install wordfreq, ou donnez --words FICHIER.") from None
    return list(wordfreq.top_n_list("fr", 100000))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--words", help="candidate words, one a line (default: wordfreq)")
    ap.add_argument("--out", default=str(OUT))
    ap.add_argument("--check", action="store_true", help="only say whether the file is up to date")
    args = ap.parse_args(argv)
    text = render(blocked_words(Gazetteer(fuzzy_block=frozenset()), _candidates(args.words)))
    out = Path(args.out)
    if args.check:
        same = out.exists() and out.read_text(encoding="utf-8") == text
        print("à jour" if same else f"{out} n'est pas à jour : relancez scripts/build_fuzzy_block.py")
        return 0 if same else 1
    out.write_text(text, encoding="utf-8")
    print(f"{out}: {text.count(chr(10)) - HEADER.count(chr(10))} mots")
    return 0


if __name__ == "__main__":
    sys.exit(main())
