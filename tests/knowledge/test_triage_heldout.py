"""Emergency triage on the frozen held-out test splits (tests/heldout/*/test.yml, never opened while
tuning): the figures may only go up. Floors are what `make bench-triage` measured (docs/triage.md
§ 3 quater), rounded in the safe direction; the targets of issue 16 (vital ≥ 0.99, social ≥ 0.95,
false alarms ≤ 1 %, none on small talk) are not reached yet. `test3` is the third generation,
written blind on 2026-12-03 and never tuned on (its dev split was)."""
from __future__ import annotations

import pytest

from scripts.bench_triage import measure
from scripts.heldout import split_file

# split -> figure -> floor (recall: at least; false alarm rates: at most)
MEASURED = {
    "test": {
        "vital_recall": 0.91,               # 0.919 on 2026-12-03 (0.912, 0.904, 0.875 before)
        "social_recall": 0.73,              # 0.743 on 2026-12-03, branch social3 (0.689 before)
        "false_alarm_rate[all]": 0.055,     # 0.0541 on 2026-12-03 (0.0631 before)
        "false_alarm_rate[small_talk]": 0.0,
    },
    "test2": {
        "vital_recall": 0.92,               # 0.934 on 2026-12-03 (0.926 before)
        "social_recall": 0.77,              # 0.785 on 2026-12-03 (0.722 before)
        "false_alarm_rate[all]": 0.064,     # 0.0629 on 2026-12-03 (0.0686 before)
        "false_alarm_rate[small_talk]": 0.0,
    },
    "test3": {
        "vital_recall": 0.945,              # 0.954 on 2026-12-03 (0.945 before any tuning on dev3)
        "social_recall": 0.73,              # 0.746 on 2026-12-03 (0.683 before)
        "false_alarm_rate[all]": 0.068,     # 0.0671 on 2026-12-03 (0.0732 before)
        "false_alarm_rate[small_talk]": 0.0,
    },
}
RECALLS = ("vital_recall", "social_recall")
ALARMS = ("false_alarm_rate[all]", "false_alarm_rate[small_talk]")


@pytest.fixture(scope="module", params=sorted(MEASURED))
def split_figures(request):
    split = request.param
    if not split_file("urgences", split).exists():
        pytest.skip(f"held-out split {split} absent")
    fig, _failures = measure(split, net=True)   # the failures of a test split are never shown
    return split, fig


def test_recall_on_the_held_out_test_splits(split_figures):
    split, fig = split_figures
    print(split, {k: fig[k] for k in RECALLS})
    for k in RECALLS:
        assert fig[k] >= MEASURED[split][k], (split, k)


def test_false_alarms_on_the_held_out_test_splits(split_figures):
    split, fig = split_figures
    print(split, {k: fig[k] for k in ALARMS})
    for k in ALARMS:
        assert fig[k] <= MEASURED[split][k], (split, k)
