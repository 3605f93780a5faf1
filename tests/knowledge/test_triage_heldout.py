"""Emergency triage on the frozen held-out test splits (tests/heldout/*/test.yml, never opened while
tuning): the figures may only go up. Floors are what `make bench-triage` measured (docs/triage.md
§ 3 quater), rounded in the safe direction; the targets of issue 16 (vital ≥ 0.99, social ≥ 0.95,
false alarms ≤ 1 %, none on small talk) are not reached yet. `test3` to `test7` are the
third to seventh generations, written blind on 2026-12-03, 2026-12-06 and 2026-12-07 and never tuned on
(their dev splits were)."""
from __future__ import annotations

import pytest

from scripts.bench_triage import measure
from scripts.heldout import split_file

# split -> figure -> floor (recall: at least; false alarm rates: at most)
MEASURED = {
    "test": {
        "vital_recall": 0.94,               # 0.949 on 2026-12-06, merged fifth pass (0.941, 0.919, 0.912, 0.875 before)
        "social_recall": 0.76,              # 0.770 on 2026-12-07, seventh pass (0.757, 0.757, 0.743, 0.689 before)
        "false_alarm_rate[all]": 0.04,      # 0.036 (0.0405, 0.0541, 0.0631 before)
        "false_alarm_rate[small_talk]": 0.0,
    },
    "test2": {
        "vital_recall": 0.955,              # 0.967 (0.967, 0.934, 0.926 before)
        "social_recall": 0.81,              # 0.823 (0.810, 0.797, 0.785, 0.722 before)
        "false_alarm_rate[all]": 0.04,      # 0.0343 after fa7 (0.040, 0.0457, 0.0629, 0.0686 before)
        "false_alarm_rate[small_talk]": 0.0,
    },
    "test3": {
        "vital_recall": 0.98,               # 0.991 (0.991, 0.954; 0.945 before any tuning on dev3)
        "social_recall": 0.80,              # 0.810 on 2026-12-07, seventh pass (0.778, 0.762, 0.746, 0.746, 0.683 before)
        "false_alarm_rate[all]": 0.06,      # 0.0549 (0.0610, 0.0671, 0.0732 before)
        "false_alarm_rate[small_talk]": 0.0,
    },
    "test4": {                              # fourth generation, written blind 2026-12-03, never tuned on
        "vital_recall": 0.93,               # 0.941 (0.931; 0.911 before any tuning on dev4)
        "social_recall": 0.83,              # 0.840 (0.840, 0.840 before)
        "false_alarm_rate[all]": 0.05,      # 0.0494 after the seventh pass, one more (0.0432, 0.0494, 0.0556 before)
        "false_alarm_rate[small_talk]": 0.0,
    },
    "test5": {                              # fifth generation, written blind 2026-12-06, never tuned on
        "vital_recall": 0.96,               # 0.971 (0.943 before any tuning on dev5)
        "social_recall": 0.66,              # 0.672 (0.638; 0.655 before: one item fewer, see docs/triage.md)
        "false_alarm_rate[all]": 0.05,      # 0.0438 (0.0365 before: an information question now frames its own sentence only)
        "false_alarm_rate[small_talk]": 0.042,  # 1 of 24, as before any tuning: not met (target 0)
    },
    "test6": {                              # sixth generation, written blind 2026-12-07, never tuned on
        "vital_recall": 0.955,              # 0.967 (0.967 before any tuning that day)
        "social_recall": 0.78,              # 0.792 after the seventh pass (0.750, 0.708 before)
        "false_alarm_rate[all]": 0.13,      # 0.124 (0.124 before): not met (target 0.01)
        "false_alarm_rate[small_talk]": 0.046,  # 1 of 22 (as before): not met (target 0)
    },
    "test7": {                              # seventh generation, written blind 2026-12-07 evening, never tuned on
        "vital_recall": 0.945,              # 0.957 on 2026-12-08 (0.957 before any tuning on dev7)
        "social_recall": 0.65,              # 0.667 (0.667 before)
        "false_alarm_rate[all]": 0.085,     # 0.0803 (0.0803 before): not met (target 0.01)
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
