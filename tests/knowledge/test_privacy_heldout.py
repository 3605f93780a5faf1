"""Masking figures on the held-out test split (tests/heldout/masquage/test.yml, never read).

Targets (issue 15): recall >= 0.99, keep >= 0.98. Measured with scripts/bench_privacy.py on
2026-12-01: recall 0.9903 (3 of 309 identifiers missed, all addresses), keep 0.9986.
"""
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SPEC = importlib.util.spec_from_file_location("bench_privacy", ROOT / "scripts" / "bench_privacy.py")
bench = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(bench)

RECALL_TARGET, KEEP_TARGET = 0.99, 0.98


@pytest.fixture(scope="module")
def figures():
    items = bench.load("test")
    assert len(items) >= 140
    return bench.evaluate(items)


def test_keep_rate_target(figures):
    assert figures["keep"] >= KEEP_TARGET


def test_recall_target(figures):
    assert figures["recall"] >= RECALL_TARGET


def test_each_category_mostly_masked(figures):
    for cat in bench.CATEGORIES:
        assert figures[f"recall.{cat}"] >= 0.85, cat


def test_dev_split_meets_targets():
    res = bench.evaluate(bench.load("dev"))
    assert res["recall"] >= RECALL_TARGET and res["keep"] >= KEEP_TARGET


def test_metric_counts_a_leak_and_a_lost_word(monkeypatch):
    items = [{"id": "x", "text": "Mme [[nom:Lambert]] vit à Bourges"}]
    monkeypatch.setattr(bench.privacy, "mask", lambda t, ner=False: t.replace("Bourges", "[nom]"))
    res = bench.evaluate(items)
    assert res["recall"] == 0.0 and res["words_lost"] == 1
