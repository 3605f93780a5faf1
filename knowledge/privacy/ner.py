"""spaCy's French NER as a second net for names (``mask(..., ner=True)``; off by default, see
docs/privacy.md). spaCy is imported on first use only: the processes that just mask never load it."""
from __future__ import annotations

from functools import lru_cache

from knowledge.privacy.lexicon import _blocked, _communes, _professional_before

@lru_cache(maxsize=1)
def _nlp():
    import spacy
    return spacy.load("fr_core_news_md", exclude=["lemmatizer", "morphologizer", "attribute_ruler",
                                                   "parser", "senter"])


def _ner_spans(text: str, toks: list, protected: set, found: list) -> list[tuple[int, int]]:
    """Second net: spaCy PER entities not in a kept context (professional, institution, commune)."""
    doc = _nlp()(text)
    starts = {t.s: k for k, t in enumerate(toks)}
    out = []
    for ent in doc.ents:
        if ent.label_ != "PER":
            continue
        ws = [w for w in ent if w.text[:1].isupper() and w.is_alpha]
        if not ws:
            continue
        keep = False
        for w in ws:
            k = starts.get(w.idx)
            if k is None or k in protected or _blocked(toks[k]) or toks[k].n in _communes():
                keep = True
                break
            if _professional_before(toks, k):
                keep = True
                break
        if not keep:
            out.append((ws[0].idx, ws[-1].idx + len(ws[-1].text)))
    return out
