"""Emergency triage on the frozen held-out test split (tests/heldout/*/test.yml, never opened while
tuning): the figures may only go up. Levels are the ones measured by `make bench-triage` on
2026-12-02 (docs/triage.md § 3 quater), rounded in the safe direction; the targets of issue 16
(vital ≥ 0.99, social ≥ 0.95, false alarms ≤ 1 %, none on small talk) are not reached yet."""
from __future__ import annotations

import pytest

from scripts.bench_triage import HELDOUT, measure

MEASURED = {
    "vital_recall": 0.91,               # measured 0.919 on 2026-12-03, branch vital3 (0.912, 0.904, 0.875 before)
    "social_recall": 0.66,              # measured 0.689 on 2026-12-02, branch social (0.649, 0.554)
    "false_alarm_rate[all]": 0.06,      # measured 0.0586 on 2026-12-03, branch vital3 (0.0631, 0.0676 before), at most
    "false_alarm_rate[small_talk]": 0.0,    # measured 0 of 31 (1 of 31), at most
}

pytestmark = pytest.mark.skipif(not (HELDOUT / "urgences" / "test.yml").exists(), reason="held-out sets absent")


@pytest.fixture(scope="module")
def figures():
    fig, _failures = measure("test", net=True)   # the failures of the test split are never shown
    return fig


def test_recall_on_the_held_out_test_split(figures):
    print({k: figures[k] for k in ("vital_recall", "social_recall")})
    assert figures["vital_recall"] >= MEASURED["vital_recall"]
    assert figures["social_recall"] >= MEASURED["social_recall"]


def test_false_alarms_on_the_held_out_test_split(figures):
    print({k: figures[k] for k in ("false_alarm_rate[all]", "false_alarm_rate[small_talk]")})
    assert figures["false_alarm_rate[all]"] <= MEASURED["false_alarm_rate[all]"]
    assert figures["false_alarm_rate[small_talk]"] <= MEASURED["false_alarm_rate[small_talk]"]
