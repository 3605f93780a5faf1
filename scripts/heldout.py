"""Where the frozen held-out sets live, and how a split name maps to a file.

A split is `dev` or `test` of the first generation (`tests/heldout/<kind>/`), or `devN`/`testN`
of generation N (`tests/heldout/<kind>N/`: second generation `dev2`, third `dev3`…). The
benchmarks use this one mapping; test splits are only ever scored in aggregate.
"""
from __future__ import annotations

import re
from pathlib import Path

HELDOUT = Path(__file__).resolve().parents[1] / "tests" / "heldout"
GENERATIONS = ("", "2", "3", "4", "5", "6", "7")
SPLITS = tuple(f"{part}{gen}" for gen in GENERATIONS for part in ("dev", "test"))
_SPLIT = re.compile(r"^(dev|test)(\d*)$")


def split_file(kind: str, split: str) -> Path:
    """The file of `split` (e.g. `dev3`) for the set `kind` (`urgences`, `non_urgences`, `orientation`)."""
    found = _SPLIT.match(split)
    if not found:
        raise ValueError(f"split inconnu : {split!r} (attendu dev, test, dev2, test2, dev3…)")
    part, gen = found.groups()
    return HELDOUT / f"{kind}{gen}" / f"{part}.yml"

