#!/usr/bin/env python3
"""Masking benchmark on the held-out set tests/heldout/masquage/ (dev and test splits).

Each message marks its identifiers inline, `[[categorie:valeur]]` (nom, nir, telephone, email,
date_naissance, adresse, ipp). The raw text (marks stripped) goes through
`knowledge.privacy.mask`, without and with the spaCy NER net (`mask(text, ner=True)`).

Definitions (character alignment of raw text and masked output with difflib, no junk
heuristic): a raw token *survives* when its whole character range lies inside one block that
the raw text and the output have in common. Tokens are runs of letters/digits (`[^\\W_]+`).
- recall: an identifier counts as masked when none of its tokens of >= 2 characters survives;
  recall = masked identifiers / identifiers, per category and overall;
- keep: share of the tokens outside every identifier span (any length) that survive.
- mask_ms_mean / mask_ms_p95: CPU time of one `mask()` call per message (warm word lists and
  model; CPU rather than wall time, the machine being shared).

Prints `name: value` lines prefixed `<split>.<variant>.` with variant `rules` or `rules+ner`.
Only aggregate figures are printed for the test split; `--failures` lists the dev split's
misses (leaked identifiers and lost words).

Usage: python scripts/bench_privacy.py [--splits dev,test] [--no-ner] [--failures]
"""
from __future__ import annotations

import argparse
import difflib
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from knowledge import privacy  # noqa: E402

HELDOUT = ROOT / "tests" / "heldout" / "masquage"
CATEGORIES = ("nom", "nir", "telephone", "email", "date_naissance", "adresse", "ipp")
_MARK_RE = re.compile(r"\[\[([a-z_]+):([^\[\]]+)\]\]")
_TOKEN_RE = re.compile(r"[^\W_]+")


def parse(marked: str) -> tuple[str, list[tuple[str, int, int]]]:
    """Raw text and its identifier spans (category, start, end)."""
    out, spans, last = [], [], 0
    pos = 0
    for m in _MARK_RE.finditer(marked):
        out.append(marked[last:m.start()])
        pos += m.start() - last
        value = m.group(2)
        spans.append((m.group(1), pos, pos + len(value)))
        out.append(value)
        pos += len(value)
        last = m.end()
    out.append(marked[last:])
    return "".join(out), spans


def load(split: str) -> list[dict]:
    return yaml.safe_load((HELDOUT / f"{split}.yml").read_text(encoding="utf-8")) or []


def _surviving(raw: str, masked: str) -> list[tuple[int, int]]:
    sm = difflib.SequenceMatcher(None, raw, masked, autojunk=False)
    return [(b.a, b.a + b.size) for b in sm.get_matching_blocks() if b.size]


def _survives(start: int, end: int, blocks: list[tuple[int, int]]) -> bool:
    return any(a <= start and end <= b for a, b in blocks)


def evaluate(items: list[dict], ner: bool = False) -> dict:
    """Figures for one split and variant, plus the misses (for the dev split)."""
    found, total = Counter(), Counter()
    kept = words = 0
    times, leaks, lost = [], [], []
    for item in items:
        raw, spans = parse(item["text"])
        t0 = time.process_time()
        out = privacy.mask(raw, ner=ner)
        times.append((time.process_time() - t0) * 1000)
        blocks = _surviving(raw, out)
        for cat, s, e in spans:
            total[cat] += 1
            toks = [m for m in _TOKEN_RE.finditer(raw, s, e) if len(m.group(0)) >= 2]
            leaked = [m.group(0) for m in toks if _survives(m.start(), m.end(), blocks)]
            if leaked:
                leaks.append((item["id"], cat, raw[s:e], out))
            else:
                found[cat] += 1
        for m in _TOKEN_RE.finditer(raw):
            if any(s <= m.start() < e for _, s, e in spans):
                continue
            words += 1
            if _survives(m.start(), m.end(), blocks):
                kept += 1
            else:
                lost.append((item["id"], m.group(0), out))
    res = {f"recall.{c}": (found[c] / total[c] if total[c] else None) for c in CATEGORIES}
    res["recall"] = sum(found.values()) / max(1, sum(total.values()))
    res["identifiers"] = sum(total.values())
    res["missed"] = sum(total.values()) - sum(found.values())
    res["keep"] = kept / max(1, words)
    res["words"] = words
    res["words_lost"] = words - kept
    res["messages"] = len(items)
    res["mask_ms_mean"] = statistics.mean(times) if times else 0.0
    res["mask_ms_p95"] = sorted(times)[int(0.95 * (len(times) - 1))] if times else 0.0
    res["_leaks"], res["_lost"] = leaks, lost
    return res


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--splits", default="dev,test")
    ap.add_argument("--no-ner", action="store_true", help="skip the spaCy NER variant")
    ap.add_argument("--failures", action="store_true", help="list the dev split's misses")
    args = ap.parse_args()
    variants = [("rules", False)] + ([] if args.no_ner else [("rules+ner", True)])
    privacy.warm_up()  # load the word lists outside the timings
    if not args.no_ner:
        privacy.mask("Mme Dupont", ner=True)  # load the spaCy model outside the timings
    for split in args.splits.split(","):
        items = load(split)
        for name, ner in variants:
            res = evaluate(items, ner=ner)
            for k, v in res.items():
                if k.startswith("_"):
                    continue
                shown = "n/a" if v is None else (f"{v:.4f}" if isinstance(v, float) else v)
                print(f"{split}.{name}.{k}: {shown}")
            if args.failures and split == "dev":
                for id_, cat, val, out in res["_leaks"]:
                    print(f"  LEAK {id_} {cat}: {val!r}\n      -> {out}")
                for id_, word, out in res["_lost"]:
                    print(f"  LOST {id_} {word!r}\n      -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
